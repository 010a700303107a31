/**
 * The AWS data components on their own (issue 4 builds the ECS target on them; the Docker and
 * Kubernetes targets can use them too), under mocks: exact security- and data-relevant inputs.
 */
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { planOf, Plan } from "../../infra/plan/runPlan";
import { PlannedResource } from "../../infra/plan/record";
import { rdsMaxConnections } from "../../components/aws/rdsPostgres";
import { lifecycleRules } from "../../components/aws/dicomBucket";

type R = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const only = (plan: Plan, type: string): R => {
  const found = plan.resources.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0] as R;
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/test";

describe("DicomBucket", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { DicomBucket } = await import("../../components/aws/dicomBucket");
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

describe("RdsPostgres", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { RdsPostgres } = await import("../../components/aws/rdsPostgres");
      const db = new RdsPostgres("pacs-db", {
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-db"],
        engineMajor: "16",
        instanceClass: "db.t4g.medium",
        allocatedStorageGiB: 20,
        maxAllocatedStorageGiB: 200,
        multiAz: true,
        backupRetentionDays: 7,
        kmsKeyArn: KEY,
        databaseName: "orthanc",
        username: "orthanc",
        protect: true,
      });
      return { address: db.address, masterSecretArn: db.masterSecretArn };
    });
  });

  test("is private, encrypted with the key, gp3, and keeps its password out of state", () => {
    expect(only(plan, "aws:rds/instance:Instance").inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      allowMajorVersionUpgrade: false,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: KEY,
      publiclyAccessible: false,
      vpcSecurityGroupIds: ["sg-db"],
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: KEY,
      performanceInsightsKmsKeyId: KEY,
      multiAz: true,
    });
    expect(only(plan, "aws:rds/instance:Instance").inputs).not.toHaveProperty("password");
  });

  test("survives deletion: backups kept, a final snapshot, deletion protection in AWS and in Pulumi", () => {
    const db = only(plan, "aws:rds/instance:Instance");
    expect(db.inputs).toMatchObject({
      backupRetentionPeriod: 7,
      deleteAutomatedBackups: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "pacs-db-final",
      deletionProtection: true,
      copyTagsToSnapshot: true,
    });
    expect(db).toMatchObject({ protect: true, retainOnDelete: true });
  });

  test("forces TLS and never logs statement text (PHI)", () => {
    const params = only(plan, "aws:rds/parameterGroup:ParameterGroup").inputs;
    expect(params.family).toBe("postgres16");
    const byName = Object.fromEntries(
      (params.parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(byName).toMatchObject({
      "rds.force_ssl": "1",
      log_statement: "none",
      log_min_duration_statement: "-1",
    });
  });

  test("exposes the endpoint and the ARN of the secret RDS manages", () => {
    expect(plan.outputs).toEqual({
      address: "pacs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com",
      masterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-pacs-db-AbCdEf",
    });
  });

  test.each([
    ["db.t4g.micro", 101],
    ["db.t4g.small", 202],
    ["db.t4g.medium", 405],
    ["db.r6g.large", 811],
    ["db.r6g.4xlarge", 5000], // 64 GiB would allow ~6489: capped at 5000
  ])("max_connections of %s is about %i", (cls, expected) => {
    expect(rdsMaxConnections(cls)).toBe(expected);
  });

  test("an unknown size asks for an explicit pool size", () => {
    expect(() => rdsMaxConnections("db.x2g.16xlarge")).toThrow(
      /Set orthanc:database.connectionsPerReplica explicitly/,
    );
  });
});

describe("EfsStorage", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { EfsStorage } = await import("../../components/aws/efsStorage");
      const fs = new EfsStorage("pacs-files", {
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-efs"],
        kmsKeyArn: KEY,
        posixUid: 999,
        protect: true,
      });
      return { fileSystemId: fs.fileSystemId, accessPointId: fs.accessPointId };
    });
  });

  test("is encrypted with the key, tiers to IA, is backed up and protected", () => {
    const fs = only(plan, "aws:efs/fileSystem:FileSystem");
    expect(fs.inputs).toMatchObject({
      encrypted: true,
      kmsKeyId: KEY,
      lifecyclePolicies: [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
    });
    expect(fs).toMatchObject({ protect: true, retainOnDelete: true });
    expect(only(plan, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy).toEqual({
      status: "ENABLED",
    });
  });

  test("one mount target per subnet behind the given security group", () => {
    const mounts = plan.resources.filter((r) => r.type === "aws:efs/mountTarget:MountTarget");
    expect(mounts.map((m) => [m.inputs.subnetId, m.inputs.securityGroups])).toEqual([
      ["subnet-a", ["sg-efs"]],
      ["subnet-b", ["sg-efs"]],
    ]);
  });

  test("the access point is non-root with its own directory", () => {
    expect(only(plan, "aws:efs/accessPoint:AccessPoint").inputs).toMatchObject({
      posixUser: { uid: 999, gid: 999 },
      rootDirectory: {
        path: "/orthanc",
        creationInfo: { ownerUid: 999, ownerGid: 999, permissions: "750" },
      },
    });
  });

  test("its policy refuses NFS without TLS and is a valid resource policy", () => {
    const policy = JSON.parse(
      only(plan, "aws:efs/fileSystemPolicy:FileSystemPolicy").inputs.policy,
    );
    expect(validateResourcePolicy(policy)).toEqual([]);
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});
