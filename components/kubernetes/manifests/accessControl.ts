/**
 * Access control's workloads on Kubernetes as plain data: Keycloak (its Deployment, Service and
 * the Secret holding its secret options and the realm), its own PostgreSQL StatefulSet, and the
 * orthanc-auth-service (its Deployment, Service, Secret and ConfigMap). Every document is
 * rendered by components/shared/accessControl.ts; this file only places them in pods.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
  AccessControlArgs,
  AccessControlSecretValues,
  ANONYMOUS_PROFILE,
  AUTH_SERVICE_COMMAND,
  AUTH_SERVICE_PATHS,
  AUTH_SERVICE_PORT,
  KEYCLOAK_COMMAND,
  KEYCLOAK_DATABASE,
  KEYCLOAK_HEALTH_PATH,
  KEYCLOAK_HTTP_PORT,
  KEYCLOAK_MANAGEMENT_PORT,
  KEYCLOAK_PATH,
  KEYCLOAK_PATHS,
  KEYCLOAK_UID,
  renderKeycloakConf,
  renderPermissions,
  renderRealm,
} from "../../shared/accessControl";
import { postgresBackupCronJob, postgresImageEnv } from "./postgres";
import {
  labels,
  objectMeta,
  POSTGRES_UID,
  restrictedContainer,
  restrictedPod,
} from "./conventions";

type Named = { readonly name: string; readonly namespace: string };
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** The service's image runs as nobody: it only reads its files and its environment. */
export const AUTH_SERVICE_UID = 65534;

/** The parts' label components: each part's pods are told apart by them (network policies). */
export const ACCESS_CONTROL_COMPONENTS = {
  keycloak: "keycloak",
  authService: "auth-service",
  keycloakDatabase: "keycloak-postgres",
  /** The daily dumps of Keycloak's StatefulSet. */
  keycloakBackup: "keycloak-backup",
} as const;

/** The objects' names in the namespace, from the instance name (`orthanc`). */
export const accessControlNames = (name: string) => ({
  /** Keycloak's Deployment, Service and Secret. */
  keycloak: `${name}-keycloak`,
  /** The service's Deployment, Service, Secret and ConfigMap. */
  authService: `${name}-auth-service`,
  /** Keycloak's PostgreSQL StatefulSet, its Service and its password's Secret. */
  keycloakPostgres: `${name}-keycloak-postgres`,
  /** Or Keycloak's CloudNativePG Cluster (its primary's Service: `<cluster>-rw`). */
  keycloakCluster: `${name}-keycloak-db`,
  /** The StatefulSet's daily dumps: the CronJob and its PVC. */
  keycloakBackup: `${name}-keycloak-postgres-backup`,
  keycloakBackups: `${name}-keycloak-postgres-backups`,
});

/** The pods' labels of each part. */
export const accessControlLabels = (name: string) => ({
  keycloak: labels(name, ACCESS_CONTROL_COMPONENTS.keycloak),
  authService: labels(name, ACCESS_CONTROL_COMPONENTS.authService),
  keycloakDatabase: labels(name, ACCESS_CONTROL_COMPONENTS.keycloakDatabase),
  keycloakBackup: labels(name, ACCESS_CONTROL_COMPONENTS.keycloakBackup),
});

/** The keys of Keycloak's Secret: its secret options and the realm it imports. */
export const KEYCLOAK_SECRET_KEYS = { conf: "keycloak.conf", realm: "realm.json" } as const;

/** Keycloak's Secret's data (secret: the database and admin passwords, the realm's secrets). */
export function keycloakSecretData(
  a: AccessControlArgs,
  s: AccessControlSecretValues,
): Record<string, string> {
  return {
    [KEYCLOAK_SECRET_KEYS.conf]: renderKeycloakConf(s),
    [KEYCLOAK_SECRET_KEYS.realm]: JSON.stringify(renderRealm(a, s), null, 2),
  };
}

/** The service's ConfigMap's data: its permissions and its anonymous profile (nothing secret). */
export function authServiceConfigData(
  a: Pick<AccessControlArgs, "roles" | "availableLabels">,
): Record<string, string> {
  return {
    [fileName(AUTH_SERVICE_PATHS.permissions)]: JSON.stringify(renderPermissions(a), null, 2),
    [fileName(AUTH_SERVICE_PATHS.anonymousProfile)]: JSON.stringify(ANONYMOUS_PROFILE, null, 2),
  };
}

const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const dirName = (path: string) => path.slice(0, path.lastIndexOf("/"));
const envOf = (environment: Record<string, string>): EnvVar[] =>
  Object.entries(environment).map(([name, value]) => ({ name, value }));

/** What a part's pod is made of (Keycloak's, the auth service's). */
export interface PartPodSpec extends Named {
  readonly image: string;
  /** `keycloakEnvironment(...)` or `authServiceEnvironment(...)`: never a secret. */
  readonly environment: Record<string, string>;
  /** A digest of its Secret's (and ConfigMap's) data: a new realm or password rolls the pod. */
  readonly configChecksum: pulumi.Input<string>;
}

