import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A role only `service` can assume, with AWS-managed and inline policies. Keys of `managed` and
 * `inline` are the resource names of the attachments and policies.
 */
export function serviceRole(
  name: string,
  parent: pulumi.Resource,
  service: string,
  policies: {
    managed?: Record<string, string>;
    inline?: Record<string, pulumi.Input<object>>;
  } = {},
): aws.iam.Role {
  const role = new aws.iam.Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
      }),
    },
    { parent },
  );
  for (const [resourceName, policyArn] of Object.entries(policies.managed ?? {})) {
    new aws.iam.RolePolicyAttachment(resourceName, { role: role.name, policyArn }, { parent });
  }
  for (const [resourceName, doc] of Object.entries(policies.inline ?? {})) {
    new aws.iam.RolePolicy(
      resourceName,
      { role: role.id, policy: pulumi.output(doc).apply((d) => JSON.stringify(d)) },
      { parent },
    );
  }
  return role;
}

/** Orthanc's S3 plugin: objects under its prefix, and (if given) the key of the bucket's SSE-KMS. */
export function s3PrefixPolicy(bucketArn: string, prefix: string, keyArn?: string) {
  const statements: Record<string, unknown>[] = [
    {
      Sid: "Objects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: `${bucketArn}/${prefix}*`,
    },
    {
      Sid: "List",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
    },
  ];
  if (keyArn) {
    statements.push({
      Sid: "Key",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: keyArn,
      Condition: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
