/**
 * PostgreSQL as a plain StatefulSet, for clusters without an operator, as plain data: the
 * StatefulSet, its Service, and its daily dump (a CronJob writing to a PVC of its own).
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import { dumpAndPrune } from "../../shared/backup";
import { ROLE_SCRIPT_PATH, roleScript, startScript } from "../../shared/postgresRole";
import { postgresHbaConf, postgresTlsSettings } from "../../shared/postgresTls";
import { POSTGRES_SERVER_SETTINGS, postgresCommand } from "../../shared/postgresTuning";
import {
  labels,
  objectMeta,
  POSTGRES_UID,
  restrictedContainer,
  restrictedPod,
} from "./conventions";

export interface PostgresArgs {
  /** The instance name: objects are named `<name>-postgres…`. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** Secret holding the password (key `password`). */
  readonly secretName: string;
  /** Size of the data volume. */
  readonly storageGiB: number;
  /** StorageClass of the data volume; the cluster's default when undefined. */
  readonly storageClass?: string;
  /** The database created at first start, and the administrator (the image's superuser). */
  readonly database: string;
  readonly user: string;
  /** Orthanc's own role, made to own the database at every start, and its password's Secret. */
  readonly appRole: string;
  readonly appSecretName: string;
  /** The cert-manager Secret with the server's `tls.crt` and `tls.key` (certManager.ts). */
  readonly tlsSecretName: string;
}

/** Where the StatefulSet mounts the wrapper around the image's entrypoint, and the role's password. */
const SCRIPTS_DIR = "/usr/local/lib/orthanc";
const START_SCRIPT = "postgres-start.sh";
const ROLE_SCRIPT = ROLE_SCRIPT_PATH.split("/").pop()!;
const APP_PASSWORD_DIR = "/run/secrets/orthanc-app";

/** The scripts of postgresRole.ts for `appRole`, as the ConfigMap's data. */
export function postgresScripts(appRole: string): Record<string, string> {
  return { [START_SCRIPT]: startScript(), [ROLE_SCRIPT]: roleScript(appRole) };
}

/** The ConfigMap `<name>-postgres-scripts` holding `postgresScripts`. */
export function postgresScriptsConfigMap(
  a: Pick<PostgresArgs, "name" | "namespace" | "appRole">,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: objectMeta(`${a.name}-postgres-scripts`, a.namespace, a.name, "postgres"),
    data: postgresScripts(a.appRole),
  };
}

/** Where the server's TLS files and client authentication rules are mounted. */
export const POSTGRES_TLS_DIR = "/etc/postgresql/tls";
export const POSTGRES_HBA_DIR = "/etc/postgresql/hba";
export const POSTGRES_TLS_FILES = {
  certFile: `${POSTGRES_TLS_DIR}/tls.crt`,
  keyFile: `${POSTGRES_TLS_DIR}/tls.key`,
  hbaFile: `${POSTGRES_HBA_DIR}/pg_hba.conf`,
} as const;

/** The ConfigMap holding the server's `pg_hba.conf`: `<name>-postgres-hba`. */
export const postgresHbaConfigMapName = (name: string) => `${name}-postgres-hba`;

/**
 * How often the reload container looks at the mounted certificate. The kubelet refreshes a
 * Secret volume within about a minute of cert-manager's renewal, 30 days before expiry.
 */
export const TLS_RELOAD_CHECK_SECONDS = 300;

/**
 * The reload container's loop: when the mounted certificate, key or rules change, `pg_ctl reload`
 * (SIGHUP to the server, whose pid it reads from the data directory; the pod shares one process
 * namespace). PostgreSQL re-reads its TLS files on SIGHUP: new connections get the new
 * certificate (and the rules), open ones keep their session, nothing restarts. A reload refused (a bad key) leaves
 * the old files in use; the loop tries again at the next change.
 */
