import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  DatabaseRoleArgs,
  orthancContainers,
  STORAGE_VOLUME,
  TASK_VOLUMES,
} from "./containerDefinitions";
import { Ec2Capacity } from "./ec2Capacity";
import { s3PrefixPolicy, serviceRole } from "./iam";

export interface EcsServiceArgs {
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly replicas: number;
  /** Scale between `replicas` and `maxReplicas` tasks on CPU. */
  readonly autoscaling?: { maxReplicas: number; targetCpuPercent: number };
  readonly privateSubnetIds: pulumi.Input<string>[];
  readonly taskSecurityGroupIds: pulumi.Input<string>[];
  /** orthanc.json (not secret) and credentials.json (secret) as every target renders them. */
  readonly orthancJson: pulumi.Input<string>;
  readonly credentialsJson: pulumi.Output<string>;
  /** Storage-encryption master key (secret), when Orthanc encrypts its files. */
  readonly storageMasterKey?: pulumi.Output<string>;
  readonly environment: Record<string, string>;
  readonly httpPort: number;
  readonly dicomPort?: number;
  /** Target groups the service registers its tasks in. */
  readonly targetGroups: { arn: pulumi.Input<string>; port: number }[];
  /** Encrypts the secrets and the log group. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** What the task may touch: this bucket prefix, or this file system through its access point. */
  readonly storage:
    | { kind: "s3"; bucketArn: pulumi.Input<string>; prefix: string }
    | {
        kind: "efs";
        fileSystemId: pulumi.Input<string>;
        fileSystemArn: pulumi.Input<string>;
        accessPointId: pulumi.Input<string>;
        accessPointArn: pulumi.Input<string>;
      };
  readonly ecsExec: boolean;
  /**
   * RDS: Orthanc's role is made to own its database by a container that runs before Orthanc in
   * every task, as the master user (`adminSecretArn`, the RDS connection secret).
   */
  readonly databaseRole?: Omit<
    DatabaseRoleArgs,
    "host" | "adminSecretArn" | "appPasswordSecretArn"
  > & {
    host: pulumi.Input<string>;
    adminSecretArn: pulumi.Input<string>;
    appPassword: pulumi.Output<string>;
  };
  /** Fargate, or EC2 instances of this type in the cluster (the VPC is needed for their group). */
  readonly capacity:
    { kind: "fargate" } | { kind: "ec2"; instanceType: string; vpcId: pulumi.Input<string> };
}

/**
 * Orthanc on ECS, on Fargate or on EC2 capacity: a cluster with Container Insights, a KMS-encrypted log group with
 * retention, the credentials in Secrets Manager (read only by the execution role), a
 * least-privilege task role, and a service in private subnets with the deployment circuit
 * breaker and rollback.
 */
