/** The namespace's NetworkPolicies, validated against the Kubernetes schema. */
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { networkPolicies } from "../../../../components/kubernetes/manifests/networkPolicies";
import { Any, validate } from "./helpers";

describe("NetworkPolicies", () => {
  const policies = networkPolicies({
    name: "pacs",
    namespace: "orthanc",
    httpPort: 8042,
    dicomPort: 4242,
    ingressControllerNamespace: "ingress-nginx",
    dicomAllowedCidrs: ["10.20.0.0/16"],
    databaseSelector: {
      "app.kubernetes.io/component": "postgres",
      "app.kubernetes.io/instance": "pacs",
    },
    egressPorts: [443],
  }) as Any[];

  test("are valid", () => policies.forEach((p) => validate(NetworkPolicy, p)));

  test("deny everything by default", () => {
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test("Orthanc: HTTP only from the ingress controller, DICOM only from the allowlist; egress to DNS, its database and 443", () => {
    const o = policies[1].spec;
    expect(o.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 8042 }],
      },
      { from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 4242 }] },
    ]);
    expect(o.egress.map((e: Any) => e.ports.map((p: Any) => p.port))).toEqual([
      [53, 53],
      [5432],
      [443],
    ]);
  });

  test("PostgreSQL only from Orthanc", () => {
    expect(policies[2].spec.ingress).toEqual([
      {
        from: [{ podSelector: policies[1].spec.podSelector }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
  });

  test("with the backup job: only Orthanc and the job reach PostgreSQL; the job reaches only DNS and PostgreSQL; the job reaches only DNS and PostgreSQL", () => {
    const withBackups = networkPolicies({
      name: "pacs",
      namespace: "orthanc",
      httpPort: 8042,
      ingressControllerNamespace: "ingress-nginx",
      dicomAllowedCidrs: [],
      databaseSelector: { "app.kubernetes.io/component": "postgres" },
      egressPorts: [],
      backups: true,
    }) as Any[];
    withBackups.forEach((p) => validate(NetworkPolicy, p));
    expect(
      withBackups[2].spec.ingress[0].from.map(
        (f: Any) => f.podSelector.matchLabels["app.kubernetes.io/component"],
      ),
    ).toEqual(["orthanc", "backup"]);
    expect(withBackups[3].spec.egress.map((e: Any) => e.ports.map((p: Any) => p.port))).toEqual([
      [53, 53],
      [5432],
    ]);
    expect(withBackups[3].spec.ingress).toEqual([]);
  });
});
