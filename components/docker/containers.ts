import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  ORTHANC_PATHS,
  ORTHANC_UID,
  PROBE_COMMAND,
  READ_ONLY_ROOT_ENV,
} from "../shared/orthancImage";
import type { DicomTlsFiles } from "./dicomTls";
import { memoryLimit, ORTHANC_FILES_MEMORY_MIB, orthancTmpfs } from "./limits";
import { postgresCommand } from "../shared/postgresTuning";
import { ROLE_SCRIPT_PATH, roleScript, startScript } from "../shared/postgresRole";
import { PROXY_HEALTH_PORT } from "./caddyfile";
import { DumpedDatabase, dumpAndPrune, ORTHANC_DUMP } from "../shared/backup";
import { DICOM_GATE_PORT } from "./dicomGate";

/** uid:gid of `postgres` in the official Debian-based postgres image. */
export const POSTGRES_UID = "999";

/** Log rotation for every container: a PACS runs for years; json-file logs must not fill the disk. */
export const LOG_OPTS = { "max-size": "20m", "max-file": "5" };

/** Hardening shared by every container. */
export const HARDENING = {
  restart: "unless-stopped",
  logDriver: "json-file",
  logOpts: LOG_OPTS,
  securityOpts: ["no-new-privileges:true"],
  capabilities: { drops: ["ALL"] },
  init: true,
};

export interface DatabaseContainerArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  readonly image: pulumi.Input<string>;
  readonly network: pulumi.Input<string>;
  readonly volume: pulumi.Input<string>;
  /** The administrator's (the image's superuser, `user`), for the administrator only. */
  readonly password: pulumi.Input<string>;
  /**
   * Orthanc's own role (postgresRole.ts) and its password, made to own the database at every
   * start. Undefined: the image's superuser owns the database (Keycloak's, which holds nothing
   * else), and the image's own entrypoint runs.
   */
  readonly app?: { role: string; password: pulumi.Input<string> };
  readonly database: string;
  readonly user: string;
  /** The container is `<name>-<suffix>` (`postgres` unless given). */
  readonly suffix?: string;
  /** Its name on its network (`postgres` unless given). */
  readonly alias?: string;
  /** Server settings (postgresTuning.ts), the shared ones unless given. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly provider: docker.Provider;
}

/** The entrypoint around the image's one, which hands Orthanc's database to its role at every start. */
export const POSTGRES_START_SCRIPT = "/usr/local/bin/orthanc-postgres-start.sh";
export const APP_PASSWORD_FILE = "/run/secrets/orthanc-app-password";

export const POSTGRES_ALIAS = "postgres";
export const ORTHANC_ALIAS = "orthanc";

/**
 * PostgreSQL with password authentication (never trust), no published port, on one internal
 * network. The image's superuser is the administrator; with an app role, at every start, before
 * the server listens on the network, Orthanc's role is made to own Orthanc's database
 * (postgresRole.ts).
 */
