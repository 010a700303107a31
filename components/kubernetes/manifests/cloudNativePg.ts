/**
 * PostgreSQL run by the CloudNativePG operator, as plain data: the Cluster and its daily
 * ScheduledBackup to an object store. @pulumi/kubernetes has no types for these custom resources;
 * the types below cover the fields this target sets (postgresql.cnpg.io/v1).
 */
import { labels, ObjectMeta, objectMeta } from "./conventions";

/** A CloudNativePG object as `k8s.apiextensions.CustomResource` takes it. */
export type CnpgObject<Kind extends string, Spec> = {
  apiVersion: "postgresql.cnpg.io/v1";
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
};

/** Where Barman writes base backups and WAL, with the keys it reads from a Secret. */
export type BarmanObjectStore = {
  destinationPath: string;
  endpointURL?: string;
  s3Credentials: {
    accessKeyId: { name: string; key: string };
    secretAccessKey: { name: string; key: string };
  };
  wal: { compression: "gzip" };
  data: { compression: "gzip" };
};

export type ClusterSpec = {
  instances: number;
  enableSuperuserAccess: boolean;
  bootstrap: { initdb: { database: string; owner: string; secret: { name: string } } };
  storage: { size: string; storageClass?: string };
  postgresql: { parameters: Record<string, string> };
  inheritedMetadata: { labels: Record<string, string> };
  backup?: { barmanObjectStore: BarmanObjectStore; retentionPolicy: string };
};

export type ScheduledBackupSpec = {
  /** Six fields: seconds first. */
  schedule: string;
  backupOwnerReference: "self";
  cluster: { name: string };
};

export interface CnpgClusterArgs {
  /** The instance name: the Cluster is `<name>-db`, its primary's Service `<name>-db-rw`. */
  readonly name: string;
  readonly namespace: string;
  /** PostgreSQL instances: one primary, the others streaming replicas. */
  readonly instances: number;
  /** Size of each instance's volume. */
  readonly storageGiB: number;
  readonly storageClass?: string;
  /** The database created at bootstrap, and its owner. */
  readonly database: string;
  readonly owner: string;
  /** The basic-auth Secret with the owner's name and password. */
  readonly ownerSecretName: string;
  /** The server's `max_connections`. */
  readonly maxConnections: number;
  /** Point-in-time backups, when there is somewhere to write them. */
  readonly backup?: BarmanObjectStore;
  /**
   * Another cluster of the same instance (Keycloak's): its own name and its pods' label
   * component; Orthanc's is `<name>-db`, labelled `postgres`.
   */
  readonly cluster?: { readonly name: string; readonly component: string };
}

/** The cluster's name: `<name>-db`. */
export const cnpgClusterName = (name: string) => `${name}-db`;

export function cnpgCluster(a: CnpgClusterArgs): CnpgObject<"Cluster", ClusterSpec> {
  const component = a.cluster?.component ?? "postgres";
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: objectMeta(
      a.cluster?.name ?? cnpgClusterName(a.name),
      a.namespace,
      a.name,
      component,
    ),
    spec: {
      instances: a.instances,
      // Orthanc's role owns its database; no superuser access at all.
      enableSuperuserAccess: false,
      bootstrap: {
        initdb: { database: a.database, owner: a.owner, secret: { name: a.ownerSecretName } },
      },
      storage: {
        size: `${a.storageGiB}Gi`,
        ...(a.storageClass ? { storageClass: a.storageClass } : {}),
      },
      postgresql: {
        parameters: { log_statement: "none", max_connections: String(a.maxConnections) },
      },
      inheritedMetadata: { labels: labels(a.name, component) },
      ...(a.backup ? { backup: { barmanObjectStore: a.backup, retentionPolicy: "30d" } } : {}),
    },
  };
}

/** A daily base backup of the Cluster at 03:00 UTC: `<cluster>-daily`. */
export function cnpgScheduledBackup(
  a: Pick<CnpgClusterArgs, "name" | "namespace" | "cluster">,
): CnpgObject<"ScheduledBackup", ScheduledBackupSpec> {
  const cluster = a.cluster?.name ?? cnpgClusterName(a.name);
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "ScheduledBackup",
    metadata: objectMeta(
      `${cluster}-daily`,
      a.namespace,
      a.name,
      a.cluster?.component ?? "postgres",
    ),
    spec: {
      schedule: "0 0 3 * * *",
      backupOwnerReference: "self",
      cluster: { name: cluster },
    },
  };
}

/** Where a cluster's backups go: the DICOM bucket, with the keys Barman reads. */
export interface BarmanTarget {
  readonly bucket: string;
  /** The DICOM files' prefix (empty or ending in `/`). */
  readonly prefix: string;
  /** An S3-compatible endpoint; AWS S3 when undefined. */
  readonly endpoint?: string;
  /** Secret with keys `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`. */
  readonly keysSecretName: string;
}

/**
 * The DICOM bucket under its own `postgres/` prefix (or `folder/`, another cluster's); keys from
 * `keysSecretName`.
 */
export function barmanObjectStore(a: BarmanTarget, folder = "postgres"): BarmanObjectStore {
  return {
    destinationPath: `s3://${a.bucket}/${a.prefix}${folder}/`,
    ...(a.endpoint ? { endpointURL: a.endpoint } : {}),
    s3Credentials: {
      accessKeyId: { name: a.keysSecretName, key: "ACCESS_KEY_ID" },
      secretAccessKey: { name: a.keysSecretName, key: "ACCESS_SECRET_KEY" },
    },
    wal: { compression: "gzip" },
    data: { compression: "gzip" },
  };
}
