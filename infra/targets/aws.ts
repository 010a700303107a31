import * as pulumi from "@pulumi/pulumi";
import { OrthancAws, OrthancAwsArgs } from "../../components/aws";
import { AwsConfig } from "../config";
import { StackOutputs } from "./types";
import { dicomTlsEnabled, orthancArgs, pulledImage, rootName, tlsEnabled } from "./common";
import { POSTGRES_TAGS } from "../../components/shared";

/** Maps the validated stack configuration onto the AWS component's arguments. */
export function awsArgs(cfg: AwsConfig): OrthancAwsArgs {
  const a = cfg.aws;
  const db = cfg.database;
  const st = cfg.storage;
  return {
    region: a.region,
    orthanc: orthancArgs(cfg),
    network: {
      vpc: a.vpcId
        ? {
            existing: {
              vpcId: a.vpcId,
              privateSubnetIds: a.privateSubnetIds ?? [],
              publicSubnetIds: a.publicSubnetIds ?? [],
            },
          }
        : { create: { cidr: a.vpcCidr, azCount: a.availabilityZones } },
      webAllowedCidrs: a.webAllowedCidrs,
    },
    key: { existingArn: cfg.keys.kmsKeyArn, deletionWindowDays: cfg.keys.deletionWindowDays },
    database: db.external
      ? { kind: "external", ...db.external, connectionsPerReplica: db.connectionsPerReplica }
      : {
          kind: "rds",
          engineMajor: db.version,
          instanceClass: db.instanceClass,
          memoryGiB: db.instanceMemoryGiB,
          allocatedStorageGiB: db.allocatedStorageGiB,
          maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
          multiAz: db.multiAz,
          backupRetentionDays: db.backupRetentionDays,
          connectionsPerReplica: db.connectionsPerReplica,
          clientImage: pulledImage(cfg, "postgres", POSTGRES_TAGS[db.version]),
        },
    storage:
      st.kind === "s3"
        ? {
            kind: "s3",
            bucket: st.s3?.bucket,
            prefix: st.s3?.prefix ?? "",
            encryption: st.encryption,
            glacierInstantRetrievalAfterDays: st.glacierInstantRetrievalAfterDays,
          }
        : { kind: "efs" },
    dns: {
      webName: cfg.dns.name,
      dicomName: cfg.dns.dicomName,
      zoneId: cfg.dns.zoneId,
      createZone: cfg.dns.createZone,
    },
    tls: tlsEnabled(cfg),
    dicomTls: dicomTlsEnabled(cfg),
    service: {
      cpu: a.cpu,
      memoryMiB: a.memoryMiB,
      replicas: cfg.orthanc.replicas,
      autoscaling: a.autoscaling,
      ecsExec: a.ecsExec,
      capacity:
        a.compute === "ec2"
          ? { kind: "ec2", instanceType: a.instanceType ?? "m6i.large" }
          : { kind: "fargate" },
    },
    logRetentionDays: a.logRetentionDays,
    accessLogRetentionDays: a.accessLogRetentionDays,
    alarmEmail: a.alarmEmail,
    protectData: cfg.protectData,
  };
}

export function deployAws(cfg: AwsConfig): StackOutputs {
  if (!tlsEnabled(cfg) || !cfg.dns.name || !(cfg.dns.zoneId || cfg.dns.createZone))
    pulumi.log.warn(
      "No domain (orthanc:dns.name with dns.zoneId or dns.createZone): the web endpoint is plain HTTP. Set them for HTTPS.",
    );
  if (cfg.aws.dicomTls !== undefined)
    pulumi.log.warn(
      "orthanc:aws.dicomTls is deprecated: it is read as orthanc:orthanc.dicom.tls.enabled, on by default wherever DICOM is published and the stack has a domain. " +
        "Fix: `pulumi config rm --path 'orthanc:aws.dicomTls'`" +
        (cfg.aws.dicomTls
          ? "."
          : ", then `pulumi config set --path 'orthanc:orthanc.dicom.tls.enabled' false`."),
    );
  const orthanc = new OrthancAws(rootName(), awsArgs(cfg));
  const o = cfg.orthanc;
  return {
    target: pulumi.output("aws"),
    url: orthanc.url,
    dicomEndpoint: orthanc.dicomHost
      ? pulumi.interpolate`${o.dicom.aet}@${orthanc.dicomHost}:${o.dicom.port}`
      : pulumi.output(undefined),
    adminUser: pulumi.output(o.adminUser),
    adminPassword: orthanc.adminPassword,
    credentialsSecretArn: orthanc.credentialsSecretArn,
    databaseEndpoint: orthanc.databaseEndpoint,
    storage: orthanc.storage,
    logGroup: orthanc.logGroup,
    accessLogBucket: orthanc.accessLogBucket,
    backupVault: orthanc.backupVault,
    alarmTopic: orthanc.alarmTopic,
    ...(orthanc.nameServers ? { nameServers: orthanc.nameServers } : {}),
  };
}
