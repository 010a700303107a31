/**
 * The Gateway API edge as data: every object validated against the Gateway API's own schema
 * (gateway.networking.k8s.io/v1, @kubernetes-models/gateway-api), and where each implementation's
 * proxies may come from.
 */
import { Gateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { gatewaySources, GatewayEdge } from "../../../../components/kubernetes/edge";
import {
  httpsRedirectRoute,
  nginxGatewayFabricBodyPolicy,
  orthancRoute,
  ownGateway,
} from "../../../../components/kubernetes/manifests/gatewayApi";
import {
  GATEWAY_IMPLEMENTATIONS,
  GatewayImplementation,
} from "../../../../components/kubernetes/manifests/gatewayImplementations";
import { Any, spec, validate } from "./helpers";

const SHARED = { name: "shared", namespace: "gateway-system" };
const HSTS_FILTER = {
  type: "ResponseHeaderModifier",
  responseHeaderModifier: {
    set: [{ name: "Strict-Transport-Security", value: "max-age=31536000" }],
  },
};

describe("HTTPRoute", () => {
  test("HTTPS for the host to the Service's port through the named listener, HSTS, an hour per request", () => {
    const r = orthancRoute(spec, {
      host: "pacs.example.org",
      parent: { ...SHARED, listener: "https" },
      httpPort: 8042,
    }) as Any;
    validate(HTTPRoute, r);
    expect(r.metadata).toMatchObject({ name: "pacs", namespace: "orthanc" });
    expect(r.spec).toEqual({
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "shared",
          namespace: "gateway-system",
          sectionName: "https",
        },
      ],
      hostnames: ["pacs.example.org"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          filters: [HSTS_FILTER],
          backendRefs: [{ kind: "Service", name: "pacs", port: 8042 }],
          timeouts: { request: "1h" },
        },
      ],
    });
  });

  test("any listener of the Gateway when none is named; CORS through the standard filter", () => {
    const r = orthancRoute(spec, {
      host: "pacs.example.org",
      parent: SHARED,
      httpPort: 8042,
      corsOrigins: ["https://viewer.example.org"],
    }) as Any;
    validate(HTTPRoute, r);
    expect(r.spec.parentRefs[0]).not.toHaveProperty("sectionName");
    expect(r.spec.rules[0].filters).toEqual([
      HSTS_FILTER,
      {
        type: "CORS",
        cors: {
          allowOrigins: ["https://viewer.example.org"],
          allowCredentials: true,
          allowHeaders: ["Authorization", "Content-Type", "Accept"],
          allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        },
      },
    ]);
  });

  test("plain HTTP on the stack's own Gateway: a permanent redirect to HTTPS, nothing routed", () => {
    const r = httpsRedirectRoute(spec, {
      host: "pacs.example.org",
      gateway: { name: "orthanc", namespace: "orthanc" },
    }) as Any;
    validate(HTTPRoute, r);
    expect(r.spec.parentRefs[0].sectionName).toBe("http");
    expect(r.spec.rules).toEqual([
      {
        filters: [
          { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
        ],
      },
    ]);
  });
});

describe("the stack's own Gateway", () => {
  const g = ownGateway(spec, {
    gatewayName: "orthanc",
    className: "eg",
    host: "pacs.example.org",
    certManagerIssuer: "letsencrypt",
  }) as Any;

  test("is valid; cert-manager issues its HTTPS listener's certificate into the web Secret", () => {
    validate(Gateway, g);
    expect(g.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(g.spec.gatewayClassName).toBe("eg");
    expect(g.spec.listeners[0]).toEqual({
      name: "https",
      protocol: "HTTPS",
      port: 443,
      hostname: "pacs.example.org",
      tls: {
        mode: "Terminate",
        certificateRefs: [{ group: "", kind: "Secret", name: "pacs-tls" }],
      },
      allowedRoutes: { namespaces: { from: "Same" } },
    });
  });

  test("HTTP only for the same host, routes only from its own namespace", () => {
    expect(g.spec.listeners[1]).toEqual({
      name: "http",
      protocol: "HTTP",
      port: 80,
      hostname: "pacs.example.org",
      allowedRoutes: { namespaces: { from: "Same" } },
    });
  });
});

test("NGINX Gateway Fabric: no body limit on Orthanc's route only", () => {
  expect(nginxGatewayFabricBodyPolicy(spec) as Any).toEqual({
    apiVersion: "gateway.nginx.org/v1alpha1",
    kind: "ClientSettingsPolicy",
    metadata: {
      name: "pacs-client-settings",
      namespace: "orthanc",
      labels: expect.objectContaining({ "app.kubernetes.io/component": "edge" }),
    },
    spec: {
      targetRef: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "pacs" },
      body: { maxSize: "0" },
    },
  });
});

