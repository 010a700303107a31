import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  AccessControlArgs,
  AccessControlSecretValues,
  AUTH_SERVICE_PORT,
  authServiceEnvironment,
  authServiceSecretFiles,
  KEYCLOAK_DATABASE,
  KEYCLOAK_HTTP_PORT,
  keycloakEnvironment,
} from "../shared/accessControl";
import {
  AccessControlCredentials,
  AccessControlSecrets,
  secretValues,
} from "../shared/accessControlCredentials";
import type { OrthancAccessControl } from "../shared/orthancConfig";
import {
  ACCESS_CONTROL_COMPONENTS,
  accessControlNames,
  authServiceConfigData,
  authServiceConfigMap,
  authServiceDeployment,
  authServiceService,
  keycloakDeployment,
  keycloakPostgresBackupClaim,
  keycloakPostgresBackupCronJob,
  keycloakPostgresService,
  keycloakPostgresStatefulSet,
  keycloakSecretData,
  keycloakService,
} from "./manifests/accessControl";
import {
  barmanObjectStore,
  BarmanTarget,
  cnpgCluster,
  cnpgScheduledBackup,
} from "./manifests/cloudNativePg";
import { APP, InNamespace, keptData } from "./namespace";

/** Access control as the Kubernetes target takes it: the shared options and Keycloak's database. */
export interface KubernetesAccessControl extends AccessControlArgs {
  /**
   * Keycloak's own PostgreSQL: a StatefulSet, or a CloudNativePG Cluster (when that is the
   * stack's database kind, the operator being there).
   */
  readonly keycloakDatabase: "statefulset" | "cloudnativepg";
  /** StorageClass of its volume; the cluster's default when undefined. */
  readonly storageClass?: string;
  /** Size of its volume; `KEYCLOAK_DATABASE_GIB` when undefined. */
  readonly storageGiB?: number;
}

/** Keycloak's database holds users, sessions and the realm: small. */
export const KEYCLOAK_DATABASE_GIB = 5;

export interface AccessControlPartsArgs {
  readonly ns: InNamespace;
  readonly accessControl: KubernetesAccessControl;
  /** Protect Keycloak's database (its volume, its cluster) like Orthanc's. */
  readonly protectData: boolean;
  /** Where Orthanc's CloudNativePG backs up: a CloudNativePG Keycloak backs up there too. */
  readonly backupTarget?: BarmanTarget;
}

/** What Orthanc, the edge, the network policies and the outputs need of access control. */
export interface AccessControl {
  /** Orthanc's side: its configuration's `Authorization` and Explorer 2's Keycloak settings. */
  readonly orthanc: OrthancAccessControl;
  /** The auth service's Basic password, which Orthanc's credentials document holds. */
  readonly servicePassword: pulumi.Output<string>;
  /** Keycloak's Service, which the edge routes under `/keycloak`. */
  readonly keycloak: { readonly service: string; readonly port: number };
  /** The first administrator of the realm and the initial password it must change. */
  readonly firstAdmin: { readonly username: string; readonly password: pulumi.Output<string> };
  /** Keycloak's database is dumped by a job of the namespace (the StatefulSet's). */
  readonly keycloakDumps: boolean;
}

/**
 * Access control's parts in the namespace: every secret generated once, Keycloak's database,
 * Keycloak, and the orthanc-auth-service Orthanc's authorization plugin asks.
 */
export function createAccessControl(
  name: string,
  parent: pulumi.Resource,
  args: AccessControlPartsArgs,
): AccessControl {
  const a = args.accessControl;
  const credentials = new AccessControlCredentials(`${name}-access-control-credentials`, {
    parent,
  });
  const values = secretValues(credentials.secrets);
  const database = createKeycloakDatabase(name, parent, { ...args, secrets: credentials.secrets });
  const keycloak = createKeycloak(name, parent, { ...args, values, database });
  const authService = createAuthService(name, parent, {
    ...args,
    values,
    keycloakUrl: `http://${keycloak.service}:${KEYCLOAK_HTTP_PORT}`,
  });
  return {
    orthanc: {
      publicUrl: a.publicUrl,
      apiKeys: a.apiKeys,
      shares: a.shares,
      serviceUrl: `http://${authService.service}:${AUTH_SERVICE_PORT}/`,
    },
    servicePassword: credentials.secrets.servicePassword,
    keycloak: { service: keycloak.service, port: KEYCLOAK_HTTP_PORT },
    firstAdmin: {
      username: a.firstAdmin.username,
      password: credentials.secrets.firstAdminPassword,
    },
    keycloakDumps: database.dumps,
  };
}

