import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KmsKey } from "../../components/aws/kmsKey";
import { POSTGRES_TAGS } from "../../components/shared/images";
import { DockerVm } from "../../components/docker/dockerVm";
import { OrthancDocker, OrthancDockerArgs } from "../../components/docker/orthancDocker";
import { DockerConfig } from "../config";
import { StackOutputs } from "./types";
import { orthancArgs, pulledImage, s3StorageArgs } from "./common";

/** Where the containers run, as resolved before the Docker component is built. */
export interface DockerHost {
  engineHost?: pulumi.Input<string>;
  dependsOn?: pulumi.Resource[];
  hostName: pulumi.Input<string>;
}

/** Maps the validated stack configuration onto the Docker component's arguments. */
export function dockerArgs(cfg: DockerConfig, host: DockerHost): OrthancDockerArgs {
  const db = cfg.database;
  const tlsEnabled = cfg.tls.enabled ?? cfg.dns.name !== undefined;
  return {
    engine: {
      host: host.engineHost,
      caMaterial: cfg.docker.tlsCa,
      certMaterial: cfg.docker.tlsCert,
      keyMaterial: cfg.docker.tlsKey,
      dependsOn: host.dependsOn,
    },
    hostName: host.hostName,
    storage:
      cfg.storage.kind === "s3"
        ? s3StorageArgs(cfg.storage, cfg.docker.vm?.region ?? "us-east-1")
        : { kind: "volume" },
    orthanc: orthancArgs(cfg),
    database:
      db.engine === "sqlite"
        ? { kind: "sqlite" }
        : db.external
          ? { kind: "external", ...db.external, connectionsPerReplica: db.connectionsPerReplica }
          : {
              kind: "container",
              image: pulledImage(
                cfg,
                "postgres",
                cfg.docker.images.postgres ?? POSTGRES_TAGS[db.version],
              ),
              connectionsPerReplica: db.connectionsPerReplica,
            },
    proxy: {
      image: pulledImage(cfg, "caddy", cfg.docker.images.caddy),
      domain: tlsEnabled ? cfg.dns.name : undefined,
      acmeEmail: cfg.tls.acmeEmail,
      acmeStaging: cfg.tls.staging,
      bindAddress: cfg.docker.bindAddress,
      httpPort: cfg.docker.httpPort,
    },
    dicomGate: { image: pulledImage(cfg, "haproxy", cfg.docker.images.haproxy) },
    backup: {
      enabled: cfg.docker.backup.enabled && db.engine === "postgresql" && !db.external,
      intervalHours: cfg.docker.backup.intervalHours,
      retentionDays: cfg.docker.backup.retentionDays,
      copyToS3: cfg.docker.backup.copyToS3
        ? { image: pulledImage(cfg, "amazon/aws-cli", cfg.docker.images.awsCli) }
        : undefined,
    },
    protectData: cfg.protectData,
  };
}

/** The VM of an `aws-vm` host, with its key, in the VM's region. */
function createVm(name: string, cfg: DockerConfig): DockerVm {
  const vm = cfg.docker.vm!;
  const provider = new aws.Provider(`${name}-aws`, { region: vm.region as aws.Region });
  const key = new KmsKey(
    `${name}-key`,
    {
      existingArn: cfg.keys.kmsKeyArn,
      description: `Orthanc ${name}: VM disks`,
      deletionWindowDays: cfg.keys.deletionWindowDays,
      protect: cfg.protectData,
    },
    { providers: { aws: provider } },
  );
  const dnsNames = [cfg.dns.name, cfg.dns.dicomName].filter(
    (n, i, all): n is string => !!n && all.indexOf(n) === i,
  );
  const s3 =
    cfg.storage.kind === "s3" && !cfg.storage.s3?.accessKeyId
      ? { bucket: cfg.storage.s3!.bucket!, prefix: cfg.storage.s3!.prefix }
      : undefined;
  return new DockerVm(
    `${name}-vm`,
    {
      instanceType: vm.instanceType,
      rootVolumeGiB: vm.rootVolumeGiB,
      dataVolumeGiB: vm.dataVolumeGiB,
      vpcId: vm.vpcId,
      subnetId: vm.subnetId,
      sshUser: vm.sshUser,
      sshPublicKey: vm.sshPublicKey,
      sshAllowedCidrs: vm.sshAllowedCidrs,
      webAllowedCidrs: vm.webAllowedCidrs,
      dicom: cfg.orthanc.dicom.allowedCidrs.length
        ? { port: cfg.orthanc.dicom.port, allowedCidrs: cfg.orthanc.dicom.allowedCidrs }
        : undefined,
      kmsKeyArn: key.arn,
      dns:
        cfg.dns.zoneId && dnsNames.length ? { zoneId: cfg.dns.zoneId, names: dnsNames } : undefined,
      s3,
      protectData: cfg.protectData,
    },
    { providers: { aws: provider } },
  );
}

export function deployDocker(cfg: DockerConfig): StackOutputs {
  const name = `orthanc-${pulumi.getStack()}`;
  let host: DockerHost;
  let vm: DockerVm | undefined;
  if (cfg.docker.host === "aws-vm") {
    vm = createVm(name, cfg);
    host = {
      engineHost: vm.dockerHost,
      dependsOn: [vm.ready],
      hostName: cfg.dns.name ?? vm.publicIp,
    };
  } else if (cfg.docker.host === "local") {
    host = { hostName: "localhost" };
  } else {
    host = { engineHost: cfg.docker.host, hostName: new URL(cfg.docker.host).hostname };
  }
  const orthanc = new OrthancDocker(name, dockerArgs(cfg, host));
  return {
    target: pulumi.output("docker"),
    url: orthanc.url,
    dicomEndpoint: orthanc.dicomEndpoint,
    adminUser: orthanc.adminUser,
    adminPassword: orthanc.adminPassword,
    host: orthanc.host,
    note: orthanc.note,
    ...(vm ? { vmPublicIp: vm.publicIp, vmInstanceId: vm.instanceId } : {}),
  };
}
