/**
 * The shipped aws-fargate-efs stack under mocks (ECS Fargate, RDS, EFS, HTTPS and an allowlisted
 * DICOM balancer): the whole graph, the wiring between its parts (including inside the secret
 * credentials, which the mock provider sees in plain text), secrets staying secret, IAM validity,
 * data protection and backups, changes that replace no data, autoscaling and a hosted zone of its
 * own.
 */
import { Plan } from "../../infra/plan/runPlan";
import { named, only, ofType, planStack, replaced } from "../helpers/plan";
import { iamDocumentCount, iamProblems } from "../helpers/iam";
import { launchTypeViolations } from "../../components/aws/containerDefinitions";
import { roleScript } from "../../components/shared/postgresRole";

const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("stack aws-fargate-efs", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    ({ plan, plain } = await planStack("aws-fargate-efs"));
  });

  test("creates only AWS and shared resources, none of the Docker or Kubernetes targets", () => {
    expect(plan.resources.filter((r) => /^(docker|kubernetes|command):/.test(r.type))).toEqual([]);
    const components = plan.resources
      .filter((r) => !r.custom)
      .map((r) => r.type)
      .sort();
    expect(components).toEqual([
      "orthanc:aws:AccessLogBucket",
      "orthanc:aws:EcsService",
      "orthanc:aws:EfsStorage",
      "orthanc:aws:Ingress",
      "orthanc:aws:KmsKey",
      "orthanc:aws:Network",
      "orthanc:aws:Operations",
      "orthanc:aws:OrthancAws",
      "orthanc:aws:RdsPostgres",
      "orthanc:shared:Credentials",
    ]);
  });

  test("Orthanc connects to its RDS endpoint over TLS with the generated password, all inside the secret", () => {
    const credentials = JSON.parse(
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-efs-app-credentials`].secretString as string,
    );
    expect(credentials.PostgreSQL).toMatchObject({
      Host: "orthanc-aws-fargate-efs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com",
      Port: 5432,
      Database: "orthanc",
      // Orthanc's own role (postgresRole.ts), never the master user.
      Username: "orthanc_app",
      Password:
        plain[`${SECRET_VERSION}::orthanc-aws-fargate-efs-app-db-app-password`].secretString,
      EnableSsl: true,
      Lock: true,
      EnableIndex: true,
      EnableStorage: false,
    });
    expect(credentials.RegisteredUsers).toEqual({
      admin: "generated-orthanc-aws-fargate-efs-credentials-user-admin",
      healthcheck: "generated-orthanc-aws-fargate-efs-credentials-probe",
    });
    // Two connections per Orthanc, as measured (sizing.ts); db.t4g.medium allows ~405.
    expect(credentials.PostgreSQL.IndexConnectionsCount).toBe(2);
    expect(credentials.PostgreSQL).toMatchObject({
      MaximumConnectionRetries: 30,
      ConnectionRetryInterval: 1,
    });
  });

  test("the task definition carries only ARNs for secrets, and orthanc.json in the open", () => {
    const defs = JSON.parse(
      only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions,
    );
    expect(defs[0].secrets).toEqual([
      {
        name: "ORTHANC_CREDENTIALS_JSON",
        valueFrom:
          "arn:aws:secretsmanager:eu-west-1:123456789012:orthanc-aws-fargate-efs-app-credentials",
      },
    ]);
    const config = JSON.parse(defs[0].environment[0].value);
    expect(config).toMatchObject({
      Name: "Hospital PACS",
      DicomAet: "HOSPITALPACS",
      DicomAlwaysAllowStore: false,
      // The NLB keeps the client's address: CT01 is accepted only from its own host.
      DicomCheckModalityHost: true,
      DicomWeb: { Host: "pacs.example.org", Ssl: true },
      StorageDirectory: "/var/lib/orthanc/db",
    });
    expect(config).not.toHaveProperty("PostgreSQL");
    expect(config).not.toHaveProperty("RegisteredUsers");
    const generated = /generated-orthanc-aws-fargate-efs/;
    for (const r of plan.resources) expect(JSON.stringify(r.inputs)).not.toMatch(generated);
  });

  test("database role: a container before Orthanc alone gets the master password; the execution role reads exactly these secrets", () => {
    const defs = JSON.parse(
      only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.containerDefinitions,
    );
    expect(defs.map((d: { name: string }) => d.name)).toEqual(["config", "orthanc", "db-role"]);
    const [, orthanc, role] = defs;
    const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:${name}`;
    expect(role).toEqual({
      name: "db-role",
      image: "postgres:16.10-bookworm",
      essential: false,
      user: "999:999",
      readonlyRootFilesystem: true,
      linuxParameters: { capabilities: { drop: ["ALL"] } },
      entryPoint: ["/bin/sh", "-c"],
      command: [roleScript("orthanc_app")],
      environment: [
        {
          name: "PGHOST",
          value: "orthanc-aws-fargate-efs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com",
        },
        { name: "PGPORT", value: "5432" },
        { name: "PGDATABASE", value: "orthanc" },
        { name: "PGUSER", value: "orthanc" },
        { name: "PGSSLMODE", value: "require" },
        { name: "PGCONNECT_TIMEOUT", value: "15" },
        { name: "PGAPPNAME", value: "orthanc-db-role" },
      ],
      secrets: [
        {
          name: "PGPASSWORD",
          valueFrom: `${arn("orthanc-aws-fargate-efs-db-connection")}:password::`,
        },
        {
          name: "ORTHANC_APP_PASSWORD",
          valueFrom: arn("orthanc-aws-fargate-efs-app-db-app-password"),
        },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: expect.objectContaining({ "awslogs-stream-prefix": "db-role" }),
      },
    });
    expect(orthanc.secrets).toEqual([]);
    expect(orthanc.dependsOn).toEqual([
      { containerName: "config", condition: "SUCCESS" },
      { containerName: "db-role", condition: "SUCCESS" },
    ]);
    expect(launchTypeViolations(defs, "FARGATE")).toEqual([]);
    const policy = JSON.parse(
      plan.resources.find((r) => r.name === "orthanc-aws-fargate-efs-app-execution-secrets")!.inputs
        .policy as string,
    );
    expect(policy.Statement[0].Resource).toEqual([
      arn("orthanc-aws-fargate-efs-app-credentials"),
      arn("orthanc-aws-fargate-efs-db-connection"),
      arn("orthanc-aws-fargate-efs-app-db-app-password"),
    ]);
    // The master password is in the RDS connection secret only, not in Orthanc's credentials.
    const master = plain["aws:rds/instance:Instance::orthanc-aws-fargate-efs-db"].password;
    const credentials =
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-efs-app-credentials`].secretString;
    expect(credentials).not.toMatch(new RegExp(`${master}(?![-\\w])`));
    expect(
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-efs-db-connection`].secretString,
    ).toContain(master);
  });

  test("wiring: the service registers in the load balancers' target groups; the names alias the balancers", () => {
    const service = only(plan, "aws:ecs/service:Service");
    const groups = Object.fromEntries(
      ofType(plan, "aws:lb/targetGroup:TargetGroup").map((g) => [
        g.name,
        `arn:aws:lb:eu-west-1:123456789012:${g.name}`,
      ]),
    );
    expect(service.inputs.loadBalancers).toEqual([
      {
        targetGroupArn: groups["orthanc-aws-fargate-efs-edge-web"],
        containerName: "orthanc",
        containerPort: 8042,
      },
      {
        targetGroupArn: groups["orthanc-aws-fargate-efs-edge-dicom"],
        containerName: "orthanc",
        containerPort: 4242,
      },
    ]);
    expect(service.inputs.networkConfiguration).toEqual({
      subnets: [
        "orthanc-aws-fargate-efs-net-private-0-id",
        "orthanc-aws-fargate-efs-net-private-1-id",
      ],
      securityGroups: ["orthanc-aws-fargate-efs-net-tasks-id"],
      assignPublicIp: false,
    });
    const aliases = ofType(plan, "aws:route53/record:Record")
      .filter((r) => r.inputs.aliases)
      .map((r) => [r.inputs.name, r.inputs.aliases[0].name]);
    expect(aliases.sort()).toEqual([
      [
        "dicom.example.org",
        "orthanc-aws-fargate-efs-edge-dicom-1234567890.eu-west-1.elb.amazonaws.com",
      ],
      [
        "pacs.example.org",
        "orthanc-aws-fargate-efs-edge-web-1234567890.eu-west-1.elb.amazonaws.com",
      ],
    ]);
  });

  test("DICOM over TLS by default: the DICOM listener ends TLS with the ACM certificate covering the DICOM name; Orthanc behind it speaks plain DICOM inside the VPC", async () => {
    const listener = plain["aws:lb/listener:Listener::orthanc-aws-fargate-efs-edge-dicom"];
    expect(listener).toEqual({
      loadBalancerArn: "arn:aws:lb:eu-west-1:123456789012:orthanc-aws-fargate-efs-edge-dicom",
      port: 4242,
      protocol: "TLS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:orthanc-aws-fargate-efs-edge-certificate",
      defaultActions: [
        {
          type: "forward",
          targetGroupArn: "arn:aws:lb:eu-west-1:123456789012:orthanc-aws-fargate-efs-edge-dicom",
        },
      ],
    });
    const certificate =
      plain["aws:acm/certificate:Certificate::orthanc-aws-fargate-efs-edge-certificate"];
    expect(certificate.subjectAlternativeNames).toContain("dicom.example.org");
    // TLS ends at the balancer: Orthanc itself gets no DicomTls settings.
    expect(JSON.stringify(plain)).not.toContain("DicomTlsEnabled");

    // Switched off, with the public range accepted in clear text: a TCP listener.
    const off = await planStack("aws-fargate-efs", {
      orthanc: { dicom: { tls: { enabled: false, allowPlaintext: true } } },
    });
    const tcp = off.plain["aws:lb/listener:Listener::orthanc-aws-fargate-efs-edge-dicom"];
    expect(tcp.protocol).toBe("TCP");
    expect(tcp.certificateArn).toBeUndefined();
  });

  test("the database and the file system live in private subnets, reachable only from the tasks", () => {
    expect(only(plan, "aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual([
      "orthanc-aws-fargate-efs-net-private-0-id",
      "orthanc-aws-fargate-efs-net-private-1-id",
    ]);
    expect(only(plan, "aws:rds/instance:Instance").inputs).toMatchObject({
      publiclyAccessible: false,
      vpcSecurityGroupIds: ["orthanc-aws-fargate-efs-net-database-id"],
      multiAz: true,
      backupRetentionPeriod: 14,
    });
    const mounts = ofType(plan, "aws:efs/mountTarget:MountTarget");
    expect(mounts.map((m) => m.inputs.securityGroups)).toEqual([
      ["orthanc-aws-fargate-efs-net-file-system-id"],
      ["orthanc-aws-fargate-efs-net-file-system-id"],
    ]);
  });

  test("the database, file system, key and access-log bucket are protected and retained", () => {
    const protectedOnes = plan.resources
      .filter((r) => r.protect && r.retainOnDelete)
      .map((r) => `${r.type}::${r.name}`)
      .sort();
    expect(protectedOnes).toEqual([
      "aws:efs/fileSystem:FileSystem::orthanc-aws-fargate-efs-files",
      "aws:kms/key:Key::orthanc-aws-fargate-efs-key",
      "aws:rds/instance:Instance::orthanc-aws-fargate-efs-db",
      "aws:s3/bucket:Bucket::orthanc-aws-fargate-efs-access-logs",
    ]);
    expect(plan.resources.filter((r) => r.protect).length).toBe(protectedOnes.length);
    expect(only(plan, "aws:rds/instance:Instance").inputs.deletionProtection).toBe(true);
  });

  test("AWS Backup backs up the database and the file system daily into a vault under the key", () => {
    expect(only(plan, "aws:backup/vault:Vault").inputs.kmsKeyArn).toBe(
      "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-fargate-efs-key",
    );
    expect(only(plan, "aws:backup/plan:Plan").inputs.rules).toEqual([
      {
        ruleName: "daily",
        targetVaultName: "orthanc-aws-fargate-efs-ops-vault",
        schedule: "cron(0 3 * * ? *)",
        startWindow: 60,
        completionWindow: 360,
        lifecycle: { deleteAfter: 35 },
      },
    ]);
    expect(only(plan, "aws:backup/selection:Selection").inputs.resources.sort()).toEqual([
      "arn:aws:efs:eu-west-1:123456789012:orthanc-aws-fargate-efs-files",
      "arn:aws:rds:eu-west-1:123456789012:orthanc-aws-fargate-efs-db",
    ]);
    // The plan replaces EFS's own automatic backups instead of doubling them.
    expect(only(plan, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy).toEqual({
      status: "DISABLED",
    });
    // No alarm address: the alarms and their encrypted topic exist all the same (subscribe to
    // the topic later in the console); only the email subscription is missing.
    const topic = only(plan, "aws:sns/topic:Topic");
    expect(topic.inputs.kmsMasterKeyId).toBe(
      "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-fargate-efs-key",
    );
    expect(ofType(plan, "aws:sns/topicSubscription:TopicSubscription")).toEqual([]);
    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms.map((a) => a.name.replace("orthanc-aws-fargate-efs-ops-", "")).sort()).toEqual([
      "db-connections",
      "db-cpu",
      "db-storage",
      "http-5xx",
      "unhealthy-targets-0",
      "unhealthy-targets-1",
    ]);
    for (const a of alarms)
      expect(a.inputs.alarmActions).toEqual([
        "arn:aws:sns:eu-west-1:123456789012:orthanc-aws-fargate-efs-ops-alarms",
      ]);
  });

  test("the access trail: both balancers log into the access-log bucket (ELB's account for eu-west-1 for the web; the DICOM one is TLS by default, so it logs too), kept 365 days", () => {
    const LOGS = "orthanc-aws-fargate-efs-access-logs-a1b2c3d";
    const web = named(plan, "aws:lb/loadBalancer:LoadBalancer", "orthanc-aws-fargate-efs-edge-web");
    expect(web.inputs.accessLogs).toEqual({ bucket: LOGS, prefix: "web", enabled: true });
    const dicom = named(
      plan,
      "aws:lb/loadBalancer:LoadBalancer",
      "orthanc-aws-fargate-efs-edge-dicom",
    );
    expect(dicom.inputs.accessLogs).toEqual({ bucket: LOGS, prefix: "dicom", enabled: true });
    const policy = JSON.parse(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "WebLoadBalancerAccessLogs",
      "DicomLoadBalancerAccessLogs",
      "DicomLoadBalancerAclCheck",
    ]);
    expect(policy.Statement[1]).toEqual({
      Sid: "WebLoadBalancerAccessLogs",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::156460612806:root" },
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${LOGS}/web/AWSLogs/123456789012/*`,
    });
    expect(
      only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0]
        .expiration,
    ).toEqual({ days: 365 });
    // EFS storage: no bucket of DICOM files to log.
    expect(ofType(plan, "aws:s3/bucketLogging:BucketLogging")).toEqual([]);
  });

  test("every IAM document is valid and scoped", () => {
    expect(iamDocumentCount(plan)).toBeGreaterThanOrEqual(7);
    expect(iamProblems(plan)).toEqual([]);
  });

  test("outputs: URL, DICOM endpoint, admin user, the secret's ARN, never a password", () => {
    expect(plan.outputs).toEqual({
      target: "aws",
      url: "https://pacs.example.org/",
      dicomEndpoint: "HOSPITALPACS@dicom.example.org:4242",
      adminUser: "admin",
      adminPassword: "[secret]",
      credentialsSecretArn:
        "arn:aws:secretsmanager:eu-west-1:123456789012:orthanc-aws-fargate-efs-app-credentials",
      databaseEndpoint: "orthanc-aws-fargate-efs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com:5432",
      storage: "orthanc-aws-fargate-efs-files-id",
      logGroup: "orthanc-aws-fargate-efs-app-logs",
      accessLogBucket: "orthanc-aws-fargate-efs-access-logs-a1b2c3d",
      backupVault: "orthanc-aws-fargate-efs-ops-vault",
      alarmTopic: "arn:aws:sns:eu-west-1:123456789012:orthanc-aws-fargate-efs-ops-alarms",
    });
  });

  test.each<[string, Record<string, unknown>]>([
    ["a new image tag", { orthanc: { image: { tag: "26.9.0" } } }],
    ["more replicas", { orthanc: { replicas: 3 } }],
    ["a bigger database instance", { database: { instanceClass: "db.r6g.large" } }],
    ["bigger tasks", { aws: { cpu: 2048, memoryMiB: 4096 } }],
  ])(
    "%s replaces no data: the key, file system and the database's identity stay as they were",
    async (_name, change) => {
      const after = (await planStack("aws-fargate-efs", change)).plan;
      const identity = (p: Plan) => {
        const db = only(p, "aws:rds/instance:Instance").inputs;
        return {
          key: only(p, "aws:kms/key:Key").inputs,
          fs: only(p, "aws:efs/fileSystem:FileSystem").inputs,
          // RDS replaces only for these; class, storage and Multi-AZ change in place.
          db: {
            engine: db.engine,
            engineVersion: db.engineVersion,
            dbName: db.dbName,
            username: db.username,
            kmsKeyId: db.kmsKeyId,
            storageEncrypted: db.storageEncrypted,
          },
        };
      };
      expect(identity(after)).toEqual(identity(plan));
    },
  );
});

describe("autoscaling", () => {
  test("scales on CPU between the replicas and the maximum; Orthanc is set up for the maximum", async () => {
    const { plan, plain } = await planStack("aws-fargate-efs", {
      aws: { autoscaling: { maxReplicas: 4 } },
    });
    const target = only(plan, "aws:appautoscaling/target:Target").inputs;
    expect(target).toMatchObject({
      minCapacity: 1,
      maxCapacity: 4,
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: "service/orthanc-aws-fargate-efs-app/orthanc-aws-fargate-efs-app",
    });
    expect(
      only(plan, "aws:appautoscaling/policy:Policy").inputs
        .targetTrackingScalingPolicyConfiguration,
    ).toMatchObject({
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      targetValue: 70,
    });
    const service = only(plan, "aws:ecs/service:Service");
    expect(service.inputs).toMatchObject({
      desiredCount: 1,
      deploymentMinimumHealthyPercent: 50,
      deploymentMaximumPercent: 100,
    });
    expect(service.ignoreChanges).toEqual(["desiredCount"]);
    // A scaled-out task must not be refused the database lock.
    const credentials = JSON.parse(
      plain[`${SECRET_VERSION}::orthanc-aws-fargate-efs-app-credentials`].secretString as string,
    );
    expect(credentials.PostgreSQL).toMatchObject({ Lock: false, TransactionMode: "ReadCommitted" });
  });
});

describe("a hosted zone of its own", () => {
  test("records and certificate validation go into the new zone; its name servers are an output", async () => {
    // The whole section: the stack file's zoneId goes.
    const { plan } = await planStack("aws-fargate-efs", {
      dns: replaced({
        name: "pacs.example.org",
        dicomName: "dicom.pacs.example.org",
        createZone: true,
      }),
    });
    expect(only(plan, "aws:route53/zone:Zone").inputs).toMatchObject({ name: "pacs.example.org" });
    const zones = new Set(ofType(plan, "aws:route53/record:Record").map((r) => r.inputs.zoneId));
    expect([...zones]).toEqual(["Z0NEWZONE0000000"]);
    expect(plan.outputs.nameServers).toEqual([
      "ns-1.awsdns-01.org",
      "ns-2.awsdns-02.com",
      "ns-3.awsdns-03.net",
      "ns-4.awsdns-04.co.uk",
    ]);
  });
});
