import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Credentials } from "../shared/credentials";
import { storageMasterKey } from "../shared/storageKey";
import { orthancDocuments } from "../shared/documents";
import {
  ExternalDatabase,
  OrthancAppOptions,
  S3StorageArgs,
  ORTHANC_DATABASE,
  ownPostgres,
  SettingsRuntime,
} from "../shared/settings";
import { isLoopbackCidr } from "../shared/cidr";
import type { AwsVmHostArgs } from "./awsVmHost";
import type { DockerVm } from "./dockerVm";
import { renderCaddyfile } from "./caddyfile";
import { DICOM_GATE_PORT, renderDicomGateConfig } from "./dicomGate";
import {
  createBackupContainer,
  createBackupSyncContainer,
  createDatabaseContainer,
  createDicomGateContainer,
  createOrthancContainer,
  createProxyContainer,
  POSTGRES_ALIAS,
} from "./containers";

export interface OrthancDockerArgs {
  /**
   * The Docker engine: this machine's, another one's (`ssh://user@host`, `tcp://host:2376` with
   * TLS material), or one on an EC2 VM this component creates.
   */
  readonly engine:
    | { kind: "local" }
    | {
        kind: "remote";
        host: string;
        caMaterial?: pulumi.Input<string>;
        certMaterial?: pulumi.Input<string>;
        keyMaterial?: pulumi.Input<string>;
      }
    | { kind: "aws-vm"; vm: AwsVmHostArgs };
  /** The name clients use for the host; the engine's host name (or the VM's address) otherwise. */
  readonly hostName?: string;
  /** Where DICOM files live: a named volume, or S3 (through the host's role, or static keys). */
  readonly storage: { kind: "volume" } | S3StorageArgs;
  /** Orthanc itself: what it is told, its image, its users and who may reach DICOM. */
  readonly orthanc: OrthancAppOptions & {
    /** The image reference, pinned (and through a mirror when one is set). */
    image: string;
    adminUser: string;
    /** Further users; a password left out is generated. */
    users: Record<string, { password?: pulumi.Output<string> }>;
    /** Browser origins the proxy answers CORS preflights for. */
    corsOrigins: string[];
    /**
     * Networks that may reach DICOM; empty: the port is not published. Loopback only: published
     * on 127.0.0.1. Anything else: published by the DICOM gate, which enforces the list.
     */
    dicomAllowedCidrs: string[];
  };
  /** The DICOM gate's image (HAProxy), used when DICOM is open beyond loopback. */
  readonly dicomGate: { image: string };
  /** The index: SQLite on the storage volume, a PostgreSQL container of its own, or an external one. */
  readonly database:
    | { kind: "sqlite" }
    | { kind: "container"; image: string; connectionsPerReplica?: number }
    | ExternalDatabase;
  /** Caddy, the only HTTP(S) entry. */
  readonly proxy: {
    image: string;
    /** Public name: Let's Encrypt TLS on 443 with a redirect from 80. Undefined: plain HTTP. */
    domain?: string;
    acmeEmail?: string;
    acmeStaging: boolean;
    /** Plain-HTTP publication when there is no domain. */
    bindAddress: string;
    httpPort: number;
  };
  /** Scheduled `pg_dump` of the PostgreSQL container into a protected volume. */
  readonly backup: {
    enabled: boolean;
    intervalHours: number;
    retentionDays: number;
    /** Also copy the dumps to the storage bucket (S3 storage only), with this aws-cli image. */
    copyToS3?: { image: string };
  };
  /** Protect volumes from deletion and replacement. */
  readonly protectData: boolean;
}

const { database: DB_NAME, username: DB_USER } = ORTHANC_DATABASE;

/**
 * Orthanc on one Docker host: PostgreSQL on an internal network, Orthanc as its image's non-root
 * user with configuration delivered as files, a Caddy reverse proxy as the only HTTP(S) entry,
 * and scheduled `pg_dump` backups. Volumes hold every byte of data and are protected.
 */
