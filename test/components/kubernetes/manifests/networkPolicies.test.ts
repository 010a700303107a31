/** The namespace's NetworkPolicies, validated against the Kubernetes schema. */
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2";
import {
  ciliumPolicies,
  networkPolicies,
  PolicyArgs,
} from "../../../../components/kubernetes/manifests/networkPolicies";
import { Any, validate } from "./helpers";

describe("NetworkPolicies", () => {
  const policies = networkPolicies({
    name: "pacs",
    namespace: "orthanc",
    httpPort: 8042,
    dicomPort: 4242,
    httpSource: { kind: "pods", namespace: "ingress-nginx" },
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
      httpSource: { kind: "pods", namespace: "ingress-nginx" },
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

  describe("follow the edge", () => {
    const base: PolicyArgs = {
      name: "pacs",
      namespace: "orthanc",
      httpPort: 8042,
      dicomAllowedCidrs: [],
      egressPorts: [],
    };
    const byName = (ps: Any[], suffix: string) =>
      ps.find((p) => p.metadata.name === `pacs-${suffix}`);
    const envoy = {
      "gateway.envoyproxy.io/owning-gateway-name": "shared",
      "gateway.envoyproxy.io/owning-gateway-namespace": "gateway-system",
    };

    test.each<[string, PolicyArgs["httpSource"], Any[]]>([
      ["no public name: nothing reaches Orthanc's HTTP port", undefined, []],
      [
        "an Ingress controller: its namespace",
        { kind: "pods", namespace: "traefik" },
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } }],
      ],
      [
        "Envoy Gateway: that one Gateway's proxies in the controller's namespace",
        { kind: "pods", namespace: "envoy-gateway-system", labels: envoy },
        [
          {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
            },
            podSelector: { matchLabels: envoy },
          },
        ],
      ],
      [
        "Cilium: no NetworkPolicy peer (a CiliumNetworkPolicy admits it)",
        { kind: "cilium-ingress" },
        [],
      ],
    ])("%s", (_name, httpSource, from) => {
      const ps = networkPolicies({ ...base, httpSource, acmeSolver: true }) as Any[];
      ps.forEach((p) => validate(NetworkPolicy, p));
      const http = byName(ps, "orthanc").spec.ingress.filter((r: Any) => r.ports[0].port === 8042);
      expect(http).toEqual(from.length ? [{ from, ports: [{ protocol: "TCP", port: 8042 }] }] : []);
      const acme = byName(ps, "acme-solver");
      if (!httpSource) expect(acme).toBeUndefined();
      else
        expect(acme.spec).toEqual({
          podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
          policyTypes: ["Ingress"],
          ingress: from.length ? [{ from, ports: [{ protocol: "TCP", port: 8089 }] }] : [],
        });
    });

    test("cert-manager's solver is admitted only where this stack issues the certificate", () => {
      const ps = networkPolicies({
        ...base,
        httpSource: { kind: "pods", namespace: "envoy-gateway-system", labels: envoy },
      }) as Any[];
      expect(byName(ps, "acme-solver")).toBeUndefined();
    });

    test("the stack's own Gateway's proxies in Orthanc's namespace: open listeners, out only to Orthanc, the solver, DNS and their control plane's namespace", () => {
      const proxies = { "gateway.networking.k8s.io/gateway-name": "orthanc" };
      const ps = networkPolicies({
        ...base,
        httpSource: { kind: "pods", namespace: "orthanc", labels: proxies },
        acmeSolver: true,
        gatewayProxies: {
          labels: proxies,
          listenerPorts: [443, 80],
          controlPlane: { namespace: "istio-system", ports: [15012] },
        },
      }) as Any[];
      ps.forEach((p) => validate(NetworkPolicy, p));
      // Appended last: the older policies keep their index-based names.
      expect(ps.map((p) => p.metadata.name)).toEqual([
        "pacs-default-deny",
        "pacs-orthanc",
        "pacs-acme-solver",
        "pacs-gateway",
      ]);
      expect(byName(ps, "gateway").spec).toEqual({
        podSelector: { matchLabels: proxies },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            ports: [
              { protocol: "TCP", port: 443 },
              { protocol: "TCP", port: 80 },
            ],
          },
        ],
        egress: [
          byName(ps, "orthanc").spec.egress[0],
          {
            to: [{ podSelector: byName(ps, "orthanc").spec.podSelector }],
            ports: [{ protocol: "TCP", port: 8042 }],
          },
          {
            to: [
              { podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } } },
            ],
            ports: [{ protocol: "TCP", port: 8089 }],
          },
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": "istio-system" },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: 15012 }],
          },
        ],
      });
    });

    test("Cilium: CiliumNetworkPolicies admit its `ingress` identity to Orthanc's HTTP port and the solver only", () => {
      const cilium = ciliumPolicies({ ...base, acmeSolver: true }) as Any;
      expect(Object.keys(cilium)).toEqual(["gateway-to-orthanc", "gateway-to-acme-solver"]);
      for (const p of Object.values(cilium)) validate(CiliumNetworkPolicy, p);
      expect(cilium["gateway-to-orthanc"].spec).toEqual({
        endpointSelector: {
          matchLabels: byName(networkPolicies(base) as Any[], "orthanc").spec.podSelector
            .matchLabels,
        },
        ingress: [
          { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8042", protocol: "TCP" }] }] },
        ],
      });
      expect(Object.keys(ciliumPolicies(base))).toEqual(["gateway-to-orthanc"]);
    });
  });
});
