import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ObjectMeta, objectMeta } from "./manifests/conventions";

/** The instance name of every object in the namespace: one Orthanc per namespace. */
export const APP = "orthanc";

/** Where the component's parts put their objects. */
export interface InNamespace {
  /** The namespace's name. */
  readonly name: string;
  /** What an object in it waits for: the Namespace, when this component creates it. */
  readonly dependsOn: pulumi.Resource[];
  /** Metadata of an object in it, labelled as part `component` of this Orthanc. */
  meta(objectName: string, component: string): ObjectMeta;
}

/**
 * A maker of the component's custom resources in the namespace (cert-manager, Gateway API,
 * Traefik, Cilium objects): each named `<name>-<suffix>`, waiting for the namespace and for
 * `dependsOn`.
 */
export function customResources(name: string, parent: pulumi.Resource, ns: InNamespace) {
  return (suffix: string, object: object, dependsOn: pulumi.Resource[] = []) =>
    new k8s.apiextensions.CustomResource(`${name}-${suffix}`, object as never, {
      parent,
      dependsOn: [...ns.dependsOn, ...dependsOn],
    });
}

/** Options that keep data: protected from deletion by Pulumi, left in place if removed. */
export const keptData = (protectData: boolean) => ({
  protect: protectData,
  retainOnDelete: protectData,
});

export interface NamespaceArgs {
  /** The namespace, and whether this component creates it (else it must exist). */
  readonly namespace: { readonly name: string; readonly create: boolean };
  /** Annotations of Orthanc's service account (a pod role for S3, e.g. IRSA). */
  readonly serviceAccountAnnotations: Record<string, string>;
  /** Protect a namespace this component creates: deleting it would delete every volume in it. */
  readonly protectData: boolean;
}

/**
 * The namespace (created under the restricted Pod Security profile, or an existing one) and
 * Orthanc's service account in it, which holds no Kubernetes API token.
 */
export function createNamespace(
  name: string,
  parent: pulumi.Resource,
  args: NamespaceArgs,
): { ns: InNamespace; account: k8s.core.v1.ServiceAccount } {
  const nsName = args.namespace.name;
  let namespace: k8s.core.v1.Namespace | undefined;
  if (args.namespace.create) {
    const podSecurity = Object.fromEntries(
      ["enforce", "audit", "warn"].map((mode) => [
        `pod-security.kubernetes.io/${mode}`,
        "restricted",
      ]),
    );
    namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: nsName, labels: podSecurity } },
      { parent, ...keptData(args.protectData) },
    );
  }
  const ns: InNamespace = {
    name: nsName,
    dependsOn: namespace ? [namespace] : [],
    meta: (objectName, component) => objectMeta(objectName, nsName, APP, component),
  };
  const account = new k8s.core.v1.ServiceAccount(
    `${name}-account`,
    {
      metadata: { ...ns.meta(APP, "orthanc"), annotations: args.serviceAccountAnnotations },
      // No Kubernetes API token; a pod role's token is mounted by its own webhook.
      automountServiceAccountToken: false,
    },
    { parent, dependsOn: ns.dependsOn },
  );
  return { ns, account };
}
