import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ciliumPolicies, networkPolicies, PolicyArgs } from "./manifests/networkPolicies";
import { APP, customResources, InNamespace } from "./namespace";

export interface NetworkPoliciesArgs extends Omit<PolicyArgs, "name" | "namespace"> {
  readonly ns: InNamespace;
}

/**
 * The namespace's NetworkPolicies: default deny, then only what the deployment needs; with
 * Cilium's Gateway, the CiliumNetworkPolicies that admit its proxies' identity.
 */
export function createNetworkPolicies(
  name: string,
  parent: pulumi.Resource,
  args: NetworkPoliciesArgs,
): k8s.networking.v1.NetworkPolicy[] {
  const { ns, ...policy } = args;
  const opts = { parent, dependsOn: ns.dependsOn };
  const s = { name: APP, namespace: ns.name };
  if (args.httpSource?.kind === "cilium-ingress") {
    const custom = customResources(name, parent, ns);
    for (const [suffix, manifest] of Object.entries(
      ciliumPolicies({
        ...s,
        httpPort: args.httpPort,
        acmeSolver: args.acmeSolver,
        accessControl: args.accessControl,
      }),
    ))
      custom(suffix, manifest);
  }
  return networkPolicies({ ...s, ...policy }).map(
    (manifest, i) => new k8s.networking.v1.NetworkPolicy(`${name}-policy-${i}`, manifest, opts),
  );
}
