/**
 * The URN history of `urns.test.ts`, for the configurations of `variants.ts`: every resource of
 * the plan recorded before the move is still answered, by its own URN or by an alias the engine
 * resolves, with the same inputs; and the ones answered only through an alias are exactly those
 * listed below (moved on purpose, e.g. into a component).
 */
import { readFileSync } from "node:fs";
import { inputsDigest, urnsOf, UrnFixture } from "./urnHistory";
import { planVariant, VARIANTS, VARIANTS_FIXTURE } from "./variants";

const before = JSON.parse(readFileSync(VARIANTS_FIXTURE, "utf8")) as UrnFixture;

/** `type::name` of the resources that changed URN and keep their identity through an alias. */
const movedByAlias: Record<string, string[]> = {
  // The stack's own resources before, now children of OrthancKubernetes: aliased to the stack.
  "k8s-ha with DNS records": [
    "pulumi:providers:aws::orthanc-k8s-ha-dns",
    "aws:route53/record:Record::orthanc-k8s-ha-pacs.example.org",
    "aws:route53/record:Record::orthanc-k8s-ha-dicom.pacs.example.org",
  ],
  "k8s-basic with a DNS zone": [
    "pulumi:providers:aws::orthanc-k8s-basic-dns",
    "aws:route53/record:Record::orthanc-k8s-basic-pacs.example.org",
  ],
};

/** URNs whose inputs changed on purpose, by variant, with why. */
const changedInputs: Record<string, Record<string, string>> = {
  // Plan-only: the offline stand-in for k8s-ha's encrypted S3 key lost its spaces (issue 10), and
  // the pods' checksum over the credentials holding it changed with it.
  "k8s-ha with DNS records": {
    "urn:pulumi:k8s-ha::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc":
      "offline placeholder of a secure value",
  },
  // Issue 12 (database role): as k8s-basic in urns.test.ts (the PVCs are untouched).
  "k8s-basic with a DNS zone": Object.fromEntries(
    [
      ["apps/v1:Deployment", "orthanc", "credentials name orthanc_app"],
      ["apps/v1:StatefulSet", "postgres", "database role script at start"],
      ["batch/v1:CronJob", "postgres-backup", "dumps as orthanc_app"],
    ].map(([type, name, why]) => [
      `urn:pulumi:k8s-basic::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:${type}::orthanc-k8s-basic-${name}`,
      why,
    ]),
  ),
};

/** Resources a later issue creates on purpose (holding no earlier data), by variant, with why. */
const created: Record<string, Record<string, string>> = {
  // Issue 12 (database role): the role's password, its Secret, the StatefulSet's scripts.
  "k8s-basic with a DNS zone": {
    "urn:pulumi:k8s-basic::orthanc::orthanc:kubernetes:OrthancKubernetes$orthanc:shared:Credentials$random:index/randomPassword:RandomPassword::orthanc-k8s-basic-credentials-database-app":
      "the database role's password",
    "urn:pulumi:k8s-basic::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-app-password":
      "the database role's password",
    "urn:pulumi:k8s-basic::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-postgres-scripts":
      "the database role script",
  },
};

describe.each(Object.keys(before))("%s", (label) => {
  test("every resource of the earlier plan keeps its identity (same URN or an alias) and its inputs", async () => {
    const variant = VARIANTS[label];
    const plan = await planVariant(variant);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const claims = new Map<string, string>();
    for (const r of plan.resources)
      for (const urn of urnsOf(r, byUrn, variant.stack))
        if (before[label][urn]) claims.set(urn, r.urn);

    expect(Object.keys(before[label]).filter((urn) => !claims.has(urn))).toEqual([]);
    const changed = Object.entries(before[label])
      .filter(([urn, digest]) => inputsDigest(byUrn.get(claims.get(urn)!)!) !== digest)
      .map(([urn]) => urn);
    expect(changed).toEqual(Object.keys(changedInputs[label] ?? {}));
    const claimed = new Set(claims.values());
    expect(
      plan.resources
        .filter((r) => !claimed.has(r.urn))
        .map((r) => r.urn)
        .sort(),
    ).toEqual(Object.keys(created[label] ?? {}).sort());

    const moved = [...claims]
      .filter(([old, now]) => old !== now)
      .map(([, now]) => `${byUrn.get(now)!.type}::${byUrn.get(now)!.name}`);
    expect(moved.sort()).toEqual((movedByAlias[label] ?? []).sort());
  });
});