export function createDatabaseContainer(
  name: string,
  parent: pulumi.Resource,
  a: DatabaseContainerArgs,
) {
  const resourceName = `${name}-${a.suffix ?? "postgres"}`;
  return new docker.Container(
    resourceName,
    {
      name: resourceName,
      image: a.image,
      // The image's own entrypoint, wrapped for Orthanc (postgresRole.ts), runs this command:
      // `postgres -c ...` with the server settings shared with the Kubernetes StatefulSet
      // (durability untouched).
      ...(a.app ? { entrypoints: ["/bin/bash", POSTGRES_START_SCRIPT] } : {}),
      command: postgresCommand(a.settings),
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      // The entrypoint chowns the data directory and then drops to `postgres`.
      capabilities: {
        drops: ["ALL"],
        adds: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
      },
      envs: [
        `POSTGRES_USER=${a.user}`,
        `POSTGRES_DB=${a.database}`,
        "POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password",
        "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256 --auth-local=scram-sha-256",
        "POSTGRES_HOST_AUTH_METHOD=scram-sha-256",
        "PGDATA=/var/lib/postgresql/data/pgdata",
        ...(a.app ? [`ORTHANC_APP_PASSWORD_FILE=${APP_PASSWORD_FILE}`] : []),
      ],
      uploads: [
        {
          file: "/run/secrets/postgres-password",
          content: a.password,
          permissions: "0400",
          owner: POSTGRES_UID,
          group: POSTGRES_UID,
        },
        ...(a.app
          ? [
              {
                file: APP_PASSWORD_FILE,
                content: a.app.password,
                permissions: "0400",
                owner: POSTGRES_UID,
                group: POSTGRES_UID,
              },
              { file: POSTGRES_START_SCRIPT, content: startScript(), permissions: "0555" },
              // In the image's init folder: an empty volume gets the role during its
              // initialisation.
              { file: ROLE_SCRIPT_PATH, content: roleScript(a.app.role), permissions: "0555" },
            ]
          : []),
      ],
      volumes: [{ volumeName: a.volume, containerPath: "/var/lib/postgresql/data" }],
      networksAdvanced: [{ name: a.network, aliases: [a.alias ?? POSTGRES_ALIAS] }],
      healthcheck: {
        tests: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", a.user, "-d", a.database],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      // Created only once healthy, so Orthanc (which depends on it) starts against a live server.
      wait: true,
      waitTimeout: 120,
      // A clean shutdown (checkpoint) on every stop, not only Pulumi's: `docker stop`, daemon
      // restarts and reboots use stopTimeout; Pulumi's replace and destroy use destroyGraceSeconds.
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    },
    { parent, provider: a.provider },
  );
}

export interface OrthancContainerArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  readonly image: pulumi.Input<string>;
  readonly backendNetwork: pulumi.Input<string>;
  readonly frontendNetwork: pulumi.Input<string>;
  readonly storageVolume?: pulumi.Input<string>;
  readonly orthancJson: pulumi.Input<string>;
  readonly credentialsJson: pulumi.Input<string>;
  readonly storageMasterKey?: pulumi.Input<string>;
  /** Orthanc's DICOM TLS certificate, key (secret) and trusted CAs, delivered as files. */
  readonly dicomTls?: Pick<DicomTlsFiles, "certificate" | "privateKey" | "trusted">;
  readonly environment: Record<string, string>;
  readonly dicom?: { port: number; publishAddress: string; publishPort: number };
  /**
   * The health probe's command; the image's (Basic auth as the probe user) unless given (under
   * access control, where Basic auth is off).
   */
  readonly probe?: readonly string[];
  readonly provider: docker.Provider;
  readonly dependsOn: pulumi.Resource[];
}

/**
 * Orthanc as the image's non-root user, on a read-only root. Configuration arrives as files:
 * orthanc.json in /etc/orthanc and the credentials in /run/secrets, readable by Orthanc only, so
 * nothing secret is in `docker inspect`. Docker refuses to copy files into a container with a
 * read-only root (the provider copies to `/`), so the files are uploaded into the volumes of a
 * `-files` container that is created, never started, and Orthanc mounts its volumes
 * (`volumesFrom` by id: new files replace Orthanc too).
 */
