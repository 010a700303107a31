/**
 * PostgreSQL as a plain StatefulSet, for clusters without an operator, as plain data: the
 * StatefulSet, its Service, and its daily dump (a CronJob writing to a PVC of its own).
 */
import type * as k8s from "@pulumi/kubernetes";
import { dumpAndPrune } from "../../shared/backup";
import { postgresCommand } from "../../shared/postgresTuning";
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
  /** The database created at first start, and its owner. */
  readonly database: string;
  readonly user: string;
}

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
        metadata: { labels: sel },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPod(POSTGRES_UID),
          containers: [
            {
              name: "postgres",
              image: a.image,
              // The same server settings as the Docker target's PostgreSQL, as `args`: `command`
              // would replace the image's entrypoint, which initialises the data directory.
              args: postgresCommand(),
              env: [
                { name: "POSTGRES_USER", value: a.user },
                { name: "POSTGRES_DB", value: a.database },
                { name: "POSTGRES_PASSWORD_FILE", value: "/run/secrets/postgres/password" },
                {
                  name: "POSTGRES_INITDB_ARGS",
                  value: "--auth-host=scram-sha-256 --auth-local=scram-sha-256",
                },
                { name: "POSTGRES_HOST_AUTH_METHOD", value: "scram-sha-256" },
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
              ],
              ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/postgresql/data" },
                { name: "password", mountPath: "/run/secrets/postgres", readOnly: true },
                { name: "run", mountPath: "/var/run/postgresql" },
                { name: "tmp", mountPath: "/tmp" },
              ],
              securityContext: restrictedContainer,
              readinessProbe: { exec: { command: ready }, periodSeconds: 10 },
              livenessProbe: { exec: { command: ready }, periodSeconds: 30, failureThreshold: 6 },
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
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
            // The server's socket, lock and pid files; its own temporary files go to the data
            // directory, so /tmp holds only what the entrypoint's tools write.
            { name: "run", emptyDir: { sizeLimit: "16Mi" } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
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
  /** The PVC the dumps are written to. */
  readonly claimName: string;
  /** Cron schedule, UTC. */
  readonly schedule: string;
  /** Dumps older than this many days are deleted after a successful one. */
  readonly retentionDays: number;
}

/** A daily `pg_dump` of the StatefulSet's database into its own PVC, old dumps pruned. */
export function postgresBackupCronJob(a: BackupArgs): k8s.types.input.batch.v1.CronJob {
  const script = [
    "set -eu",
    "dir=/backups",
    // The password stays in this process's environment; it is never in the pod spec.
    'PGPASSWORD="$(cat /run/secrets/postgres/password)"; export PGPASSWORD',
    ...dumpAndPrune(a.retentionDays, "exit"),
  ].join("\n");
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: objectMeta(`${a.name}-postgres-backup`, a.namespace, a.name, "backup"),
    spec: {
      schedule: a.schedule,
      concurrencyPolicy: "Forbid",
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: labels(a.name, "backup") },
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
                    { name: "PGHOST", value: `${a.name}-postgres` },
                    { name: "PGUSER", value: a.user },
                    { name: "PGDATABASE", value: a.database },
                  ],
                  volumeMounts: [
                    { name: "backups", mountPath: "/backups" },
                    { name: "password", mountPath: "/run/secrets/postgres", readOnly: true },
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
              ],
            },
          },
        },
      },
    },
  };
}
