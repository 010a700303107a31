import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "./iam";

export interface Ec2CapacityArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly instanceType: string;
  /** Private subnets; the instances get no public address. */
  readonly subnetIds: pulumi.Input<string>[];
  readonly vpcId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Upper bound of the group: the tasks' count plus one for a rolling replacement. */
  readonly maxInstances: number;
}

/** The ECS agent's settings: tasks (awsvpc) never reach the instance's metadata or its role. */
export function ecsUserData(clusterName: string): string {
  return [
    "#!/bin/bash",
    "cat >> /etc/ecs/ecs.config <<'EOF'",
    `ECS_CLUSTER=${clusterName}`,
    "ECS_AWSVPC_BLOCK_IMDS=true",
    "ECS_ENABLE_TASK_IAM_ROLE=true",
    "ECS_CONTAINER_STOP_TIMEOUT=60s",
    "EOF",
    "",
  ].join("\n");
}

/**
 * EC2 capacity for the ECS cluster: the ECS-optimized Amazon Linux 2023 image, IMDSv2 only with
 * tasks blocked from instance metadata, an encrypted root disk, no inbound traffic, in private
 * subnets, scaled by a capacity provider that protects instances running tasks.
 */
export class Ec2Capacity extends pulumi.ComponentResource {
  public readonly capacityProviderName: pulumi.Output<string>;

  constructor(name: string, args: Ec2CapacityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:Ec2Capacity", name, {}, opts);
    const child = { parent: this };
    const ami = aws.ssm.getParameterOutput(
      { name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" },
      child,
    );
    const role = serviceRole(`${name}-instance`, this, "ec2.amazonaws.com", {
      managed: {
        [`${name}-ecs`]: "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
        [`${name}-ssm`]: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      },
    });
    const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, child);
    // Tasks have their own network interfaces and security group; the hosts take no traffic.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-hosts`,
      {
        vpcId: args.vpcId,
        description: "ECS hosts: no inbound; outbound for the agent and images",
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      },
      child,
    );
    const template = new aws.ec2.LaunchTemplate(
      `${name}-hosts`,
      {
        imageId: ami.value,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: [sg.id],
        metadataOptions: {
          httpTokens: "required",
          httpEndpoint: "enabled",
          httpPutResponseHopLimit: 1,
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              encrypted: "true",
              kmsKeyId: args.kmsKeyArn,
              volumeType: "gp3",
              volumeSize: 30,
              deleteOnTermination: "true",
            },
          },
        ],
        userData: pulumi
          .output(args.clusterName)
          .apply((c) => Buffer.from(ecsUserData(c)).toString("base64")),
        updateDefaultVersion: true,
      },
      child,
    );
    const group = new aws.autoscaling.Group(
      `${name}-hosts`,
      {
        vpcZoneIdentifiers: args.subnetIds,
        minSize: 0,
        maxSize: args.maxInstances,
        launchTemplate: { id: template.id, version: "$Latest" },
        // The capacity provider decides which instances may go.
        protectFromScaleIn: true,
        tags: [{ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true }],
      },
      { ...child, ignoreChanges: ["desiredCapacity"] },
    );
    const provider = new aws.ecs.CapacityProvider(
      `${name}-provider`,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: "ENABLED",
          managedScaling: { status: "ENABLED", targetCapacity: 100 },
        },
      },
      child,
    );
    this.capacityProviderName = provider.name;
    this.registerOutputs({ capacityProviderName: this.capacityProviderName });
  }
}