export class OrthancDocker extends pulumi.ComponentResource {
  public readonly url: pulumi.Output<string>;
  public readonly dicomEndpoint: pulumi.Output<string | undefined>;
  public readonly adminUser: pulumi.Output<string>;
  public readonly adminPassword: pulumi.Output<string>;
  public readonly host: pulumi.Output<string>;
  /** The VM's public address, instance id and backup vault, for an `aws-vm` engine. */
  public readonly vm?: {
    publicIp: pulumi.Output<string>;
    instanceId: pulumi.Output<string>;
    backupVaultName: pulumi.Output<string>;
  };

  constructor(name: string, args: OrthancDockerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:docker:OrthancDocker", name, {}, opts);
    const vm = args.engine.kind === "aws-vm" ? createVmHost(name, this, args) : undefined;
    const engine = args.engine;
    const provider = new docker.Provider(
      `${name}-engine`,
      engine.kind === "remote"
        ? {
            host: engine.host,
            caMaterial: engine.caMaterial,
            certMaterial: engine.certMaterial,
            keyMaterial: engine.keyMaterial,
          }
        : { host: vm?.dockerHost },
      { parent: this, dependsOn: vm ? [vm.ready] : [] },
    );
    const child = { parent: this, provider };
    const data: pulumi.CustomResourceOptions = {
      ...child,
      protect: args.protectData,
      retainOnDelete: args.protectData,
    };

    const credentials = new Credentials(
      `${name}-credentials`,
      {
        adminUser: args.orthanc.adminUser,
        users: args.orthanc.users,
        generateDatabasePassword: args.database.kind === "container",
      },
      { parent: this },
    );

    // Backend: internal (no route out), the database lives only here. Its bridge gets no address
    // on the host either: an internal network alone still lets a container reach every service
    // the host listens on (measured on a real engine). Frontend: the proxy and the DICOM entry.
    const backend = new docker.Network(
      `${name}-backend`,
      {
        name: `${name}-backend`,
        internal: true,
        driver: "bridge",
        options: { "com.docker.network.bridge.inhibit_ipv4": "true" },
      },
      child,
    );
    const frontend = new docker.Network(
      `${name}-frontend`,
      { name: `${name}-frontend`, driver: "bridge" },
      child,
    );
    const volume = (suffix: string) =>
      new docker.Volume(`${name}-${suffix}`, { name: `${name}-${suffix}` }, data);
    const image = (suffix: string, ref: string) =>
      new docker.RemoteImage(`${name}-${suffix}-image`, { name: ref, keepLocally: true }, child);

    const orthancImage = image("orthanc", args.orthanc.image);
    const st = args.storage;
    // SQLite keeps its index in Orthanc's storage directory (IndexDirectory defaults to it): with
    // S3 storage that directory still needs a protected volume, or an upgrade loses the index.
    const storageVolume =
      st.kind === "volume"
        ? volume("dicom")
        : args.database.kind === "sqlite"
          ? volume("index")
          : undefined;
    const masterKey =
      st.kind === "s3" && st.encryption
        ? storageMasterKey(`${name}-storage-key`, args.protectData, { parent: this })
        : undefined;
    const proxyData = volume("proxy-data");

    let dbPassword: pulumi.Output<string> | undefined;
    const dependsOn: pulumi.Resource[] = [];
    let runtimeDb: SettingsRuntime["database"];
    const db = args.database;
    if (db.kind === "container") {
      const pgImage = image("postgres", db.image);
      const pgVolume = volume("pgdata");
      dbPassword = credentials.databasePassword!;
      const postgres = createDatabaseContainer(name, this, {
        image: pgImage.imageId,
        network: backend.name,
        volume: pgVolume.name,
        password: dbPassword,
        database: DB_NAME,
        user: DB_USER,
        provider,
      });
      dependsOn.push(postgres);
      // Traffic stays on the internal bridge network of this host: no TLS.
      runtimeDb = ownPostgres(POSTGRES_ALIAS, false, db.connectionsPerReplica);
      if (args.backup.enabled) {
        const backups = volume("backups");
        const dumper = createBackupContainer(name, this, {
          image: pgImage.imageId,
          network: backend.name,
          backupVolume: backups.name,
          password: dbPassword,
          database: DB_NAME,
          user: DB_USER,
          intervalHours: args.backup.intervalHours,
          retentionDays: args.backup.retentionDays,
          provider,
          dependsOn: [postgres],
        });
        if (args.backup.copyToS3 && st.kind === "s3") {
          createBackupSyncContainer(name, this, {
            image: image("aws-cli", args.backup.copyToS3.image).imageId,
            network: frontend.name,
            backupVolume: backups.name,
            destination: `s3://${st.bucket}/${st.prefix}backups/`,
            endpoint: st.endpoint,
            region: st.region,
            intervalHours: args.backup.intervalHours,
            credentials: st.accessKeyId
              ? pulumi.secret(
                  pulumi.interpolate`[default]\naws_access_key_id = ${st.accessKeyId}\naws_secret_access_key = ${st.secretAccessKey!}\n`,
                )
              : undefined,
            provider,
            dependsOn: [dumper],
          });
        }
      }
    } else if (db.kind === "external") {
      dbPassword = db.password;
      runtimeDb = { ...db, kind: "postgresql" };
    } else {
      runtimeDb = { kind: "sqlite" };
    }

    const publicUrl = args.proxy.domain ? { host: args.proxy.domain, https: true } : undefined;
    const cidrs = args.orthanc.dicomAllowedCidrs;
    const dicomPort = args.orthanc.dicom.port;
    // Where DICOM is published: loopback by Orthanc itself, any other network through the gate.
    const dicomExposure = !cidrs.length ? "none" : loopbackOnly(cidrs) ? "loopback" : "gate";

    const orthancs: docker.Container[] = [];
    for (let i = 1; i <= args.orthanc.replicas; i++) {
      const replicaName = i === 1 ? name : `${name}-${i}`;
      const documents = orthancDocuments(
        args.orthanc,
        {
          database: runtimeDb,
          storage:
            st.kind === "volume"
              ? { kind: "filesystem" }
              : {
                  kind: "s3",
                  bucket: st.bucket,
                  region: st.region,
                  endpoint: st.endpoint,
                  prefix: st.prefix,
                  encryption: st.encryption,
                  staticKeys: !!st.accessKeyId,
                },
          publicUrl,
          serverIdentifier: `${replicaName}-orthanc`,
        },
        {
          users: credentials.users,
          databasePassword: dbPassword,
          s3AccessKey: st.kind === "s3" ? st.accessKeyId : undefined,
          s3SecretKey: st.kind === "s3" ? st.secretAccessKey : undefined,
        },
      );
      orthancs.push(
        createOrthancContainer(replicaName, this, {
          image: orthancImage.imageId,
          backendNetwork: backend.name,
          frontendNetwork: frontend.name,
          storageVolume: storageVolume?.name,
          storageMasterKey: masterKey,
          orthancJson: documents.orthancJson,
          credentialsJson: documents.credentialsJson,
          environment: documents.environment,
          // Only one replica can own a published port; the gate reaches them all.
          dicom:
            i === 1 && dicomExposure === "loopback"
              ? { port: dicomPort, publishAddress: "127.0.0.1", publishPort: dicomPort }
              : undefined,
          provider,
          dependsOn,
        }),
      );
    }

    if (dicomExposure === "gate") {
      createDicomGateContainer(name, this, {
        image: image("dicom-gate", args.dicomGate.image).imageId,
        network: frontend.name,
        config: renderDicomGateConfig({
          listenPort: DICOM_GATE_PORT,
          upstreams: orthancHosts(name, args.orthanc.replicas).map((h) => `${h}:${dicomPort}`),
          allowedCidrs: cidrs,
        }),
        publish: { ip: "0.0.0.0", port: dicomPort },
        provider,
        dependsOn: orthancs,
      });
    }

    const proxyImage = image("proxy", args.proxy.image);
    const ports = args.proxy.domain
      ? [
          { internal: 80, external: 80, ip: "0.0.0.0" },
          { internal: 443, external: 443, ip: "0.0.0.0" },
        ]
      : [{ internal: 80, external: args.proxy.httpPort, ip: args.proxy.bindAddress }];
    createProxyContainer(name, this, {
      image: proxyImage.imageId,
      network: frontend.name,
      caddyfile: renderCaddyfile({
        domain: args.proxy.domain,
        acmeEmail: args.proxy.acmeEmail,
        acmeStaging: args.proxy.acmeStaging,
        upstream: orthancHosts(name, args.orthanc.replicas)
          .map((h) => `${h}:${args.orthanc.httpPort}`)
          .join(" "),
        corsOrigins: args.orthanc.corsOrigins,
      }),
      dataVolume: proxyData.name,
      ports,
      provider,
      dependsOn: orthancs,
    });

    const host = pulumi.output(
      args.hostName ??
        vm?.publicIp ??
        (engine.kind === "remote" ? new URL(engine.host).hostname : "localhost"),
    );
    this.host = host;
    this.url = args.proxy.domain
      ? pulumi.output(`https://${args.proxy.domain}/`)
      : host.apply(
          (h) => `http://${displayAddress(args.proxy.bindAddress, h)}:${args.proxy.httpPort}/`,
        );
    const dicomAddress = dicomExposure === "loopback" ? "127.0.0.1" : "0.0.0.0";
    this.dicomEndpoint = host.apply((h) =>
      dicomExposure !== "none"
        ? `${args.orthanc.dicom.aet}@${args.proxy.domain ?? displayAddress(dicomAddress, h)}:${dicomPort}`
        : undefined,
    );
    this.adminUser = pulumi.output(args.orthanc.adminUser);
    this.adminPassword = credentials.adminPassword;
    this.vm = vm && {
      publicIp: vm.publicIp,
      instanceId: vm.instanceId,
      backupVaultName: vm.backupVaultName,
    };
    this.registerOutputs({
      url: this.url,
      dicomEndpoint: this.dicomEndpoint,
      adminUser: this.adminUser,
      adminPassword: this.adminPassword,
      host: this.host,
    });
  }
}