export class EcsService extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  public readonly credentialsSecretArn: pulumi.Output<string>;

  constructor(name: string, args: EcsServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:EcsService", name, {}, opts);
    const child = { parent: this };
    const region = aws.getRegionOutput({}, child).region;
    const cluster = new aws.ecs.Cluster(
      name,
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      child,
    );
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
      child,
    );

    const secret = (suffix: string, value: pulumi.Output<string>, description: string) => {
      const s = new aws.secretsmanager.Secret(
        `${name}-${suffix}`,
        { description, kmsKeyId: args.kmsKeyArn, recoveryWindowInDays: 30 },
        child,
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${suffix}`,
        { secretId: s.id, secretString: pulumi.secret(value) },
        child,
      );
      return s;
    };
    const credentials = secret(
      "credentials",
      args.credentialsJson,
      `Orthanc ${name}: users and database password (credentials.json)`,
    );
    const storageKey = args.storageMasterKey
      ? secret(
          "storage-key",
          args.storageMasterKey,
          `Orthanc ${name}: storage-encryption master key`,
        )
      : undefined;
    const role = args.databaseRole;
    const appPassword = role
      ? secret("db-app-password", role.appPassword, `Orthanc ${name}: its database role's password`)
      : undefined;
    const secretArns = [
      credentials.arn,
      ...(storageKey ? [storageKey.arn] : []),
      ...(role && appPassword ? [role.adminSecretArn, appPassword.arn] : []),
    ];

    const executionRole = serviceRole(`${name}-execution`, this, "ecs-tasks.amazonaws.com", {
      inline: {
        [`${name}-execution-logs`]: logs.arn.apply((arn) => logsPolicy(arn)),
        [`${name}-execution-secrets`]: pulumi
          .all([pulumi.all(secretArns), args.kmsKeyArn])
          .apply(([arns, key]) => secretsPolicy(arns, key)),
      },
    });
    const st = args.storage;
    const taskRole = serviceRole(`${name}-task`, this, "ecs-tasks.amazonaws.com", {
      inline: {
        [`${name}-task-storage`]:
          st.kind === "s3"
            ? pulumi
                .all([st.bucketArn, args.kmsKeyArn])
                .apply(([bucket, key]) => s3PrefixPolicy(bucket, st.prefix, key))
            : pulumi
                .all([st.fileSystemArn, st.accessPointArn])
                .apply(([fs, ap]) => efsTaskPolicy(fs, ap)),
        ...(args.ecsExec ? { [`${name}-task-exec`]: execPolicy() } : {}),
      },
    });

    const task = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: name,
        requiresCompatibilities: [args.capacity.kind === "ec2" ? "EC2" : "FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memoryMiB),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        volumes: [
          ...TASK_VOLUMES.map((volume) => ({ name: volume })),
          ...(st.kind === "efs"
            ? [
                {
                  name: STORAGE_VOLUME,
                  efsVolumeConfiguration: {
                    fileSystemId: st.fileSystemId,
                    transitEncryption: "ENABLED",
                    authorizationConfig: { accessPointId: st.accessPointId, iam: "ENABLED" },
                  },
                },
              ]
            : []),
        ],
        containerDefinitions: pulumi
          .all([
            args.orthancJson,
            credentials.arn,
            storageKey?.arn,
            logs.name,
            region,
            role?.host,
            role?.adminSecretArn,
            appPassword?.arn,
          ])
          .apply(([orthancJson, credentialsSecretArn, storageKeySecretArn, logGroup, r, ...db]) =>
            JSON.stringify(
              orthancContainers({
                image: args.image,
                orthancJson,
                credentialsSecretArn,
                storageKeySecretArn,
                environment: args.environment,
                httpPort: args.httpPort,
                dicomPort: args.dicomPort,
                efs: st.kind === "efs",
                logGroup,
                region: r,
                memoryMiB: args.memoryMiB,
                databaseRole: role && {
                  image: role.image,
                  host: db[0]!,
                  port: role.port,
                  database: role.database,
                  adminUser: role.adminUser,
                  adminSecretArn: db[1]!,
                  appRole: role.appRole,
                  appPasswordSecretArn: db[2]!,
                },
              }),
            ),
          ),
      },
      child,
    );

    // EC2: an Auto Scaling group behind a capacity provider, attached to the cluster first.
    let launch: Partial<aws.ecs.ServiceArgs> = { launchType: "FARGATE", platformVersion: "LATEST" };
    const serviceDeps: pulumi.Resource[] = [];
    if (args.capacity.kind === "ec2") {
      const capacity = new Ec2Capacity(
        `${name}-capacity`,
        {
          clusterName: cluster.name,
          instanceType: args.capacity.instanceType,
          subnetIds: args.privateSubnetIds,
          vpcId: args.capacity.vpcId,
          kmsKeyArn: args.kmsKeyArn,
          maxInstances: (args.autoscaling?.maxReplicas ?? args.replicas) + 1,
        },
        child,
      );
      serviceDeps.push(
        new aws.ecs.ClusterCapacityProviders(
          `${name}-capacity`,
          { clusterName: cluster.name, capacityProviders: [capacity.capacityProviderName] },
          child,
        ),
      );
      launch = {
        capacityProviderStrategies: [
          { capacityProvider: capacity.capacityProviderName, weight: 1 },
        ],
      };
    }
    const service = new aws.ecs.Service(
      name,
      {
        cluster: cluster.arn,
        taskDefinition: task.arn,
        desiredCount: args.replicas,
        ...launch,
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: args.taskSecurityGroupIds,
          assignPublicIp: false,
        },
        loadBalancers: args.targetGroups.map((tg) => ({
          targetGroupArn: tg.arn,
          containerName: "orthanc",
          containerPort: tg.port,
        })),
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...deploymentBounds(args.autoscaling?.maxReplicas ?? args.replicas),
        // Schema migrations of the PostgreSQL plugin can take minutes on a large index.
        healthCheckGracePeriodSeconds: 300,
        enableExecuteCommand: args.ecsExec,
        propagateTags: "SERVICE",
      },
      // With autoscaling the scaler owns the task count between deployments.
      { ...child, dependsOn: serviceDeps, ignoreChanges: args.autoscaling ? ["desiredCount"] : [] },
    );
    if (args.autoscaling) {
      const target = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
          minCapacity: args.replicas,
          maxCapacity: args.autoscaling.maxReplicas,
        },
        child,
      );
      new aws.appautoscaling.Policy(
        `${name}-cpu`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: {
              predefinedMetricType: "ECSServiceAverageCPUUtilization",
            },
            targetValue: args.autoscaling.targetCpuPercent,
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
          },
        },
        child,
      );
    }
    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.logGroupName = logs.name;
    this.credentialsSecretArn = credentials.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      serviceName: this.serviceName,
      logGroupName: this.logGroupName,
    });
  }
}

/**
 * One replica holds the database lock: stop it before starting the new one (a second task would
 * be refused the lock and fail the deployment). Several replicas never exceed their count, so the
 * connection budget holds during a deployment.
 */
export function deploymentBounds(replicas: number) {
  return replicas === 1
    ? { deploymentMinimumHealthyPercent: 0, deploymentMaximumPercent: 100 }
    : { deploymentMinimumHealthyPercent: 50, deploymentMaximumPercent: 100 };
}

export function logsPolicy(logGroupArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
      },
    ],
  };
}

/** The execution role reads exactly these secrets and decrypts with exactly this key. */
export function secretsPolicy(secretArns: string[], keyArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns },
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: keyArn,
        Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
      },
    ],
  };
}

/** EFS through this access point only. */
export function efsTaskPolicy(fileSystemArn: string, accessPointArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: fileSystemArn,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn } },
      },
    ],
  };
}

/** ECS Exec's session channel (SSM). These actions support no resource scoping. */
export function execPolicy() {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
    ],
  };
}
