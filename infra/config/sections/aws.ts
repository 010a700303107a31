import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { accessLogRetentionDays, cidr, logRetentionDays } from "../primitives";
import { rule } from "../rule";
import { networkOf } from "../../../components/shared/cidr";
import { awsRegion } from "../platform/awsRegions";
import { x86InstanceType } from "../platform/ec2";
import { refuse } from "../platform/issue";
import {
  describeMemory,
  FARGATE_CPUS,
  FARGATE_SIZES,
  fargateCpusFor,
  nearestFargateMemory,
} from "../platform/fargate";

/**
 * The range of a VPC this program creates: a network (the `cidr` primitive refuses host bits and
 * lone addresses) of /16 to /24, which `subnetCidrs` splits into sixteen subnets (a public and a
 * private one per AZ).
 */
const vpcCidr = cidr.check((ctx) => {
  // Only a well-formed network: the primitive's own messages cover the rest.
  if (!z.cidrv4().safeParse(ctx.value).success || networkOf(ctx.value) !== ctx.value) return;
  const prefix = Number(ctx.value.split("/")[1]);
  if (prefix < 16 || prefix > 24) {
    refuse(
      ctx,
      `must be a /16 to /24 block (AWS allows /16 at most, and the program splits it into 16 subnets, /28 at the smallest)`,
      `${ctx.value.split("/")[0]}/${Math.min(24, Math.max(16, prefix))}`,
    );
  }
});

/** `orthanc:aws` (aws target only, required): the region, network and ECS service. */
export const awsSection = z.strictObject({
  region: awsRegion(),
  /** Use an existing VPC: its id and at least two private subnets in different AZs. */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/)
    .optional(),
  privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  /** CIDR of a VPC this program creates. */
  vpcCidr: vpcCidr.default("10.40.0.0/16"),
  availabilityZones: z.number().int().min(2).max(3).default(2),
  compute: z.enum(["fargate", "ec2"]).default("fargate"),
  /** EC2 instance type of the cluster's hosts (compute ec2 only; m6i.large when omitted). */
  instanceType: x86InstanceType.optional(),
  /** Task CPU units (1024 = 1 vCPU); with Fargate, a pair of AWS's table with `memoryMiB`. */
  cpu: z.number().int().min(128).max(16384).default(1024),
  memoryMiB: z.number().int().min(512).max(122880).default(2048),
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
  /**
   * Deprecated: the former name of `orthanc.dicom.tls.enabled` (read as it, with a warning), now
   * on by default wherever DICOM is published and the stack has a domain.
   */
  dicomTls: z.boolean().optional(),
  /** Days CloudWatch keeps container and flow logs. */
  logRetentionDays: logRetentionDays.default(365),
  /**
   * Days the access trail is kept: the load balancers' access logs and the S3 server access logs
   * of a DICOM bucket this stack creates, in the access-log bucket.
   */
  accessLogRetentionDays: accessLogRetentionDays.default(365),
  alarmEmail: z.email().optional(),
});

const SUBNET_KEYS = ["privateSubnetIds", "publicSubnetIds"] as const;

/** Fargate runs only the CPU/memory pairs of AWS's table. */
function fargateSize(cpu: number, memoryMiB: number): ConfigIssue | undefined {
  if (!FARGATE_CPUS.includes(cpu)) {
    const fits = fargateCpusFor(memoryMiB);
    const near = (list: readonly number[]) =>
      [...list].sort((a, b) => Math.abs(a - cpu) - Math.abs(b - cpu))[0];
    const example = near(fits.length ? fits : FARGATE_CPUS);
    return {
      key: "orthanc:aws.cpu",
      message:
        `got ${cpu}, which Fargate does not run. Allowed with \`orthanc:aws.compute\` fargate: ${FARGATE_CPUS.join(", ")} ` +
        `(1024 = 1 vCPU)${fits.length ? `; with \`orthanc:aws.memoryMiB\` ${memoryMiB}: ${fits.join(", ")}` : ""}. ` +
        `Fix: \`pulumi config set --path 'orthanc:aws.cpu' ${example}\`.`,
    };
  }
  if (FARGATE_SIZES[cpu].includes(memoryMiB)) return undefined;
  const fits = fargateCpusFor(memoryMiB);
  return {
    key: "orthanc:aws.memoryMiB",
    message:
      `got ${memoryMiB}, which Fargate does not run with \`orthanc:aws.cpu\` ${cpu}. Allowed with cpu ${cpu}: ${describeMemory(cpu)} MiB` +
      `${fits.length ? `; ${memoryMiB} MiB runs with cpu ${fits.join(" or ")}` : ""}. ` +
      `Fix: \`pulumi config set --path 'orthanc:aws.memoryMiB' ${nearestFargateMemory(cpu, memoryMiB)}\`` +
      `${fits.length ? `, or \`pulumi config set --path 'orthanc:aws.cpu' ${fits[0]}\`` : ""}.`,
  };
}

/** The rules that guard `orthanc:aws`. */
export const awsRules = [
  rule({ sections: ["aws"], targets: ["aws"] }, ({ aws }) =>
    aws.compute === "fargate" ? fargateSize(aws.cpu, aws.memoryMiB) : undefined,
  ),

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
    // The load balancers are internet-facing: they need public subnets in two AZs.
    if (aws.vpcId && (aws.publicSubnetIds?.length ?? 0) < 2) {
      return {
        key: "orthanc:aws.publicSubnetIds",
        message:
          `an existing VPC (\`orthanc:aws.vpcId\`) needs at least two public subnets in different AZs for the load balancers, ` +
          `got ${aws.publicSubnetIds?.length ?? 0}. Fix: \`pulumi config set --path 'orthanc:aws.publicSubnetIds[0]' subnet-...\` ` +
          `and \`[1]\` (subnets routed to an internet gateway).`,
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

  // A VPC this program creates is sized by these; an existing one ignores them.
  rule({ sections: ["aws"], targets: ["aws"] }, ({ aws }, _target, given) =>
    aws.vpcId
      ? (["vpcCidr", "availabilityZones"] as const)
          .filter((leaf) => given(`aws.${leaf}`))
          .map((leaf) => ({
            key: `orthanc:aws.${leaf}`,
            message:
              `shapes a VPC this program creates, but \`orthanc:aws.vpcId\` uses an existing one, so it would do nothing. ` +
              `Fix: \`pulumi config rm --path 'orthanc:aws.${leaf}'\`, or remove vpcId and the subnet ids to have a VPC created.`,
          }))
      : undefined,
  ),
];
