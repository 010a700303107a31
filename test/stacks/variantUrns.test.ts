/**
 * The URN history of `urns.test.ts`, for the configurations of `variants.ts`: every resource of
 * the plan recorded before the move is still answered, by its own URN or by an alias the engine
 * resolves, with the same inputs; and the ones answered only through an alias are exactly those
 * listed below (moved on purpose, e.g. into a component).
 */
import { readFileSync } from "node:fs";
import {
  inputsDigest,
  K8S_POSTGRES_TLS_CHANGED,
  K8S_EDGE_CREATED,
  K8S_EDGE_REMOVED,
  K8S_POSTGRES_TLS_CREATED,
  tail,
  urnsOf,
  UrnFixture,
} from "./urnHistory";
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

/** Issue 12 (database role): what it changes in the StatefulSet's stack, by kind. */
const K8S_DATABASE_ROLE: Record<string, string> = {
  StatefulSet: "database role script at start",
  CronJob: "dumps as orthanc_app",
  Deployment: "credentials name orthanc_app",
};

/**
 * Issue 13: the web name's record points at the Gateway's address instead of the Ingress's (an
 * in-place update of the record), and Orthanc's HTTP port admits the Gateway's proxies.
 */
const edgeChanged = (stack: string): Record<string, string> => ({
  [`urn:pulumi:${stack}::orthanc::aws:route53/record:Record::orthanc-${stack}-pacs.example.org`]:
    "the web name points at the Gateway",
  [`urn:pulumi:${stack}::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:networking.k8s.io/v1:NetworkPolicy::orthanc-${stack}-policy-1`]:
    "HTTP from the Gateway's proxies",
});

/** URNs whose inputs changed on purpose, by variant, with why. */
const changedInputs: Record<string, Record<string, string>> = {
  // Plan-only: the offline stand-in for k8s-ha's encrypted S3 key lost its spaces (issue 10), and
  // the pods' checksum over the credentials holding it changed with it.
  "k8s-ha with DNS records": {
    // ... and issue 12: with a DICOM name, DICOM TLS is on by default: orthanc.json gains the
    // DicomTls* settings and the pods mount the certificate.
    "urn:pulumi:k8s-ha::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc":
      "offline placeholder of a secure value; DICOM TLS mounts; sizeLimit on its emptyDirs (pods roll)",
    "urn:pulumi:k8s-ha::orthanc::orthanc:kubernetes:OrthancKubernetes$kubernetes:core/v1:ConfigMap::orthanc-k8s-ha-config":
      "DICOM TLS settings",
    ...edgeChanged("k8s-ha"),
  },
  // Issue 12: PostgreSQL over TLS (the StatefulSet, its dumps and Orthanc's pods change in
  // place), a sizeLimit on every emptyDir (in-place updates that roll the pods; the StatefulSet
  // keeps its PVC), and the database role (as k8s-basic in urns.test.ts; the PVCs are untouched).
  "k8s-basic with a DNS zone": Object.fromEntries([
    ...Object.entries(edgeChanged("k8s-basic")),
    ...Object.entries(K8S_POSTGRES_TLS_CHANGED).map(([key, why]) => {
      const kind = /apps\/v1:(Deployment|StatefulSet)::|batch\/v1:(CronJob)::/.exec(key);
      const role = kind ? K8S_DATABASE_ROLE[kind[1] ?? kind[2]] : undefined;
      const bounded = /apps\/v1:(Deployment|StatefulSet)::/.test(key);
      return [
        `urn:pulumi:k8s-basic::orthanc::orthanc:kubernetes:OrthancKubernetes$${key}`,
        [why, ...(bounded ? ["sizeLimit on its emptyDirs"] : []), ...(role ? [role] : [])].join(
          "; ",
        ),
      ];
    }),
  ]),
};

/** Resources a later issue creates on purpose, by variant (`type::name`), with why. */
const created: Record<string, Record<string, string>> = {
  "k8s-basic with a DNS zone": {
    ...K8S_POSTGRES_TLS_CREATED,
    ...K8S_EDGE_CREATED["k8s-basic"],
    // Issue 12 (database role): the role's password, its Secret, the StatefulSet's scripts.
    "random:index/randomPassword:RandomPassword::orthanc-k8s-basic-credentials-database-app":
      "the database role's password",
    "kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-app-password":
      "the database role's password",
    "kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-postgres-scripts": "the database role script",
  },
  // Issue 12: DICOM TLS on by default with a DICOM name: the namespace's DICOM CA chain and the
  // DICOM certificate (cert-manager objects).
  "k8s-ha with DNS records": {
    ...Object.fromEntries(
      ["dicom-selfsigned", "dicom-ca", "dicom-ca-issuer", "dicom-tls"].map((n) => [
        `kubernetes:cert-manager.io/v1:${n === "dicom-ca" || n === "dicom-tls" ? "Certificate" : "Issuer"}::orthanc-k8s-ha-${n}`,
        "DICOM TLS certificate chain",
      ]),
    ),
    ...K8S_EDGE_CREATED["k8s-ha"],
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

    expect(
      Object.keys(before[label])
        .filter((urn) => !claims.has(urn))
        .map(tail)
        .sort(),
    ).toEqual((K8S_EDGE_REMOVED[variant.stack] ?? []).sort());
    const changed = Object.entries(before[label])
      .filter(([urn]) => claims.has(urn))
      .filter(([urn, digest]) => inputsDigest(byUrn.get(claims.get(urn)!)!) !== digest)
      .map(([urn]) => urn);
    expect(changed.sort()).toEqual(Object.keys(changedInputs[label] ?? {}).sort());
    const claimed = new Set(claims.values());
    expect(
      plan.resources
        .filter((r) => !claimed.has(r.urn))
        .map((r) => `${r.type}::${r.name}`)
        .sort(),
    ).toEqual(Object.keys(created[label] ?? {}).sort());

    const moved = [...claims]
      .filter(([old, now]) => old !== now)
      .map(([, now]) => `${byUrn.get(now)!.type}::${byUrn.get(now)!.name}`);
    expect(moved.sort()).toEqual((movedByAlias[label] ?? []).sort());
  });
});