export const tlsReloadScript = (): string =>
  [
    "set -u",
    'sum() { cat "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key" "$HBA_FILE" | md5sum; }',
    'last="$(sum)"',
    'echo "watching $TLS_DIR and $HBA_FILE every $CHECK_SECONDS s"',
    'while sleep "$CHECK_SECONDS"; do',
    '  now="$(sum)"',
    '  if [ "$now" != "$last" ] && pg_ctl reload -D "$PGDATA"; then',
    '    echo "TLS certificate changed: server reloaded"; last="$now"',
    "  fi",
    "done",
  ].join("\n");

/** Plain PostgreSQL for clusters without an operator: password auth, its own PVC, non-root. */
export function postgresStatefulSet(a: PostgresArgs): k8s.types.input.apps.v1.StatefulSet {
  const sel = labels(a.name, "postgres");
  const ready = ["pg_isready", "-h", "127.0.0.1", "-U", a.user, "-d", a.database];
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: objectMeta(`${a.name}-postgres`, a.namespace, a.name, "postgres"),
    spec: {
      serviceName: `${a.name}-postgres`,
      replicas: 1,
      selector: { matchLabels: sel },
      // Deleting or scaling down the StatefulSet keeps the data.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      template: {
        metadata: {
          labels: sel,
          // A new script rolls the pod (a ConfigMap's change alone would not).
          annotations: {
            "checksum/scripts": createHash("sha256")
              .update(JSON.stringify(postgresScripts(a.appRole)))
              .digest("hex"),
          },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPod(POSTGRES_UID),
          // The reload container signals the server after a certificate renewal (same user).
          shareProcessNamespace: true,
          containers: [
            {
              name: "postgres",
              image: a.image,
              // The image's entrypoint, wrapped (postgresRole.ts): at every start, before the
              // server listens on the network, Orthanc's role is made to own its database. No
              // init container or sidecar: only the server's own container may open its data.
              command: ["/bin/bash", `${SCRIPTS_DIR}/${START_SCRIPT}`],
              // The same server settings as the Docker target's PostgreSQL, and TLS, as `args`:
              // the wrapper hands them to the image's entrypoint (its temporary servers get them
              // too).
              args: postgresCommand({
                ...POSTGRES_SERVER_SETTINGS,
                ...postgresTlsSettings(POSTGRES_TLS_FILES),
              }),
              env: [
                ...postgresImageEnv(a.user, a.database),
                { name: "ORTHANC_APP_PASSWORD_FILE", value: `${APP_PASSWORD_DIR}/password` },
              ],
              ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/postgresql/data" },
                { name: "password", mountPath: "/run/secrets/postgres", readOnly: true },
                { name: "app-password", mountPath: APP_PASSWORD_DIR, readOnly: true },
                { name: "start-script", mountPath: SCRIPTS_DIR, readOnly: true },
                // The image's init folder: an empty volume gets the role during initialisation.
                {
                  name: "role-script",
                  mountPath: ROLE_SCRIPT_PATH.slice(0, ROLE_SCRIPT_PATH.lastIndexOf("/")),
                  readOnly: true,
                },
                { name: "run", mountPath: "/var/run/postgresql" },
                { name: "tmp", mountPath: "/tmp" },
                { name: "tls", mountPath: POSTGRES_TLS_DIR, readOnly: true },
                { name: "hba", mountPath: POSTGRES_HBA_DIR, readOnly: true },
              ],
              securityContext: restrictedContainer,
              readinessProbe: { exec: { command: ready }, periodSeconds: 10 },
              livenessProbe: { exec: { command: ready }, periodSeconds: 30, failureThreshold: 6 },
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
            },
            {
              name: "tls-reload",
              image: a.image,
              command: ["/bin/sh", "-c", tlsReloadScript()],
              env: [
                { name: "PGDATA", value: PGDATA },
                { name: "TLS_DIR", value: POSTGRES_TLS_DIR },
                { name: "HBA_FILE", value: POSTGRES_TLS_FILES.hbaFile },
                { name: "CHECK_SECONDS", value: String(TLS_RELOAD_CHECK_SECONDS) },
              ],
              // pg_ctl reads the server's pid from the data directory; it writes nothing.
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/postgresql/data", readOnly: true },
                { name: "tls", mountPath: POSTGRES_TLS_DIR, readOnly: true },
                { name: "hba", mountPath: POSTGRES_HBA_DIR, readOnly: true },
              ],
              securityContext: restrictedContainer,
              resources: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "32Mi" } },
            },
          ],
          volumes: [
            {
              name: "password",
              secret: {
                secretName: a.secretName,
                defaultMode: 0o400,
                items: [{ key: "password", path: "password" }],
              },
            },
            {
              name: "app-password",
              secret: {
                secretName: a.appSecretName,
                defaultMode: 0o400,
                items: [{ key: "password", path: "password" }],
              },
            },
            {
              name: "start-script",
              configMap: {
                name: `${a.name}-postgres-scripts`,
                defaultMode: 0o555,
                items: [{ key: START_SCRIPT, path: START_SCRIPT }],
              },
            },
            {
              name: "role-script",
              configMap: {
                name: `${a.name}-postgres-scripts`,
                defaultMode: 0o555,
                items: [{ key: ROLE_SCRIPT, path: ROLE_SCRIPT }],
              },
            },
            // The server's socket, lock and pid files; its own temporary files go to the data
            // directory, so /tmp holds only what the entrypoint's tools write.
            { name: "run", emptyDir: { sizeLimit: "16Mi" } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            {
              // PostgreSQL accepts a key owned by root and readable by its group only (0640 at
              // most): the kubelet writes Secret files as root, with the pod's fsGroup (999,
              // postgres) as group, and 0440 adds no write bit. No init container, no copy.
              name: "tls",
              secret: {
                secretName: a.tlsSecretName,
                defaultMode: 0o440,
                items: [
                  { key: "tls.crt", path: "tls.crt" },
                  { key: "tls.key", path: "tls.key" },
                ],
              },
            },
            {
              name: "hba",
              configMap: {
                name: postgresHbaConfigMapName(a.name),
                items: [{ key: "pg_hba.conf", path: "pg_hba.conf" }],
              },
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
            resources: { requests: { storage: `${a.storageGiB}Gi` } },
          },
        },
      ],
    },
  };
}

