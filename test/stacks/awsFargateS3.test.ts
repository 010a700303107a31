/**
 * The shipped aws-fargate-s3 stack under mocks (two Fargate replicas, an S3 bucket with Orthanc's
 * storage encryption, DICOM over TLS): the bucket, the S3 plugin without keys, the shared
 * database, the alarms, and DICOM published under a name of its own.
 */
import { Plan } from "../../infra/plan/runPlan";
import { named, only, ofType, planStack } from "../helpers/plan";
import { iamProblems } from "../helpers/iam";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("stack aws-fargate-s3", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    ({ plan, plain } = await planStack("aws-fargate-s3"));
  });

  test("the bucket moves objects to Glacier Instant Retrieval after the configured days", () => {
    const rules = named(
      plan,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "orthanc-aws-fargate-s3-dicom-lifecycle",
    ).inputs.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([
      "expire-old-versions",
      "abort-incomplete-uploads",
      "to-glacier-instant-retrieval",
    ]);
    expect(rules[2].transitions).toEqual([{ days: 180, storageClass: "GLACIER_IR" }]);
  });

  test("a bucket of its own: SSE-KMS with the stack's key and a Bucket Key, protected", () => {
    const bucket = named(plan, "aws:s3/bucket:Bucket", "orthanc-aws-fargate-s3-dicom");
    expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
    expect(
      named(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "orthanc-aws-fargate-s3-dicom-encryption",
      ).inputs.rules[0],
    ).toEqual({
      applyServerSideEncryptionByDefault: {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-fargate-s3-key",
      },
      bucketKeyEnabled: true,
    });
  });

  test("the access trail: the web and the TLS DICOM balancers and the DICOM bucket's S3 server access logs, each under its prefix of the access-log bucket", () => {
    const LOGS = "orthanc-aws-fargate-s3-access-logs-a1b2c3d";
    const balancers = ofType(plan, "aws:lb/loadBalancer:LoadBalancer")
      .map((r) => [r.name, r.inputs.accessLogs])
      .sort();
    expect(balancers).toEqual([
      ["orthanc-aws-fargate-s3-edge-dicom", { bucket: LOGS, prefix: "dicom", enabled: true }],
      ["orthanc-aws-fargate-s3-edge-web", { bucket: LOGS, prefix: "web", enabled: true }],
    ]);
    expect(only(plan, "aws:s3/bucketLogging:BucketLogging").inputs).toEqual({
      bucket: "orthanc-aws-fargate-s3-dicom-a1b2c3d",
      targetBucket: LOGS,
      targetPrefix: "s3/dicom/",
    });
    const policy = JSON.parse(
      named(plan, "aws:s3/bucketPolicy:BucketPolicy", "orthanc-aws-fargate-s3-access-logs-policy")
        .inputs.policy,
    );
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "WebLoadBalancerAccessLogs",
      "DicomLoadBalancerAccessLogs",
      "DicomLoadBalancerAclCheck",
      "S3ServerAccessLogs0",
    ]);
    // eu-central-1 opened before August 2022: ELB's account there writes the web logs.
    expect(policy.Statement[1].Principal).toEqual({ AWS: "arn:aws:iam::054676820928:root" });
    expect(policy.Statement[2].Condition.ArnLike).toEqual({
      "aws:SourceArn": "arn:aws:logs:eu-central-1:123456789012:*",
    });
    expect(policy.Statement[4].Condition).toEqual({
      StringEquals: { "aws:SourceAccount": "123456789012" },
      ArnLike: { "aws:SourceArn": "arn:aws:s3:::orthanc-aws-fargate-s3-dicom-a1b2c3d" },
    });
  });

  test("Orthanc's S3 plugin uses the task role (no keys) and encrypts with a master key delivered as a secret file", () => {
    const defs = JSON.parse(
      only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions,
    );
    const config = JSON.parse(defs[0].environment[0].value);
    expect(config.AwsS3Storage).toEqual({
      BucketName: "orthanc-aws-fargate-s3-dicom-a1b2c3d",
      Region: "eu-central-1",
      RootPath: "orthanc/",
      VirtualAddressing: true,
      StorageEncryption: {
        Enable: true,
        MasterKey: [1, "/run/secrets/orthanc-storage-master-key"],
      },
    });
    expect(defs[0].secrets.map((s: { name: string }) => s.name)).toEqual([
      "ORTHANC_CREDENTIALS_JSON",
      "ORTHANC_STORAGE_KEY",
    ]);
    const key = only(plan, "random:index/randomBytes:RandomBytes");
    expect(key).toMatchObject({ protect: true, retainOnDelete: true });
    const credentials = JSON.parse(
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-s3-app-credentials`].secretString as string,
    );
    expect(credentials).not.toHaveProperty("AwsS3Storage");
  });

  test("two replicas: the database is shared without a lock, each task names itself, the pool fits", () => {
    const credentials = JSON.parse(
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-s3-app-credentials`].secretString as string,
    );
    expect(credentials.PostgreSQL).toMatchObject({
      Lock: false,
      TransactionMode: "ReadCommitted",
      IndexConnectionsCount: 2,
    });
    const defs = JSON.parse(
      only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions,
    );
    expect(JSON.parse(defs[0].environment[0].value)).toMatchObject({
      DatabaseServerIdentifier: "${HOSTNAME}",
      SaveJobs: false,
    });
    expect(only(plan, "aws:ecs/service:Service").inputs).toMatchObject({
      desiredCount: 2,
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 100,
    });
  });

  test("alarms to an encrypted topic: 5xx, unhealthy targets on each balancer, database CPU, storage and connections", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-fargate-s3-key";
    expect(only(plan, "aws:sns/topic:Topic").inputs).toEqual({ kmsMasterKeyId: key });
    expect(only(plan, "aws:sns/topicSubscription:TopicSubscription").inputs).toMatchObject({
      protocol: "email",
      endpoint: "imaging-ops@example.org",
    });
    const alarms = Object.fromEntries(
      ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
        a.name.replace("orthanc-aws-fargate-s3-ops-", ""),
        [
          a.inputs.namespace,
          a.inputs.metricName,
          a.inputs.comparisonOperator,
          a.inputs.threshold,
          a.inputs.dimensions,
        ],
      ]),
    );
    expect(alarms).toEqual({
      "http-5xx": [
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        "GreaterThanThreshold",
        10,
        { LoadBalancer: "orthanc-aws-fargate-s3-edge-web-arnSuffix" },
      ],
      "unhealthy-targets-0": [
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        "GreaterThanThreshold",
        0,
        {
          LoadBalancer: "orthanc-aws-fargate-s3-edge-web-arnSuffix",
          TargetGroup: "orthanc-aws-fargate-s3-edge-web-arnSuffix",
        },
      ],
      "unhealthy-targets-1": [
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        "GreaterThanThreshold",
        0,
        {
          LoadBalancer: "orthanc-aws-fargate-s3-edge-dicom-arnSuffix",
          TargetGroup: "orthanc-aws-fargate-s3-edge-dicom-arnSuffix",
        },
      ],
      "db-cpu": [
        "AWS/RDS",
        "CPUUtilization",
        "GreaterThanThreshold",
        80,
        { DBInstanceIdentifier: "orthanc-aws-fargate-s3-db" },
      ],
      // 10% of the 20 GiB allocation, in bytes; 80% of db.t4g.large's ~811 connections.
      "db-storage": [
        "AWS/RDS",
        "FreeStorageSpace",
        "LessThanThreshold",
        2147483648,
        { DBInstanceIdentifier: "orthanc-aws-fargate-s3-db" },
      ],
      "db-connections": [
        "AWS/RDS",
        "DatabaseConnections",
        "GreaterThanThreshold",
        648,
        { DBInstanceIdentifier: "orthanc-aws-fargate-s3-db" },
      ],
    });
    // CloudWatch may use the key to publish to the encrypted topic.
    const policy = JSON.parse(only(plan, "aws:kms/key:Key").inputs.policy);
    expect(policy.Statement[1].Principal.Service).toEqual([
      "logs.eu-central-1.amazonaws.com",
      "cloudwatch.amazonaws.com",
    ]);
  });

  test("DICOM over TLS with the certificate; the task role reaches only its prefix and key", () => {
    const dicom = ofType(plan, "aws:lb/listener:Listener").find((l) => l.inputs.port === 4242)!;
    expect(dicom.inputs).toMatchObject({
      protocol: "TLS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    });
    const storage = JSON.parse(
      plan.resources.find((r) => r.name === "orthanc-aws-fargate-s3-app-task-storage")!.inputs
        .policy as string,
    );
    expect(storage.Statement.map((s: { Resource: string }) => s.Resource)).toEqual([
      "arn:aws:s3:::orthanc-aws-fargate-s3-dicom-a1b2c3d/orthanc/*",
      "arn:aws:s3:::orthanc-aws-fargate-s3-dicom-a1b2c3d",
      "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-fargate-s3-key",
    ]);
    expect(iamProblems(plan)).toEqual([]);
  });
});

test("aws-fargate-s3 publishes DICOM under a name of its own: dicom.<dns.name>", async () => {
  const { plan } = await planStack("aws-fargate-s3");
  const aliases = ofType(plan, "aws:route53/record:Record")
    .filter((r) => r.inputs.aliases)
    .map((r) => [r.inputs.name, r.inputs.aliases[0].name])
    .sort();
  expect(aliases).toEqual([
    ["dicom.research-pacs.example.org", expect.stringContaining("-edge-dicom-")],
    ["research-pacs.example.org", expect.stringContaining("-edge-web-")],
  ]);
  const certificate = ofType(plan, "aws:acm/certificate:Certificate")[0];
  expect(certificate.inputs.subjectAlternativeNames).toEqual(["dicom.research-pacs.example.org"]);
  expect(plan.outputs.dicomEndpoint).toBe("RESEARCHPACS@dicom.research-pacs.example.org:4242");
});