/**
 * Every replica's own container name, for the proxy and the DICOM gate. Not the shared `orthanc`
 * alias: every replica carries it, so it resolves to whichever replica Docker lists first.
 */
export function orthancHosts(name: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) =>
    i === 0 ? `${name}-orthanc` : `${name}-${i + 1}-orthanc`,
  );
}

/** Whether an allowlist names loopback only (served by publishing on 127.0.0.1). */
export function loopbackOnly(cidrs: string[]): boolean {
  return cidrs.every(isLoopbackCidr);
}

function displayAddress(bind: string, host: string): string {
  return bind === "0.0.0.0"
    ? host
    : bind === "127.0.0.1" && host !== "localhost"
      ? `${host} (loopback only)`
      : bind;
}

/**
 * Loaded only for an `aws-vm` engine, so that a stack on this machine's engine never loads the
 * AWS and command SDKs (they are most of a plan's start-up time and memory).
 */
function createVmHost(name: string, parent: pulumi.Resource, args: OrthancDockerArgs): DockerVm {
  if (args.engine.kind !== "aws-vm") throw new pulumi.ResourceError("No VM was asked for.", parent);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createAwsVmHost } = require("./awsVmHost") as typeof import("./awsVmHost");
  return createAwsVmHost(name, parent, args.engine.vm, args.protectData);
}
