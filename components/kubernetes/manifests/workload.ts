/**
 * Orthanc's workload as plain data: the Deployment (its pod, init container and container), the
 * in-cluster Service, and, when it scales, its PodDisruptionBudget and HorizontalPodAutoscaler.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import {
  ORTHANC_PATHS,
  ORTHANC_UID,
  PLUGINS_SPACE_MIB,
  PROBE_COMMAND,
} from "../../shared/orthancImage";
import { labels, objectMeta, restrictedContainer, restrictedPod } from "./conventions";
import { dicomTlsMounts, dicomTlsVolume } from "./dicomTls";

type Probe = k8s.types.input.core.v1.Probe;
type Volume = k8s.types.input.core.v1.Volume;
type ContainerPort = k8s.types.input.core.v1.ContainerPort;
type ServicePort = k8s.types.input.core.v1.ServicePort;

export interface OrthancPodSpec {
  /** The instance name: the Deployment's and Service's name, and every label's instance. */
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** Replicas at creation (an autoscaler takes over afterwards). */
  readonly replicas: number;
  readonly httpPort: number;
  /** Orthanc's DICOM port; undefined when DICOM is off. */
  readonly dicomPort?: number;
  /** The image's environment (plugin switches); never a secret. */
  readonly environment: Record<string, string>;
  /** ConfigMap holding `orthanc.json`. */
  readonly configMapName: string;
  /** Secret holding `credentials.json`. */
  readonly credentialsSecretName: string;
  /** Secret holding the storage-encryption master key (key `master-key`). */
  readonly storageKeySecretName?: string;
  /** PVC for DICOM files; undefined with S3 storage. */
  readonly storageClaimName?: string;
  /**
   * Secret whose `ca.crt` signed the database server's certificate (the StatefulSet's CA): with
   * it, the PostgreSQL plugin's TLS (`sslmode=require`) also verifies the server.
   */
  readonly postgresCaSecretName?: string;
  readonly serviceAccountName: string;
  /** Requests; the memory request is also the limit. */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /**
   * Orthanc's DICOM TLS: the Secret with tls.crt/tls.key, and the one with the modalities' CAs
   * (ca.crt) for mutual TLS. Undefined: plain DICOM.
   */
  readonly dicomTls?: { readonly certificateSecret: string; readonly clientsSecret?: string };
  /** Hash of the rendered configuration and credentials: a change rolls the pods. */
  readonly configChecksum: pulumi.Input<string>;
  /**
   * Under access control there is no probe user: the probes ask this path on the HTTP port,
   * which the authorization plugin lets through without credentials. Undefined: the image's probe.
   */
  readonly uncheckedProbePath?: string;
}

/** The size limit of each of Orthanc's emptyDirs. */
export const ORTHANC_EMPTY_DIR_LIMITS = {
  /** The merged configuration and Orthanc's temporary files (asynchronous ZIP and media jobs). */
  tmp: "2Gi",
  plugins: `${PLUGINS_SPACE_MIB}Mi`,
  /** The storage directory with S3 storage and a PostgreSQL index: Orthanc writes nothing there. */
  storage: "64Mi",
} as const;

/**
 * A random host id, one per pod (the init container runs once for each): 4 random bytes, which is
 * what glibc's gethostid() reads from /etc/hostid (the image's 8 hex digits as text would give
 * only their first 4 characters, 16 bits).
 */
export const HOST_ID_SCRIPT = "head -c 4 /dev/urandom > /hostid/hostid";

/**
 * Where Orthanc finds the database's CA certificate. libpq reads PGSSLROOTCERT, and with a root
 * certificate there `sslmode=require` (the plugin's `EnableSsl`) checks the server's chain as
 * `verify-ca` does; without one it encrypts without checking.
 */
export const ORTHANC_POSTGRES_CA_DIR = "/etc/postgresql-ca";
export const ORTHANC_POSTGRES_CA = `${ORTHANC_POSTGRES_CA_DIR}/ca.crt`;

