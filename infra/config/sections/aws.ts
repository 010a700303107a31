import { z } from "zod";
import { cidr } from "../primitives";
import { rule } from "../rule";

/** `orthanc:aws` (aws target only, required): the region, network and ECS service. */
export const awsSection = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as `eu-west-1`" }),
  /** Use an existing VPC: its id and at least two private subnets in different AZs. */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/)
    .optional(),
  privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  /** CIDR of a VPC this program creates. */
  vpcCidr: cidr.default("10.40.0.0/16"),
  availabilityZones: z.number().int().min(2).max(3).default(2),
  compute: z.enum(["fargate", "ec2"]).default("fargate"),
  /** EC2 instance type of the cluster's hosts (compute ec2 only; m6i.large when omitted). */
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
      error: "must be an EC2 instance type such as `m6i.large`",
    })
    .optional(),
  cpu: z.number().int().default(1024),
  memoryMiB: z.number().int().default(2048),
  /** Networks allowed to reach HTTPS. */
  webAllowedCidrs: z.array(cidr).default(["0.0.0.0/0"]),
  ecsExec: z.boolean().default(false),
  /**
   * Target tracking on CPU between `orthanc.replicas` and `maxReplicas` tasks. Orthanc is then
   * configured for several writers (no database lock) and its pool sized for the maximum.
   */
  autoscaling: z
    .strictObject({
      maxReplicas: z.number().int().min(2).max(20),
      targetCpuPercent: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
  /** TLS on the DICOM load balancer's listener (the certificate of `dns.dicomName`). */
  dicomTls: z.boolean().default(false),
  /** Days CloudWatch keeps container and flow logs. */
  logRetentionDays: z
    .literal([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
      3288, 3653,
    ])
    .default(365),
  alarmEmail: z.email().optional(),
});

const SUBNET_KEYS = ["privateSubnetIds", "publicSubnetIds"] as const;

/** The rules that guard `orthanc:aws`. */
export const awsRules = [
  rule({ sections: ["aws", "orthanc"], targets: ["aws"] }, ({ aws, orthanc }) =>
    aws.autoscaling && aws.autoscaling.maxReplicas <= orthanc.replicas
      ? {
          key: "orthanc:aws.autoscaling.maxReplicas",
          message: `must be above \`orthanc:orthanc.replicas\` (${orthanc.replicas}), got ${aws.autoscaling.maxReplicas}. Fix: raise maxReplicas, or remove autoscaling.`,
        }
      : undefined,
  ),

  rule({ sections: ["aws"], targets: ["aws"] }, ({ aws }) =>
    aws.instanceType && aws.compute !== "ec2"
      ? {
          key: "orthanc:aws.instanceType",
          message: `is only used with \`orthanc:aws.compute\` ec2, got compute ${aws.compute}. Fix: set compute to ec2, or remove instanceType.`,
        }
      : undefined,
  ),

  rule({ sections: ["aws"], targets: ["aws"] }, ({ aws }) => {
    const given = SUBNET_KEYS.filter((k) => aws[k] !== undefined);
    if (aws.vpcId && (aws.privateSubnetIds?.length ?? 0) < 2) {
      return {
        key: "orthanc:aws.privateSubnetIds",
        message: `an existing VPC needs at least two private subnets in different AZs, got ${aws.privateSubnetIds?.length ?? 0}. Fix: list them.`,
      };
    }
    if (!aws.vpcId && given.length) {
      return {
        key: `orthanc:aws.${given[0]}`,
        message: `subnets are only used with an existing VPC. Fix: set \`orthanc:aws.vpcId\`, or remove the subnet ids.`,
      };
    }
    return undefined;
  }),
];
