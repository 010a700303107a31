import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface KmsKeyArgs {
  /** Use this key instead of creating one. */
  readonly existingArn?: string;
  readonly description: string;
  readonly deletionWindowDays: number;
  /** Protect the key from deletion and replacement: data encrypted with it is lost without it. */
  readonly protect: boolean;
  /** AWS service principals (e.g. `logs.eu-west-1.amazonaws.com`) that may use the key directly. */
  readonly servicePrincipals?: string[];
}

/**
 * A customer-managed KMS key with yearly rotation, or an existing one adopted by ARN. The key
 * policy delegates to IAM in this account (so only principals whose IAM policies name the key can
 * use it) and lets the listed AWS services encrypt with it.
 */
export class KmsKey extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  public readonly key?: aws.kms.Key;

  constructor(name: string, args: KmsKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:KmsKey", name, {}, opts);
    if (args.existingArn) {
      this.arn = pulumi.output(args.existingArn);
    } else {
      const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
      const partition = aws.getPartitionOutput({}, { parent: this }).partition;
      this.key = new aws.kms.Key(
        name,
        {
          description: args.description,
          enableKeyRotation: true,
          deletionWindowInDays: args.deletionWindowDays,
          policy: pulumi
            .all([account, partition])
            .apply(([id, p]) => JSON.stringify(keyPolicy(id, p, args.servicePrincipals ?? []))),
        },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      new aws.kms.Alias(
        `${name}-alias`,
        { name: `alias/${name}`, targetKeyId: this.key.keyId },
        { parent: this },
      );
      this.arn = this.key.arn;
    }
    this.registerOutputs({ arn: this.arn });
  }
}

export function keyPolicy(accountId: string, partition: string, services: string[]) {
  const statements: Record<string, unknown>[] = [
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (services.length) {
    statements.push({
      Sid: "ServicesEncryptForThisAccount",
      Effect: "Allow",
      Principal: { Service: services },
      Action: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