/** A digest of what a pod reads, so a change rolls it; it reveals nothing of the secrets. */
const checksum = (documents: pulumi.Output<unknown>) =>
  pulumi.unsecret(
    documents.apply((d) => createHash("sha256").update(JSON.stringify(d)).digest("hex")),
  );

interface KeycloakDatabase {
  /** Keycloak's database host, in the namespace. */
  readonly host: string;
  /** What Keycloak waits for. */
  readonly resources: pulumi.Resource[];
  /** A dump job's pods also reach it. */
  readonly dumps: boolean;
}

/**
 * Keycloak's PostgreSQL, its volume kept like Orthanc's database's: a StatefulSet whose
 * superuser owns the database, or a CloudNativePG Cluster whose owner does.
 */
export function createKeycloakDatabase(
  name: string,
  parent: pulumi.Resource,
  args: AccessControlPartsArgs & { secrets: AccessControlSecrets },
): KeycloakDatabase {
  const { ns, accessControl: a } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const names = accessControlNames(APP);
  const component = ACCESS_CONTROL_COMPONENTS.keycloakDatabase;
  const storageGiB = a.storageGiB ?? KEYCLOAK_DATABASE_GIB;
  const password = args.secrets.keycloakDatabasePassword;
  if (a.keycloakDatabase === "cloudnativepg") {
    const clusterName = names.keycloakCluster;
    const ownerSecretName = `${clusterName}-owner`;
    const owner = new k8s.core.v1.Secret(
      `${name}-keycloak-postgres-owner`,
      {
        metadata: ns.meta(ownerSecretName, component),
        type: "kubernetes.io/basic-auth",
        stringData: { username: KEYCLOAK_DATABASE.username, password },
      },
      inNs,
    );
    const cluster = { name: clusterName, component };
    // Base backups and WAL beside Orthanc's, in their own folder of the bucket.
    const backup = args.backupTarget && barmanObjectStore(args.backupTarget, "keycloak-postgres");
    const resource = new k8s.apiextensions.CustomResource(
      `${name}-keycloak-postgres`,
      cnpgCluster({
        name: APP,
        namespace: ns.name,
        cluster,
        instances: 1,
        storageGiB,
        storageClass: a.storageClass,
        database: KEYCLOAK_DATABASE.database,
        owner: KEYCLOAK_DATABASE.username,
        ownerSecretName,
        maxConnections: 100,
        backup,
      }),
      { ...inNs, dependsOn: [...ns.dependsOn, owner], ...keptData(args.protectData) },
    );
    if (backup)
      new k8s.apiextensions.CustomResource(
        `${name}-keycloak-postgres-backup`,
        cnpgScheduledBackup({ name: APP, namespace: ns.name, cluster }),
        { ...inNs, dependsOn: [...ns.dependsOn, resource] },
      );
    // `-rw` always points at the primary.
    return { host: `${clusterName}-rw`, resources: [resource], dumps: false };
  }
  const secret = new k8s.core.v1.Secret(
    `${name}-keycloak-postgres-password`,
    { metadata: ns.meta(names.keycloakPostgres, component), stringData: { password } },
    inNs,
  );
  const s = { name: APP, namespace: ns.name };
  const statefulSet = new k8s.apps.v1.StatefulSet(
    `${name}-keycloak-postgres`,
    keycloakPostgresStatefulSet({
      ...s,
      image: a.images.postgres,
      storageGiB,
      storageClass: a.storageClass,
    }),
    { ...inNs, dependsOn: [...ns.dependsOn, secret], ...keptData(args.protectData) },
  );
  new k8s.core.v1.Service(`${name}-keycloak-postgres`, keycloakPostgresService(s), inNs);
  // Daily dumps into a PVC of their own, kept like the data.
  const backups = new k8s.core.v1.PersistentVolumeClaim(
    `${name}-keycloak-postgres-backups`,
    keycloakPostgresBackupClaim({ ...s, storageGiB, storageClass: a.storageClass }),
    { ...inNs, ...keptData(args.protectData) },
  );
  new k8s.batch.v1.CronJob(
    `${name}-keycloak-postgres-backup`,
    keycloakPostgresBackupCronJob({ ...s, image: a.images.postgres }),
    { ...inNs, dependsOn: [...ns.dependsOn, backups, secret] },
  );
  return { host: names.keycloakPostgres, resources: [statefulSet], dumps: true };
}

