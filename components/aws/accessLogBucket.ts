import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createPrivateBucket, tlsOnlyBucketPolicy as tlsOnlyPolicy } from "./privateBucket";

/** Where each writer puts its logs in the bucket (ELB adds `AWSLogs/<account>/...` after it). */
export const ACCESS_LOG_PREFIXES = { web: "web", dicom: "dicom", s3: "s3/" } as const;

export interface AccessLogBucketArgs {
  /** The region of the bucket and of what writes to it: ELB's log writer differs per region. */
  readonly region: string;
  /** Days a log object is kept before it expires. */
  readonly retentionDays: number;
  /** The DICOM network load balancer writes access logs (it has a TLS listener). */
  readonly dicomLoadBalancer: boolean;
  /** Buckets whose S3 server access logs go here, by a short name (their log prefix). */
  readonly s3Sources: Record<
    string,
    { bucketName: pulumi.Input<string>; arn: pulumi.Input<string> }
  >;
  /** Protect the bucket from deletion and replacement; it is never force-destroyed. */
  readonly protect: boolean;
}

/** Days a deleted or expired log object survives as a noncurrent version. */
export const NONCURRENT_LOG_DAYS = 30;

/**
 * Elastic Load Balancing's account per region, for the regions opened before August 2022: there
 * AWS documents this account as the principal that writes ALB access logs; in every later region
 * it is the service principal `logdelivery.elasticloadbalancing.amazonaws.com`. Commercial
 * partition only (the program refuses the others). Source: the ALB guide, "Enable access logs",
 * step 2, as also tabled by the Terraform provider's `aws_elb_service_account`.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-southeast-3": "589379963580",
  "ap-south-1": "718504428378",
  "ap-northeast-3": "383597477331",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-south-1": "635631232127",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
};

/** The principal AWS documents for ALB access log delivery in `region`. */
export function albLogPrincipal(region: string): { AWS: string } | { Service: string } {
  const account = ELB_LOG_ACCOUNTS[region];
  return account
    ? { AWS: `arn:aws:iam::${account}:root` }
    : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" };
}

/**
 * The bucket of the access trail: the web load balancer's access logs, the DICOM load balancer's
 * (which exist only for a TLS listener) and the S3 server access logs of the DICOM bucket.
 * Private (Block Public Access, owner-enforced), TLS-only, SSE-S3: the only default encryption ALB
 * access logs accept, and the one S3 server access logs can be delivered under. Versioned, so a log
 * deleted by mistake survives `NONCURRENT_LOG_DAYS` as a noncurrent version; every log expires after
 * `retentionDays`. The policy lets each writer put objects under its own prefix only, in this
 * account's folder, and nothing else; it is in place before any writer is pointed at the bucket
 * (`bucketName` resolves only then, since ELB checks its access when logging is turned on).
 */
export class AccessLogBucket extends pulumi.ComponentResource {
  /** The bucket's name, once its policy is in place. */
  public readonly bucketName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:AccessLogBucket", name, {}, opts);
    const child = { parent: this };
    const { bucket, publicAccess, ownership, versioning, settings } = createPrivateBucket(
      name,
      this,
      args.protect,
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      settings,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: bucket.id, rules: accessLogLifecycle(args.retentionDays) },
      { ...child, dependsOn: [versioning] },
    );
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const sources = Object.entries(args.s3Sources);
    const policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi
          .all([bucket.arn, account, pulumi.all(sources.map(([, s]) => s.arn))])
          .apply(([arn, accountId, sourceArns]) =>
            JSON.stringify(
              accessLogBucketPolicy(arn, {
                accountId,
                region: args.region,
                dicomLoadBalancer: args.dicomLoadBalancer,
                s3Sources: sources.map(([key], i) => ({
                  prefix: `${ACCESS_LOG_PREFIXES.s3}${key}/`,
                  arn: sourceArns[i],
                })),
              }),
            ),
          ),
      },
      // Last: `bucketName` resolves after it, so no writer is pointed at the bucket before it is
      // private, owner-enforced and encrypted.
      { ...child, dependsOn: [bucket, publicAccess, ownership, encryption] },
    );
    this.bucketName = pulumi.all([bucket.bucket, policy.id]).apply(([b]) => b);
    this.arn = bucket.arn;

    for (const [key, source] of sources) {
      new aws.s3.BucketLogging(
        `${name}-${key}`,
        {
          bucket: source.bucketName,
          targetBucket: this.bucketName,
          targetPrefix: `${ACCESS_LOG_PREFIXES.s3}${key}/`,
        },
        child,
      );
    }
    this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
  }
}

/**
 * Every log expires after `retentionDays`; a deleted or expired one is kept as a noncurrent
 * version `NONCURRENT_LOG_DAYS` more (S3 then also removes the delete marker left alone).
 */
export function accessLogLifecycle(
  retentionDays: number,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "expire-access-logs",
      status: "Enabled",
      filter: {},
      expiration: { days: retentionDays },
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_LOG_DAYS },
    },
  ];
}

/**
 * TLS only; ALB access logs from ELB's documented principal for the region into `web/`; NLB
 * access logs (TLS listener) from the log delivery service into `dicom/`, for this account's load
 * balancers only; S3 server access logs into `s3/<name>/`, from the named bucket of this account
 * only. Writers get `s3:PutObject` on their prefix within this account's folder, the NLB's writer
 * also the ACL check AWS documents for it.
 */
export function accessLogBucketPolicy(
  bucketArn: string,
  a: {
    accountId: string;
    region: string;
    dicomLoadBalancer: boolean;
    s3Sources: { prefix: string; arn: string }[];
  },
) {
  const thisAccount = { "aws:SourceAccount": a.accountId };
  const fromLogDelivery = { "aws:SourceArn": `arn:aws:logs:${a.region}:${a.accountId}:*` };
  const statements: Record<string, unknown>[] = [
    ...tlsOnlyPolicy(bucketArn).Statement,
    {
      Sid: "WebLoadBalancerAccessLogs",
      Effect: "Allow",
      Principal: albLogPrincipal(a.region),
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${ACCESS_LOG_PREFIXES.web}/AWSLogs/${a.accountId}/*`,
    },
  ];
  if (a.dicomLoadBalancer) {
    statements.push(
      {
        Sid: "DicomLoadBalancerAccessLogs",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/${ACCESS_LOG_PREFIXES.dicom}/AWSLogs/${a.accountId}/*`,
        Condition: {
          StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", ...thisAccount },
          ArnLike: fromLogDelivery,
        },
      },
      {
        Sid: "DicomLoadBalancerAclCheck",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: bucketArn,
        Condition: { StringEquals: thisAccount, ArnLike: fromLogDelivery },
      },
    );
  }
  a.s3Sources.forEach((s, i) =>
    statements.push({
      Sid: `S3ServerAccessLogs${i}`,
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${s.prefix}*`,
      Condition: { StringEquals: thisAccount, ArnLike: { "aws:SourceArn": s.arn } },
    }),
  );
  return { Version: "2012-10-17", Statement: statements };
}
