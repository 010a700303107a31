import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rdsClassMemoryGiB, rdsMaxConnectionsForMemory } from "./rdsClasses";

export interface RdsPostgresArgs {
  /** Private subnets in two or more AZs. */
  readonly subnetIds: pulumi.Input<string>[];
  /** Security groups that let only Orthanc's tasks in (by group reference). */
  readonly securityGroupIds: pulumi.Input<string>[];
  readonly engineMajor: "14" | "15" | "16" | "17";
  readonly instanceClass: string;
  /**
   * The class's memory in GiB, which sizes `max_connections`: needed only for a class that
   * `rdsClasses.ts` lacks (the target passes `database.instanceMemoryGiB`).
   */
  readonly memoryGiB?: number;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /** Encrypts storage, Performance Insights and the master-password secret. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly databaseName: string;
  readonly username: string;
  /**
   * The master password (generated, a Pulumi secret), kept in Secrets Manager for the task's
   * database-role container and the administrator; Orthanc logs in as its own role.
   */
  readonly password: pulumi.Input<string>;
  /** Deletion protection in AWS and in Pulumi; turning it off is an explicit opt-in. */
  readonly protect: boolean;
}

/**
 * PostgreSQL's `max_connections` on RDS for an instance class (see `rdsMaxConnectionsForMemory`),
 * from `memoryGiB` when given, else from the class table. The stack configuration never reaches
 * the throw: its schema refuses a class the table lacks unless `database.instanceMemoryGiB` is set.
 */
export function rdsMaxConnections(instanceClass: string, memoryGiB?: number): number {
  const gib = memoryGiB ?? rdsClassMemoryGiB(instanceClass);
  if (gib === undefined) {
    throw new Error(
      `Unknown RDS instance class ${JSON.stringify(instanceClass)} (not in components/aws/rdsClasses.ts). ` +
        "Set orthanc:database.instanceMemoryGiB to its memory, or add it to the table.",
    );
  }
  return rdsMaxConnectionsForMemory(gib);
}

/** Parameters that PHI and TLS demand: every connection encrypted, no statement text in logs. */
export function parameters() {
  return [
    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
    { name: "log_statement", value: "none" },
    // -1: never log statements by duration either (their text would carry patient data).
    { name: "log_min_duration_statement", value: "-1" },
    { name: "log_connections", value: "1" },
    { name: "log_disconnections", value: "1" },
    { name: "tcp_keepalives_idle", value: "300" },
  ];
}

/**
 * RDS PostgreSQL for Orthanc's index: private, encrypted with the customer-managed key, TLS
 * forced, automated backups with a final snapshot kept, and deletion protection. The connection
 * (user, password, host, port, database) is kept in a Secrets Manager secret under the same key
 * for the database-role container (containerDefinitions.ts) and the administrator to read. The
 * password is not RDS-managed on purpose: RDS would rotate it every seven days, in a secret of its
 * own this program does not know.
 */
export class RdsPostgres extends pulumi.ComponentResource {
  public readonly address: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** Secrets Manager secret holding `username`, `password`, `host`, `port`, `dbname` (JSON). */
  public readonly secretArn: pulumi.Output<string>;
  public readonly maxConnections: number;
  /** For CloudWatch dimensions and AWS Backup. */
  public readonly identifier: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly allocatedStorageGiB: number;

  constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before anything registers: an unknown class (never from a validated stack) stops here.
    const maxConnections = rdsMaxConnections(args.instanceClass, args.memoryGiB);
    super("orthanc:aws:RdsPostgres", name, {}, opts);
    this.maxConnections = maxConnections;
    const child = { parent: this };
    const subnets = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { subnetIds: args.subnetIds },
      child,
    );
    const params = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        family: `postgres${args.engineMajor}`,
        description: `Orthanc ${name}: TLS only, no statement logging`,
        parameters: parameters(),
      },
      child,
    );
    const db = new aws.rds.Instance(
      name,
      {
        engine: "postgres",
        engineVersion: args.engineMajor,
        // Minor versions update in maintenance windows; a major upgrade is a deliberate change.
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        instanceClass: args.instanceClass,
        storageType: "gp3",
        allocatedStorage: args.allocatedStorageGiB,
        maxAllocatedStorage: args.maxAllocatedStorageGiB,
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        dbName: args.databaseName,
        username: args.username,
        password: args.password,
        dbSubnetGroupName: subnets.name,
        parameterGroupName: params.name,
        vpcSecurityGroupIds: args.securityGroupIds,
        publiclyAccessible: false,
        multiAz: args.multiAz,
        backupRetentionPeriod: args.backupRetentionDays,
        copyTagsToSnapshot: true,
        deleteAutomatedBackups: false,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${name}-final`,
        deletionProtection: args.protect,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: args.kmsKeyArn,
        enabledCloudwatchLogsExports: ["postgresql"],
        caCertIdentifier: "rds-ca-rsa2048-g1",
        tags: { Name: name },
      },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );
    this.address = db.address;
    this.port = db.port;
    const secret = new aws.secretsmanager.Secret(
      `${name}-connection`,
      {
        description: `Orthanc ${name}: PostgreSQL connection`,
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: 30,
      },
      child,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-connection`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi.all([args.password, db.address, db.port]).apply(([password, host, port]) =>
            JSON.stringify({
              username: args.username,
              password,
              host,
              port,
              dbname: args.databaseName,
            }),
          ),
        ),
      },
      child,
    );
    this.secretArn = secret.arn;
    this.identifier = db.identifier;
    this.arn = db.arn;
    this.allocatedStorageGiB = args.allocatedStorageGiB;
    this.registerOutputs({ address: this.address, port: this.port, secretArn: this.secretArn });
  }
}
