import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KmsKey } from "../aws/kmsKey";
import { DockerVm, DockerVmArgs } from "./dockerVm";

/** A Docker host on an EC2 VM of this stack's own, with a key for its disks. */
export interface AwsVmHostArgs extends Omit<DockerVmArgs, "kmsKeyArn" | "protectData"> {
  /** The VM's region. */
  readonly region: string;
  /** A key to use instead of creating one, and the waiting period when a created key is deleted. */
  readonly key: { readonly existingArn?: string; readonly deletionWindowDays: number };
}

/**
 * The VM, its key and the AWS provider of its region. Until issue 9 the stack created them at its
 * top level: the alias keeps each one's identity (and its children's) in existing stacks.
 */
export function createAwsVmHost(
  name: string,
  parent: pulumi.Resource,
  args: AwsVmHostArgs,
  protectData: boolean,
): DockerVm {
  const moved = { parent, aliases: [{ parent: pulumi.rootStackResource }] };
  const { region, key: keyArgs, ...vm } = args;
  const provider = new aws.Provider(`${name}-aws`, { region: region as aws.Region }, moved);
  const inRegion = { ...moved, providers: [provider] };
  const key = new KmsKey(
    `${name}-key`,
    {
      existingArn: keyArgs.existingArn,
      description: `Orthanc ${name}: VM disks`,
      deletionWindowDays: keyArgs.deletionWindowDays,
      protect: protectData,
      // The flow logs of the VPC the VM creates go to a log group under this key.
      servicePrincipals: vm.vpcId && vm.subnetId ? [] : [`logs.${region}.amazonaws.com`],
    },
    inRegion,
  );
  return new DockerVm(`${name}-vm`, { ...vm, kmsKeyArn: key.arn, protectData }, inRegion);
}
