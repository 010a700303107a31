import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { UNCHECKED_PROBE_PATH } from "../shared/accessControl";
import { orthancDocuments } from "../shared/documents";
import { HOSTNAME_PLACEHOLDER, OrthancAccessControl } from "../shared/orthancConfig";
import { OrthancAppOptions } from "../shared/settings";
import { Database } from "./database";
import type { KubernetesDicomTls } from "./dicomTls";
import {
  orthancAutoscaler,
  orthancDeployment,
  orthancDisruptionBudget,
  orthancService,
} from "./manifests/workload";
import { APP, InNamespace } from "./namespace";
import { Storage } from "./storage";

/** Orthanc itself, as the component takes it. */
export interface OrthancOptions extends OrthancAppOptions {
  /** The Orthanc image, pinned. */
  readonly image: string;
  /** The administrator's user name; its password is generated unless given in `users`. */
  readonly adminUser: string;
  /** Further users; a password given here is used, others are generated. */
  readonly users: Record<string, { password?: pulumi.Output<string> }>;
  /** Networks whose modalities may reach DICOM from outside the cluster; none: it stays inside. */
  readonly dicomAllowedCidrs: string[];
  /** Browser origins allowed to call the API (through the Ingress). */
  readonly corsOrigins: string[];
}

export interface OrthancWorkloadArgs {
  readonly ns: InNamespace;
  /** The service account the pods run as. */
  readonly account: k8s.core.v1.ServiceAccount;
  readonly orthanc: OrthancOptions;
  /** Each pod's CPU and memory request (memory is also its limit). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Scale between `orthanc.replicas` and `maxReplicas` on CPU use. */
  readonly autoscaling?: { readonly maxReplicas: number; readonly targetCpuPercent: number };
  readonly database: Database;
  readonly storage: Storage;
  /** User name -> password, admin and probe user included (secret). */
  readonly users: pulumi.Output<Record<string, string>>;
  /** The public name, served over HTTPS by the Ingress; none: reached inside the cluster only. */
  readonly publicHost?: string;
  /** DICOM is published through the load balancer, which keeps the modalities' addresses. */
  readonly dicomPublished: boolean;
  /** Orthanc's DICOM TLS certificate; undefined: plain DICOM. */
  readonly dicomTls?: KubernetesDicomTls;
  /**
   * Access control: Orthanc's side of it (the auth service's address), and the service's Basic
   * password, which the credentials document holds.
   */
  readonly accessControl?: {
    readonly orthanc: OrthancAccessControl;
    readonly servicePassword: pulumi.Output<string>;
  };
}

/**
 * Orthanc: its configuration rendered into a ConfigMap and a Secret, the Deployment that reads
 * them (rolled when they change), its Service, and when it autoscales a PodDisruptionBudget and a
 * HorizontalPodAutoscaler.
 */
export function createOrthanc(name: string, parent: pulumi.Resource, args: OrthancWorkloadArgs) {
  const { ns, orthanc } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const writers = args.autoscaling?.maxReplicas ?? orthanc.replicas;
  const { orthancJson, credentialsJson, environment } = orthancDocuments(
    { ...orthanc, replicas: writers },
    {
      database: args.database.endpoint,
      storage: args.storage.settings,
      publicUrl: args.publicHost ? { host: args.publicHost, https: true } : undefined,
      // Pods of one Deployment share a template: with several, each names itself after its pod.
      serverIdentifier: writers > 1 ? HOSTNAME_PLACEHOLDER : `${name}-orthanc`,
      // The DICOM LoadBalancer's Local traffic policy keeps the client's address.
      clientAddressesPreserved: args.dicomPublished,
      dicomTls: args.dicomTls ? { mutual: args.dicomTls.clientsSecret !== undefined } : undefined,
      ...(args.accessControl ? { accessControl: args.accessControl.orthanc } : {}),
    },
    {
      ...(args.accessControl ? { authServicePassword: args.accessControl.servicePassword } : {}),
      users: args.users,
      databasePassword: args.database.password,
      s3AccessKey: args.storage.staticKeys?.accessKeyId,
      s3SecretKey: args.storage.staticKeys?.secretAccessKey,
    },
  );
  const configMapName = `${APP}-config`;
  const config = new k8s.core.v1.ConfigMap(
    `${name}-config`,
    { metadata: ns.meta(configMapName, "orthanc"), data: { "orthanc.json": orthancJson } },
    inNs,
  );
  const credentialsSecretName = `${APP}-credentials`;
  const credentialsSecret = new k8s.core.v1.Secret(
    `${name}-credentials`,
    {
      metadata: ns.meta(credentialsSecretName, "orthanc"),
      stringData: { "credentials.json": credentialsJson },
    },
    inNs,
  );
  // A digest of what the pods read, so a change rolls them; it reveals nothing of the secrets.
  const configChecksum = pulumi.unsecret(
    pulumi
      .all([orthancJson, credentialsJson])
      .apply(([o, c]) => createHash("sha256").update(o).update(c).digest("hex")),
  );
  const dicomPort = orthanc.dicom.enabled ? orthanc.dicom.port : undefined;
  const deployment = new k8s.apps.v1.Deployment(
    `${name}-orthanc`,
    orthancDeployment({
      name: APP,
      namespace: ns.name,
      image: orthanc.image,
      replicas: orthanc.replicas,
      httpPort: orthanc.httpPort,
      dicomPort,
      environment,
      configMapName,
      credentialsSecretName,
      storageKeySecretName: args.storage.keySecretName,
      storageClaimName: args.storage.claimName,
      postgresCaSecretName: args.database.caSecretName,
      serviceAccountName: APP,
      resources: args.resources,
      dicomTls: args.dicomTls && {
        certificateSecret: args.dicomTls.certificateSecret,
        clientsSecret: args.dicomTls.clientsSecret,
      },
      configChecksum,
      ...(args.accessControl ? { uncheckedProbePath: UNCHECKED_PROBE_PATH } : {}),
    }),
    {
      ...inNs,
      dependsOn: [
        ...ns.dependsOn,
        args.account,
        config,
        credentialsSecret,
        ...(args.dicomTls?.dependsOn ?? []),
      ],
      // The autoscaler owns the replica count once it exists.
      ignoreChanges: args.autoscaling ? ["spec.replicas"] : [],
    },
  );
  const service = new k8s.core.v1.Service(
    `${name}-service`,
    orthancService({ name: APP, namespace: ns.name, httpPort: orthanc.httpPort, dicomPort }),
    inNs,
  );
  if (args.autoscaling) {
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      orthancDisruptionBudget({ name: APP, namespace: ns.name }),
      inNs,
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      orthancAutoscaler(
        { name: APP, namespace: ns.name },
        {
          minReplicas: orthanc.replicas,
          maxReplicas: args.autoscaling.maxReplicas,
          targetCpuPercent: args.autoscaling.targetCpuPercent,
        },
      ),
      { ...inNs, dependsOn: [deployment] },
    );
  }
  return { service, credentialsSecret };
}