/**
 * Keycloak: its secret options and the realm in one Secret, the rest in its environment; it
 * imports the realm at its first start.
 */
export function createKeycloak(
  name: string,
  parent: pulumi.Resource,
  args: AccessControlPartsArgs & {
    values: pulumi.Output<AccessControlSecretValues>;
    database: KeycloakDatabase;
  },
): { service: string } {
  const { ns, accessControl: a } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const names = accessControlNames(APP);
  const s = { name: APP, namespace: ns.name };
  const data = pulumi.secret(args.values.apply((v) => keycloakSecretData(a, v)));
  const secret = new k8s.core.v1.Secret(
    `${name}-keycloak-config`,
    {
      metadata: ns.meta(names.keycloak, ACCESS_CONTROL_COMPONENTS.keycloak),
      stringData: data,
    },
    inNs,
  );
  new k8s.apps.v1.Deployment(
    `${name}-keycloak`,
    keycloakDeployment({
      ...s,
      image: a.images.keycloak,
      environment: keycloakEnvironment(a, { keycloakDatabase: args.database.host }),
      configChecksum: checksum(data),
    }),
    { ...inNs, dependsOn: [...ns.dependsOn, secret, ...args.database.resources] },
  );
  new k8s.core.v1.Service(`${name}-keycloak`, keycloakService(s), inNs);
  return { service: names.keycloak };
}

/**
 * The orthanc-auth-service: its secrets as files from a Secret, its permissions and anonymous
 * profile from a ConfigMap, Keycloak reached inside the namespace.
 */
export function createAuthService(
  name: string,
  parent: pulumi.Resource,
  args: AccessControlPartsArgs & {
    values: pulumi.Output<AccessControlSecretValues>;
    /** Keycloak as the service reaches it: `http://host:8080`. */
    keycloakUrl: string;
  },
): { service: string } {
  const { ns, accessControl: a } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const names = accessControlNames(APP);
  const s = { name: APP, namespace: ns.name };
  const files = pulumi.secret(args.values.apply((v) => authServiceSecretFiles(a, v)));
  const secret = new k8s.core.v1.Secret(
    `${name}-auth-service-secrets`,
    {
      metadata: ns.meta(names.authService, ACCESS_CONTROL_COMPONENTS.authService),
      stringData: files,
    },
    inNs,
  );
  const config = new k8s.core.v1.ConfigMap(
    `${name}-auth-service-config`,
    authServiceConfigMap(s, a),
    inNs,
  );
  new k8s.apps.v1.Deployment(
    `${name}-auth-service`,
    authServiceDeployment({
      ...s,
      image: a.images.authService,
      environment: authServiceEnvironment(a, { keycloak: args.keycloakUrl }),
      configChecksum: checksum(pulumi.all([files, authServiceConfigData(a)])),
    }),
    { ...inNs, dependsOn: [...ns.dependsOn, secret, config] },
  );
  new k8s.core.v1.Service(`${name}-auth-service`, authServiceService(s), inNs);
  return { service: names.authService };
}