describe("who may reach Orthanc through a Gateway", () => {
  const edge = (implementation: GatewayImplementation, more: Partial<GatewayEdge> = {}) =>
    ({
      kind: "gateway",
      host: "pacs.example.org",
      gateway: SHARED,
      implementation,
      ...more,
    }) as GatewayEdge;
  const own = { className: "x", certManagerIssuer: "letsencrypt" };
  const OWN = { name: "orthanc", namespace: "orthanc" };
  const gwLabel = (name: string) => ({ "gateway.networking.k8s.io/gateway-name": name });

  test.each<[string, GatewayEdge, typeof SHARED, Any]>([
    [
      "Envoy Gateway: that Gateway's Envoy pods, in the controller's namespace",
      edge("envoy-gateway"),
      SHARED,
      {
        http: {
          kind: "pods",
          namespace: "envoy-gateway-system",
          labels: {
            "gateway.envoyproxy.io/owning-gateway-name": "shared",
            "gateway.envoyproxy.io/owning-gateway-namespace": "gateway-system",
          },
        },
        acmeSolver: false,
      },
    ],
    [
      "Envoy Gateway in gateway-namespace mode: where the stack says, same labels",
      edge("envoy-gateway", { proxyNamespace: "gateway-system" }),
      SHARED,
      expect.objectContaining({
        http: expect.objectContaining({ namespace: "gateway-system" }),
      }),
    ],
    [
      "Istio, an existing Gateway: its pods in the Gateway's namespace",
      edge("istio"),
      SHARED,
      {
        http: { kind: "pods", namespace: "gateway-system", labels: gwLabel("shared") },
        acmeSolver: false,
      },
    ],
    [
      "Istio, the stack's own Gateway: its pods here, with their own policy and istiod's port",
      edge("istio", { own }),
      OWN,
      {
        http: { kind: "pods", namespace: "orthanc", labels: gwLabel("orthanc") },
        acmeSolver: true,
        gatewayProxies: {
          labels: gwLabel("orthanc"),
          listenerPorts: [443, 80],
          controlPlane: { namespace: "istio-system", ports: [15012] },
        },
      },
    ],
    [
      "NGINX Gateway Fabric, own: its NGINX here, the control plane on 443/8443 in nginx-gateway",
      edge("nginx-gateway-fabric", { own }),
      OWN,
      expect.objectContaining({
        gatewayProxies: expect.objectContaining({
          controlPlane: { namespace: "nginx-gateway", ports: [443, 8443] },
        }),
      }),
    ],
    [
      "Cilium: its reserved identity, no pods",
      edge("cilium", { own }),
      OWN,
      { http: { kind: "cilium-ingress" }, acmeSolver: true },
    ],
    [
      "Traefik: its namespace (one deployment serves every Gateway)",
      edge("traefik"),
      SHARED,
      { http: { kind: "pods", namespace: "traefik" }, acmeSolver: false },
    ],
    [
      "other: the namespace the stack names",
      edge("other", { proxyNamespace: "kong" }),
      SHARED,
      { http: { kind: "pods", namespace: "kong" }, acmeSolver: false },
    ],
  ])("%s", (_name, web, gw, expected) => {
    expect(gatewaySources(web, gw, "orthanc")).toEqual(expected);
  });

  test("every implementation is in the table", () => {
    expect(GATEWAY_IMPLEMENTATIONS).toEqual([
      "envoy-gateway",
      "istio",
      "cilium",
      "nginx-gateway-fabric",
      "traefik",
      "other",
    ]);
  });
});