/** The server's client authentication rules (postgresTls.ts), mounted as its `hba_file`. */
export function postgresHbaConfigMap(
  a: Pick<PostgresArgs, "name" | "namespace">,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: objectMeta(postgresHbaConfigMapName(a.name), a.namespace, a.name, "postgres"),
    data: { "pg_hba.conf": postgresHbaConf() },
  };
}

/** The StatefulSet's stable address, `<name>-postgres`, port 5432. */
export function postgresService(
  a: Pick<PostgresArgs, "name" | "namespace">,
): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(`${a.name}-postgres`, a.namespace, a.name, "postgres"),
    spec: {
      type: "ClusterIP",
      selector: labels(a.name, "postgres"),
      ports: [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }],
    },
  };
}

/** Where the official image keeps the cluster, below the volume's root (its lost+found). */
export const PGDATA = "/var/lib/postgresql/data/pgdata";

/**
 * The official image's initialisation of a server this program runs (Orthanc's, Keycloak's):
 * `user` owning `database`, its password from the mounted Secret, SCRAM for every connection.
 */
export const postgresImageEnv = (user: string, database: string) => [
  { name: "POSTGRES_USER", value: user },
  { name: "POSTGRES_DB", value: database },
  { name: "POSTGRES_PASSWORD_FILE", value: "/run/secrets/postgres/password" },
  {
    name: "POSTGRES_INITDB_ARGS",
    value: "--auth-host=scram-sha-256 --auth-local=scram-sha-256",
  },
  { name: "POSTGRES_HOST_AUTH_METHOD", value: "scram-sha-256" },
  { name: "PGDATA", value: PGDATA },
];

/** Where the dumps go: a volume of its own, twice the database's size. */
export function postgresBackupClaim(
  a: Pick<PostgresArgs, "name" | "namespace" | "storageGiB" | "storageClass">,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: objectMeta(`${a.name}-postgres-backups`, a.namespace, a.name, "backup"),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(a.storageClass ? { storageClassName: a.storageClass } : {}),
      resources: { requests: { storage: `${a.storageGiB * 2}Gi` } },
    },
  };
}

