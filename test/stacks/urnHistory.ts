/**
 * What an existing stack's state would make of a new plan: each resource's URN and the URNs
 * its aliases resolve to, computed as the Pulumi engine does, and a digest of its inputs.
 * Used to prove that a refactor moves no stateful resource to a new identity (which the engine
 * would treat as delete + create) without an alias.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PlannedResource, urnOf } from "../../infra/plan/record";
import { PROJECT, runPlan } from "../../infra/plan/runPlan";
import { readStackFile, shippedStacks, stackFilePath } from "../../infra/stackFiles";

export const FIXTURE = join(__dirname, "__fixtures__", "urns.json");

/** Per stack: every resource's URN and a digest of its inputs. */
export type UrnFixture = Record<string, Record<string, string>>;

/** `type::name` of a URN: what stays when only the parent chain changes. */
export const tail = (urn: string) => {
  const [, , qualifiedType, name] = urn.split("::");
  return `${qualifiedType.split("$").pop()}::${name}`;
};

function stable(value: unknown): unknown {
  if (typeof value === "string" && value.startsWith("urn:pulumi:")) return tail(value);
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** Inputs, with references to other resources reduced to their type and name. */
export const inputsDigest = (r: PlannedResource) =>
  createHash("sha256")
    .update(JSON.stringify(stable(r.inputs)))
    .digest("hex")
    .slice(0, 16);

/**
 * The URNs a resource answers to in existing state: its own, those of its alias specs, and those
 * inherited from its parent's aliases (the engine's rule, including the renaming of a child
 * whose name starts with its parent's).
 */
export function urnsOf(
  resource: PlannedResource,
  byUrn: Map<string, PlannedResource>,
  stack: string,
): string[] {
  const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
  const parentAliases = parent ? urnsOf(parent, byUrn, stack).slice(1) : [];
  const own = resource.aliases.map((a) => {
    if (a.urn) return a.urn;
    const parentUrn = a.noParent ? "" : (a.parentUrn ?? resource.parent);
    // The root stack is nobody's qualified-type prefix.
    const effective = parentUrn && parentUrn.includes("::pulumi:pulumi:Stack::") ? "" : parentUrn;
    return urnOf(PROJECT, stack, effective, a.type ?? resource.type, a.name ?? resource.name);
  });
  const parentName = parent?.name ?? "";
  const inherited = parentAliases.flatMap((parentAlias) =>
    [resource.urn, ...own].map((urn) => {
      const [, , , aliasParentName] = parentAlias.split("::");
      const name = urn.split("::")[3];
      const childName =
        parentName && name.startsWith(parentName)
          ? aliasParentName + name.slice(parentName.length)
          : name;
      const type = urn.split("::")[2].split("$").pop() as string;
      return urnOf(PROJECT, stack, parentAlias, type, childName);
    }),
  );
  return [resource.urn, ...new Set([...own, ...inherited])];
}

/** Each shipped stack's plan as the fixture records it. */
export async function currentUrns(stacks = shippedStacks()): Promise<UrnFixture> {
  const fixture: UrnFixture = {};
  for (const stack of stacks) {
    const plan = await runPlan(readStackFile(stackFilePath(stack)), stack);
    fixture[stack] = Object.fromEntries(
      plan.resources
        .map((r) => [r.urn, inputsDigest(r)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return fixture;
}

// `node -r @swc-node/register test/stacks/urnHistory.ts` records the fixture (before a move).
if (require.main === module) {
  void currentUrns().then((fixture) =>
    writeFileSync(FIXTURE, JSON.stringify(fixture, null, 2) + "\n"),
  );
}

/**
 * Issue 12, PostgreSQL over TLS on the Kubernetes StatefulSet (`type::name` under the stack's
 * OrthancKubernetes): inputs changed in place. Only the pod templates change, so the pods roll;
 * the StatefulSet keeps its identity, its volumeClaimTemplates and so its PVC and database.
 */
export const K8S_POSTGRES_TLS_CHANGED: Record<string, string> = {
  "kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres":
    "pod template: ssl on with the mounted certificate and pg_hba, a reload container",
  "kubernetes:batch/v1:CronJob::orthanc-k8s-basic-postgres-backup":
    "pg_dump over TLS, verifying the server against the namespace's CA",
  "kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc":
    "EnableSsl: true in credentials.json (its checksum), the CA certificate mounted for libpq",
};

/** Issue 12: the StatefulSet's CA chain, certificate and pg_hba; they hold no earlier data. */
export const K8S_POSTGRES_TLS_CREATED: Record<string, string> = Object.fromEntries(
  [
    ["cert-manager.io/v1:Issuer", "postgres-selfsigned"],
    ["cert-manager.io/v1:Certificate", "postgres-ca"],
    ["cert-manager.io/v1:Issuer", "postgres-ca-issuer"],
    ["cert-manager.io/v1:Certificate", "postgres-tls"],
    ["core/v1:ConfigMap", "postgres-hba"],
  ].map(([type, name]) => [
    `kubernetes:${type}::orthanc-k8s-basic-${name}`,
    "PostgreSQL over TLS: a new object, nothing replaced",
  ]),
);

/**
 * Issue 13: what the Gateway API edge creates in the shipped Kubernetes stacks. k8s-basic routes
 * through a Gateway the cluster runs; k8s-ha has its own Gateway (NGINX Gateway Fabric, whose
 * proxies run in its namespace and get their own policy), the HTTP→HTTPS redirect, NGF's
 * body-size policy, and cert-manager's HTTP-01 solver admitted from those proxies. None holds data.
 */
export const K8S_EDGE_CREATED: Record<string, Record<string, string>> = {
  "k8s-basic": {
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::orthanc-k8s-basic-route": "the route",
  },
  "k8s-ha": Object.fromEntries(
    [
      ["gateway.networking.k8s.io/v1:Gateway::orthanc-k8s-ha-gateway", "the stack's own Gateway"],
      ["gateway.networking.k8s.io/v1:HTTPRoute::orthanc-k8s-ha-https-redirect", "HTTP→HTTPS"],
      ["gateway.networking.k8s.io/v1:HTTPRoute::orthanc-k8s-ha-route", "the route"],
      [
        "gateway.nginx.org/v1alpha1:ClientSettingsPolicy::orthanc-k8s-ha-client-settings",
        "no body limit on NGF",
      ],
      ["networking.k8s.io/v1:NetworkPolicy::orthanc-k8s-ha-policy-3", "ACME solver from the edge"],
      ["networking.k8s.io/v1:NetworkPolicy::orthanc-k8s-ha-policy-4", "the Gateway's proxies"],
    ].map(([tail, why]) => [`kubernetes:${tail}`, why]),
  ),
};

/**
 * Issue 13: the Ingress of each shipped Kubernetes stack, deleted when it moved to the Gateway
 * API (an Ingress holds no data; the certificate's Secret keeps its name).
 */
export const K8S_EDGE_REMOVED: Record<string, string[]> = {
  "k8s-basic": ["kubernetes:networking.k8s.io/v1:Ingress::orthanc-k8s-basic-ingress"],
  "k8s-ha": ["kubernetes:networking.k8s.io/v1:Ingress::orthanc-k8s-ha-ingress"],
};
