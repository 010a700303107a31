import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_TAGS } from "../../components/shared";
import { OrthancKubernetes, OrthancKubernetesArgs, WebEdge } from "../../components/kubernetes";
import { APP } from "../../components/kubernetes/namespace";
import { INGRESS_CONTROLLER_FACTS } from "../../components/kubernetes/manifests/ingress";
import { KubernetesConfig } from "../config";
import { controllerOf, ingressOf } from "../config/sections/kubernetesEdge";
import { StackOutputs } from "./types";
import {
  accessControlArgs,
  DEFAULT_S3_REGION,
  dicomTlsArgs,
  orthancArgs,
  pulledImage,
  rootName,
  s3StorageArgs,
  tlsEnabled,
} from "./common";

/** Maps the validated stack configuration onto the Kubernetes component's arguments. */
export function kubernetesArgs(cfg: KubernetesConfig): OrthancKubernetesArgs {
  const k = cfg.kubernetes;
  const db = cfg.database;
  return {
    namespace: { name: k.namespace, create: k.createNamespace },
    orthanc: orthancArgs(cfg),
    resources: { cpu: k.cpu, memory: k.memory },
    serviceAccountAnnotations: k.serviceAccountAnnotations,
    database: db.external
      ? { kind: "external", ...db.external, connectionsPerReplica: db.connectionsPerReplica }
      : db.kind === "cloudnativepg"
        ? {
            kind: "cloudnativepg",
            instances: db.instances,
            storageGiB: db.storageGiB,
            storageClass: k.storageClass,
            connectionsPerReplica: db.connectionsPerReplica,
          }
        : {
            kind: "statefulset",
            image: pulledImage(cfg, "postgres", POSTGRES_TAGS[db.version]),
            storageGiB: db.storageGiB,
            storageClass: k.storageClass,
            connectionsPerReplica: db.connectionsPerReplica,
          },
    storage:
      cfg.storage.kind === "s3"
        ? s3StorageArgs(cfg.storage, DEFAULT_S3_REGION)
        : {
            kind: "pvc",
            sizeGiB: cfg.storage.sizeGiB,
            storageClass: k.storageClass,
            readWriteMany: cfg.storage.accessMode === "ReadWriteMany",
          },
    web: webEdge(cfg),
    dns: cfg.dns.zoneId ? { zoneId: cfg.dns.zoneId, dicomName: cfg.dns.dicomName } : undefined,
    dicomTls: ((tls) => tls && { ...tls, issuer: k.dicomTlsIssuer })(dicomTlsArgs(cfg)),
    autoscaling: k.autoscaling?.enabled
      ? { maxReplicas: k.autoscaling.maxReplicas, targetCpuPercent: k.autoscaling.targetCpuPercent }
      : undefined,
    protectData: cfg.protectData,
    accessControl: ((a) =>
      a && {
        ...a,
        // Keycloak's database of the kind Orthanc's is (CloudNativePG only where its operator runs).
        keycloakDatabase: db.kind === "cloudnativepg" ? "cloudnativepg" : "statefulset",
        storageClass: k.storageClass,
      })(accessControlArgs(cfg, POSTGRES_TAGS[db.version])),
  };
}

/**
 * HTTPS for the public name: the Ingress a stack kept, else the Gateway API route (the config's
 * rules have made sure one of the two is complete whenever there is a public name).
 */
function webEdge(cfg: KubernetesConfig): WebEdge | undefined {
  const host = cfg.dns.name;
  if (!tlsEnabled(cfg) || !host) return undefined;
  const k = cfg.kubernetes;
  const ingress = ingressOf(k);
  if (ingress) {
    const controller = controllerOf(ingress);
    const controllerNamespace =
      ingress.controllerNamespace ?? INGRESS_CONTROLLER_FACTS[controller].namespace;
    if (!controllerNamespace)
      throw new Error("unchecked config: the Ingress controller's namespace");
    return {
      kind: "ingress",
      host,
      className: ingress.className,
      controller,
      controllerNamespace,
      certManagerIssuer: k.certManagerIssuer,
      annotations: ingress.annotations,
    };
  }
  const g = k.gateway;
  if (!g || (g.create ? !g.className : !g.name))
    throw new Error("unchecked config: the Gateway of `orthanc:kubernetes.gateway`");
  return {
    kind: "gateway",
    host,
    gateway: { name: g.name ?? APP, namespace: g.namespace ?? k.namespace, listener: g.listener },
    own:
      g.create && g.className
        ? { className: g.className, certManagerIssuer: k.certManagerIssuer }
        : undefined,
    implementation: g.implementation ?? "other",
    proxyNamespace: g.proxyNamespace,
    controlPlaneNamespace: g.controlPlaneNamespace,
  };
}

export function deployKubernetes(cfg: KubernetesConfig): StackOutputs {
  const orthanc = new OrthancKubernetes(rootName(), kubernetesArgs(cfg));
  return {
    target: pulumi.output("kubernetes"),
    url: orthanc.url,
    namespace: orthanc.namespace,
    service: orthanc.serviceName,
    dicomService: orthanc.dicomService ?? pulumi.output(undefined),
    dicomEndpoint: orthanc.dicomHost
      ? pulumi.interpolate`${cfg.orthanc.dicom.aet}@${orthanc.dicomHost}:${cfg.orthanc.dicom.port}`
      : pulumi.output(undefined),
    adminUser: pulumi.output(orthanc.adminUser),
    adminPassword: orthanc.adminPassword,
    credentialsSecret: orthanc.credentialsSecretName,
    ...(orthanc.dicomCaSecret ? { dicomCaSecret: orthanc.dicomCaSecret } : {}),
  };
}
