import { z } from "zod";
import { rule } from "../rule";
import {
  dns1123Label,
  dns1123Subdomain,
  kubernetesCpu,
  kubernetesMemory,
} from "../platform/kubernetes";
import { tlsOn } from "./tls";
import { dicomTlsOn } from "./orthanc";
import { edgeKeys, edgeRules } from "./kubernetesEdge";

/** `orthanc:kubernetes` (kubernetes target only): the namespace, ingress and pod resources. */
export const kubernetesSection = z.strictObject({
  namespace: dns1123Label("a namespace's name").default("orthanc"),
  createNamespace: z.boolean().default(true),
  /** The HTTPS edge: a Gateway API HTTPRoute (`gateway`), or an Ingress (`ingress`). */
  ...edgeKeys,
  /** The cert-manager ClusterIssuer of the web certificate (the stack's own Gateway, or the Ingress). */
  certManagerIssuer: dns1123Subdomain("a cert-manager issuer's name").default("letsencrypt"),
  /**
   * The cert-manager ClusterIssuer of Orthanc's DICOM TLS certificate (e.g. the hospital's CA);
   * unset: a CA of the namespace's own, which modalities are told to trust.
   */
  dicomTlsIssuer: dns1123Subdomain("a cert-manager issuer's name").optional(),
  storageClass: dns1123Subdomain("a StorageClass's name").optional(),
  /** Orthanc's CPU request: a Kubernetes quantity, cores (`2`, `0.5`) or millicores (`500m`). */
  cpu: kubernetesCpu.default("500m"),
  /** Orthanc's memory request and limit: a Kubernetes quantity with a unit (`1Gi`, `512Mi`). */
  memory: kubernetesMemory.default("1Gi"),
  /**
   * Annotations of Orthanc's service account: a pod role for S3 instead of static keys, e.g.
   * `eks.amazonaws.com/role-arn` (IRSA). EKS Pod Identity needs none (its association is made
   * outside the cluster objects).
   */
  serviceAccountAnnotations: z
    .record(
      z
        .string()
        .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
          error: "must be an annotation key such as `eks.amazonaws.com/role-arn`",
        }),
      z.string(),
    )
    .default({}),
  autoscaling: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxReplicas: z.number().int().min(2).max(20).default(4),
      targetCpuPercent: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
});

const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/** The rules that guard `orthanc:kubernetes`. */
export const kubernetesRules = [
  ...edgeRules,
  // Unlike aws.autoscaling, this one has an on switch: settings without it make no HPA.
  rule({ sections: ["kubernetes"], targets: ["kubernetes"] }, ({ kubernetes }, _target, given) =>
    kubernetes.autoscaling && !kubernetes.autoscaling.enabled
      ? (["maxReplicas", "targetCpuPercent"] as const)
          .filter((leaf) => given(`kubernetes.autoscaling.${leaf}`))
          .map((leaf) => ({
            key: `orthanc:kubernetes.autoscaling.${leaf}`,
            message:
              `configures the HPA, but \`orthanc:kubernetes.autoscaling.enabled\` is ${given("kubernetes.autoscaling.enabled") ? "false" : "not set (off by default)"}, so none is created. ` +
              `Fix: \`pulumi config set --path 'orthanc:kubernetes.autoscaling.enabled' true\`, or ${rm(`orthanc:kubernetes.autoscaling.${leaf}`)}.`,
          }))
      : undefined,
  ),

  // The DICOM issuer signs a certificate made only when DICOM TLS is on and none is given.
  rule(
    { sections: ["kubernetes", "orthanc", "dns", "tls"], targets: ["kubernetes"] },
    ({ kubernetes, orthanc, dns, tls }, target) => {
      if (!kubernetes.dicomTlsIssuer) return undefined;
      const on = dicomTlsOn({ orthanc, dns, tls }, target);
      if (on && !orthanc.dicom.tls.certificate) return undefined;
      return {
        key: "orthanc:kubernetes.dicomTlsIssuer",
        message:
          `names the issuer of Orthanc's DICOM certificate, but ` +
          (on
            ? "`orthanc:orthanc.dicom.tls.certificate` gives one"
            : "DICOM TLS is off (DICOM unpublished, `orthanc:orthanc.dicom.tls.enabled` false, or no `orthanc:dns.dicomName`)") +
          `, so it would do nothing. Fix: ${rm("orthanc:kubernetes.dicomTlsIssuer")}` +
          (on ? `, or ${rm("orthanc:orthanc.dicom.tls.certificate")} and its privateKey.` : "."),
      };
    },
  ),

  // The issuer signs the web certificate, which exists only with a domain and TLS.
  rule(
    { sections: ["kubernetes", "tls", "dns"], targets: ["kubernetes"] },
    ({ tls, dns }, _target, given) =>
      given("kubernetes.certManagerIssuer") && !tlsOn(tls, dns)
        ? {
            key: "orthanc:kubernetes.certManagerIssuer",
            message:
              `names the issuer of the web certificate, but there is no HTTPS edge: ` +
              (tls.enabled === false
                ? "`orthanc:tls.enabled` is false"
                : "`orthanc:dns.name` is not set") +
              `, so it would do nothing. Fix: set \`orthanc:dns.name\` for HTTPS, or ${rm("orthanc:kubernetes.certManagerIssuer")}.`,
          }
        : undefined,
  ),

  // The HPA scales between orthanc.replicas and its maximum.
  rule(
    { sections: ["orthanc", "kubernetes"], targets: ["kubernetes"] },
    ({ orthanc, kubernetes }) => {
      const hpa = kubernetes.autoscaling;
      return hpa?.enabled && hpa.maxReplicas <= orthanc.replicas
        ? {
            key: "orthanc:kubernetes.autoscaling.maxReplicas",
            message:
              `must be above \`orthanc:orthanc.replicas\` (${orthanc.replicas}), got ${hpa.maxReplicas}: the HPA scales between the two, ` +
              `and Kubernetes refuses a maximum below its minimum. Fix: \`pulumi config set --path 'orthanc:kubernetes.autoscaling.maxReplicas' ${Math.min(20, orthanc.replicas * 2)}\`, or turn autoscaling off.`,
          }
        : undefined;
    },
  ),
];
