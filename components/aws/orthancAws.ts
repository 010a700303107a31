import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { destinationsOf } from "../shared/remoteServers";
import { Credentials } from "../shared/credentials";
import { orthancDocuments } from "../shared/documents";
import { HOSTNAME_PLACEHOLDER, StorageSettings } from "../shared/orthancConfig";
import {
  DatabaseEndpoint,
  ExternalDatabase,
  ORTHANC_DATABASE,
  OrthancAppOptions,
} from "../shared/settings";
import { storageMasterKey } from "../shared/storageKey";
import { ORTHANC_UID } from "../shared/orthancImage";
import { AccessLogBucket } from "./accessLogBucket";
import { DicomBucket } from "./dicomBucket";
import { EcsService, EcsServiceArgs } from "./ecsService";
import { EfsStorage } from "./efsStorage";
import { Ingress } from "./ingress";
import { KmsKey } from "./kmsKey";
import { Network, NetworkArgs } from "./network";
import { Operations } from "./operations";
import { RdsPostgres, RdsPostgresArgs } from "./rdsPostgres";
import { ORTHANC_APP_ROLE } from "../shared/postgresRole";

export interface OrthancAwsArgs {
  /** The region every resource lives in. */
  readonly region: string;
  readonly orthanc: OrthancAppOptions & {
    /** The image reference, pinned (and through a mirror when one is set). */
    readonly image: string;
    readonly adminUser: string;
    /** Further users; a password left out is generated. */
    readonly users: Record<string, { password?: pulumi.Output<string> }>;
    /** Networks that may reach DICOM through its load balancer; empty: DICOM is not published. */
    readonly dicomAllowedCidrs: string[];
  };
  /** A VPC to create or one to use, and the networks that may reach HTTPS. */
  readonly network: Pick<NetworkArgs, "vpc" | "webAllowedCidrs">;
  /** A key to use instead of creating one, and the waiting period when a created key is deleted. */
  readonly key: { readonly existingArn?: string; readonly deletionWindowDays: number };
  /** RDS PostgreSQL created here, or a database that exists already. */
  readonly database:
    | (Pick<
        RdsPostgresArgs,
        | "engineMajor"
        | "instanceClass"
        | "memoryGiB"
        | "allocatedStorageGiB"
        | "maxAllocatedStorageGiB"
        | "multiAz"
        | "backupRetentionDays"
      > & {
        readonly kind: "rds";
        readonly connectionsPerReplica?: number;
        /** The postgres image of `engineMajor` (pinned), whose psql creates Orthanc's role. */
        readonly clientImage: string;
      })
    | ExternalDatabase;
  /** DICOM files on EFS, or in S3 (a bucket created here unless one is named). */
  readonly storage:
    | { readonly kind: "efs" }
    | {
        readonly kind: "s3";
        readonly bucket?: string;
        readonly prefix: string;
        /** Orthanc encrypts each file with a generated master key before it leaves the task. */
        readonly encryption: boolean;
        readonly glacierInstantRetrievalAfterDays?: number;
      };
  /** The names; with `tls`, HTTPS on `webName` and, when DICOM is published, `dicomName`. */
  readonly dns: {
    readonly webName?: string;
    readonly dicomName?: string;
    readonly zoneId?: string;
    /** Create a hosted zone for `webName`; its name servers become an output. */
    readonly createZone: boolean;
  };
  /** HTTPS on the web balancer (needs `dns.webName` and a zone). */
  readonly tls: boolean;
  /** TLS on the DICOM balancer's listener. */
  readonly dicomTls: boolean;
  /** Task size, replicas, CPU autoscaling, ECS Exec and capacity, as the service takes them. */
  readonly service: Pick<
    EcsServiceArgs,
    "cpu" | "memoryMiB" | "replicas" | "autoscaling" | "ecsExec"
  > & { readonly capacity: { kind: "fargate" } | { kind: "ec2"; instanceType: string } };
  readonly logRetentionDays: number;
  /** Days the access trail (load balancer and DICOM bucket access logs) is kept. */
  readonly accessLogRetentionDays: number;
  /** Where alarms are mailed; the alarms and their topic exist without it. */
  readonly alarmEmail?: string;
  /**
   * Protect the key, database, file system, buckets (DICOM files, access logs) and master key from
   * deletion and replacement.
   */
  readonly protectData: boolean;
}

