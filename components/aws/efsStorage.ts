import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EfsStorageArgs {
  /** One mount target per subnet (one per AZ). */
  readonly subnetIds: pulumi.Input<string>[];
  /** Security groups that let only Orthanc's tasks reach NFS (by group reference). */
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly kmsKeyArn: pulumi.Input<string>;
  /** uid/gid Orthanc runs as; the access point maps every client to it. */
  readonly posixUid: number;
  readonly protect: boolean;
  /** EFS's own daily backups; off when an AWS Backup plan of the deployment covers the file system. */
  readonly automaticBackups: boolean;
}

/**
 * An EFS file system for DICOM files: encrypted with the customer-managed key, TLS required by
 * its policy, a non-root access point with its own directory, Infrequent Access after 30 days
 * (back on first access), and EFS's own daily backups unless the caller's AWS Backup plan covers
 * the file system (`automaticBackups`; the AWS target turns them off and backs it up in its plan).
 */
export class EfsStorage extends pulumi.ComponentResource {
  public readonly fileSystemId: pulumi.Output<string>;
  public readonly fileSystemArn: pulumi.Output<string>;
  public readonly accessPointId: pulumi.Output<string>;
  public readonly accessPointArn: pulumi.Output<string>;

  constructor(name: string, args: EfsStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:EfsStorage", name, {}, opts);
    const child = { parent: this };
    const fs = new aws.efs.FileSystem(
      name,
      {
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        performanceMode: "generalPurpose",
        throughputMode: "elastic",
        lifecyclePolicies: [
          { transitionToIa: "AFTER_30_DAYS" },
          { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
        ],
        tags: { Name: name },
      },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );
    new aws.efs.BackupPolicy(
      `${name}-backup`,
      {
        fileSystemId: fs.id,
        backupPolicy: { status: args.automaticBackups ? "ENABLED" : "DISABLED" },
      },
      child,
    );
    new aws.efs.FileSystemPolicy(
      `${name}-policy`,
      { fileSystemId: fs.id, policy: fs.arn.apply((arn) => JSON.stringify(fileSystemPolicy(arn))) },
      child,
    );
    args.subnetIds.forEach((subnetId, i) => {
      new aws.efs.MountTarget(
        `${name}-mount-${i}`,
        { fileSystemId: fs.id, subnetId, securityGroups: args.securityGroupIds },
        child,
      );
    });
    const uid = args.posixUid;
    const ap = new aws.efs.AccessPoint(
      `${name}-orthanc`,
      {
        fileSystemId: fs.id,
        posixUser: { uid, gid: uid },
        rootDirectory: {
          path: "/orthanc",
          creationInfo: { ownerUid: uid, ownerGid: uid, permissions: "750" },
        },
        tags: { Name: `${name}-orthanc` },
      },
      child,
    );
    this.fileSystemId = fs.id;
    this.fileSystemArn = fs.arn;
    this.accessPointId = ap.id;
    this.accessPointArn = ap.arn;
    this.registerOutputs({ fileSystemId: this.fileSystemId, accessPointId: this.accessPointId });
  }
}

/** Refuses unencrypted NFS; access itself is granted per role through IAM (ClientMount/ClientWrite). */
export function fileSystemPolicy(fileSystemArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: fileSystemArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