export interface BackupArgs extends Pick<
  PostgresArgs,
  "name" | "namespace" | "image" | "secretName" | "database" | "user"
> {
  /**
   * The server's cert-manager Secret (its `ca.crt` verifies the server); none for a server
   * without TLS (Keycloak's, reached inside the namespace with SCRAM).
   */
  readonly tlsSecretName?: string;
  /** The PVC the dumps are written to. */
  readonly claimName: string;
  /** Cron schedule, UTC. */
  readonly schedule: string;
  /** Dumps older than this many days are deleted after a successful one. */
  readonly retentionDays: number;
  /**
   * Another server of the instance (Keycloak's): its host, the CronJob's name and its pods'
   * label component. Orthanc's: `<name>-postgres`, `<name>-postgres-backup`, `backup`.
   */
  readonly server?: {
    readonly host: string;
    readonly cronJobName: string;
    readonly component: string;
    /** Its dump files' prefix (`keycloak-<stamp>.dump`), never taken for Orthanc's. */
    readonly dumpPrefix: string;
  };
}

/** Where the dump job finds the CA certificate that signed the server's. */
export const BACKUP_CA_DIR = "/run/secrets/postgres-ca";

/** A daily `pg_dump` of the StatefulSet's database into its own PVC, old dumps pruned. */
export function postgresBackupCronJob(a: BackupArgs): k8s.types.input.batch.v1.CronJob {
  const component = a.server?.component ?? "backup";
  const script = [
    "set -eu",
    "dir=/backups",
    // The password stays in this process's environment; it is never in the pod spec.
    'PGPASSWORD="$(cat /run/secrets/postgres/password)"; export PGPASSWORD',
    ...dumpAndPrune(
      a.retentionDays,
      "exit",
      a.server ? { prefix: a.server.dumpPrefix } : undefined,
    ),
  ].join("\n");
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: objectMeta(
      a.server?.cronJobName ?? `${a.name}-postgres-backup`,
      a.namespace,
      a.name,
      component,
    ),
    spec: {
      schedule: a.schedule,
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: labels(a.name, component) },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: restrictedPod(POSTGRES_UID),
              containers: [
                {
                  name: "pg-dump",
                  image: a.image,
                  command: ["/bin/sh", "-c", script],
                  env: [
                    { name: "PGHOST", value: a.server?.host ?? `${a.name}-postgres` },
                    { name: "PGUSER", value: a.user },
                    { name: "PGDATABASE", value: a.database },
                    // Over TLS, the server's certificate checked against the namespace's CA and
                    // the Service's name: the password never goes to another server.
                    ...(a.tlsSecretName
                      ? [
                          { name: "PGSSLMODE", value: "verify-full" },
                          { name: "PGSSLROOTCERT", value: `${BACKUP_CA_DIR}/ca.crt` },
                        ]
                      : []),
                  ],
                  volumeMounts: [
                    { name: "backups", mountPath: "/backups" },
                    { name: "password", mountPath: "/run/secrets/postgres", readOnly: true },
                    ...(a.tlsSecretName
                      ? [{ name: "postgres-ca", mountPath: BACKUP_CA_DIR, readOnly: true }]
                      : []),
                  ],
                  securityContext: restrictedContainer,
                  resources: {
                    requests: { cpu: "100m", memory: "256Mi" },
                    limits: { memory: "1Gi" },
                  },
                },
              ],
              volumes: [
                { name: "backups", persistentVolumeClaim: { claimName: a.claimName } },
                {
                  name: "password",
                  secret: {
                    secretName: a.secretName,
                    defaultMode: 0o400,
                    items: [{ key: "password", path: "password" }],
                  },
                },
                ...(a.tlsSecretName
                  ? [
                      {
                        // Only the CA certificate of the server's Secret: never its key.
                        name: "postgres-ca",
                        secret: {
                          secretName: a.tlsSecretName,
                          defaultMode: 0o444,
                          items: [{ key: "ca.crt", path: "ca.crt" }],
                        },
                      },
                    ]
                  : []),
              ],
            },
          },
        },
      },
    },
  };
}
