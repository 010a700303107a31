import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OrthancCredentials } from "../shared/credentials";
import { orthancDocuments } from "../shared/documents";
import { HOSTNAME_PLACEHOLDER, StorageSettings } from "../shared/orthancConfig";
import {
  DatabaseEndpoint,
  ExternalDatabase,
  OrthancAppOptions,
  S3StorageArgs,
} from "../shared/settings";
import { OWN_POSTGRES_MAX_CONNECTIONS } from "../shared/sizing";
import { storageMasterKey } from "../shared/storageKey";
import { labels } from "./manifests/conventions";
import { dicomService, orthancIngress } from "./manifests/ingress";
import { networkPolicies } from "./manifests/networkPolicies";
import { postgresBackupCronJob, postgresService, postgresStatefulSet } from "./manifests/postgres";
import { orthancDeployment, orthancService } from "./manifests/workload";

export interface OrthancKubernetesArgs {
  namespace: { name: string; create: boolean };
  orthanc: OrthancAppOptions & {
    image: string;
    adminUser: string;
    users: Record<string, { password?: pulumi.Output<string> }>;
    dicomAllowedCidrs: string[];
    corsOrigins: string[];
  };
  resources: { cpu: string; memory: string };
  /** Annotations of Orthanc's service account (a pod role for S3, e.g. IRSA). */
  serviceAccountAnnotations: Record<string, string>;
  database:
    | {
        kind: "statefulset";
        image: string;
        storageGiB: number;
        storageClass?: string;
        connectionsPerReplica?: number;
      }
    | {
        kind: "cloudnativepg";
        instances: number;
        storageGiB: number;
        storageClass?: string;
        connectionsPerReplica?: number;
      }
    | ExternalDatabase;
  storage:
    { kind: "pvc"; sizeGiB: number; storageClass?: string; readWriteMany: boolean } | S3StorageArgs;
  ingress: {
    host?: string;
    className: string;
    certManagerIssuer: string;
    controllerNamespace: string;
  };
  autoscaling?: { maxReplicas: number; targetCpuPercent: number };
  protectData: boolean;
}

const APP = "orthanc";
const DB_NAME = "orthanc";
const DB_USER = "orthanc";

/**
 * Orthanc in a namespace of an existing cluster: restricted Pod Security, a dedicated service
 * account without a token, configuration in a ConfigMap and every credential in Secrets,
 * PostgreSQL (a StatefulSet, CloudNativePG, or external), a protected PVC or S3, a cert-manager
 * Ingress, DICOM only from an allowlist, and default-deny network policies.
 */
