import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DicomBucket } from "../../components/aws/dicomBucket";
import { OrthancEcsService } from "../../components/aws/ecsService";
import { EfsStorage } from "../../components/aws/efsStorage";
import { OrthancIngress } from "../../components/aws/ingress";
import { KmsKey } from "../../components/aws/kmsKey";
import { OrthancNetwork } from "../../components/aws/network";
import { OrthancOperations } from "../../components/aws/operations";
import { RdsPostgres } from "../../components/aws/rdsPostgres";
import { ORTHANC_UID } from "../../components/aws/containers";
import { OrthancCredentials } from "../../components/shared/credentials";
import { storageMasterKey } from "../../components/shared/storageKey";
import { HOSTNAME_PLACEHOLDER, StorageSettings } from "../../components/shared/orthancConfig";
import { orthancDocuments } from "../../components/shared/documents";
import { DatabaseEndpoint } from "../../components/shared/settings";
import { AwsConfig, ConfigError } from "../config";
import { StackOutputs } from "./types";
import { pulledImage } from "./common";

const DB_NAME = "orthanc";
const DB_USER = "orthanc";

/**
 * Orthanc on AWS: a KMS key, the network, RDS PostgreSQL (or an external database), EFS or S3,
 * the load balancers and names, and the ECS service, all in the configured region.
 */
