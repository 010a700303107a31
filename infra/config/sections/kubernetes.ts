import { z } from "zod";

/** `orthanc:kubernetes` (kubernetes target only): the namespace, ingress and pod resources. */
export const kubernetesSection = z.strictObject({
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    .default("orthanc"),
  createNamespace: z.boolean().default(true),
  ingressClassName: z.string().default("nginx"),
  /** Namespace of the ingress controller: the only source allowed to reach Orthanc's HTTP port. */
  ingressControllerNamespace: z.string().default("ingress-nginx"),
  certManagerIssuer: z.string().default("letsencrypt"),
  storageClass: z.string().optional(),
  cpu: z.string().default("500m"),
  memory: z.string().default("1Gi"),
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
