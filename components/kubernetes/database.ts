import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  DatabaseEndpoint,
  ExternalDatabase,
  ORTHANC_DATABASE,
  ownPostgres,
  S3StorageArgs,
} from "../shared/settings";
import { ORTHANC_APP_ROLE } from "../shared/postgresRole";
import { OWN_POSTGRES_MAX_CONNECTIONS } from "../shared/sizing";
import {
  barmanObjectStore,
  BarmanTarget,
  cnpgCluster,
  cnpgClusterName,
  cnpgScheduledBackup,
} from "./manifests/cloudNativePg";
import {
  postgresCaCertificate,
  postgresCaIssuer,
  postgresSelfSignedIssuer,
  postgresServerCertificate,
  postgresTlsNames,
} from "./manifests/certManager";
import { labels } from "./manifests/conventions";
import {
  postgresBackupClaim,
  postgresBackupCronJob,
  postgresHbaConfigMap,
  postgresScriptsConfigMap,
  postgresService,
  postgresStatefulSet,
} from "./manifests/postgres";
import { APP, InNamespace, keptData } from "./namespace";
import { StaticKeys } from "./storage";

const { database: DB_NAME, username: DB_USER } = ORTHANC_DATABASE;

/**
 * PostgreSQL as a plain StatefulSet in the namespace, over TLS only (a certificate from a CA of
 * the namespace's own, cert-manager), dumped daily to a PVC of its own.
 */
export interface StatefulSetDatabase {
  readonly kind: "statefulset";
  /** The PostgreSQL image (its tag pins the major version). */
  readonly image: string;
  /** Size of the data volume; the dumps' volume is twice that. */
  readonly storageGiB: number;
  /** StorageClass of both volumes; the cluster's default when undefined. */
  readonly storageClass?: string;
  /** Explicit index connections per Orthanc; sized from the server's limit otherwise. */
  readonly connectionsPerReplica?: number;
}

/** PostgreSQL run by the CloudNativePG operator (which must be installed), over TLS. */
export interface CloudNativePgDatabase {
  readonly kind: "cloudnativepg";
  /** PostgreSQL instances: one primary, the others streaming replicas. */
  readonly instances: number;
  /** Size of each instance's volume. */
  readonly storageGiB: number;
  readonly storageClass?: string;
  /** Explicit index connections per Orthanc; sized from the server's limit otherwise. */
  readonly connectionsPerReplica?: number;
}

/** The DICOM bucket, when reached with static keys (which Barman needs). */
export type BackupBucket = S3StorageArgs & StaticKeys;

/** Where Orthanc's index lives. */
export type KubernetesDatabase = StatefulSetDatabase | CloudNativePgDatabase | ExternalDatabase;

export interface DatabaseArgs {
  readonly ns: InNamespace;
  readonly database: KubernetesDatabase;
  /** The password generated for a database this component runs; unused for an external one. */
  readonly generatedPassword?: pulumi.Output<string>;
  /** The StatefulSet's: Orthanc's own role's (the generated one is the administrator's). */
  readonly appRolePassword?: pulumi.Output<string>;
  /** S3 storage with static keys: CloudNativePG backs up to the same bucket. */
  readonly backupBucket?: BackupBucket;
  /** Protect the data volumes and the cluster. */
  readonly protectData: boolean;
}

/** What Orthanc and the network policies need to know of the database. */
export interface Database {
  /** Where Orthanc finds it. */
  readonly endpoint: DatabaseEndpoint & { kind: "postgresql" };
  readonly password: pulumi.Output<string>;
  /** Its pods in the namespace, which Orthanc may reach; none for an external database. */
  readonly podSelector?: Record<string, string>;
  /** A backup job's pods also reach it. */
  readonly dumps: boolean;
  /** Ports Orthanc reaches outside the namespace for it (an external database's). */
  readonly egressPorts: number[];
  /** The Secret whose `ca.crt` verifies the server's certificate (the StatefulSet's CA). */
  readonly caSecretName?: string;
  /** Where CloudNativePG backs up (the DICOM bucket), for another cluster of the namespace's. */
  readonly backupTarget?: BarmanTarget;
}

/**
 * The database: a StatefulSet with its daily dumps, a CloudNativePG Cluster with its backups to
 * the DICOM bucket, or an external PostgreSQL this component only points Orthanc at.
 */
