/**
 * What this program knows of each Gateway API implementation: where a Gateway's proxy pods run
 * (the only pods the network policy lets reach Orthanc's HTTP port), whether the HTTPRoute's
 * standard CORS filter is honoured, and what else must be set for hour-long uploads and
 * downloads. `other` knows nothing: the stack names where the proxies run, and CORS is refused.
 */

export const GATEWAY_IMPLEMENTATIONS = [
  "envoy-gateway",
  "istio",
  "cilium",
  "nginx-gateway-fabric",
  "traefik",
  "other",
] as const;
export type GatewayImplementation = (typeof GATEWAY_IMPLEMENTATIONS)[number];

/** A Gateway, as a route's parent. */
export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
}

/**
 * Where a Gateway's proxies run, as a NetworkPolicy can name them.
 * - `namespace`: the Gateway's own (`gateway`) or a fixed one (the controller's);
 * - `labels`: the labels the implementation puts on the proxies of that one Gateway, so that other
 *   Gateways' proxies in the same namespace are not let in.
 * `entity`: the proxies are no pods a NetworkPolicy can select (Cilium's per-node Envoy, whose
 * traffic carries the reserved `ingress` identity); a CiliumNetworkPolicy admits them.
 */
export type ProxyPlacement =
  | {
      readonly kind: "pods";
      readonly namespace: "gateway" | string;
      readonly labels: (gw: GatewayRef) => Record<string, string>;
    }
  | { readonly kind: "cilium-ingress" };

export interface ImplementationFacts {
  /** Where its proxies run by default; undefined (`other`): the stack must say. */
  readonly proxies?: ProxyPlacement;
  /**
   * For proxies in the Gateway's own namespace (which the namespace's default deny would cut
   * off): the control plane they must reach, in the namespace its chart installs it in by default.
   */
  readonly controlPlane?: { readonly namespace: string; readonly ports: number[] };
  /** Honours the HTTPRoute `CORS` filter (Gateway API v1.5 standard, extended support). */
  readonly corsFilter: boolean;
  /** Serves a Gateway of the stack's own with listeners on 80 and 443. */
  readonly ownGateway: boolean;
}

/** The Gateway API's label for the pods of a Gateway deployed in its own namespace. */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

/*
 * Sources: Envoy Gateway's proxy deployment test data (labels, controller namespace); Istio's
 * kube-gateway template (pods in the Gateway's namespace, istiod on 15012); NGINX Gateway Fabric's
 * provisioner (pods in the Gateway's namespace, the agent to the control plane's 443/8443);
 * Cilium's ingress reference (the reserved `ingress` identity); the implementations' Gateway API
 * compatibility pages for CORS (Cilium and Traefik added it after the versions this was checked
 * against, so they are treated as without it).
 */
export const IMPLEMENTATIONS: Record<GatewayImplementation, ImplementationFacts> = {
  // Envoy Gateway deploys each Gateway's Envoy in the controller's namespace by default.
  "envoy-gateway": {
    proxies: {
      kind: "pods",
      namespace: "envoy-gateway-system",
      labels: (gw) => ({
        "gateway.envoyproxy.io/owning-gateway-name": gw.name,
        "gateway.envoyproxy.io/owning-gateway-namespace": gw.namespace,
      }),
    },
    corsFilter: true,
    ownGateway: true,
  },
  // Istio deploys a Gateway's proxy next to it, in the Gateway's namespace.
  istio: {
    proxies: {
      kind: "pods",
      namespace: "gateway",
      labels: (gw) => ({ [GATEWAY_NAME_LABEL]: gw.name }),
    },
    controlPlane: { namespace: "istio-system", ports: [15012] },
    corsFilter: true,
    ownGateway: true,
  },
  cilium: { proxies: { kind: "cilium-ingress" }, corsFilter: false, ownGateway: true },
  // NGINX Gateway Fabric 2 deploys a Gateway's NGINX in the Gateway's namespace.
  "nginx-gateway-fabric": {
    proxies: {
      kind: "pods",
      namespace: "gateway",
      labels: (gw) => ({ [GATEWAY_NAME_LABEL]: gw.name }),
    },
    controlPlane: { namespace: "nginx-gateway", ports: [443, 8443] },
    corsFilter: true,
    ownGateway: true,
  },
  // Traefik serves every Gateway from its own pods (its chart's namespace), on its entry points'
  // ports: a Gateway of the stack's own would need listeners on those, not on 80 and 443.
  traefik: {
    proxies: { kind: "pods", namespace: "traefik", labels: () => ({}) },
    corsFilter: false,
    ownGateway: false,
  },
  other: { corsFilter: false, ownGateway: true },
};

/** The namespace of `gw`'s proxies under `placement`. */
export const proxyNamespace = (
  placement: Extract<ProxyPlacement, { kind: "pods" }>,
  gw: GatewayRef,
): string => (placement.namespace === "gateway" ? gw.namespace : placement.namespace);