export function createOrthancContainer(
  name: string,
  parent: pulumi.Resource,
  a: OrthancContainerArgs,
) {
  const file = (path: string, content: pulumi.Input<string>, permissions: string) => ({
    file: path,
    content,
    permissions,
    owner: String(ORTHANC_UID),
    group: String(ORTHANC_UID),
  });
  const files = new docker.Container(
    `${name}-orthanc-files`,
    {
      name: `${name}-orthanc-files`,
      image: a.image,
      // Created only: nothing runs in it, not even after a daemon restart.
      start: false,
      mustRun: false,
      restart: "no",
      entrypoints: ["/bin/true"],
      user: `${ORTHANC_UID}:${ORTHANC_UID}`,
      securityOpts: HARDENING.securityOpts,
      capabilities: HARDENING.capabilities,
      ...memoryLimit(ORTHANC_FILES_MEMORY_MIB),
      // Anonymous volumes of this container, removed with it (`removeVolumes`).
      volumes: [
        { containerPath: ORTHANC_PATHS.configDir },
        { containerPath: ORTHANC_PATHS.secretsDir },
      ],
      removeVolumes: true,
      uploads: [
        file(ORTHANC_PATHS.config, a.orthancJson, "0444"),
        file(ORTHANC_PATHS.credentials, a.credentialsJson, "0400"),
        ...(a.storageMasterKey
          ? [file(ORTHANC_PATHS.storageMasterKey, a.storageMasterKey, "0400")]
          : []),
        ...(a.dicomTls
          ? [
              file(ORTHANC_PATHS.dicomTlsCertificate, a.dicomTls.certificate, "0444"),
              file(ORTHANC_PATHS.dicomTlsPrivateKey, a.dicomTls.privateKey, "0400"),
              file(ORTHANC_PATHS.dicomTlsTrusted, a.dicomTls.trusted, "0444"),
            ]
          : []),
      ],
    },
    { parent, provider: a.provider },
  );
  return new docker.Container(
    `${name}-orthanc`,
    {
      name: `${name}-orthanc`,
      image: a.image,
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      user: `${ORTHANC_UID}:${ORTHANC_UID}`,
      // A read-only root: the image writes only to its tmpfs folders (and the storage volume).
      readOnly: true,
      tmpfs: orthancTmpfs(),
      envs: Object.entries({ ...a.environment, ...READ_ONLY_ROOT_ENV }).map(
        ([k, v]) => `${k}=${v}`,
      ),
      volumes: [
        { fromContainer: files.id },
        ...(a.storageVolume
          ? [{ volumeName: a.storageVolume, containerPath: ORTHANC_PATHS.storage }]
          : []),
      ],
      networksAdvanced: [
        { name: a.backendNetwork, aliases: [ORTHANC_ALIAS] },
        { name: a.frontendNetwork, aliases: [ORTHANC_ALIAS] },
      ],
      ports: a.dicom
        ? [
            {
              internal: a.dicom.port,
              external: a.dicom.publishPort,
              ip: a.dicom.publishAddress,
              protocol: "tcp",
            },
          ]
        : [],
      healthcheck: {
        // The image's probe reads the probe user's password from its generated configuration and
        // calls /changes?last, which touches the database: no credential on the command line.
        tests: ["CMD", ...(a.probe ?? PROBE_COMMAND)],
        interval: "30s",
        timeout: "10s",
        retries: 3,
        startPeriod: "120s",
      },
      // Orthanc finishes in-flight transfers and closes the database cleanly on SIGTERM, on every
      // stop (stopTimeout) as on Pulumi's replace and destroy (destroyGraceSeconds).
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    },
    { parent, provider: a.provider, dependsOn: a.dependsOn },
  );
}

export interface ProxyContainerArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  readonly image: pulumi.Input<string>;
  readonly network: pulumi.Input<string>;
  readonly caddyfile: string;
  readonly dataVolume: pulumi.Input<string>;
  /** Published ports: 80+443 on all interfaces with a domain, one plain-HTTP port otherwise. */
  readonly ports: { internal: number; external: number; ip: string }[];
  readonly provider: docker.Provider;
  readonly dependsOn: pulumi.Resource[];
}

/** Caddy: the only published HTTP(S) entry; certificates and ACME account persisted in /data. */
export function createProxyContainer(name: string, parent: pulumi.Resource, a: ProxyContainerArgs) {
  return new docker.Container(
    `${name}-proxy`,
    {
      name: `${name}-proxy`,
      image: a.image,
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] },
      uploads: [{ file: "/etc/caddy/Caddyfile", content: a.caddyfile, permissions: "0444" }],
      volumes: [{ volumeName: a.dataVolume, containerPath: "/data" }],
      networksAdvanced: [{ name: a.network }],
      ports: a.ports.map((p) => ({ ...p, protocol: "tcp" })),
      healthcheck: {
        tests: [
          "CMD",
          "wget",
          "-q",
          "--spider",
          "--tries=1",
          `http://127.0.0.1:${PROXY_HEALTH_PORT}/healthz`,
        ],
        interval: "30s",
        timeout: "5s",
        retries: 3,
        startPeriod: "30s",
      },
    },
    { parent, provider: a.provider, dependsOn: a.dependsOn },
  );
}

export interface DicomGateContainerArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  readonly image: pulumi.Input<string>;
  readonly network: pulumi.Input<string>;
  readonly config: string;
  /** Host address and port the DICOM port is published on. */
  readonly publish: { ip: string; port: number };
  readonly provider: docker.Provider;
  readonly dependsOn: pulumi.Resource[];
}

