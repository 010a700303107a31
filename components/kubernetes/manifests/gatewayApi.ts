/**
 * Orthanc's HTTPS edge through the Gateway API (gateway.networking.k8s.io/v1), as plain data: the
 * HTTPRoute to Orthanc's Service, and, when the stack brings its own, the Gateway (HTTPS with
 * cert-manager's certificate) with its HTTP→HTTPS redirect. Implementation-specific limits are
 * lifted by the policy objects below, applied only for the implementation the stack names.
 * Typed with the Gateway API's own models (validated against its schema in the tests).
 */
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IHTTPRouteFilter } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRouteFilter";
import { objectMeta } from "./conventions";
import type { GatewayRef } from "./gatewayImplementations";

type Named = { readonly name: string; readonly namespace: string };

/** The Gateway a route attaches to, and the listener (`sectionName`) when one is named. */
export interface RouteParent extends GatewayRef {
  readonly listener?: string;
}

/** The listeners of the stack's own Gateway: the route attaches to `https`. */
export const OWN_LISTENERS = { https: 443, http: 80 } as const;

/** The Secret cert-manager writes the web certificate to (the Ingress's, before the Gateway). */
export const webTlsSecret = (s: Named) => `${s.name}-tls`;

/**
 * One request may last an hour: a whole study uploaded or downloaded as one archive. Envoy's own
 * default (15 s) would cut them; idle connections are still closed by the proxies' idle timers.
 */
export const REQUEST_TIMEOUT = "1h";

const parentRef = (p: RouteParent, listener = p.listener) => ({
  group: "gateway.networking.k8s.io",
  kind: "Gateway",
  name: p.name,
  namespace: p.namespace,
  ...(listener ? { sectionName: listener } : {}),
});

/** Browsers keep to HTTPS for a year (what ingress-nginx and Caddy send by default). */
export const HSTS = "max-age=31536000";

const hstsFilter: IHTTPRouteFilter = {
  type: "ResponseHeaderModifier",
  responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: HSTS }] },
};

/** The standard CORS filter: preflights answered at the edge, never by Orthanc's 401. */
const corsFilter = (origins: string[]): IHTTPRouteFilter => ({
  type: "CORS",
  cors: {
    allowOrigins: origins,
    allowCredentials: true,
    allowHeaders: ["Authorization", "Content-Type", "Accept"],
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  },
});

/** A further Service routed by path prefix, as it is (no rewrite): Keycloak under `/keycloak`. */
export interface PrefixBackend {
  readonly pathPrefix: string;
  /** A prefix below `pathPrefix` that stays with Orthanc (Keycloak's `master` realm). */
  readonly hiddenPrefix: string;
  readonly service: string;
  readonly port: number;
}

/**
 * HTTPS for `host` to Orthanc's Service `name`, through the Gateway `parent`; with `keycloak`,
 * its prefix to Keycloak's Service (the longest matching prefix wins, whatever the order).
 */
export function orthancRoute(
  s: Named,
  a: {
    host: string;
    parent: RouteParent;
    httpPort: number;
    corsOrigins?: string[];
    keycloak?: PrefixBackend;
  },
): IHTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: objectMeta(s.name, s.namespace, s.name, "orthanc"),
    spec: {
      parentRefs: [parentRef(a.parent)],
      hostnames: [a.host],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          filters: [hstsFilter, ...(a.corsOrigins?.length ? [corsFilter(a.corsOrigins)] : [])],
          backendRefs: [{ kind: "Service", name: s.name, port: a.httpPort }],
          timeouts: { request: REQUEST_TIMEOUT },
        },
        ...(a.keycloak
          ? [
              {
                matches: [{ path: { type: "PathPrefix" as const, value: a.keycloak.pathPrefix } }],
                filters: [hstsFilter],
                backendRefs: [{ kind: "Service", name: a.keycloak.service, port: a.keycloak.port }],
              },
              // Keycloak's own `master` realm is never served: its prefix goes to Orthanc, which
              // has no such path.
              {
                matches: [
                  { path: { type: "PathPrefix" as const, value: a.keycloak.hiddenPrefix } },
                ],
                filters: [hstsFilter],
                backendRefs: [{ kind: "Service", name: s.name, port: a.httpPort }],
              },
            ]
          : []),
      ],
    },
  };
}

/** Plain HTTP to the stack's own Gateway answers with a permanent redirect to HTTPS. */
export function httpsRedirectRoute(s: Named, a: { host: string; gateway: GatewayRef }): IHTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: objectMeta(`${s.name}-https-redirect`, s.namespace, s.name, "edge"),
    spec: {
      parentRefs: [parentRef(a.gateway, "http")],
      hostnames: [a.host],
      rules: [
        {
          filters: [
            { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
          ],
        },
      ],
    },
  };
}

/**
 * The stack's own Gateway: HTTPS for `host` with the certificate cert-manager issues for the
 * listener (its Gateway support reads the annotation, the hostname and the Secret's name), and
 * HTTP for the redirect and ACME's HTTP-01 challenges. Routes only from this namespace.
 */
export function ownGateway(
  s: Named,
  a: { gatewayName: string; className: string; host: string; certManagerIssuer: string },
): IGateway {
  const fromSame = { namespaces: { from: "Same" as const } };
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: {
      ...objectMeta(a.gatewayName, s.namespace, s.name, "edge"),
      annotations: { "cert-manager.io/cluster-issuer": a.certManagerIssuer },
    },
    spec: {
      gatewayClassName: a.className,
      listeners: [
        {
          name: "https",
          protocol: "HTTPS",
          port: OWN_LISTENERS.https,
          hostname: a.host,
          tls: {
            mode: "Terminate",
            certificateRefs: [{ group: "", kind: "Secret", name: webTlsSecret(s) }],
          },
          allowedRoutes: fromSame,
        },
        {
          name: "http",
          protocol: "HTTP",
          port: OWN_LISTENERS.http,
          hostname: a.host,
          allowedRoutes: fromSame,
        },
      ],
    },
  };
}

/**
 * NGINX Gateway Fabric: NGINX refuses bodies over 1 MiB by default (`client_max_body_size`);
 * `0` lifts the limit for Orthanc's route only.
 */
export function nginxGatewayFabricBodyPolicy(s: Named) {
  return {
    apiVersion: "gateway.nginx.org/v1alpha1",
    kind: "ClientSettingsPolicy",
    metadata: objectMeta(`${s.name}-client-settings`, s.namespace, s.name, "edge"),
    spec: {
      targetRef: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: s.name },
      body: { maxSize: "0" },
    },
  };
}
