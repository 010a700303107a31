import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * What every bucket this target creates starts as: never force-destroyed, protected and kept on
 * delete when `protect` says so, Block Public Access on every switch, objects owned by the bucket
 * owner (ACLs off), and versioned (an object deleted or overwritten by mistake survives as an old
 * version until the bucket's lifecycle expires it). The settings wait for the bucket, so none is
 * applied to a bucket that does not exist yet.
 */
export function createPrivateBucket(name: string, parent: pulumi.Resource, protect: boolean) {
  const bucket = new aws.s3.Bucket(
    name,
    { forceDestroy: false, objectLockEnabled: false, tags: { Name: name } },
    { parent, protect, retainOnDelete: protect },
  );
  const settings = { parent, dependsOn: [bucket] };
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    settings,
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    settings,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    settings,
  );
  return { bucket, publicAccess, ownership, versioning, settings };
}

/** Refuses any request that is not over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