export class OrthancKubernetes extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;
  public readonly dicomService?: pulumi.Output<string>;
  /** The DICOM load balancer's address once the cluster assigned one. */
  public readonly dicomHost?: pulumi.Output<string>;
  /** The ingress controller's address for the public name, once assigned. */
  public readonly ingressAddress?: pulumi.Output<string>;
  public readonly credentialsSecretName: pulumi.Output<string>;
  public readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: OrthancKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:kubernetes:OrthancKubernetes", name, {}, opts);
    const child = { parent: this };
    const data = { ...child, protect: args.protectData, retainOnDelete: args.protectData };
    const ns = args.namespace.name;
    let namespaceResource: k8s.core.v1.Namespace | undefined;
    if (args.namespace.create) {
      const podSecurity = Object.fromEntries(
        ["enforce", "audit", "warn"].map((mode) => [
          `pod-security.kubernetes.io/${mode}`,
          "restricted",
        ]),
      );
      // Deleting the namespace would delete every volume in it.
      namespaceResource = new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: ns, labels: podSecurity } },
        data,
      );
    }
    const inNs = { ...child, dependsOn: namespaceResource ? [namespaceResource] : [] };
    const meta = (resourceName: string, component: string) => ({
      name: resourceName,
      namespace: ns,
      labels: labels(APP, component),
    });

    const account = new k8s.core.v1.ServiceAccount(
      `${name}-account`,
      {
        metadata: { ...meta(APP, "orthanc"), annotations: args.serviceAccountAnnotations },
        // No Kubernetes API token; a pod role's token is mounted by its own webhook.
        automountServiceAccountToken: false,
      },
      inNs,
    );
    const credentials = new OrthancCredentials(
      `${name}-credentials`,
      {
        adminUser: args.orthanc.adminUser,
        users: args.orthanc.users,
        generateDatabasePassword: args.database.kind !== "external",
      },
      child,
    );

    // The database: where Orthanc finds it, and which pods the network policy lets it reach.
    const db = args.database;
    let endpoint: DatabaseEndpoint & { kind: "postgresql" };
    let dbPassword: pulumi.Output<string>;
    let dbSelector: Record<string, string> | undefined;
    if (db.kind === "external") {
      endpoint = { ...db, kind: "postgresql" };
      dbPassword = db.password;
    } else {
      dbPassword = credentials.databasePassword!;
      if (db.kind === "statefulset") {
        const secret = new k8s.core.v1.Secret(
          `${name}-postgres-password`,
          { metadata: meta(`${APP}-postgres`, "postgres"), stringData: { password: dbPassword } },
          inNs,
        );
        new k8s.apps.v1.StatefulSet(
          `${name}-postgres`,
          postgresStatefulSet({
            name: APP,
            namespace: ns,
            image: db.image,
            secretName: `${APP}-postgres`,
            storageGiB: db.storageGiB,
            storageClass: db.storageClass,
            database: DB_NAME,
            user: DB_USER,
          }) as unknown as k8s.apps.v1.StatefulSetArgs,
          {
            ...inNs,
            dependsOn: [...inNs.dependsOn, secret],
            protect: args.protectData,
            retainOnDelete: args.protectData,
          },
        );
        new k8s.core.v1.Service(
          `${name}-postgres`,
          postgresService({ name: APP, namespace: ns }),
          inNs,
        );
        // Daily dumps into a PVC of their own, kept like the data.
        const backups = new k8s.core.v1.PersistentVolumeClaim(
          `${name}-postgres-backups`,
          {
            metadata: meta(`${APP}-postgres-backups`, "backup"),
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(db.storageClass ? { storageClassName: db.storageClass } : {}),
              resources: { requests: { storage: `${db.storageGiB * 2}Gi` } },
            },
          },
          { ...inNs, protect: args.protectData, retainOnDelete: args.protectData },
        );
        new k8s.batch.v1.CronJob(
          `${name}-postgres-backup`,
          postgresBackupCronJob({
            name: APP,
            namespace: ns,
            image: db.image,
            secretName: `${APP}-postgres`,
            database: DB_NAME,
            user: DB_USER,
            claimName: `${APP}-postgres-backups`,
            schedule: "0 3 * * *",
            retentionDays: 14,
          }) as unknown as k8s.batch.v1.CronJobArgs,
          { ...inNs, dependsOn: [...inNs.dependsOn, backups, secret] },
        );
        endpoint = {
          kind: "postgresql",
          host: `${APP}-postgres.${ns}.svc`,
          port: 5432,
          database: DB_NAME,
          username: DB_USER,
          ssl: false,
          maxConnections: OWN_POSTGRES_MAX_CONNECTIONS,
          connectionsPerReplica: db.connectionsPerReplica,
        };
        dbSelector = labels(APP, "postgres");
      } else {
        // Point-in-time backups to the same bucket as the DICOM files, when there is one.
        const backupStore =
          args.storage.kind === "s3" && args.storage.accessKeyId
            ? backupObjectStore(name, this, ns, args.storage, inNs)
            : undefined;
        const owner = new k8s.core.v1.Secret(
          `${name}-postgres-owner`,
          {
            metadata: meta(`${APP}-db-owner`, "postgres"),
            type: "kubernetes.io/basic-auth",
            stringData: { username: DB_USER, password: dbPassword },
          },
          inNs,
        );
        const cluster = new k8s.apiextensions.CustomResource(
          `${name}-postgres`,
          {
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: meta(`${APP}-db`, "postgres"),
            spec: {
              instances: db.instances,
              // Orthanc's role owns its database; no superuser access at all.
              enableSuperuserAccess: false,
              bootstrap: {
                initdb: { database: DB_NAME, owner: DB_USER, secret: { name: `${APP}-db-owner` } },
              },
              storage: {
                size: `${db.storageGiB}Gi`,
                ...(db.storageClass ? { storageClass: db.storageClass } : {}),
              },
              postgresql: {
                parameters: {
                  log_statement: "none",
                  max_connections: String(OWN_POSTGRES_MAX_CONNECTIONS),
                },
              },
              inheritedMetadata: { labels: labels(APP, "postgres") },
              ...(backupStore
                ? { backup: { barmanObjectStore: backupStore, retentionPolicy: "30d" } }
                : {}),
            },
          },
          {
            ...inNs,
            dependsOn: [...inNs.dependsOn, owner],
            protect: args.protectData,
            retainOnDelete: args.protectData,
          },
        );
        if (backupStore) {
          new k8s.apiextensions.CustomResource(
            `${name}-postgres-backup`,
            {
              apiVersion: "postgresql.cnpg.io/v1",
              kind: "ScheduledBackup",
              metadata: meta(`${APP}-db-daily`, "postgres"),
              spec: {
                schedule: "0 0 3 * * *",
                backupOwnerReference: "self",
                cluster: { name: `${APP}-db` },
              },
            },
            { ...inNs, dependsOn: [...inNs.dependsOn, cluster] },
          );
        }
        // CloudNativePG serves TLS with its own CA; `-rw` always points at the primary.
        endpoint = {
          kind: "postgresql",
          host: `${APP}-db-rw.${ns}.svc`,
          port: 5432,
          database: DB_NAME,
          username: DB_USER,
          ssl: true,
          maxConnections: OWN_POSTGRES_MAX_CONNECTIONS,
          connectionsPerReplica: db.connectionsPerReplica,
        };
        dbSelector = labels(APP, "postgres");
      }
    }

    const st = args.storage;
    let storage: StorageSettings;
    let claimName: string | undefined;
    if (st.kind === "pvc") {
      claimName = `${APP}-dicom`;
      new k8s.core.v1.PersistentVolumeClaim(
        `${name}-dicom`,
        {
          metadata: meta(claimName, "orthanc"),
          spec: {
            accessModes: [st.readWriteMany ? "ReadWriteMany" : "ReadWriteOnce"],
            ...(st.storageClass ? { storageClassName: st.storageClass } : {}),
            resources: { requests: { storage: `${st.sizeGiB}Gi` } },
          },
        },
        { ...inNs, protect: args.protectData, retainOnDelete: args.protectData },
      );
      storage = { kind: "filesystem" };
    } else {
      const { accessKeyId, secretAccessKey, ...s3 } = st;
      storage = { ...s3, staticKeys: !!accessKeyId };
      void secretAccessKey;
    }
    const storageKeySecret =
      st.kind === "s3" && st.encryption
        ? new k8s.core.v1.Secret(
            `${name}-storage-key`,
            {
              metadata: meta(`${APP}-storage-key`, "orthanc"),
              stringData: {
                "master-key": storageMasterKey(
                  `${name}-storage-key-bytes`,
                  args.protectData,
                  child,
                ),
              },
            },
            { ...inNs, protect: args.protectData, retainOnDelete: args.protectData },
          )
        : undefined;

    const writers = args.autoscaling?.maxReplicas ?? args.orthanc.replicas;
    const dicomOpen = args.orthanc.dicom.enabled && args.orthanc.dicomAllowedCidrs.length > 0;
    const { orthancJson, credentialsJson, environment } = orthancDocuments(
      { ...args.orthanc, replicas: writers },
      {
        database: endpoint,
        storage,
        publicUrl: args.ingress.host ? { host: args.ingress.host, https: true } : undefined,
        // Pods of one Deployment share a template: with several, each names itself after its pod.
        serverIdentifier: writers > 1 ? HOSTNAME_PLACEHOLDER : `${name}-orthanc`,
        // The DICOM LoadBalancer's Local traffic policy keeps the client's address.
        clientAddressesPreserved: dicomOpen,
      },
      {
        users: credentials.users,
        databasePassword: dbPassword,
        s3AccessKey: st.kind === "s3" ? st.accessKeyId : undefined,
        s3SecretKey: st.kind === "s3" ? st.secretAccessKey : undefined,
      },
    );
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: meta(`${APP}-config`, "orthanc"), data: { "orthanc.json": orthancJson } },
      inNs,
    );
    const credentialsSecret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: meta(`${APP}-credentials`, "orthanc"),
        stringData: { "credentials.json": credentialsJson },
      },
      inNs,
    );
    // A digest of what the pods read, so a change rolls them; it reveals nothing of the secrets.
    const checksum = pulumi.unsecret(
      pulumi
        .all([orthancJson, credentialsJson])
        .apply(([o, c]) => createHash("sha256").update(o).update(c).digest("hex")),
    );

    const deployment = new k8s.apps.v1.Deployment(
      `${name}-orthanc`,
      checksum.apply((configChecksum) =>
        orthancDeployment({
          name: APP,
          namespace: ns,
          image: args.orthanc.image,
          replicas: args.orthanc.replicas,
          httpPort: args.orthanc.httpPort,
          dicomPort: args.orthanc.dicom.enabled ? args.orthanc.dicom.port : undefined,
          environment,
          configMapName: `${APP}-config`,
          credentialsSecretName: `${APP}-credentials`,
          storageKeySecretName: storageKeySecret ? `${APP}-storage-key` : undefined,
          storageClaimName: claimName,
          serviceAccountName: APP,
          resources: args.resources,
          configChecksum,
        }),
      ) as unknown as k8s.apps.v1.DeploymentArgs,
      {
        ...inNs,
        dependsOn: [...inNs.dependsOn, account, config, credentialsSecret],
        ignoreChanges: args.autoscaling ? ["spec.replicas"] : [],
      },
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      orthancService({
        name: APP,
        namespace: ns,
        httpPort: args.orthanc.httpPort,
        dicomPort: args.orthanc.dicom.enabled ? args.orthanc.dicom.port : undefined,
      }),
      inNs,
    );
    let ingress: k8s.networking.v1.Ingress | undefined;
    if (args.ingress.host) {
      ingress = new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        orthancIngress(
          { name: APP, namespace: ns },
          {
            host: args.ingress.host,
            className: args.ingress.className,
            certManagerIssuer: args.ingress.certManagerIssuer,
            corsOrigins: args.orthanc.corsOrigins,
          },
        ),
        inNs,
      );
    }
    let dicom: k8s.core.v1.Service | undefined;
    if (dicomOpen)
      dicom = new k8s.core.v1.Service(
        `${name}-dicom`,
        dicomService(
          { name: APP, namespace: ns },
          args.orthanc.dicom.port,
          args.orthanc.dicomAllowedCidrs,
        ),
        inNs,
      );

    networkPolicies({
      name: APP,
      namespace: ns,
      httpPort: args.orthanc.httpPort,
      dicomPort: dicomOpen ? args.orthanc.dicom.port : undefined,
      ingressControllerNamespace: args.ingress.controllerNamespace,
      dicomAllowedCidrs: dicomOpen ? args.orthanc.dicomAllowedCidrs : [],
      databaseSelector: dbSelector,
      backups: db.kind === "statefulset",
      // S3 and external databases are reached over TLS; an external database on its own port.
      egressPorts: [
        ...(st.kind === "s3" ? [443] : []),
        ...(db.kind === "external" ? [db.port] : []),
      ],
      podIdentityAgent: st.kind === "s3" && !st.accessKeyId,
    }).forEach(
      (policy, i) =>
        new k8s.networking.v1.NetworkPolicy(
          `${name}-policy-${i}`,
          policy as k8s.networking.v1.NetworkPolicyArgs,
          inNs,
        ),
    );

    if (args.autoscaling) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: meta(APP, "orthanc"),
          spec: { maxUnavailable: 1, selector: { matchLabels: labels(APP, "orthanc") } },
        },
        inNs,
      );
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata: meta(APP, "orthanc"),
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: APP },
            minReplicas: args.orthanc.replicas,
            maxReplicas: args.autoscaling.maxReplicas,
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: {
                    type: "Utilization",
                    averageUtilization: args.autoscaling.targetCpuPercent,
                  },
                },
              },
            ],
          },
        },
        { ...inNs, dependsOn: [deployment] },
      );
    }

    this.namespace = pulumi.output(ns);
    this.serviceName = service.metadata.name;
    this.url = pulumi.output(
      args.ingress.host
        ? `https://${args.ingress.host}/`
        : `http://${APP}.${ns}.svc:${args.orthanc.httpPort}/`,
    );
    this.dicomService = dicom?.metadata.name;
    this.ingressAddress = ingress?.status.apply(
      (st) => st?.loadBalancer?.ingress?.[0]?.hostname ?? st?.loadBalancer?.ingress?.[0]?.ip ?? "",
    );
    this.dicomHost = dicom?.status.apply(
      (s) =>
        s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "(pending)",
    );
    this.credentialsSecretName = credentialsSecret.metadata.name;
    this.adminPassword = credentials.adminPassword;
    this.registerOutputs({
      namespace: this.namespace,
      serviceName: this.serviceName,
      url: this.url,
      credentialsSecretName: this.credentialsSecretName,
    });
  }
}

/** Where CloudNativePG (Barman) writes base backups and WAL: the DICOM bucket, its own prefix. */
function backupObjectStore(
  name: string,
  parent: pulumi.Resource,
  ns: string,
  s3: S3StorageArgs,
  opts: pulumi.CustomResourceOptions,
) {
  new k8s.core.v1.Secret(
    `${name}-postgres-backup-keys`,
    {
      metadata: { name: `${APP}-db-backup-keys`, namespace: ns, labels: labels(APP, "postgres") },
      stringData: { ACCESS_KEY_ID: s3.accessKeyId!, ACCESS_SECRET_KEY: s3.secretAccessKey! },
    },
    { ...opts, parent },
  );
  return {
    destinationPath: `s3://${s3.bucket}/${s3.prefix}postgres/`,
    ...(s3.endpoint ? { endpointURL: s3.endpoint } : {}),
    s3Credentials: {
      accessKeyId: { name: `${APP}-db-backup-keys`, key: "ACCESS_KEY_ID" },
      secretAccessKey: { name: `${APP}-db-backup-keys`, key: "ACCESS_SECRET_KEY" },
    },
    wal: { compression: "gzip" },
    data: { compression: "gzip" },
  };
}
