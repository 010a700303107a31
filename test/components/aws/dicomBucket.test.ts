/**
 * The DicomBucket component on its own, under mocks: a private, versioned, SSE-KMS bucket that
 * survives deletion, its lifecycle rules and its TLS-only policy.
 */
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { lifecycleRules } from "../../../components/aws/dicomBucket";
import { only } from "../../helpers/plan";
import { KEY } from "./helpers";

describe("DicomBucket", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { DicomBucket } = await import("../../../components/aws/dicomBucket");
      const b = new DicomBucket("pacs-dicom", {
        kmsKeyArn: KEY,
        noncurrentVersionDays: 30,
        protect: true,
      });
      return { bucketName: b.bucketName, arn: b.arn };
    });
  });

  test("is private, owner-enforced, SSE-KMS with the key and a Bucket Key, versioned", () => {
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
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
        bucketKeyEnabled: true,
      },
    ]);
    expect(
      only(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
  });

  test("is protected, retained and never force-destroyed", () => {
    const bucket = only(plan, "aws:s3/bucket:Bucket");
    expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
    expect(bucket.inputs.forceDestroy).toBe(false);
  });

  test("expires old versions, aborts incomplete uploads, transitions only when asked", () => {
    expect(
      only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules,
    ).toEqual([
      {
        id: "expire-old-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        expiration: { expiredObjectDeleteMarker: true },
      },
      {
        id: "abort-incomplete-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    expect(
      lifecycleRules({ noncurrentVersionDays: 30, glacierInstantRetrievalAfterDays: 90 })[2],
    ).toEqual({
      id: "to-glacier-instant-retrieval",
      status: "Enabled",
      filter: {},
      transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
    });
  });

  test("its policy refuses anything but TLS, and is a valid resource policy", () => {
    const policy = JSON.parse(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    expect(validateResourcePolicy(policy)).toEqual([]);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::pacs-dicom-a1b2c3d", "arn:aws:s3:::pacs-dicom-a1b2c3d/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });
});
