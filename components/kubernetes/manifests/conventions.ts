/**
 * What every object of the Kubernetes target shares: its labels and metadata, and the settings of
 * the restricted Pod Security profile its pods run under.
 */
import type * as k8s from "@pulumi/kubernetes";

/**
 * An object's metadata as plain values: what the Kubernetes provider takes, and what the custom
 * resources' models (Gateway API, cert-manager, CloudNativePG) type their metadata as.
 */
export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

export const POSTGRES_UID = 999;

/** The labels of one part (`component`) of the deployment named `name`. */
export const labels = (name: string, component: string): Record<string, string> => ({
  "app.kubernetes.io/name": "orthanc",
  "app.kubernetes.io/instance": name,
  "app.kubernetes.io/component": component,
});

/** An object's metadata: its name and namespace, labelled as part `component` of `instance`. */
export const objectMeta = (
  name: string,
  namespace: string,
  instance: string,
  component: string,
): ObjectMeta => ({ name, namespace, labels: labels(instance, component) });

/** Pod-level settings of the restricted Pod Security profile, running as `uid`. */
export const restrictedPod = (uid: number): k8s.types.input.core.v1.PodSecurityContext => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: "RuntimeDefault" },
});

/** Container-level settings of the restricted profile: read-only root, no privilege, no capability. */
export const restrictedContainer: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
