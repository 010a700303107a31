import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { networkPolicies, PolicyArgs } from "./manifests/networkPolicies";
import { APP, InNamespace } from "./namespace";

export interface NetworkPoliciesArgs extends Omit<PolicyArgs, "name" | "namespace"> {
  readonly ns: InNamespace;
}

/** The namespace's NetworkPolicies: default deny, then only what the deployment needs. */
export function createNetworkPolicies(
  name: string,
  parent: pulumi.Resource,
  args: NetworkPoliciesArgs,
): k8s.networking.v1.NetworkPolicy[] {
  const { ns, ...policy } = args;
  return networkPolicies({ name: APP, namespace: ns.name, ...policy }).map(
    (manifest, i) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-policy-${i}`, manifest, {
        parent,
        dependsOn: ns.dependsOn,
      }),
  );
}