const { database: DB_NAME, username: DB_USER } = ORTHANC_DATABASE;

/**
 * Orthanc on AWS: a KMS key, the network, RDS PostgreSQL (or an external database), EFS or S3,
 * the load balancers and names, the ECS service and its backups and alarms, in one region.
 */
export class OrthancAws extends pulumi.ComponentResource {
  public readonly url: pulumi.Output<string>;
  public readonly dicomHost?: pulumi.Output<string>;
  public readonly adminPassword: pulumi.Output<string>;
  public readonly credentialsSecretArn: pulumi.Output<string>;
  public readonly databaseEndpoint: pulumi.Output<string>;
  /** The bucket's name or the file system's id. */
  public readonly storage: pulumi.Output<string>;
  public readonly logGroup: pulumi.Output<string>;
  /** The bucket of the access trail. */
  public readonly accessLogBucket: pulumi.Output<string>;
  public readonly backupVault: pulumi.Output<string>;
  public readonly alarmTopic: pulumi.Output<string>;
  public readonly nameServers?: pulumi.Output<string[]>;

  constructor(name: string, args: OrthancAwsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:OrthancAws", name, {}, opts);
    // Until issue 9 these were created at the stack's top level: the alias keeps each one's
    // identity, so an existing stack updates them in place (their children inherit it).
    const provider = new aws.Provider(
      `${name}-aws`,
      { region: args.region as aws.Region },
      { parent: this, aliases: [{ parent: pulumi.rootStackResource }] },
    );
    const moved = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };
    const child: pulumi.ComponentResourceOptions = { ...moved, providers: [provider] };
    const protect = args.protectData;
    const o = args.orthanc;
    const dicomOpen = o.dicomAllowedCidrs.length > 0;

    const key = new KmsKey(
      `${name}-key`,
      {
        existingArn: args.key.existingArn,
        description: `Orthanc ${name}: database, files, secrets and logs`,
        deletionWindowDays: args.key.deletionWindowDays,
        protect,
        // CloudWatch Logs encrypts log groups with it; CloudWatch alarms publish to an SNS topic under it.
        servicePrincipals: [`logs.${args.region}.amazonaws.com`, "cloudwatch.amazonaws.com"],
      },
      child,
    );
    const network = new Network(
      `${name}-net`,
      {
        ...args.network,
        dicomAllowedCidrs: o.dicomAllowedCidrs,
        httpPort: o.httpPort,
        dicomPort: o.dicom.port,
        remoteDestinations: destinationsOf([
          ...Object.values(o.peers),
          ...Object.values(o.dicomWebServers),
        ]),
        kmsKeyArn: key.arn,
        logRetentionDays: args.logRetentionDays,
      },
      child,
    );
    const sg = network.securityGroups;
    const credentials = new Credentials(
      `${name}-credentials`,
      {
        adminUser: o.adminUser,
        users: o.users,
        generateDatabasePassword: args.database.kind === "rds",
        generateAppRolePassword: args.database.kind === "rds",
      },
      child,
    );
    const db = createDatabase(`${name}-db`, child, args, {
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [sg.database.id],
      kmsKeyArn: key.arn,
      generatedPassword: credentials.databasePassword,
      appRolePassword: credentials.appRolePassword,
    });
    const files = createStorage(name, child, args, {
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [sg.fileSystem.id],
      kmsKeyArn: key.arn,
    });
    const zone =
      args.dns.createZone && args.dns.webName
        ? new aws.route53.Zone(
            `${name}-zone`,
            { name: args.dns.webName, comment: `Orthanc ${name}` },
            { ...moved, provider },
          )
        : undefined;
    const zoneId = zone ? zone.zoneId : args.dns.zoneId;
    const webName = args.dns.webName;
    const dns =
      args.tls && webName && zoneId
        ? {
            zoneId,
            webName,
            // DICOM has a balancer of its own, so a name of its own (one name cannot alias two).
            dicomName: dicomOpen ? (args.dns.dicomName ?? `dicom.${webName}`) : undefined,
          }
        : undefined;
    // The access trail (new with issue 12: no earlier identity to alias).
    const accessLogs = new AccessLogBucket(
      `${name}-access-logs`,
      {
        region: args.region,
        retentionDays: args.accessLogRetentionDays,
        // The DICOM balancer's listener is TLS exactly when Ingress gets a certificate for it.
        dicomLoadBalancer: dicomOpen && args.dicomTls && dns !== undefined,
        s3Sources: files.createdBucket ? { dicom: files.createdBucket } : {},
        protect,
      },
      { parent: this, providers: [provider] },
    );
    const ingress = new Ingress(
      `${name}-edge`,
      {
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        webSecurityGroupId: sg.loadBalancer.id,
        dicomSecurityGroupId: sg.dicomLoadBalancer.id,
        httpPort: o.httpPort,
        dicom: dicomOpen ? { port: o.dicom.port, tls: args.dicomTls } : undefined,
        dns,
        accessLogBucket: accessLogs.bucketName,
      },
      child,
    );