/**
 * One replica of a part: its own labels, rolled when its configuration's digest changes, no API
 * token and no service links (the image would read them as configuration), restricted as `uid`.
 */
function partDeployment(
  s: PartPodSpec,
  part: "keycloak" | "authService",
  pod: {
    uid: number;
    /** Replaced rather than rolled: two versions must not share what one of them migrates. */
    recreate?: boolean;
    container: k8s.types.input.core.v1.Container;
    volumes: k8s.types.input.core.v1.Volume[];
  },
): k8s.types.input.apps.v1.Deployment {
  const sel = accessControlLabels(s.name)[part];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(
      accessControlNames(s.name)[part],
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS[part],
    ),
    spec: {
      replicas: 1,
      ...(pod.recreate ? { strategy: { type: "Recreate" } } : {}),
      selector: { matchLabels: sel },
      template: {
        metadata: { labels: sel, annotations: { "checksum/config": s.configChecksum } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPod(pod.uid),
          containers: [pod.container],
          volumes: pod.volumes,
        },
      },
    },
  };
}

/**
 * Keycloak: one replica (several would need Infinispan's discovery between them), replaced
 * rather than rolled (two versions must not migrate one database), its secret options and the
 * realm from one Secret, file by file, health on the management port, which no Service exposes.
 */
export function keycloakDeployment(s: PartPodSpec): k8s.types.input.apps.v1.Deployment {
  const n = accessControlNames(s.name);
  const health = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: "management" },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  return partDeployment(s, "keycloak", {
    uid: KEYCLOAK_UID,
    recreate: true,
    container: {
      name: "keycloak",
      image: s.image,
      args: [...KEYCLOAK_COMMAND],
      env: envOf(s.environment),
      ports: [
        { name: "http", containerPort: KEYCLOAK_HTTP_PORT, protocol: "TCP" },
        { name: "management", containerPort: KEYCLOAK_MANAGEMENT_PORT, protocol: "TCP" },
      ],
      volumeMounts: [
        ...(["conf", "realm"] as const).map((k) => ({
          name: "config",
          mountPath: KEYCLOAK_PATHS[k],
          subPath: KEYCLOAK_SECRET_KEYS[k],
          readOnly: true,
        })),
        { name: "tmp", mountPath: "/tmp" },
      ],
      // `start` re-builds the server into /opt/keycloak/lib (the upstream image is not
      // built for PostgreSQL) and keeps its caches in /opt/keycloak/data: an emptyDir
      // there would hide the image's own files, so the root stays writable (the
      // restricted profile does not require it read-only); all else is restricted.
      securityContext: { ...restrictedContainer, readOnlyRootFilesystem: false },
      resources: {
        requests: { cpu: "250m", memory: "768Mi" },
        limits: { memory: "1536Mi" },
      },
      // The build at start and the first migration of its database take minutes.
      startupProbe: health(KEYCLOAK_HEALTH_PATH, 10, 60),
      readinessProbe: health(KEYCLOAK_HEALTH_PATH, 10, 3),
      // Alive is not ready: a database outage must not restart Keycloak in a loop.
      livenessProbe: health(`${KEYCLOAK_PATH}/health/live`, 30, 3),
    },
    volumes: [
      {
        name: "config",
        secret: {
          secretName: n.keycloak,
          defaultMode: 0o400,
          items: Object.values(KEYCLOAK_SECRET_KEYS).map((key) => ({ key, path: key })),
        },
      },
      { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
    ],
  });
}

/** A part's `http` port inside the cluster only, on the port it listens on. */
function httpService(
  s: Named,
  part: "keycloak" | "authService",
  port: number,
): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(
      accessControlNames(s.name)[part],
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS[part],
    ),
    spec: {
      type: "ClusterIP",
      selector: accessControlLabels(s.name)[part],
      ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/** Keycloak's HTTP port inside the cluster; the management port (health) stays in the pod. */
export const keycloakService = (s: Named) => httpService(s, "keycloak", KEYCLOAK_HTTP_PORT);

/**
 * The orthanc-auth-service: its secrets as the files it reads first (`/run/secrets/<NAME>`, the
 * Secret's keys), its permissions and anonymous profile read-only from a ConfigMap, a read-only
 * root. It exits while Keycloak is not ready; the kubelet restarts it until Keycloak answers.
 */
export function authServiceDeployment(s: PartPodSpec): k8s.types.input.apps.v1.Deployment {
  const n = accessControlNames(s.name);
  const probe = (periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: "/openapi.json", port: "http" },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  return partDeployment(s, "authService", {
    uid: AUTH_SERVICE_UID,
    container: {
      name: "auth-service",
      image: s.image,
      command: [...AUTH_SERVICE_COMMAND],
      env: envOf(s.environment),
      ports: [{ name: "http", containerPort: AUTH_SERVICE_PORT, protocol: "TCP" }],
      volumeMounts: [
        { name: "secrets", mountPath: AUTH_SERVICE_PATHS.secretsDir, readOnly: true },
        {
          name: "config",
          mountPath: dirName(AUTH_SERVICE_PATHS.permissions),
          readOnly: true,
        },
        { name: "tmp", mountPath: "/tmp" },
      ],
      securityContext: restrictedContainer,
      resources: {
        requests: { cpu: "50m", memory: "128Mi" },
        limits: { memory: "256Mi" },
      },
      startupProbe: probe(5, 24),
      readinessProbe: probe(10, 3),
      livenessProbe: probe(30, 3),
    },
    volumes: [
      // Files named by the Secret's keys; 0400, group-readable through the pod's fsGroup.
      { name: "secrets", secret: { secretName: n.authService, defaultMode: 0o400 } },
      { name: "config", configMap: { name: n.authService } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ],
  });
}

/** The service inside the cluster only (Orthanc's plugin is its only client). */
export const authServiceService = (s: Named) => httpService(s, "authService", AUTH_SERVICE_PORT);

/** The service's ConfigMap: permissions and anonymous profile, by their file names. */
export function authServiceConfigMap(
  s: Named,
  a: Pick<AccessControlArgs, "roles" | "availableLabels">,
): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: objectMeta(
      accessControlNames(s.name).authService,
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS.authService,
    ),
    data: authServiceConfigData(a),
  };
}