export function createDatabase(
  name: string,
  parent: pulumi.Resource,
  args: DatabaseArgs,
): Database {
  const db = args.database;
  if (db.kind === "external")
    return {
      endpoint: { ...db, kind: "postgresql" },
      password: db.password,
      dumps: false,
      egressPorts: [db.port],
    };
  const password = args.generatedPassword;
  if (!password)
    throw new pulumi.ResourceError(
      `no password was generated for the ${db.kind} database this component runs`,
      parent,
    );
  return db.kind === "statefulset"
    ? createStatefulSetPostgres(name, parent, { ...args, database: db }, password)
    : createCloudNativePg(name, parent, { ...args, database: db }, password);
}

/**
 * Orthanc and the dumps log in as Orthanc's own role, which the server's container makes the owner
 * of the database at every start; the administrator's password is in a Secret only the server's
 * pod mounts. The owner reads every object of the database, so its dumps are complete.
 */
function createStatefulSetPostgres(
  name: string,
  parent: pulumi.Resource,
  args: DatabaseArgs & { database: StatefulSetDatabase },
  password: pulumi.Output<string>,
): Database {
  const { ns, database: db } = args;
  const appPassword = args.appRolePassword;
  if (!appPassword)
    throw new pulumi.ResourceError("no password was generated for Orthanc's database role", parent);
  const inNs = { parent, dependsOn: ns.dependsOn };
  const secretName = `${APP}-postgres`;
  const secret = new k8s.core.v1.Secret(
    `${name}-postgres-password`,
    { metadata: ns.meta(secretName, "postgres"), stringData: { password } },
    inNs,
  );
  const appSecretName = `${APP}-postgres-app`;
  const appSecret = new k8s.core.v1.Secret(
    `${name}-postgres-app-password`,
    { metadata: ns.meta(appSecretName, "postgres"), stringData: { password: appPassword } },
    inNs,
  );
  const scripts = new k8s.core.v1.ConfigMap(
    `${name}-postgres-scripts`,
    postgresScriptsConfigMap({ name: APP, namespace: ns.name, appRole: ORTHANC_APP_ROLE }),
    inNs,
  );
  const tls = createPostgresCertificate(name, parent, ns);
  const hba = new k8s.core.v1.ConfigMap(
    `${name}-postgres-hba`,
    postgresHbaConfigMap({ name: APP, namespace: ns.name }),
    inNs,
  );
  new k8s.apps.v1.StatefulSet(
    `${name}-postgres`,
    postgresStatefulSet({
      name: APP,
      namespace: ns.name,
      image: db.image,
      secretName,
      storageGiB: db.storageGiB,
      storageClass: db.storageClass,
      database: DB_NAME,
      user: DB_USER,
      appRole: ORTHANC_APP_ROLE,
      appSecretName,
      tlsSecretName: tls.secretName,
    }),
    {
      ...inNs,
      dependsOn: [...ns.dependsOn, secret, appSecret, scripts, tls.certificate, hba],
      ...keptData(args.protectData),
    },
  );
  new k8s.core.v1.Service(
    `${name}-postgres`,
    postgresService({ name: APP, namespace: ns.name }),
    inNs,
  );
  // Daily dumps into a PVC of their own, kept like the data.
  const claim = postgresBackupClaim({
    name: APP,
    namespace: ns.name,
    storageGiB: db.storageGiB,
    storageClass: db.storageClass,
  });
  const backups = new k8s.core.v1.PersistentVolumeClaim(`${name}-postgres-backups`, claim, {
    ...inNs,
    ...keptData(args.protectData),
  });
  new k8s.batch.v1.CronJob(
    `${name}-postgres-backup`,
    postgresBackupCronJob({
      name: APP,
      namespace: ns.name,
      image: db.image,
      secretName: appSecretName,
      database: DB_NAME,
      user: ORTHANC_APP_ROLE,
      tlsSecretName: tls.secretName,
      claimName: `${APP}-postgres-backups`,
      schedule: "0 3 * * *",
      retentionDays: 14,
    }),
    { ...inNs, dependsOn: [...ns.dependsOn, backups, appSecret, tls.certificate] },
  );
  // The server refuses TCP without TLS; the certificate names this address.
  return {
    endpoint: ownPostgres(
      `${APP}-postgres.${ns.name}.svc`,
      true,
      db.connectionsPerReplica,
      ORTHANC_APP_ROLE,
    ),
    password: appPassword,
    podSelector: labels(APP, "postgres"),
    dumps: true,
    egressPorts: [],
    caSecretName: tls.secretName,
  };
}