export function deployAws(cfg: AwsConfig): StackOutputs {
  const name = `orthanc-${pulumi.getStack()}`;
  const provider = new aws.Provider(`${name}-aws`, { region: cfg.aws.region as aws.Region });
  const opts = { providers: { aws: provider } };
  const protect = cfg.protectData;
  // Orthanc is configured for the most tasks that may run at once: with autoscaling that is the
  // maximum (no database lock, pool sized for all of them).
  const o = { ...cfg.orthanc, replicas: cfg.aws.autoscaling?.maxReplicas ?? cfg.orthanc.replicas };

  const key = new KmsKey(
    `${name}-key`,
    {
      existingArn: cfg.keys.kmsKeyArn,
      description: `Orthanc ${name}: database, files, secrets and logs`,
      deletionWindowDays: cfg.keys.deletionWindowDays,
      protect,
      // CloudWatch Logs encrypts log groups with it; CloudWatch alarms publish to an SNS topic under it.
      servicePrincipals: [`logs.${cfg.aws.region}.amazonaws.com`, "cloudwatch.amazonaws.com"],
    },
    opts,
  );
  const dicomOpen = o.dicom.enabled && o.dicom.allowedCidrs.length > 0;
  const network = new OrthancNetwork(
    `${name}-net`,
    {
      vpc: cfg.aws.vpcId
        ? {
            existing: {
              vpcId: cfg.aws.vpcId,
              privateSubnetIds: cfg.aws.privateSubnetIds ?? [],
              publicSubnetIds: cfg.aws.publicSubnetIds ?? [],
            },
          }
        : { create: { cidr: cfg.aws.vpcCidr, azCount: cfg.aws.availabilityZones } },
      webAllowedCidrs: cfg.aws.webAllowedCidrs,
      dicomAllowedCidrs: dicomOpen ? o.dicom.allowedCidrs : [],
      httpPort: o.httpPort,
      dicomPort: o.dicom.port,
      kmsKeyArn: key.arn,
      logRetentionDays: cfg.aws.logRetentionDays,
    },
    opts,
  );
  const sg = network.securityGroups;

  const credentials = new OrthancCredentials(
    `${name}-credentials`,
    { adminUser: o.adminUser, users: o.users, generateDatabasePassword: !cfg.database.external },
    opts,
  );

  let database: DatabaseEndpoint & { kind: "postgresql" };
  let databasePassword: pulumi.Output<string>;
  let rds: RdsPostgres | undefined;
  const db = cfg.database;
  if (db.engine === "sqlite") {
    throw new ConfigError([
      {
        key: "orthanc:database.engine",
        message: "sqlite cannot live on ECS's ephemeral disks. Allowed on aws: postgresql.",
      },
    ]);
  } else if (db.external) {
    database = {
      kind: "postgresql",
      ...db.external,
      connectionsPerReplica: db.connectionsPerReplica,
    };
    databasePassword = db.external.password;
  } else {
    databasePassword = credentials.databasePassword!;
    rds = new RdsPostgres(
      `${name}-db`,
      {
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [sg.database.id],
        engineMajor: db.version,
        instanceClass: db.instanceClass,
        allocatedStorageGiB: db.allocatedStorageGiB,
        maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
        multiAz: db.multiAz,
        backupRetentionDays: db.backupRetentionDays,
        kmsKeyArn: key.arn,
        databaseName: DB_NAME,
        username: DB_USER,
        password: databasePassword,
        protect,
      },
      opts,
    );
    // The address is known once RDS exists; everything else is plain config.
    database = {
      kind: "postgresql",
      host: "",
      port: 5432,
      database: DB_NAME,
      username: DB_USER,
      ssl: true,
      maxConnections: rds.maxConnections,
      connectionsPerReplica: db.connectionsPerReplica,
    };
  }

  const st = cfg.storage;
  let storage: StorageSettings;
  let storagePermissions: ConstructorParameters<typeof OrthancEcsService>[1]["storage"];
  let storageId: pulumi.Output<string>;
  const backupArns: pulumi.Output<string>[] = rds ? [rds.arn] : [];
  if (st.kind === "s3") {
    const bucketName = st.s3?.bucket
      ? pulumi.output(st.s3.bucket)
      : new DicomBucket(
          `${name}-dicom`,
          {
            kmsKeyArn: key.arn,
            noncurrentVersionDays: 30,
            glacierInstantRetrievalAfterDays: st.glacierInstantRetrievalAfterDays,
            protect,
          },
          opts,
        ).bucketName;
    const prefix = st.s3?.prefix ?? "";
    storage = {
      kind: "s3",
      bucket: "",
      region: cfg.aws.region,
      prefix,
      encryption: st.encryption,
      staticKeys: false,
    };
    storagePermissions = {
      kind: "s3",
      bucketArn: pulumi.interpolate`arn:aws:s3:::${bucketName}`,
      prefix,
    };
    storageId = bucketName;
  } else {
    const efs = new EfsStorage(
      `${name}-files`,
      {
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [sg.fileSystem.id],
        kmsKeyArn: key.arn,
        posixUid: Number(ORTHANC_UID),
        protect,
        // The deployment's AWS Backup plan covers it.
        automaticBackups: false,
      },
      opts,
    );
    storage = { kind: "filesystem" };
    storagePermissions = {
      kind: "efs",
      fileSystemId: efs.fileSystemId,
      fileSystemArn: efs.fileSystemArn,
      accessPointId: efs.accessPointId,
      accessPointArn: efs.accessPointArn,
    };
    storageId = efs.fileSystemId;
    backupArns.push(efs.fileSystemArn);
  }

  const dnsName = cfg.dns.name;
  // A zone of its own for dns.name, delegated by the operator with the nameServers output.
  const zone =
    cfg.dns.createZone && dnsName
      ? new aws.route53.Zone(
          `${name}-zone`,
          { name: dnsName, comment: `Orthanc ${name}` },
          { provider },
        )
      : undefined;
  const zoneId: pulumi.Input<string> | undefined = zone ? zone.zoneId : cfg.dns.zoneId;
  const tls = cfg.tls.enabled ?? dnsName !== undefined;
  const ingress = new OrthancIngress(
    `${name}-edge`,
    {
      vpcId: network.vpcId,
      publicSubnetIds: network.publicSubnetIds,
      webSecurityGroupId: sg.loadBalancer.id,
      dicomSecurityGroupId: sg.dicomLoadBalancer.id,
      httpPort: o.httpPort,
      dicom: dicomOpen ? { port: o.dicom.port, tls: cfg.aws.dicomTls } : undefined,
      dns:
        tls && dnsName && zoneId
          ? {
              zoneId,
              webName: dnsName,
              // DICOM has a balancer of its own, so a name of its own (one name cannot alias two).
              dicomName: dicomOpen ? (cfg.dns.dicomName ?? `dicom.${dnsName}`) : undefined,
            }
          : undefined,
    },
    opts,
  );

  // One task definition serves every replica: with several, each task names itself after its
  // own host name (Orthanc expands ${HOSTNAME}); one replica keeps a stable identifier.
  const serverIdentifier = o.replicas > 1 ? HOSTNAME_PLACEHOLDER : `${name}-orthanc`;
  const documents = orthancDocuments(
    o,
    {
      database: rds ? { ...database, host: rds.address } : database,
      storage: storage.kind === "s3" ? { ...storage, bucket: storageId } : storage,
      publicUrl: tls && dnsName ? { host: dnsName, https: true } : undefined,
      serverIdentifier,
      // The DICOM network load balancer keeps the client's address (preserveClientIp).
      clientAddressesPreserved: dicomOpen,
    },
    { users: credentials.users, databasePassword },
  );
  const masterKey =
    st.kind === "s3" && st.encryption
      ? storageMasterKey(`${name}-storage-key`, protect)
      : undefined;
  const service = new OrthancEcsService(
    `${name}-app`,
    {
      image: pulledImage(cfg, o.image.repository, o.image.tag),
      cpu: cfg.aws.cpu,
      memoryMiB: cfg.aws.memoryMiB,
      replicas: cfg.orthanc.replicas,
      autoscaling: cfg.aws.autoscaling,
      privateSubnetIds: network.privateSubnetIds,
      taskSecurityGroupIds: [sg.tasks.id],
      orthancJson: documents.orthancJson,
      credentialsJson: documents.credentialsJson,
      storageMasterKey: masterKey,
      environment: documents.environment,
      httpPort: o.httpPort,
      dicomPort: dicomOpen ? o.dicom.port : undefined,
      targetGroups: ingress.targetGroups,
      kmsKeyArn: key.arn,
      logRetentionDays: cfg.aws.logRetentionDays,
      storage: storagePermissions,
      ecsExec: cfg.aws.ecsExec,
      capacity:
        cfg.aws.compute === "ec2"
          ? { kind: "ec2", instanceType: cfg.aws.instanceType ?? "m6i.large", vpcId: network.vpcId }
          : { kind: "fargate" },
    },
    opts,
  );

  const operations = new OrthancOperations(
    `${name}-ops`,
    {
      kmsKeyArn: key.arn,
      backupResourceArns: backupArns,
      backupRetentionDays: 35,
      alarms: {
        email: cfg.aws.alarmEmail,
        loadBalancer: ingress.metrics.loadBalancer,
        targets: ingress.metrics.targets,
        database: rds
          ? {
              identifier: rds.identifier,
              allocatedStorageGiB: rds.allocatedStorageGiB,
              maxConnections: rds.maxConnections,
            }
          : undefined,
      },
    },
    opts,
  );

  return {
    target: pulumi.output("aws"),
    url: ingress.webUrl,
    dicomEndpoint: ingress.dicomHost
      ? pulumi.interpolate`${o.dicom.aet}@${ingress.dicomHost}:${o.dicom.port}`
      : pulumi.output(undefined),
    adminUser: pulumi.output(o.adminUser),
    adminPassword: credentials.adminPassword,
    credentialsSecretArn: service.credentialsSecretArn,
    databaseEndpoint: rds
      ? pulumi.interpolate`${rds.address}:${rds.port}`
      : pulumi.output(`${database.host}:${database.port}`),
    storage: storageId,
    logGroup: service.logGroupName,
    backupVault: operations.backupVaultName,
    alarmTopic: operations.alarmTopicArn,
    ...(zone ? { nameServers: zone.nameServers } : {}),
  };
}
