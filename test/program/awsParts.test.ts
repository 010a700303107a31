/**
 * The AWS data components on their own (issue 4 builds the ECS target on them; the Docker and
 * Kubernetes targets can use them too), under mocks: exact security- and data-relevant inputs.
 */
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { planOf, Plan } from "../../infra/plan/runPlan";
import { PlannedResource } from "../../infra/plan/record";
import { rdsMaxConnections } from "../../components/aws/rdsPostgres";
import { lifecycleRules } from "../../components/aws/dicomBucket";
import { subnetCidrs } from "../../components/aws/subnets";
import { iamProblems } from "../helpers/iam";
import * as pulumi from "@pulumi/pulumi";

type R = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const only = (plan: Plan, type: string): R => {
  const found = plan.resources.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0] as R;
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/test";
const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));

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
        password: pulumi.secret("generated-db-password"),
        protect: true,
      });
      return { address: db.address, secretArn: db.secretArn };
    });
  });

  test("is private, encrypted with the key, gp3, and gets its password only as a secret", () => {
    expect(only(plan, "aws:rds/instance:Instance").inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      allowMajorVersionUpgrade: false,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: KEY,
      publiclyAccessible: false,
      vpcSecurityGroupIds: ["sg-db"],
      password: "[secret]",
      performanceInsightsKmsKeyId: KEY,
      multiAz: true,
    });
    expect(only(plan, "aws:rds/instance:Instance").inputs).not.toHaveProperty(
      "manageMasterUserPassword",
    );
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

  test("keeps the connection for the tasks in a Secrets Manager secret under the key", () => {
    expect(only(plan, "aws:secretsmanager/secret:Secret").inputs).toMatchObject({
      kmsKeyId: KEY,
      recoveryWindowInDays: 30,
    });
    expect(only(plan, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe(
      "[secret]",
    );
    expect(plan.outputs).toEqual({
      address: "pacs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com",
      secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:pacs-db-connection",
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
        automaticBackups: true,
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

describe("subnet plan", () => {
  test.each([
    ["10.40.0.0/16", 2, ["10.40.0.0/20", "10.40.16.0/20"], ["10.40.128.0/20", "10.40.144.0/20"]],
    [
      "10.40.0.0/16",
      3,
      ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
      ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"],
    ],
    [
      "172.20.64.0/20",
      2,
      ["172.20.64.0/24", "172.20.65.0/24"],
      ["172.20.72.0/24", "172.20.73.0/24"],
    ],
  ])("%s over %i AZs", (cidr, azs, pub, priv) => {
    expect(subnetCidrs(cidr, azs)).toEqual({ public: pub, private: priv });
  });

  test.each([
    ["10.0.0.0/8", 2, /must be a \/16 to \/24 block/],
    ["10.40.1.0/16", 2, /is not a network address; use 10.40.0.0\/16/],
    ["10.40.0.0/16", 9, /Between 1 and 8 availability zones/],
  ])("refuses %s with %i AZs", (cidr, azs, message) => {
    expect(() => subnetCidrs(cidr, azs)).toThrow(message);
  });
});

describe("Network", () => {
  const args = {
    webAllowedCidrs: ["0.0.0.0/0"],
    dicomAllowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"],
    httpPort: 8042,
    dicomPort: 4242,
    kmsKeyArn: KEY,
    logRetentionDays: 365,
  };
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { Network } = await import("../../components/aws/network");
      const n = new Network("pacs-net", {
        ...args,
        vpc: { create: { cidr: "10.40.0.0/16", azCount: 2 } },
      });
      return { vpcId: n.vpcId };
    });
  });
  const rules = (type: string) =>
    plan.resources
      .filter((r) => r.type === type)
      .map((r) => ({
        group: r.inputs.securityGroupId,
        port: r.inputs.fromPort,
        from: r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId,
      }))
      // Registration order follows when inputs resolve: compare as sorted lists.
      .sort(byJson);

  test("private and public subnets in two AZs; tasks and data have no public addresses", () => {
    const subnets = plan.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet");
    expect(
      subnets.map((s) => [s.name, s.inputs.cidrBlock, s.inputs.availabilityZone]).sort(byJson),
    ).toEqual(
      [
        ["pacs-net-public-0", "10.40.0.0/20", "eu-west-1a"],
        ["pacs-net-public-1", "10.40.16.0/20", "eu-west-1b"],
        ["pacs-net-private-0", "10.40.128.0/20", "eu-west-1a"],
        ["pacs-net-private-1", "10.40.144.0/20", "eu-west-1b"],
      ].sort(byJson),
    );
    expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch !== true)).toBe(true);
  });

  test("private egress through one NAT gateway; S3 through a gateway endpoint on the private route tables", () => {
    const nat = only(plan, "aws:ec2/natGateway:NatGateway");
    expect(nat.inputs.subnetId).toBe("pacs-net-public-0-id");
    const privateTables = plan.resources.filter(
      (r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name.includes("private"),
    );
    expect(privateTables.map((t) => t.inputs.routes)).toEqual([
      [{ cidrBlock: "0.0.0.0/0", natGatewayId: "pacs-net-nat-id" }],
      [{ cidrBlock: "0.0.0.0/0", natGatewayId: "pacs-net-nat-id" }],
    ]);
    expect(only(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs).toEqual({
      vpcId: "pacs-net-id",
      serviceName: "com.amazonaws.eu-west-1.s3",
      vpcEndpointType: "Gateway",
      routeTableIds: ["pacs-net-private-0-id", "pacs-net-private-1-id"],
    });
    expect(only(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs).toMatchObject({
      ingress: [],
      egress: [],
    });
  });

  test("flow logs of all traffic to a KMS-encrypted log group with retention", () => {
    expect(only(plan, "aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({
      retentionInDays: 365,
      kmsKeyId: KEY,
    });
    expect(only(plan, "aws:ec2/flowLog:FlowLog").inputs).toMatchObject({
      trafficType: "ALL",
      vpcId: "pacs-net-id",
    });
    expect(iamProblems(plan)).toEqual([]);
  });

  test("ingress: address ranges only on the load balancers' public ports and the allowlisted DICOM port", () => {
    const sg = (s: string) => `pacs-net-${s}-id`;
    expect(rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual(
      [
        { group: sg("web-lb"), port: 443, from: "0.0.0.0/0" },
        { group: sg("web-lb"), port: 80, from: "0.0.0.0/0" },
        { group: sg("tasks"), port: 8042, from: sg("web-lb") },
        { group: sg("dicom-lb"), port: 4242, from: "10.20.0.0/16" },
        { group: sg("tasks"), port: 4242, from: "10.20.0.0/16" },
        { group: sg("dicom-lb"), port: 4242, from: "192.0.2.0/24" },
        { group: sg("tasks"), port: 4242, from: "192.0.2.0/24" },
        { group: sg("tasks"), port: 4242, from: "10.40.0.0/16" },
        { group: sg("database"), port: 5432, from: sg("tasks") },
        { group: sg("file-system"), port: 2049, from: sg("tasks") },
      ].sort(byJson),
    );
  });

  test("egress: each group only where it must go", () => {
    const sg = (s: string) => `pacs-net-${s}-id`;
    expect(rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).toEqual(
      [
        { group: sg("web-lb"), port: 8042, from: sg("tasks") },
        { group: sg("dicom-lb"), port: 4242, from: sg("tasks") },
        { group: sg("tasks"), port: 5432, from: sg("database") },
        { group: sg("tasks"), port: 2049, from: sg("file-system") },
        { group: sg("tasks"), port: 443, from: "0.0.0.0/0" },
      ].sort(byJson),
    );
  });

  test("an existing VPC is used as it is: no VPC, subnet, gateway or route is created", async () => {
    const existing = await planOf("test", "aws-part", async () => {
      const { Network } = await import("../../components/aws/network");
      const n = new Network("pacs-net", {
        ...args,
        dicomAllowedCidrs: [],
        vpc: {
          existing: {
            vpcId: "vpc-0123",
            privateSubnetIds: ["subnet-p1", "subnet-p2"],
            publicSubnetIds: ["subnet-u1", "subnet-u2"],
          },
        },
      });
      return { vpcId: n.vpcId, privateSubnets: pulumi.all(n.privateSubnetIds) };
    });
    expect(existing.outputs).toEqual({
      vpcId: "vpc-0123",
      privateSubnets: ["subnet-p1", "subnet-p2"],
    });
    expect(
      existing.resources.filter((r) =>
        /ec2\/(vpc|subnet|natGateway|internetGateway|routeTable|eip):/.test(r.type),
      ),
    ).toEqual([]);
    // Without a DICOM allowlist nothing opens the DICOM port.
    expect(existing.resources.filter((r) => r.inputs.fromPort === 4242)).toEqual([]);
  });
});

describe("EcsService", () => {
  const base = {
    image: "orthancteam/orthanc:26.8.1",
    cpu: 1024,
    memoryMiB: 2048,
    replicas: 1,
    privateSubnetIds: ["subnet-p1", "subnet-p2"],
    taskSecurityGroupIds: ["sg-tasks"],
    orthancJson: '{"Name":"PACS"}',
    environment: { TCP_NODELAY: "1", POSTGRESQL_PLUGIN_ENABLED: "true" },
    httpPort: 8042,
    dicomPort: 4242,
    targetGroups: [
      { arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1", port: 8042 },
      {
        arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/dicom/2",
        port: 4242,
      },
    ],
    kmsKeyArn: KEY,
    logRetentionDays: 365,
    ecsExec: false,
    capacity: { kind: "fargate" as const },
  };
  const efs = {
    kind: "efs" as const,
    fileSystemId: "fs-0123",
    fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123",
    accessPointId: "fsap-0123",
    accessPointArn: "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-0123",
  };
  const SECRET_JSON = '{"RegisteredUsers":{"admin":"TOP-SECRET-PASSWORD"}}';
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { EcsService } = await import("../../components/aws/ecsService");
      const s = new EcsService("pacs", {
        ...base,
        credentialsJson: pulumi.secret(SECRET_JSON),
        storage: efs,
      });
      return { service: s.serviceName, logGroup: s.logGroupName };
    });
  });
  const containerDefs = () =>
    JSON.parse(only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions);

  test("Container Insights on; logs under the key with retention", () => {
    expect(only(plan, "aws:ecs/cluster:Cluster").inputs.settings).toEqual([
      { name: "containerInsights", value: "enabled" },
    ]);
    expect(only(plan, "aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({
      retentionInDays: 365,
      kmsKeyId: KEY,
    });
  });

  test("credentials live in Secrets Manager under the key; the task definition holds only the secret's ARN", () => {
    expect(only(plan, "aws:secretsmanager/secret:Secret").inputs).toMatchObject({
      kmsKeyId: KEY,
      recoveryWindowInDays: 30,
    });
    expect(only(plan, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe(
      "[secret]",
    );
    const defs = containerDefs();
    expect(JSON.stringify(defs)).not.toContain("TOP-SECRET-PASSWORD");
    expect(defs[0].secrets).toEqual([
      {
        name: "ORTHANC_CREDENTIALS_JSON",
        valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:pacs-credentials",
      },
    ]);
    expect(defs[1].environment).toEqual([
      { name: "TCP_NODELAY", value: "1" },
      { name: "POSTGRESQL_PLUGIN_ENABLED", value: "true" },
    ]);
    for (const d of defs) expect(d.logConfiguration.options["awslogs-group"]).toBe("pacs-logs");
  });

  test("Fargate task: EFS through the access point with TLS and IAM", () => {
    const task = only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs;
    expect(task).toMatchObject({
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "2048",
    });
    expect(task.volumes).toEqual([
      { name: "orthanc-config" },
      { name: "orthanc-secrets" },
      {
        name: "orthanc-storage",
        efsVolumeConfiguration: {
          fileSystemId: "fs-0123",
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: "fsap-0123", iam: "ENABLED" },
        },
      },
    ]);
  });

  test("service: private subnets, no public IP, circuit breaker with rollback, one writer stopped before the next starts", () => {
    expect(only(plan, "aws:ecs/service:Service").inputs).toMatchObject({
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: {
        subnets: ["subnet-p1", "subnet-p2"],
        securityGroups: ["sg-tasks"],
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 0,
      deploymentMaximumPercent: 100,
      healthCheckGracePeriodSeconds: 300,
      enableExecuteCommand: false,
      loadBalancers: [
        { targetGroupArn: base.targetGroups[0].arn, containerName: "orthanc", containerPort: 8042 },
        { targetGroupArn: base.targetGroups[1].arn, containerName: "orthanc", containerPort: 4242 },
      ],
    });
  });

  test("roles: the execution role reads only this secret; the task role mounts only this access point", () => {
    expect(iamProblems(plan)).toEqual([]);
    const policies = Object.fromEntries(
      plan.resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
        .map((r) => [r.name, JSON.parse(r.inputs.policy as string)]),
    );
    expect(Object.keys(policies).sort()).toEqual([
      "pacs-execution-logs",
      "pacs-execution-secrets",
      "pacs-task-storage",
    ]);
    expect(policies["pacs-execution-secrets"].Statement[0]).toEqual({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:pacs-credentials"],
    });
    expect(policies["pacs-task-storage"].Statement[0].Condition).toEqual({
      StringEquals: { "elasticfilesystem:AccessPointArn": efs.accessPointArn },
    });
    expect(
      plan.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    ).toEqual([]);
  });

  test("S3 storage, several replicas, ECS Exec and storage encryption", async () => {
    const p = await planOf("test", "aws-part", async () => {
      const { EcsService } = await import("../../components/aws/ecsService");
      const s = new EcsService("pacs", {
        ...base,
        replicas: 3,
        ecsExec: true,
        credentialsJson: pulumi.secret(SECRET_JSON),
        storageMasterKey: pulumi.secret("MASTER-KEY-BYTES"),
        storage: { kind: "s3", bucketArn: "arn:aws:s3:::pacs-dicom", prefix: "orthanc/" },
      });
      return { service: s.serviceName };
    });
    expect(iamProblems(p)).toEqual([]);
    const service = only(p, "aws:ecs/service:Service").inputs;
    expect(service).toMatchObject({
      desiredCount: 3,
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 100,
      enableExecuteCommand: true,
    });
    const task = only(p, "aws:ecs/taskDefinition:TaskDefinition").inputs;
    expect(task.volumes).toEqual([{ name: "orthanc-config" }, { name: "orthanc-secrets" }]);
    const defs = JSON.parse(task.containerDefinitions);
    expect(defs[0].secrets.map((s: { name: string }) => s.name)).toEqual([
      "ORTHANC_CREDENTIALS_JSON",
      "ORTHANC_STORAGE_KEY",
    ]);
    expect(JSON.stringify(defs)).not.toContain("MASTER-KEY-BYTES");
    const storage = JSON.parse(
      p.resources.find((r) => r.name === "pacs-task-storage")!.inputs.policy as string,
    );
    expect(storage.Statement.map((s: { Resource: string }) => s.Resource)).toEqual([
      "arn:aws:s3:::pacs-dicom/orthanc/*",
      "arn:aws:s3:::pacs-dicom",
      KEY,
    ]);
  });
});

describe("Ingress", () => {
  const base = {
    vpcId: "vpc-0123",
    publicSubnetIds: ["subnet-u1", "subnet-u2"],
    webSecurityGroupId: "sg-web-lb",
    dicomSecurityGroupId: "sg-dicom-lb",
    httpPort: 8042,
  };
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { Ingress } = await import("../../components/aws/ingress");
      const i = new Ingress("pacs", {
        ...base,
        dicom: { port: 4242, tls: true },
        dns: {
          zoneId: "Z0123456789ABC",
          webName: "pacs.example.org",
          dicomName: "dicom.example.org",
        },
      });
      return {
        webUrl: i.webUrl,
        dicomHost: i.dicomHost!,
        targets: pulumi.all(i.targetGroups.map((t) => t.arn)),
      };
    });
  });
  const listeners = () =>
    plan.resources
      .filter((r) => r.type === "aws:lb/listener:Listener")
      .sort((a, b) => a.name.localeCompare(b.name));

  test("HTTPS with the validated certificate and an explicit TLS 1.3/1.2 policy; HTTP only redirects", () => {
    const [dicom, http, https] = listeners();
    expect(https.inputs).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:pacs-certificate",
      defaultActions: [
        {
          type: "forward",
          targetGroupArn: "arn:aws:lb:eu-west-1:123456789012:pacs-web",
        },
      ],
    });
    expect(http.inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
    expect(dicom.inputs).toMatchObject({
      port: 4242,
      protocol: "TLS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    });
  });

  test("the certificate covers both names and is validated by records in the zone", () => {
    expect(only(plan, "aws:acm/certificate:Certificate").inputs).toMatchObject({
      domainName: "pacs.example.org",
      subjectAlternativeNames: ["dicom.example.org"],
      validationMethod: "DNS",
    });
    const validation = plan.resources.filter((r) =>
      r.name.startsWith("pacs-certificate-validation"),
    );
    expect(
      validation.map((r) => [r.inputs.name, r.inputs.type, r.inputs.zoneId]).sort(byJson),
    ).toEqual([
      ["_0a1b2c.dicom.example.org.", "CNAME", "Z0123456789ABC"],
      ["_0a1b2c.pacs.example.org.", "CNAME", "Z0123456789ABC"],
    ]);
  });

  test("the web load balancer: public subnets, its own security group, a long idle timeout, invalid headers dropped", () => {
    const web = plan.resources.find(
      (r) => r.name === "pacs-web" && r.type === "aws:lb/loadBalancer:LoadBalancer",
    )!;
    expect(web.inputs).toMatchObject({
      loadBalancerType: "application",
      internal: false,
      subnets: base.publicSubnetIds,
      securityGroups: ["sg-web-lb"],
      idleTimeout: 1800,
      dropInvalidHeaderFields: true,
    });
  });

  test("target groups: the web one healthy only on Orthanc's 401 (auth on), the DICOM one keeps the client IP", () => {
    const groups = Object.fromEntries(
      plan.resources
        .filter((r) => r.type === "aws:lb/targetGroup:TargetGroup")
        .map((r) => [r.name, r.inputs]),
    );
    expect(groups["pacs-web"]).toMatchObject({
      targetType: "ip",
      protocol: "HTTP",
      port: 8042,
      healthCheck: { path: "/system", matcher: "401" },
    });
    expect(groups["pacs-dicom"]).toMatchObject({
      targetType: "ip",
      protocol: "TCP",
      port: 4242,
      preserveClientIp: "true",
      healthCheck: { protocol: "TCP" },
    });
    const nlb = plan.resources.find(
      (r) => r.name === "pacs-dicom" && r.type === "aws:lb/loadBalancer:LoadBalancer",
    )!;
    expect(nlb.inputs).toMatchObject({
      loadBalancerType: "network",
      securityGroups: ["sg-dicom-lb"],
    });
  });

  test("aliases: the web name to the ALB, the DICOM name to the NLB", () => {
    const records = plan.resources.filter(
      (r) => r.type === "aws:route53/record:Record" && r.inputs.aliases,
    );
    expect(
      records
        .map((r) => [r.inputs.name, (r.inputs.aliases as { name: string; zoneId: string }[])[0]])
        .sort(byJson),
    ).toEqual([
      [
        "dicom.example.org",
        {
          name: "pacs-dicom-1234567890.eu-west-1.elb.amazonaws.com",
          zoneId: "Z2IFOLAFXWLO4F",
          evaluateTargetHealth: true,
        },
      ],
      [
        "pacs.example.org",
        {
          name: "pacs-web-1234567890.eu-west-1.elb.amazonaws.com",
          zoneId: "Z32O12XQLNTSW2",
          evaluateTargetHealth: true,
        },
      ],
    ]);
    expect(plan.outputs).toMatchObject({
      webUrl: "https://pacs.example.org/",
      dicomHost: "dicom.example.org",
    });
  });

  test("without a domain: plain HTTP forwarded (with a warning), no certificate, no records; no DICOM balancer unless asked", async () => {
    const p = await planOf("test", "aws-part", async () => {
      const { Ingress } = await import("../../components/aws/ingress");
      const i = new Ingress("pacs", base);
      return { webUrl: i.webUrl };
    });
    expect(p.outputs.webUrl).toBe("http://pacs-web-1234567890.eu-west-1.elb.amazonaws.com/");
    expect(p.resources.filter((r) => /acm|route53/.test(r.type))).toEqual([]);
    expect(p.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")).toHaveLength(
      1,
    );
    const listener = p.resources.find((r) => r.type === "aws:lb/listener:Listener")!;
    expect(listener.inputs).toMatchObject({
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "forward" }],
    });
  });
});