/**
 * The StatefulSet's certificate from a CA private to the namespace: a self-signed Issuer signs
 * the CA, a CA Issuer signs the server's certificate with it. cert-manager renews both.
 */
function createPostgresCertificate(
  name: string,
  parent: pulumi.Resource,
  ns: InNamespace,
): { secretName: string; certificate: pulumi.Resource } {
  const inNs = { parent, dependsOn: ns.dependsOn };
  const a = { name: APP, namespace: ns.name };
  const selfSigned = new k8s.apiextensions.CustomResource(
    `${name}-postgres-selfsigned`,
    postgresSelfSignedIssuer(a),
    inNs,
  );
  const ca = new k8s.apiextensions.CustomResource(`${name}-postgres-ca`, postgresCaCertificate(a), {
    parent,
    dependsOn: [...ns.dependsOn, selfSigned],
  });
  const caIssuer = new k8s.apiextensions.CustomResource(
    `${name}-postgres-ca-issuer`,
    postgresCaIssuer(a),
    { parent, dependsOn: [...ns.dependsOn, ca] },
  );
  const certificate = new k8s.apiextensions.CustomResource(
    `${name}-postgres-tls`,
    postgresServerCertificate(a),
    { parent, dependsOn: [...ns.dependsOn, caIssuer] },
  );
  return { secretName: postgresTlsNames(APP).server, certificate };
}

function createCloudNativePg(
  name: string,
  parent: pulumi.Resource,
  args: DatabaseArgs & { database: CloudNativePgDatabase },
  password: pulumi.Output<string>,
): Database {
  const { ns, database: db } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  // Point-in-time backups to the same bucket as the DICOM files, when there is one.
  const backupTarget = args.backupBucket
    ? createBackupTarget(name, parent, ns, args.backupBucket)
    : undefined;
  const backupStore = backupTarget && barmanObjectStore(backupTarget);
  const ownerSecretName = `${APP}-db-owner`;
  const owner = new k8s.core.v1.Secret(
    `${name}-postgres-owner`,
    {
      metadata: ns.meta(ownerSecretName, "postgres"),
      type: "kubernetes.io/basic-auth",
      stringData: { username: DB_USER, password },
    },
    inNs,
  );
  const cluster = new k8s.apiextensions.CustomResource(
    `${name}-postgres`,
    cnpgCluster({
      name: APP,
      namespace: ns.name,
      instances: db.instances,
      storageGiB: db.storageGiB,
      storageClass: db.storageClass,
      database: DB_NAME,
      owner: DB_USER,
      ownerSecretName,
      maxConnections: OWN_POSTGRES_MAX_CONNECTIONS,
      backup: backupStore,
    }),
    { ...inNs, dependsOn: [...ns.dependsOn, owner], ...keptData(args.protectData) },
  );
  if (backupStore)
    new k8s.apiextensions.CustomResource(
      `${name}-postgres-backup`,
      cnpgScheduledBackup({ name: APP, namespace: ns.name }),
      { ...inNs, dependsOn: [...ns.dependsOn, cluster] },
    );
  // CloudNativePG serves TLS with its own CA; `-rw` always points at the primary.
  return {
    endpoint: ownPostgres(
      `${cnpgClusterName(APP)}-rw.${ns.name}.svc`,
      true,
      db.connectionsPerReplica,
    ),
    password,
    podSelector: labels(APP, "postgres"),
    dumps: false,
    egressPorts: [],
    backupTarget,
  };
}

/** Where CloudNativePG (Barman) writes base backups and WAL, and the Secret with its keys. */
function createBackupTarget(
  name: string,
  parent: pulumi.Resource,
  ns: InNamespace,
  s3: BackupBucket,
): BarmanTarget {
  const keysSecretName = `${APP}-db-backup-keys`;
  new k8s.core.v1.Secret(
    `${name}-postgres-backup-keys`,
    {
      metadata: ns.meta(keysSecretName, "postgres"),
      stringData: { ACCESS_KEY_ID: s3.accessKeyId, ACCESS_SECRET_KEY: s3.secretAccessKey },
    },
    { parent, dependsOn: ns.dependsOn },
  );
  return { bucket: s3.bucket, prefix: s3.prefix, endpoint: s3.endpoint, keysSecretName };
}