export interface KeycloakPostgresSpec extends Named {
  readonly image: string;
  readonly storageGiB: number;
  readonly storageClass?: string;
}

/**
 * Keycloak's own PostgreSQL: the image's superuser (`KEYCLOAK_DATABASE.username`) owns the one
 * database Keycloak uses, passwords as SCRAM only, its own volume kept when the StatefulSet goes.
 * Plain TCP inside the namespace: only Keycloak's pods may reach it (network policies), and SCRAM
 * never sends the password.
 */
export function keycloakPostgresStatefulSet(
  s: KeycloakPostgresSpec,
): k8s.types.input.apps.v1.StatefulSet {
  const n = accessControlNames(s.name);
  const sel = accessControlLabels(s.name).keycloakDatabase;
  const ready = [
    "pg_isready",
    "-h",
    "127.0.0.1",
    "-U",
    KEYCLOAK_DATABASE.username,
    "-d",
    KEYCLOAK_DATABASE.database,
  ];
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: objectMeta(
      n.keycloakPostgres,
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS.keycloakDatabase,
    ),
    spec: {
      serviceName: n.keycloakPostgres,
      replicas: 1,
      selector: { matchLabels: sel },
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
              image: s.image,
              env: postgresImageEnv(KEYCLOAK_DATABASE.username, KEYCLOAK_DATABASE.database),
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
              resources: {
                requests: { cpu: "100m", memory: "256Mi" },
                limits: { memory: "512Mi" },
              },
            },
          ],
          volumes: [
            {
              name: "password",
              secret: {
                secretName: n.keycloakPostgres,
                defaultMode: 0o400,
                items: [{ key: "password", path: "password" }],
              },
            },
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
            ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
            resources: { requests: { storage: `${s.storageGiB}Gi` } },
          },
        },
      ],
    },
  };
}

/** The StatefulSet's stable address, `<name>-keycloak-postgres`, port 5432. */
export function keycloakPostgresService(s: Named): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(
      accessControlNames(s.name).keycloakPostgres,
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS.keycloakDatabase,
    ),
    spec: {
      type: "ClusterIP",
      selector: accessControlLabels(s.name).keycloakDatabase,
      ports: [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }],
    },
  };
}

/** Where Keycloak's dumps go: a volume of its own, twice the database's size. */
export function keycloakPostgresBackupClaim(
  s: Named & Pick<KeycloakPostgresSpec, "storageGiB" | "storageClass">,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: objectMeta(
      accessControlNames(s.name).keycloakBackups,
      s.namespace,
      s.name,
      ACCESS_CONTROL_COMPONENTS.keycloakBackup,
    ),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(s.storageClass ? { storageClassName: s.storageClass } : {}),
      resources: { requests: { storage: `${s.storageGiB * 2}Gi` } },
    },
  };
}

/**
 * A daily dump of Keycloak's database (users, their credentials and roles) at 03:30 UTC, after
 * Orthanc's, into its own PVC, as its superuser (the owner: the dump is complete).
 */
export function keycloakPostgresBackupCronJob(
  s: Named & Pick<KeycloakPostgresSpec, "image">,
): k8s.types.input.batch.v1.CronJob {
  const n = accessControlNames(s.name);
  return postgresBackupCronJob({
    ...s,
    secretName: n.keycloakPostgres,
    database: KEYCLOAK_DATABASE.database,
    user: KEYCLOAK_DATABASE.username,
    claimName: n.keycloakBackups,
    schedule: "30 3 * * *",
    retentionDays: 14,
    server: {
      host: n.keycloakPostgres,
      cronJobName: n.keycloakBackup,
      component: ACCESS_CONTROL_COMPONENTS.keycloakBackup,
      dumpPrefix: "keycloak",
    },
  });
}
