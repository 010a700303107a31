/**
 * The EcsService component on its own, under mocks: the cluster, task definition, service and
 * roles, with credentials only in Secrets Manager, on EFS or S3.
 */
import * as pulumi from "@pulumi/pulumi";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { iamProblems } from "../../helpers/iam";
import { only } from "../../helpers/plan";
import { KEY } from "./helpers";

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
      const { EcsService } = await import("../../../components/aws/ecsService");
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
      { name: "GENERATE_HOST_ID_IF_MISSING", value: "false" },
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
    // Task volumes without `host`: the task's own storage, on Fargate and EC2 alike.
    expect(task.volumes).toEqual([
      { name: "orthanc-config" },
      { name: "orthanc-secrets" },
      { name: "orthanc-tmp" },
      { name: "orthanc-plugins" },
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
      const { EcsService } = await import("../../../components/aws/ecsService");
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
    expect(task.volumes).toEqual([
      { name: "orthanc-config" },
      { name: "orthanc-secrets" },
      { name: "orthanc-tmp" },
      { name: "orthanc-plugins" },
    ]);
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