export function orthancDeployment(s: OrthancPodSpec): k8s.types.input.apps.v1.Deployment {
  const secretFiles = [
    ORTHANC_PATHS.credentials,
    ...(s.storageKeySecretName ? [ORTHANC_PATHS.storageMasterKey] : []),
  ];
  const probe = (periodSeconds: number, failureThreshold: number): Probe => ({
    // The image's probe logs in as the generated probe user and touches the database; under
    // access control there is no such user, and an unchecked path answers without one.
    ...(s.uncheckedProbePath
      ? { httpGet: { path: s.uncheckedProbePath, port: "http" } }
      : { exec: { command: [...PROBE_COMMAND] } }),
    periodSeconds,
    timeoutSeconds: 10,
    failureThreshold,
  });
  const volumes: Volume[] = [
    {
      name: "config",
      configMap: { name: s.configMapName, items: [{ key: "orthanc.json", path: "orthanc.json" }] },
    },
    {
      name: "secrets",
      projected: {
        defaultMode: 0o400,
        sources: [
          {
            secret: {
              name: s.credentialsSecretName,
              items: [{ key: "credentials.json", path: "orthanc-credentials.json" }],
            },
          },
          ...(s.storageKeySecretName
            ? [
                {
                  secret: {
                    name: s.storageKeySecretName,
                    items: [{ key: "master-key", path: "orthanc-storage-master-key" }],
                  },
                },
              ]
            : []),
        ],
      },
    },
    ...(s.dicomTls ? [dicomTlsVolume(s.dicomTls)] : []),
    // The image writes its merged configuration to /tmp, where Orthanc also keeps the archives
    // of asynchronous jobs, and copies the enabled plugins into /run/orthanc/plugins. A pod
    // whose emptyDir outgrows its limit is evicted, so each has room for what is written there.
    { name: "tmp", emptyDir: { sizeLimit: ORTHANC_EMPTY_DIR_LIMITS.tmp } },
    { name: "plugins", emptyDir: { sizeLimit: ORTHANC_EMPTY_DIR_LIMITS.plugins } },
    // This pod's own host id, written by the init container (the root file system is read-only).
    { name: "hostid", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ...(s.storageClaimName
      ? [{ name: "storage", persistentVolumeClaim: { claimName: s.storageClaimName } }]
      : [{ name: "storage", emptyDir: { sizeLimit: ORTHANC_EMPTY_DIR_LIMITS.storage } }]),
    // The CA certificate only, never the server's key of the same Secret.
    ...(s.postgresCaSecretName
      ? [
          {
            name: "postgres-ca",
            secret: {
              secretName: s.postgresCaSecretName,
              defaultMode: 0o444,
              items: [{ key: "ca.crt", path: "ca.crt" }],
            },
          },
        ]
      : []),
  ];
  const ports: ContainerPort[] = [{ name: "http", containerPort: s.httpPort, protocol: "TCP" }];
  if (s.dicomPort) ports.push({ name: "dicom", containerPort: s.dicomPort, protocol: "TCP" });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(s.name, s.namespace, s.name, "orthanc"),
    spec: {
      replicas: s.replicas,
      // Never two image versions on one database: the PostgreSQL plugin migrates its schema.
      strategy: { type: "Recreate" },
      selector: { matchLabels: labels(s.name, "orthanc") },
      template: {
        metadata: {
          labels: labels(s.name, "orthanc"),
          annotations: { "checksum/config": s.configChecksum },
        },
        spec: {
          serviceAccountName: s.serviceAccountName,
          automountServiceAccountToken: false,
          // Injected *_PORT variables would trip the image's legacy-variable check.
          enableServiceLinks: false,
          securityContext: restrictedPod(ORTHANC_UID),
          ...(s.replicas > 1
            ? {
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: "kubernetes.io/hostname",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: labels(s.name, "orthanc") },
                  },
                ],
              }
            : {}),
          // DCMTK builds the DICOM UIDs Orthanc generates from gethostid(), that is /etc/hostid:
          // every replica needs its own, which the image cannot write on a read-only root.
          initContainers: [
            {
              name: "hostid",
              image: s.image,
              command: ["/bin/sh", "-c", HOST_ID_SCRIPT],
              volumeMounts: [{ name: "hostid", mountPath: "/hostid" }],
              securityContext: restrictedContainer,
              resources: {
                requests: { cpu: "10m", memory: "16Mi" },
                limits: { memory: "16Mi" },
              },
            },
          ],
          containers: [
            {
              name: "orthanc",
              image: s.image,
              env: [
                ...Object.entries(s.environment).map(([name, value]) => ({ name, value })),
                // The init container generated this pod's /etc/hostid; the entrypoint must not
                // try to write it on the read-only root.
                { name: "GENERATE_HOST_ID_IF_MISSING", value: "false" },
                ...(s.postgresCaSecretName
                  ? [{ name: "PGSSLROOTCERT", value: ORTHANC_POSTGRES_CA }]
                  : []),
              ],
              ports,
              volumeMounts: [
                { name: "config", mountPath: ORTHANC_PATHS.configDir, readOnly: true },
                // File by file, so /run/secrets (/var/run/secrets in the image) stays an ordinary
                // folder where a pod role's token (IRSA, EKS Pod Identity) can still be mounted.
                ...secretFiles.map((path) => ({
                  name: "secrets",
                  mountPath: path,
                  subPath: path.split("/").pop(),
                  readOnly: true,
                })),
                ...(s.dicomTls ? dicomTlsMounts() : []),
                { name: "hostid", mountPath: "/etc/hostid", subPath: "hostid", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                { name: "plugins", mountPath: "/run/orthanc/plugins" },
                { name: "storage", mountPath: ORTHANC_PATHS.storage },
                ...(s.postgresCaSecretName
                  ? [
                      {
                        name: "postgres-ca",
                        mountPath: ORTHANC_POSTGRES_CA_DIR,
                        readOnly: true,
                      },
                    ]
                  : []),
              ],
              securityContext: restrictedContainer,
              resources: {
                requests: { cpu: s.resources.cpu, memory: s.resources.memory },
                limits: { memory: s.resources.memory },
              },
              // PostgreSQL plugin migrations can take minutes on a large index: up to 10 to start.
              startupProbe: probe(10, 60),
              readinessProbe: probe(10, 3),
              livenessProbe: probe(30, 3),
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** HTTP (and DICOM, when on) inside the cluster, to Orthanc's pods. */
export function orthancService(
  s: Pick<OrthancPodSpec, "name" | "namespace" | "httpPort" | "dicomPort">,
): k8s.types.input.core.v1.Service {
  const ports: ServicePort[] = [
    { name: "http", port: s.httpPort, targetPort: "http", protocol: "TCP" },
  ];
  if (s.dicomPort)
    ports.push({ name: "dicom", port: s.dicomPort, targetPort: "dicom", protocol: "TCP" });
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(s.name, s.namespace, s.name, "orthanc"),
    spec: { type: "ClusterIP", selector: labels(s.name, "orthanc"), ports },
  };
}

/** At most one of Orthanc's pods down at a time for voluntary disruptions (node drains). */
export function orthancDisruptionBudget(
  s: Pick<OrthancPodSpec, "name" | "namespace">,
): k8s.types.input.policy.v1.PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: objectMeta(s.name, s.namespace, s.name, "orthanc"),
    spec: { maxUnavailable: 1, selector: { matchLabels: labels(s.name, "orthanc") } },
  };
}

export interface AutoscalingArgs {
  /** Replicas the autoscaler never goes below. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the request, that the autoscaler aims at. */
  readonly targetCpuPercent: number;
}

/** Scales Orthanc's Deployment on CPU use. */
export function orthancAutoscaler(
  s: Pick<OrthancPodSpec, "name" | "namespace">,
  a: AutoscalingArgs,
): k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: objectMeta(s.name, s.namespace, s.name, "orthanc"),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: s.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: a.targetCpuPercent },
          },
        },
      ],
    },
  };
}