/**
 * The DICOM gate: HAProxy as the image's own unprivileged user, listening on an unprivileged
 * port, so it needs no capability at all.
 */
export function createDicomGateContainer(
  name: string,
  parent: pulumi.Resource,
  a: DicomGateContainerArgs,
) {
  return new docker.Container(
    `${name}-dicom-gate`,
    {
      name: `${name}-dicom-gate`,
      image: a.image,
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      uploads: [
        { file: "/usr/local/etc/haproxy/haproxy.cfg", content: a.config, permissions: "0444" },
      ],
      networksAdvanced: [{ name: a.network }],
      ports: [
        { internal: DICOM_GATE_PORT, external: a.publish.port, ip: a.publish.ip, protocol: "tcp" },
      ],
    },
    { parent, provider: a.provider, dependsOn: a.dependsOn },
  );
}

export interface BackupContainerArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  /** A PostgreSQL image (its pg_dump), not older than any server it dumps. */
  readonly image: pulumi.Input<string>;
  readonly backupVolume: pulumi.Input<string>;
  /**
   * Orthanc's index in its PostgreSQL container, on the backend network. Undefined (SQLite, an
   * external database): Keycloak's database only.
   */
  readonly orthanc?: {
    readonly network: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
    readonly database: string;
    readonly user: string;
  };
  /** Keycloak's database too (access control): on its own network, as its superuser. */
  readonly keycloak?: KeycloakDump;
  readonly intervalHours: number;
  readonly retentionDays: number;
  readonly provider: docker.Provider;
  readonly dependsOn: pulumi.Resource[];
}

/** Keycloak's PostgreSQL as the backup container reaches it. */
export interface KeycloakDump {
  readonly network: pulumi.Input<string>;
  /** Its container's alias on that network. */
  readonly host: string;
  readonly database: string;
  readonly user: string;
  readonly password: pulumi.Input<string>;
}

/** The dump of Keycloak's database: its own server, user and database for that one `pg_dump`. */
export const keycloakDump = (
  k: Pick<KeycloakDump, "host" | "database" | "user">,
): DumpedDatabase => ({
  prefix: "keycloak",
  connection: `PGHOST=${k.host} PGUSER=${k.user} PGDATABASE=${k.database}`,
});

/**
 * The backup loop as a script: a custom-format dump of each database (Orthanc's index unless
 * told otherwise) every N hours, dumps older than the retention deleted.
 */
export function backupScript(
  intervalHours: number,
  retentionDays: number,
  databases: DumpedDatabase[] = [ORTHANC_DUMP],
): string {
  if (!databases.length) throw new Error("a backup loop with no database to dump");
  return [
    "#!/bin/sh",
    "set -eu",
    'dir="${BACKUP_DIR:-/backups}"',
    "# A new volume is root-owned: hand it to postgres, then drop to postgres for good.",
    'if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir" && chmod 0700 "$dir"; exec gosu postgres "$0"; fi',
    "while true; do",
    ...databases.flatMap((db) =>
      dumpAndPrune(retentionDays, "continue", db).map((line) => `  ${line}`),
    ),
    `  sleep ${intervalHours * 3600}`,
    "done",
    "",
  ].join("\n");
}

/**
 * Scheduled `pg_dump`s into the backup volume; it reaches only the backend network (and, with
 * Keycloak's database, that database's own network).
 */
