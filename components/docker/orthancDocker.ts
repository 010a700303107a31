import * as pulumi from "@pulumi/pulumi";
import type { AccessControlArgs } from "../shared/accessControl";
import { isLoopbackCidr } from "../shared/cidr";
import { Credentials } from "../shared/credentials";
import {
  DicomTlsArgs,
  ExternalDatabase,
  OrthancAppOptions,
  S3StorageArgs,
} from "../shared/settings";
import { createAccessControl } from "./accessControl";
import type { AwsVmHostArgs } from "./awsVmHost";
import { createDatabase } from "./database";
import { createDicomTlsFiles } from "./dicomTls";
import { createEngine } from "./engine";
import { createEntrances } from "./entrances";
import { createHost } from "./host";
import { createOrthancReplicas, DicomExposure } from "./orthanc";

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
  /**
   * Orthanc's own DICOM TLS (the gate passes TCP through, so TLS ends at Orthanc); undefined:
   * plain DICOM.
   */
  readonly dicomTls?: DicomTlsArgs;
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
    /** Days the proxy's access log (on the `proxy-data` volume) keeps rolled files. */
    accessLogRetentionDays: number;
  };
  /** Scheduled `pg_dump` of the PostgreSQL container into a protected volume. */
  readonly backup: {
    enabled: boolean;
    intervalHours: number;
    retentionDays: number;
    /** Also copy the dumps to the storage bucket (S3 storage only), with this aws-cli image. */
    copyToS3?: { image: string };
  };
  /** Memory limit of each container in MiB (Orthanc's is per replica). */
  readonly resources: {
    orthancMemoryMiB: number;
    postgresMemoryMiB: number;
    proxyMemoryMiB: number;
    dicomGateMemoryMiB: number;
    backupMemoryMiB: number;
    /** Access control only; `DOCKER_MEMORY_MIB` (limits.ts) when left out. */
    keycloakMemoryMiB?: number;
    keycloakPostgresMemoryMiB?: number;
    authServiceMemoryMiB?: number;
  };
  /** Protect volumes from deletion and replacement. */
  readonly protectData: boolean;
  /**
   * Users, roles and shares through Keycloak and the auth service instead of Orthanc's Basic-auth
   * users; undefined: Basic auth, and none of these containers.
   */
  readonly accessControl?: AccessControlArgs;
}

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
  /** The CA of the DICOM certificate this stack made, for modalities to trust (not secret). */
  public readonly dicomCaCertificate?: pulumi.Output<string>;
  /** The VM's public address, instance id and backup vault, for an `aws-vm` engine. */
  public readonly vm?: {
    publicIp: pulumi.Output<string>;
    instanceId: pulumi.Output<string>;
    backupVaultName: pulumi.Output<string>;
  };

  constructor(name: string, args: OrthancDockerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:docker:OrthancDocker", name, {}, opts);
    const { provider, vm } = createEngine(name, this, args);
    const credentials = new Credentials(
      `${name}-credentials`,
      {
        adminUser: args.orthanc.adminUser,
        users: args.orthanc.users,
        generateDatabasePassword: args.database.kind === "container",
        generateAppRolePassword: args.database.kind === "container",
        // Under access control Keycloak holds the users: no Basic-auth password at all.
        ...(args.accessControl ? { basicAuth: false } : {}),
      },
      { parent: this },
    );
    const dockerHost = createHost(name, this, provider, args.protectData);
    const accessControl = args.accessControl
      ? createAccessControl(name, this, dockerHost, { ...args, accessControl: args.accessControl })
      : undefined;
    const database = createDatabase(
      name,
      this,
      dockerHost,
      args,
      { admin: credentials.databasePassword, app: credentials.appRolePassword },
      accessControl?.backup,
    );
    const cidrs = args.orthanc.dicomAllowedCidrs;
    const dicomExposure: DicomExposure = !cidrs.length
      ? "none"
      : loopbackOnly(cidrs)
        ? "loopback"
        : "gate";
    const dicomTls = args.dicomTls ? createDicomTlsFiles(name, this, args.dicomTls) : undefined;
    const orthancs = createOrthancReplicas(name, this, dockerHost, args, {
      database,
      users: credentials.users,
      dicomExposure,
      dicomTls,
      accessControl,
    });
    createEntrances(name, this, dockerHost, args, orthancs, dicomExposure);

    const host = pulumi.output(
      args.hostName ??
        vm?.publicIp ??
        (args.engine.kind === "remote" ? new URL(args.engine.host).hostname : "localhost"),
    );
    this.host = host;
    this.url = args.proxy.domain
      ? pulumi.output(`https://${args.proxy.domain}/`)
      : host.apply(
          (h) => `http://${displayAddress(args.proxy.bindAddress, h)}:${args.proxy.httpPort}/`,
        );
    const dicomPort = args.orthanc.dicom.port;
    const dicomAddress = dicomExposure === "loopback" ? "127.0.0.1" : "0.0.0.0";
    this.dicomEndpoint = host.apply((h) =>
      dicomExposure !== "none"
        ? // Over TLS, the name the certificate is for.
          `${args.orthanc.dicom.aet}@${args.dicomTls?.hostName ?? args.proxy.domain ?? displayAddress(dicomAddress, h)}:${dicomPort}`
        : undefined,
    );
    this.dicomCaCertificate = dicomTls?.caCertificate;
    // Under access control: the first admin and its initial password (changed at first login).
    this.adminUser = pulumi.output(accessControl?.firstAdmin.user ?? args.orthanc.adminUser);
    this.adminPassword = accessControl?.firstAdmin.password ?? credentials.adminPassword!;
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