    // Orthanc is configured for the most tasks that may run at once: with autoscaling that is the
    // maximum (no database lock, pool sized for all of them).
    const writers = args.service.autoscaling?.maxReplicas ?? args.service.replicas;
    // One task definition serves every replica: with several, each task names itself after its
    // own host name (Orthanc expands ${HOSTNAME}); one replica keeps a stable identifier.
    const serverIdentifier = writers > 1 ? HOSTNAME_PLACEHOLDER : `${name}-orthanc`;
    const documents = orthancDocuments(
      { ...o, replicas: writers },
      {
        database: db.endpoint,
        storage: files.settings,
        publicUrl: args.tls && webName ? { host: webName, https: true } : undefined,
        serverIdentifier,
        // The DICOM network load balancer keeps the client's address (preserveClientIp).
        clientAddressesPreserved: dicomOpen,
      },
      { users: credentials.users, databasePassword: db.password },
    );
    const encrypted = args.storage.kind === "s3" && args.storage.encryption;
    const service = new EcsService(
      `${name}-app`,
      {
        ...args.service,
        image: o.image,
        privateSubnetIds: network.privateSubnetIds,
        taskSecurityGroupIds: [sg.tasks.id],
        orthancJson: documents.orthancJson,
        credentialsJson: documents.credentialsJson,
        storageMasterKey: encrypted
          ? storageMasterKey(`${name}-storage-key`, protect, moved)
          : undefined,
        environment: documents.environment,
        httpPort: o.httpPort,
        dicomPort: dicomOpen ? o.dicom.port : undefined,
        targetGroups: ingress.targetGroups,
        kmsKeyArn: key.arn,
        logRetentionDays: args.logRetentionDays,
        storage: files.permissions,
        databaseRole: db.role,
        capacity:
          args.service.capacity.kind === "ec2"
            ? { ...args.service.capacity, vpcId: network.vpcId }
            : args.service.capacity,
      },
      child,
    );
    const operations = new Operations(
      `${name}-ops`,
      {
        kmsKeyArn: key.arn,
        backupResourceArns: [...(db.rds ? [db.rds.arn] : []), ...files.backupArns],
        backupRetentionDays: 35,
        alarms: {
          email: args.alarmEmail,
          loadBalancer: ingress.metrics.loadBalancer,
          targets: ingress.metrics.targets,
          database: db.rds
            ? {
                identifier: db.rds.identifier,
                allocatedStorageGiB: db.rds.allocatedStorageGiB,
                maxConnections: db.rds.maxConnections,
              }
            : undefined,
        },
      },
      child,
    );

    this.url = ingress.webUrl;
    this.dicomHost = ingress.dicomHost;
    this.adminPassword = credentials.adminPassword!;
    this.credentialsSecretArn = service.credentialsSecretArn;
    this.databaseEndpoint = db.address;
    this.storage = files.id;
    this.logGroup = service.logGroupName;
    this.accessLogBucket = accessLogs.bucketName;
    this.backupVault = operations.backupVaultName;
    this.alarmTopic = operations.alarmTopicArn;
    this.nameServers = zone?.nameServers;
    this.registerOutputs({
      url: this.url,
      dicomHost: this.dicomHost,
      databaseEndpoint: this.databaseEndpoint,
      storage: this.storage,
      accessLogBucket: this.accessLogBucket,
      nameServers: this.nameServers,
    });
  }
}

