/**
 * The Kubernetes objects of the Orthanc target, as plain data: pure, validated against the
 * Kubernetes schema in tests, and handed as they are to @pulumi/kubernetes.
 */
import { ORTHANC_PATHS } from "../shared/orthancConfig";
import { dumpAndPrune } from "../shared/backup";
import { postgresCommand } from "../shared/postgresTuning";

type Obj = Record<string, unknown>;

export const ORTHANC_UID = 999;
export const POSTGRES_UID = 999;

export interface OrthancPodSpec {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  httpPort: number;
  dicomPort?: number;
  environment: Record<string, string>;
  configMapName: string;
  credentialsSecretName: string;
  /** Secret holding the storage-encryption master key (key `master-key`). */
  storageKeySecretName?: string;
  /** PVC for DICOM files; undefined with S3 storage. */
  storageClaimName?: string;
  serviceAccountName: string;
  resources: { cpu: string; memory: string };
  /** Hash of the rendered configuration and credentials: a change rolls the pods. */
  configChecksum: string;
}

export const labels = (name: string, component: string) => ({
  "app.kubernetes.io/name": "orthanc",
  "app.kubernetes.io/instance": name,
  "app.kubernetes.io/component": component,
});

/** Pod-level settings of the restricted Pod Security profile, running as `uid`. */
const restrictedPod = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: "RuntimeDefault" },
});

const restrictedContainer = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * A random host id, one per pod (the init container runs once for each): 4 random bytes, which is
 * what glibc's gethostid() reads from /etc/hostid (the image's 8 hex digits as text would give
 * only their first 4 characters, 16 bits).
 */
export const HOST_ID_SCRIPT = "head -c 4 /dev/urandom > /hostid/hostid";

export function orthancDeployment(s: OrthancPodSpec): Obj {
  const secretFiles = [
    ORTHANC_PATHS.credentials,
    ...(s.storageKeySecretName ? [ORTHANC_PATHS.storageMasterKey] : []),
  ];
  const probe = (periodSeconds: number, failureThreshold: number) => ({
    // The image's probe logs in as the generated probe user and touches the database.
    exec: { command: ["/probes/test-aliveness.py", "--user=healthcheck"] },
    periodSeconds,
    timeoutSeconds: 10,
    failureThreshold,
  });
  const volumes: Obj[] = [
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
    // The image writes its merged configuration to /tmp and links plugins into /run/orthanc.
    { name: "tmp", emptyDir: {} },
    { name: "plugins", emptyDir: {} },
    // This pod's own host id, written by the init container (the root file system is read-only).
    { name: "hostid", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ...(s.storageClaimName
      ? [{ name: "storage", persistentVolumeClaim: { claimName: s.storageClaimName } }]
      : [{ name: "storage", emptyDir: {} }]),
  ];
  const ports = [{ name: "http", containerPort: s.httpPort, protocol: "TCP" }];
  if (s.dicomPort) ports.push({ name: "dicom", containerPort: s.dicomPort, protocol: "TCP" });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: s.name, namespace: s.namespace, labels: labels(s.name, "orthanc") },
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
                { name: "hostid", mountPath: "/etc/hostid", subPath: "hostid", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                { name: "plugins", mountPath: "/run/orthanc/plugins" },
                { name: "storage", mountPath: ORTHANC_PATHS.storage },
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

export function orthancService(
  s: Pick<OrthancPodSpec, "name" | "namespace" | "httpPort" | "dicomPort">,
): Obj {
  const ports = [{ name: "http", port: s.httpPort, targetPort: "http", protocol: "TCP" }];
  if (s.dicomPort)
    ports.push({ name: "dicom", port: s.dicomPort, targetPort: "dicom", protocol: "TCP" });
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: s.name, namespace: s.namespace, labels: labels(s.name, "orthanc") },
    spec: { type: "ClusterIP", selector: labels(s.name, "orthanc"), ports },
  };
}

/** DICOM from outside: a load balancer that only the allowlisted networks may reach. */
export function dicomService(
  s: Pick<OrthancPodSpec, "name" | "namespace">,
  port: number,
  allowedCidrs: string[],
): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: `${s.name}-dicom`, namespace: s.namespace, labels: labels(s.name, "dicom") },
    spec: {
      type: "LoadBalancer",
      loadBalancerSourceRanges: allowedCidrs,
      // Orthanc and the network policy see the modality's own address.
      externalTrafficPolicy: "Local",
      selector: labels(s.name, "orthanc"),
      ports: [{ name: "dicom", port, targetPort: "dicom", protocol: "TCP" }],
    },
  };
}

