import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createPrivateBucket, tlsOnlyBucketPolicy } from "./privateBucket";

export interface DicomBucketArgs {
  /** Encrypts every object (SSE-KMS with an S3 Bucket Key). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Days an overwritten or deleted object version is kept before it expires. */
  readonly noncurrentVersionDays: number;
  /** Move current objects to S3 Glacier Instant Retrieval after this many days (optional). */
  readonly glacierInstantRetrievalAfterDays?: number;
  /** Protect the bucket from deletion and replacement; it is never force-destroyed. */
  readonly protect: boolean;
}

/**
 * The object store for DICOM files: private (Block Public Access, owner-enforced), TLS-only,
 * SSE-KMS with a customer-managed key and an S3 Bucket Key (millions of small objects would
 * otherwise mean millions of KMS calls), versioned with expiry of old versions, incomplete
 * multipart uploads aborted. Usable on its own by any target.
 */
export class DicomBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: DicomBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:DicomBucket", name, {}, opts);
    const child = { parent: this };
    const { bucket, versioning, settings } = createPrivateBucket(name, this, args.protect);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: args.kmsKeyArn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      settings,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: lifecycleRules(args) },
      { ...child, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
      },
      settings,
    );

    this.bucketName = bucket.bucket;
    this.arn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}

export function lifecycleRules(
  args: Pick<DicomBucketArgs, "noncurrentVersionDays" | "glacierInstantRetrievalAfterDays">,
) {
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
    {
      id: "expire-old-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-incomplete-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
  if (args.glacierInstantRetrievalAfterDays !== undefined) {
    rules.push({
      id: "to-glacier-instant-retrieval",
      status: "Enabled",
      filter: {},
      transitions: [{ days: args.glacierInstantRetrievalAfterDays, storageClass: "GLACIER_IR" }],
    });
  }
  return rules;
}