export function createBackupContainer(
  name: string,
  parent: pulumi.Resource,
  a: BackupContainerArgs,
) {
  const o = a.orthanc;
  const k = a.keycloak;
  if (!o && !k) throw new pulumi.ResourceError("A backup container with nothing to dump.", parent);
  // One line per server: libpq picks the line matching each dump's host, user and database.
  const pgpass = pulumi
    .all([
      o && pulumi.interpolate`${POSTGRES_ALIAS}:5432:${o.database}:${o.user}:${o.password}\n`,
      k && pulumi.interpolate`${k.host}:5432:${k.database}:${k.user}:${k.password}\n`,
    ])
    .apply((lines) => lines.filter((l) => l !== undefined).join(""));
  return new docker.Container(
    `${name}-backup`,
    {
      name: `${name}-backup`,
      image: a.image,
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      // Starts as root only to hand the backup volume to postgres (chown, then chmod of a folder
      // root no longer owns: FOWNER), then the script drops to postgres.
      capabilities: { drops: ["ALL"], adds: ["CHOWN", "FOWNER", "SETUID", "SETGID"] },
      entrypoints: ["/bin/sh", "/usr/local/bin/orthanc-backup.sh"],
      envs: [
        ...(o ? [`PGHOST=${POSTGRES_ALIAS}`] : []),
        "PGPORT=5432",
        ...(o ? [`PGUSER=${o.user}`, `PGDATABASE=${o.database}`] : []),
        "PGPASSFILE=/run/secrets/pgpass",
      ],
      uploads: [
        {
          file: "/usr/local/bin/orthanc-backup.sh",
          content: backupScript(a.intervalHours, a.retentionDays, [
            ...(o ? [ORTHANC_DUMP] : []),
            ...(k ? [keycloakDump(k)] : []),
          ]),
          permissions: "0555",
        },
        {
          file: "/run/secrets/pgpass",
          content: pulumi.secret(pgpass),
          permissions: "0600",
          owner: POSTGRES_UID,
          group: POSTGRES_UID,
        },
      ],
      volumes: [{ volumeName: a.backupVolume, containerPath: "/backups" }],
      networksAdvanced: [...(o ? [{ name: o.network }] : []), ...(k ? [{ name: k.network }] : [])],
    },
    { parent, provider: a.provider, dependsOn: a.dependsOn },
  );
}

export interface BackupSyncArgs {
  /** Memory limit in MiB (no swap beyond it). */
  readonly memoryMiB: number;
  readonly image: pulumi.Input<string>;
  /** A network with a route out (the frontend). */
  readonly network: pulumi.Input<string>;
  readonly backupVolume: pulumi.Input<string>;
  /** `s3://bucket/prefix/backups/` */
  readonly destination: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly intervalHours: number;
  /** Static keys; without them the host's role (instance metadata) is used. */
  readonly credentials?: pulumi.Output<string>;
  readonly provider: docker.Provider;
  readonly dependsOn: pulumi.Resource[];
}

/** The off-host copy loop: `aws s3 sync` of the dump directory, never deleting in the bucket. */
export function backupSyncScript(
  destination: string,
  intervalHours: number,
  endpoint?: string,
): string {
  const endpointFlag = endpoint ? ` --endpoint-url ${endpoint}` : "";
  return [
    "set -eu",
    "while true; do",
    `  aws s3 sync /backups ${destination} --only-show-errors --exclude '*.partial'${endpointFlag} && echo "backups copied to ${destination}" || echo "copy to ${destination} failed" >&2`,
    `  sleep ${intervalHours * 3600}`,
    "done",
  ].join("\n");
}

/** Copies the dumps to S3, reading the backup volume read-only, as the postgres uid that owns it. */
export function createBackupSyncContainer(
  name: string,
  parent: pulumi.Resource,
  a: BackupSyncArgs,
) {
  return new docker.Container(
    `${name}-backup-sync`,
    {
      name: `${name}-backup-sync`,
      image: a.image,
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      user: `${POSTGRES_UID}:${POSTGRES_UID}`,
      entrypoints: ["/bin/sh", "-c", backupSyncScript(a.destination, a.intervalHours, a.endpoint)],
      envs: [
        "HOME=/tmp",
        `AWS_DEFAULT_REGION=${a.region}`,
        ...(a.credentials ? ["AWS_SHARED_CREDENTIALS_FILE=/run/secrets/aws-credentials"] : []),
      ],
      uploads: a.credentials
        ? [
            {
              file: "/run/secrets/aws-credentials",
              content: a.credentials,
              permissions: "0400",
              owner: POSTGRES_UID,
              group: POSTGRES_UID,
            },
          ]
        : [],
      volumes: [{ volumeName: a.backupVolume, containerPath: "/backups", readOnly: true }],
      networksAdvanced: [{ name: a.network }],
    },
    { parent, provider: a.provider, dependsOn: a.dependsOn },
  );
}
