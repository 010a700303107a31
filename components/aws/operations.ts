import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createBackupPlan } from "./backup";

export interface OperationsArgs {
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Resources the backup plan covers (RDS instance, EFS file system ARNs). */
  readonly backupResourceArns: pulumi.Input<string>[];
  readonly backupRetentionDays: number;
  /**
   * Alarms, always created: their SNS topic can be subscribed to later in the console; `email`
   * subscribes that address now.
   */
  readonly alarms: {
    email?: string;
    loadBalancer: pulumi.Input<string>;
    targets: {
      namespace: string;
      loadBalancer: pulumi.Input<string>;
      targetGroup: pulumi.Input<string>;
    }[];
    database?: {
      identifier: pulumi.Input<string>;
      allocatedStorageGiB: number;
      maxConnections: number;
    };
  };
}

/**
 * Day-2 safety: an AWS Backup plan (daily, in a vault under the customer-managed key) for the
 * database and file system, and CloudWatch alarms to an encrypted SNS topic.
 */
export class Operations extends pulumi.ComponentResource {
  public readonly backupVaultName: pulumi.Output<string>;
  public readonly alarmTopicArn: pulumi.Output<string>;

  constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:Operations", name, {}, opts);
    const child = { parent: this };
    const { vault } = createBackupPlan(name, this, {
      kmsKeyArn: args.kmsKeyArn,
      resourceArns: args.backupResourceArns,
      retentionDays: args.backupRetentionDays,
    });
    this.backupVaultName = vault.name;

    const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: args.kmsKeyArn }, child);
    if (args.alarms.email) {
      new aws.sns.TopicSubscription(
        `${name}-alarms-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.alarms.email },
        child,
      );
    }
    for (const spec of alarmSpecs(args.alarms)) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-${spec.id}`,
        {
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metric,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: 300,
          evaluationPeriods: spec.periods,
          threshold: spec.threshold,
          comparisonOperator: spec.comparison,
          treatMissingData: "notBreaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
        },
        child,
      );
    }
    this.alarmTopicArn = topic.arn;
    this.registerOutputs({
      backupVaultName: this.backupVaultName,
      alarmTopicArn: this.alarmTopicArn,
    });
  }
}

export interface AlarmSpec {
  id: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: string;
  periods: number;
  threshold: number;
  comparison: string;
}

/** What pages someone: errors users see, targets failing, and a database running out of room. */
export function alarmSpecs(a: OperationsArgs["alarms"]): AlarmSpec[] {
  const specs: AlarmSpec[] = [
    {
      id: "http-5xx",
      description: "Orthanc answered more than 10 server errors in 5 minutes",
      namespace: "AWS/ApplicationELB",
      metric: "HTTPCode_Target_5XX_Count",
      dimensions: { LoadBalancer: a.loadBalancer },
      statistic: "Sum",
      periods: 1,
      threshold: 10,
      comparison: "GreaterThanThreshold",
    },
    ...a.targets.map((t, i) => ({
      id: `unhealthy-targets-${i}`,
      description: "An Orthanc task fails its load balancer health check for 10 minutes",
      namespace: t.namespace,
      metric: "UnHealthyHostCount",
      dimensions: { TargetGroup: t.targetGroup, LoadBalancer: t.loadBalancer },
      statistic: "Maximum",
      periods: 2,
      threshold: 0,
      comparison: "GreaterThanThreshold",
    })),
  ];
  if (a.database) {
    const db = { DBInstanceIdentifier: a.database.identifier };
    specs.push(
      {
        id: "db-cpu",
        description: "Database CPU above 80% for 15 minutes",
        namespace: "AWS/RDS",
        metric: "CPUUtilization",
        dimensions: db,
        statistic: "Average",
        periods: 3,
        threshold: 80,
        comparison: "GreaterThanThreshold",
      },
      {
        id: "db-storage",
        description: "Database free storage below 10% of its allocation",
        namespace: "AWS/RDS",
        metric: "FreeStorageSpace",
        dimensions: db,
        statistic: "Minimum",
        periods: 1,
        threshold: Math.floor(a.database.allocatedStorageGiB * 0.1 * 2 ** 30),
        comparison: "LessThanThreshold",
      },
      {
        id: "db-connections",
        description: "Database connections above 80% of max_connections",
        namespace: "AWS/RDS",
        metric: "DatabaseConnections",
        dimensions: db,
        statistic: "Maximum",
        periods: 2,
        threshold: Math.floor(a.database.maxConnections * 0.8),
        comparison: "GreaterThanThreshold",
      },
    );
  }
  return specs;
}
