import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_TAGS } from "../../components/shared";
import { OrthancDocker, OrthancDockerArgs } from "../../components/docker";
import { DockerConfig } from "../config";
import { StackOutputs } from "./types";
import {
  accessControlArgs,
  DEFAULT_S3_REGION,
  dicomPublishedTo,
  dicomTlsArgs,
  orthancArgs,
  pulledImage,
  rootName,
  s3StorageArgs,
  tlsEnabled,
} from "./common";

/** Where the containers run: this machine's engine, another one, or a VM of the stack's own. */
function engineArgs(cfg: DockerConfig): OrthancDockerArgs["engine"] {
  const d = cfg.docker;
  if (d.host === "local") return { kind: "local" };
  if (d.host !== "aws-vm")
    return {
      kind: "remote",
      host: d.host,
      caMaterial: d.tlsCa,
      certMaterial: d.tlsCert,
      keyMaterial: d.tlsKey,
    };
  const vm = d.vm!;
  const dnsNames = [cfg.dns.name, cfg.dns.dicomName].filter(
    (n, i, all): n is string => !!n && all.indexOf(n) === i,
  );
  return {
    kind: "aws-vm",
    vm: {
      region: vm.region,
      key: { existingArn: cfg.keys.kmsKeyArn, deletionWindowDays: cfg.keys.deletionWindowDays },
      instanceType: vm.instanceType,
      rootVolumeGiB: vm.rootVolumeGiB,
      dataVolumeGiB: vm.dataVolumeGiB,
      backupRetentionDays: vm.backupRetentionDays,
      logRetentionDays: vm.logRetentionDays,
      vpcId: vm.vpcId,
      subnetId: vm.subnetId,
      sshUser: vm.sshUser,
      sshPublicKey: vm.sshPublicKey,
      sshAllowedCidrs: vm.sshAllowedCidrs,
      webAllowedCidrs: vm.webAllowedCidrs,
      acmeAllowedCidrs: vm.allowPublicAcmeChallenge ? ["0.0.0.0/0"] : undefined,
      dicom: dicomPublishedTo(cfg).length
        ? { port: cfg.orthanc.dicom.port, allowedCidrs: dicomPublishedTo(cfg) }
        : undefined,
      dns:
        cfg.dns.zoneId && dnsNames.length ? { zoneId: cfg.dns.zoneId, names: dnsNames } : undefined,
      s3:
        cfg.storage.kind === "s3" && !cfg.storage.s3?.accessKeyId
          ? { bucket: cfg.storage.s3!.bucket!, prefix: cfg.storage.s3!.prefix }
          : undefined,
    },
  };
}

/** Maps the validated stack configuration onto the Docker component's arguments. */
export function dockerArgs(cfg: DockerConfig): OrthancDockerArgs {
  const db = cfg.database;
  const tls = tlsEnabled(cfg);
  // Keycloak's PostgreSQL is Orthanc's image: the backup container's pg_dump serves both.
  const postgresTag = cfg.docker.images.postgres ?? POSTGRES_TAGS[db.version];
  const accessControl = accessControlArgs(cfg, postgresTag);
  return {
    engine: engineArgs(cfg),
    hostName: cfg.docker.host === "aws-vm" ? cfg.dns.name : undefined,
    storage:
      cfg.storage.kind === "s3"
        ? s3StorageArgs(cfg.storage, cfg.docker.vm?.region ?? DEFAULT_S3_REGION)
        : { kind: "volume" },
    orthanc: orthancArgs(cfg),
    database:
      db.engine === "sqlite"
        ? { kind: "sqlite" }
        : db.external
          ? { kind: "external", ...db.external, connectionsPerReplica: db.connectionsPerReplica }
          : {
              kind: "container",
              image: pulledImage(cfg, "postgres", postgresTag),
              connectionsPerReplica: db.connectionsPerReplica,
            },
    proxy: {
      image: pulledImage(cfg, "caddy", cfg.docker.images.caddy),
      domain: tls ? cfg.dns.name : undefined,
      acmeEmail: cfg.tls.acmeEmail,
      acmeStaging: cfg.tls.staging,
      bindAddress: cfg.docker.bindAddress,
      httpPort: cfg.docker.httpPort,
      accessLogRetentionDays: cfg.docker.accessLogRetentionDays,
    },
    dicomTls: dicomTlsArgs(cfg),
    dicomGate: { image: pulledImage(cfg, "haproxy", cfg.docker.images.haproxy) },
    backup: {
      // Orthanc's own PostgreSQL, and Keycloak's under access control (whatever Orthanc's index).
      enabled:
        cfg.docker.backup.enabled &&
        ((db.engine === "postgresql" && !db.external) || accessControl !== undefined),
      intervalHours: cfg.docker.backup.intervalHours,
      retentionDays: cfg.docker.backup.retentionDays,
      copyToS3: cfg.docker.backup.copyToS3
        ? { image: pulledImage(cfg, "amazon/aws-cli", cfg.docker.images.awsCli) }
        : undefined,
    },
    resources: cfg.docker.resources,
    protectData: cfg.protectData,
    accessControl,
  };
}

export function deployDocker(cfg: DockerConfig): StackOutputs {
  const orthanc = new OrthancDocker(rootName(), dockerArgs(cfg));
  return {
    target: pulumi.output("docker"),
    url: orthanc.url,
    dicomEndpoint: orthanc.dicomEndpoint,
    adminUser: orthanc.adminUser,
    adminPassword: orthanc.adminPassword,
    host: orthanc.host,
    ...(orthanc.dicomCaCertificate ? { dicomCaCertificate: orthanc.dicomCaCertificate } : {}),
    note: pulumi.output(
      tlsEnabled(cfg)
        ? undefined
        : `Plain HTTP without TLS on ${cfg.docker.bindAddress}:${cfg.docker.httpPort}: set orthanc:dns.name to serve HTTPS with a Let's Encrypt certificate.`,
    ),
    ...(orthanc.vm
      ? {
          vmPublicIp: orthanc.vm.publicIp,
          vmInstanceId: orthanc.vm.instanceId,
          backupVault: orthanc.vm.backupVaultName,
        }
      : {}),
  };
}
