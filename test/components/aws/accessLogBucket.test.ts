/**
 * The AccessLogBucket component on its own, under mocks: a private, SSE-S3, versioned bucket that
 * survives deletion, expires logs after the retention, and lets exactly the documented writers put
 * logs under their own prefixes; and the S3 server access logging of a source bucket into it.
 */
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import {
  accessLogBucketPolicy,
  albLogPrincipal,
  ELB_LOG_ACCOUNTS,
} from "../../../components/aws/accessLogBucket";
import { only } from "../../helpers/plan";

const LOGS = "arn:aws:s3:::pacs-access-logs-a1b2c3d";
const SOURCE = "arn:aws:s3:::pacs-dicom-0123456";

describe("AccessLogBucket", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { AccessLogBucket } = await import("../../../components/aws/accessLogBucket");
      const b = new AccessLogBucket("pacs-access-logs", {
        region: "eu-west-1",
        retentionDays: 400,
        dicomLoadBalancer: true,
        s3Sources: { dicom: { bucketName: "pacs-dicom-0123456", arn: SOURCE } },
        protect: true,
      });
      return { bucketName: b.bucketName, arn: b.arn };
    });
  });

  test("is private, owner-enforced, SSE-S3 (what ALB access logs accept) and versioned", () => {
    expect(
      only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      only(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule,
    ).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(
      only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      ).inputs.rules,
    ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    expect(
      only(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
  });

  test("is protected, retained and never force-destroyed", () => {
    const bucket = only(plan, "aws:s3/bucket:Bucket");
    expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
    expect(bucket.inputs).toEqual({
      forceDestroy: false,
      objectLockEnabled: false,
      tags: { Name: "pacs-access-logs" },
    });
  });

  test("every log expires after the retention; a deleted one is kept 30 days as an old version", () => {
    expect(
      only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules,
    ).toEqual([
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: {},
        expiration: { days: 400 },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
    ]);
  });

  test("its policy: TLS only, and each writer may put objects under its own prefix only", () => {
    const policy = JSON.parse(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    expect(validateResourcePolicy(policy)).toEqual([]);
    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [LOGS, `${LOGS}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "WebLoadBalancerAccessLogs",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::156460612806:root" },
          Action: "s3:PutObject",
          Resource: `${LOGS}/web/AWSLogs/123456789012/*`,
        },
        {
          Sid: "DicomLoadBalancerAccessLogs",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${LOGS}/dicom/AWSLogs/123456789012/*`,
          Condition: {
            StringEquals: {
              "s3:x-amz-acl": "bucket-owner-full-control",
              "aws:SourceAccount": "123456789012",
            },
            ArnLike: { "aws:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*" },
          },
        },
        {
          Sid: "DicomLoadBalancerAclCheck",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: LOGS,
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*" },
          },
        },
        {
          Sid: "S3ServerAccessLogs0",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${LOGS}/s3/dicom/*`,
          Condition: {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": SOURCE },
          },
        },
      ],
    });
  });

  test("the source bucket's S3 server access logs go under its prefix, once the policy is in place", () => {
    const logging = only(plan, "aws:s3/bucketLogging:BucketLogging");
    expect(logging.name).toBe("pacs-access-logs-dicom");
    expect(logging.inputs).toEqual({
      bucket: "pacs-dicom-0123456",
      targetBucket: "pacs-access-logs-a1b2c3d",
      targetPrefix: "s3/dicom/",
    });
    const policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy");
    expect(logging.dependencies).toContain(policy.urn);
  });

  test("the bucket name it hands out waits for the policy; the policy for the bucket's settings", () => {
    const policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy");
    const settings = [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ].map((type) => only(plan, type).urn);
    expect(policy.dependencies).toEqual(expect.arrayContaining(settings));
    expect(plan.outputs.bucketName).toBe("pacs-access-logs-a1b2c3d");
  });
});

describe("accessLogBucketPolicy", () => {
  const policy = (region: string, dicomLoadBalancer = false) =>
    accessLogBucketPolicy(LOGS, {
      accountId: "123456789012",
      region,
      dicomLoadBalancer,
      s3Sources: [],
    });

  test("ALB logs: ELB's account in a region opened before August 2022, the service principal after", () => {
    expect(albLogPrincipal("us-east-1")).toEqual({ AWS: "arn:aws:iam::127311923021:root" });
    expect(albLogPrincipal("ap-southeast-3")).toEqual({ AWS: "arn:aws:iam::589379963580:root" });
    for (const later of ["eu-central-2", "ap-south-2", "me-central-1", "il-central-1"])
      expect(albLogPrincipal(later)).toEqual({
        Service: "logdelivery.elasticloadbalancing.amazonaws.com",
      });
    expect(Object.keys(ELB_LOG_ACCOUNTS)).toHaveLength(22);
    expect(policy("eu-central-2").Statement[1]).toEqual({
      Sid: "WebLoadBalancerAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${LOGS}/web/AWSLogs/123456789012/*`,
    });
  });

  test("no DICOM balancer with a TLS listener and no source bucket: the web writer alone", () => {
    const p = policy("us-east-1");
    expect(validateResourcePolicy(p)).toEqual([]);
    expect(p.Statement.map((s) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "WebLoadBalancerAccessLogs",
    ]);
  });
});