export function orthancIngress(
  s: Pick<OrthancPodSpec, "name" | "namespace" | "httpPort">,
  a: { host: string; className: string; certManagerIssuer: string; corsOrigins?: string[] },
): Obj {
  // ingress-nginx answers CORS preflights itself, so browsers never hit Orthanc's 401 on them.
  const cors = a.corsOrigins?.length
    ? {
        "nginx.ingress.kubernetes.io/enable-cors": "true",
        "nginx.ingress.kubernetes.io/cors-allow-origin": a.corsOrigins.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-credentials": "true",
        "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type, Accept",
        "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
      }
    : {};
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: labels(s.name, "orthanc"),
      annotations: {
        "cert-manager.io/cluster-issuer": a.certManagerIssuer,
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        // Studies are uploaded and downloaded whole: no body limit, no buffering, long timeouts.
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
        "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        ...cors,
      },
    },
    spec: {
      ingressClassName: a.className,
      tls: [{ hosts: [a.host], secretName: `${s.name}-tls` }],
      rules: [
        {
          host: a.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: s.name, port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Name resolution through the cluster DNS, in any namespace. */
const DNS_EGRESS = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** The EKS Pod Identity agent's link-local addresses (IPv4 and IPv6) on every node. */
const POD_IDENTITY_EGRESS = {
  to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }],
  ports: [{ protocol: "TCP", port: 80 }],
};

export interface PolicyArgs {
  name: string;
  namespace: string;
  httpPort: number;
  dicomPort?: number;
  ingressControllerNamespace: string;
  dicomAllowedCidrs: string[];
  /** Pods of the in-namespace database (StatefulSet or CloudNativePG), if any. */
  databaseSelector?: Record<string, string>;
  /** Where Orthanc may connect: the database port, and 443 for S3/an external database with TLS. */
  egressPorts: number[];
  /**
   * The EKS Pod Identity agent on the node (169.254.170.23:80), where a pod role's credentials
   * come from when S3 is reached without static keys.
   */
  podIdentityAgent?: boolean;
  /** The backup CronJob's pods also reach the database. */
  backups?: boolean;
}

/**
 * Default deny in the namespace; then only: HTTP from the ingress controller's namespace, DICOM
 * from the allowlist, PostgreSQL only from Orthanc, and Orthanc's egress to DNS and its data.
 */
export function networkPolicies(a: PolicyArgs): Obj[] {
  const meta = (suffix: string) => ({
    name: `${a.name}-${suffix}`,
    namespace: a.namespace,
    labels: labels(a.name, "network-policy"),
  });
  const orthanc = { matchLabels: labels(a.name, "orthanc") };
  const policies: Obj[] = [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("orthanc"),
      spec: {
        podSelector: orthanc,
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": a.ingressControllerNamespace },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: a.httpPort }],
          },
          ...(a.dicomPort && a.dicomAllowedCidrs.length
            ? [
                {
                  from: a.dicomAllowedCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                  ports: [{ protocol: "TCP", port: a.dicomPort }],
                },
              ]
            : []),
        ],
        egress: [
          DNS_EGRESS,
          ...(a.databaseSelector
            ? [
                {
                  to: [{ podSelector: { matchLabels: a.databaseSelector } }],
                  ports: [{ protocol: "TCP", port: 5432 }],
                },
              ]
            : []),
          ...a.egressPorts.map((port) => ({ ports: [{ protocol: "TCP", port }] })),
          ...(a.podIdentityAgent ? [POD_IDENTITY_EGRESS] : []),
        ],
      },
    },
  ];
  if (a.databaseSelector) {
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("database"),
      spec: {
        podSelector: { matchLabels: a.databaseSelector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              { podSelector: orthanc },
              ...(a.backups ? [{ podSelector: { matchLabels: labels(a.name, "backup") } }] : []),
            ],
            ports: [{ protocol: "TCP", port: 5432 }],
          },
        ],
      },
    });
    if (a.backups) {
      policies.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta("backup"),
        spec: {
          podSelector: { matchLabels: labels(a.name, "backup") },
          policyTypes: ["Ingress", "Egress"],
          ingress: [],
          egress: [
            DNS_EGRESS,
            {
              to: [{ podSelector: { matchLabels: a.databaseSelector } }],
              ports: [{ protocol: "TCP", port: 5432 }],
            },
          ],
        },
      });
    }
  }
  return policies;
}

export interface PostgresArgs {
  name: string;
  namespace: string;
  image: string;
  secretName: string;
  storageGiB: number;
  storageClass?: string;
  database: string;
  user: string;
}

/** Plain PostgreSQL for clusters without an operator: password auth, its own PVC, non-root. */
export function postgresStatefulSet(a: PostgresArgs): Obj {
  const sel = labels(a.name, "postgres");
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: `${a.name}-postgres`, namespace: a.namespace, labels: sel },
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
              readinessProbe: {
                exec: {
                  command: ["pg_isready", "-h", "127.0.0.1", "-U", a.user, "-d", a.database],
                },
                periodSeconds: 10,
              },
              livenessProbe: {
                exec: {
                  command: ["pg_isready", "-h", "127.0.0.1", "-U", a.user, "-d", a.database],
                },
                periodSeconds: 30,
                failureThreshold: 6,
              },
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
            { name: "run", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
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

export function postgresService(a: Pick<PostgresArgs, "name" | "namespace">): Obj {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: `${a.name}-postgres`,
      namespace: a.namespace,
      labels: labels(a.name, "postgres"),
    },
    spec: {
      type: "ClusterIP",
      selector: labels(a.name, "postgres"),
      ports: [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }],
    },
  };
}

export interface BackupArgs extends Pick<
  PostgresArgs,
  "name" | "namespace" | "image" | "secretName" | "database" | "user"
> {
  claimName: string;
  /** Cron schedule, UTC. */
  schedule: string;
  retentionDays: number;
}

/** A daily `pg_dump` of the StatefulSet's database into its own PVC, old dumps pruned. */
export function postgresBackupCronJob(a: BackupArgs): Obj {
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
    metadata: {
      name: `${a.name}-postgres-backup`,
      namespace: a.namespace,
      labels: labels(a.name, "backup"),
    },
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