/** RDS PostgreSQL encrypted with the key in private subnets, or the external database as given. */
function createDatabase(
  name: string,
  opts: pulumi.ComponentResourceOptions,
  args: OrthancAwsArgs,
  place: {
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    kmsKeyArn: pulumi.Input<string>;
    generatedPassword?: pulumi.Output<string>;
    appRolePassword?: pulumi.Output<string>;
  },
) {
  const db = args.database;
  if (db.kind === "external") {
    const { password, kind, ...address } = db;
    void kind;
    return {
      endpoint: { ...address, kind: "postgresql" } satisfies DatabaseEndpoint,
      password,
      address: pulumi.output(`${db.host}:${db.port}`),
      rds: undefined,
      role: undefined,
    };
  }
  if (!place.generatedPassword || !place.appRolePassword)
    throw new pulumi.ResourceError("RDS needs the generated database passwords.", opts.parent);
  const { kind, connectionsPerReplica, clientImage, ...sizing } = db;
  void kind;
  const rds = new RdsPostgres(
    name,
    {
      ...sizing,
      subnetIds: place.subnetIds,
      securityGroupIds: place.securityGroupIds,
      kmsKeyArn: place.kmsKeyArn,
      databaseName: DB_NAME,
      username: DB_USER,
      password: place.generatedPassword,
      protect: args.protectData,
    },
    opts,
  );
  // Orthanc logs in as its own role; the master user (DB_USER) is for the role's container and
  // the administrator only, its password in the RDS connection secret.
  return {
    endpoint: {
      kind: "postgresql" as const,
      host: rds.address,
      port: 5432,
      database: DB_NAME,
      username: ORTHANC_APP_ROLE,
      ssl: true,
      maxConnections: rds.maxConnections,
      connectionsPerReplica,
    },
    password: place.appRolePassword,
    address: pulumi.interpolate`${rds.address}:${rds.port}`,
    rds,
    role: {
      image: clientImage,
      host: rds.address,
      port: 5432,
      database: DB_NAME,
      adminUser: DB_USER,
      adminSecretArn: rds.secretArn,
      appRole: ORTHANC_APP_ROLE,
      appPassword: place.appRolePassword,
    },
  };
}

/** EFS with an access point for Orthanc's uid, or a bucket (created unless one is named). */
function createStorage(
  name: string,
  opts: pulumi.ComponentResourceOptions,
  args: OrthancAwsArgs,
  place: {
    subnetIds: pulumi.Input<string>[];
    securityGroupIds: pulumi.Input<string>[];
    kmsKeyArn: pulumi.Input<string>;
  },
) {
  const st = args.storage;
  if (st.kind === "s3") {
    // A named bucket is used as it is: its access logging is its owner's.
    const created = st.bucket
      ? undefined
      : new DicomBucket(
          `${name}-dicom`,
          {
            kmsKeyArn: place.kmsKeyArn,
            noncurrentVersionDays: 30,
            glacierInstantRetrievalAfterDays: st.glacierInstantRetrievalAfterDays,
            protect: args.protectData,
          },
          opts,
        );
    const bucketName = created ? created.bucketName : pulumi.output(st.bucket!);
    return {
      settings: {
        kind: "s3" as const,
        bucket: bucketName,
        region: args.region,
        prefix: st.prefix,
        encryption: st.encryption,
        staticKeys: false,
      },
      permissions: {
        kind: "s3" as const,
        bucketArn: pulumi.interpolate`arn:aws:s3:::${bucketName}`,
        prefix: st.prefix,
      },
      id: bucketName,
      backupArns: [] as pulumi.Output<string>[],
      createdBucket: created ? { bucketName: created.bucketName, arn: created.arn } : undefined,
    };
  }
  const efs = new EfsStorage(
    `${name}-files`,
    {
      subnetIds: place.subnetIds,
      securityGroupIds: place.securityGroupIds,
      kmsKeyArn: place.kmsKeyArn,
      posixUid: ORTHANC_UID,
      protect: args.protectData,
      // The deployment's AWS Backup plan covers it.
      automaticBackups: false,
    },
    opts,
  );
  return {
    settings: { kind: "filesystem" } as StorageSettings & { kind: "filesystem" },
    permissions: {
      kind: "efs" as const,
      fileSystemId: efs.fileSystemId,
      fileSystemArn: efs.fileSystemArn,
      accessPointId: efs.accessPointId,
      accessPointArn: efs.accessPointArn,
    },
    id: efs.fileSystemId,
    backupArns: [efs.fileSystemArn],
    createdBucket: undefined,
  };
}
