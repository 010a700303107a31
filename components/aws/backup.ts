import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "./iam";

export interface BackupPlanArgs {
  /** The vault's key (recovery points AWS Backup encrypts itself, such as EFS's). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** What the plan backs up, by ARN (RDS instances, EFS file systems, EBS volumes). */
  readonly resourceArns: pulumi.Input<string>[];
  /** Days each daily recovery point is kept. */
  readonly retentionDays: number;
}

/**
 * An AWS Backup plan: a vault under the customer-managed key, one daily rule (03:00 UTC, kept
 * `retentionDays`), and a selection of resources by ARN, backed up by a role only AWS Backup can
 * assume, with AWS's managed policy for backing up (`AWSBackupServiceRolePolicyForBackup`: the
 * snapshot and describe calls of each supported service; the key policy delegates its KMS use to it).
 * Resource names: `<name>-vault`, `-plan`, `-backup` (role and its attachment), `-selection`.
 */
export function createBackupPlan(name: string, parent: pulumi.Resource, args: BackupPlanArgs) {
  const child = { parent };
  const vault = new aws.backup.Vault(`${name}-vault`, { kmsKeyArn: args.kmsKeyArn }, child);
  const plan = new aws.backup.Plan(
    `${name}-plan`,
    {
      rules: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule: "cron(0 3 * * ? *)",
          startWindow: 60,
          completionWindow: 360,
          lifecycle: { deleteAfter: args.retentionDays },
        },
      ],
    },
    child,
  );
  const role = serviceRole(`${name}-backup`, parent, "backup.amazonaws.com", {
    managed: {
      [`${name}-backup`]:
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    },
  });
  const selection = new aws.backup.Selection(
    `${name}-selection`,
    { planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
    child,
  );
  return { vault, plan, role, selection };
}
