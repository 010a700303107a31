import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createDnsRecords, createRoute53Provider, DnsRecordsArgs } from "../dns/records";
import { KEYCLOAK_MASTER_REALM_PATH, KEYCLOAK_PATH } from "../shared/accessControl";
import {
  httpsRedirectRoute,
  nginxGatewayFabricBodyPolicy,
  orthancRoute,
  OWN_LISTENERS,
  ownGateway,
  RouteParent,
} from "./manifests/gatewayApi";
import {
  GATEWAY_NAME_LABEL,
  GatewayImplementation,
  GatewayRef,
  IMPLEMENTATIONS,
  proxyNamespace,
} from "./manifests/gatewayImplementations";
import {
  dicomService,
  IngressController,
  orthancIngress,
  traefikHeadersMiddleware,
} from "./manifests/ingress";
import type { HttpSource, InNamespaceProxies } from "./manifests/networkPolicies";
import { APP, customResources, InNamespace } from "./namespace";

/** HTTPS through the Gateway API: an HTTPRoute on an existing Gateway, or on the stack's own. */
export interface GatewayEdge {
  readonly kind: "gateway";
  /** The public name. */
  readonly host: string;
  /** The Gateway the route attaches to (with `own`, the name of the stack's own Gateway). */
  readonly gateway: {
    readonly name: string;
    readonly namespace: string;
    readonly listener?: string;
  };
  /** The stack's own Gateway in Orthanc's namespace: its class and certificate issuer. */
  readonly own?: { readonly className: string; readonly certManagerIssuer: string };
  /** What runs the Gateway. */
  readonly implementation: GatewayImplementation;
  /** Where its proxy pods run, when not where the implementation puts them. */
  readonly proxyNamespace?: string;
  /** Where its control plane runs, when not where the implementation's chart puts it. */
  readonly controlPlaneNamespace?: string;
}

/** HTTPS through an Ingress of a controller the cluster keeps, with cert-manager's certificate. */
export interface IngressEdge {
  readonly kind: "ingress";
  readonly host: string;
  readonly className: string;
  readonly controller: IngressController;
  readonly controllerNamespace: string;
  readonly certManagerIssuer: string;
  readonly annotations: Record<string, string>;
}

/** The web entrance; none: no public name, Orthanc is reached inside the cluster only. */
export type WebEdge = GatewayEdge | IngressEdge;

/** Route 53 names for the addresses the cluster gives the web edge and the DICOM load balancer. */
export interface DnsOptions {
  /** The hosted zone; the web record is for the edge's host. */
  readonly zoneId: string;
  /** The DICOM load balancer's name; ignored while DICOM is not published. */
  readonly dicomName?: string;
}

export interface EdgeArgs {
  readonly ns: InNamespace;
  readonly web?: WebEdge;
  readonly httpPort: number;
  /** Browser origins allowed to call the API. */
  readonly corsOrigins: string[];
  /** DICOM from outside the cluster, only from these networks; none: it stays inside. */
  readonly dicom?: { readonly port: number; readonly allowedCidrs: string[] };
  readonly dns?: DnsOptions;
  /** Keycloak's Service, routed under its prefix beside Orthanc, under access control. */
  readonly keycloak?: { readonly service: string; readonly port: number };
}

/** Who the network policies must let in, because they are the edge. */
export interface EdgeSources {
  /** The only source of Orthanc's HTTP. */
  readonly http?: HttpSource;
  /** The stack's own Gateway's proxies, when they run in Orthanc's namespace. */
  readonly gatewayProxies?: InNamespaceProxies;
  /** cert-manager issues the web certificate here (own Gateway, Ingress): its solver is heard. */
  readonly acmeSolver?: boolean;
}

export interface Edge {
  /** The web edge's address for the public name (load balancer host name or IP), once known. */
  readonly webAddress?: pulumi.Output<string>;
  /** The DICOM load balancer Service's name. */
  readonly dicomService?: pulumi.Output<string>;
  /** The DICOM load balancer's address once the cluster assigned one. */
  readonly dicomHost?: pulumi.Output<string>;
  readonly sources: EdgeSources;
}

/** The address the cluster reports for a load balancer or an Ingress: host name, else IP. */
const address = (status?: { ingress?: { hostname?: string; ip?: string }[] }) =>
  status?.ingress?.[0]?.hostname ?? status?.ingress?.[0]?.ip;

/**
 * How the world reaches Orthanc: HTTPS through the Gateway API or an Ingress, the DICOM load
 * balancer open to the allowlist only, and, with a hosted zone, Route 53 records for both.
 */
export function createEdge(name: string, parent: pulumi.Resource, args: EdgeArgs): Edge {
  const { ns } = args;
  const web = args.web
    ? args.web.kind === "gateway"
      ? createGatewayRoute(name, parent, args, args.web)
      : createIngress(name, parent, args, args.web)
    : undefined;
  const dicom = args.dicom
    ? new k8s.core.v1.Service(
        `${name}-dicom`,
        dicomService({ name: APP, namespace: ns.name }, args.dicom.port, args.dicom.allowedCidrs),
        { parent, dependsOn: ns.dependsOn },
      )
    : undefined;
  const edge: Edge = {
    webAddress: web?.address,
    dicomService: dicom?.metadata.name,
    dicomHost: dicom?.status.apply((s) => address(s?.loadBalancer) ?? "(pending)"),
    sources: web?.sources ?? {},
  };
  if (args.dns)
    createEdgeRecords(name, parent, args.dns, [
      [args.web?.host, edge.webAddress],
      [args.dns.dicomName, edge.dicomHost],
    ]);
  return edge;
}

type WebParts = { address: pulumi.Output<string>; sources: EdgeSources };

/**
 * The Ingress (its name predates the Gateway API edge: existing stacks keep theirs), and Traefik's
 * headers Middleware (HSTS, CORS) when Traefik serves it.
 */
function createIngress(
  name: string,
  parent: pulumi.Resource,
  args: EdgeArgs,
  web: IngressEdge,
): WebParts {
  const { ns } = args;
  const s = { name: APP, namespace: ns.name };
  const middleware =
    web.controller === "traefik"
      ? customResources(name, parent, ns)("headers", traefikHeadersMiddleware(s, args.corsOrigins))
      : undefined;
  const ingress = new k8s.networking.v1.Ingress(
    `${name}-ingress`,
    orthancIngress(s, {
      host: web.host,
      className: web.className,
      controller: web.controller,
      certManagerIssuer: web.certManagerIssuer,
      corsOrigins: args.corsOrigins,
      annotations: web.annotations,
      ...(args.keycloak
        ? {
            keycloak: {
              pathPrefix: KEYCLOAK_PATH,
              hiddenPrefix: KEYCLOAK_MASTER_REALM_PATH,
              service: args.keycloak.service,
            },
          }
        : {}),
    }),
    { parent, dependsOn: [...ns.dependsOn, ...(middleware ? [middleware] : [])] },
  );
  return {
    address: ingress.status.apply((st) => address(st?.loadBalancer) ?? ""),
    sources: { http: { kind: "pods", namespace: web.controllerNamespace }, acmeSolver: true },
  };
}

/**
 * The HTTPRoute to Orthanc; with `own`, the Gateway it attaches to and the HTTP→HTTPS redirect;
 * the policy objects the implementation needs for whole studies. An existing Gateway is read, not
 * managed: its address names the web record, and a Gateway that does not exist fails the deploy.
 */
function createGatewayRoute(
  name: string,
  parent: pulumi.Resource,
  args: EdgeArgs,
  web: GatewayEdge,
): WebParts {
  const { ns } = args;
  const s = { name: APP, namespace: ns.name };
  const custom = customResources(name, parent, ns);
  const gatewayRef: GatewayRef = web.own
    ? { name: web.gateway.name, namespace: ns.name }
    : web.gateway;
  const parentRef: RouteParent = {
    ...gatewayRef,
    listener: web.own ? "https" : web.gateway.listener,
  };
  // `status` among the properties makes the Gateway's status (its address) an output.
  const gateway = web.own
    ? custom("gateway", {
        ...ownGateway(s, {
          gatewayName: gatewayRef.name,
          className: web.own.className,
          host: web.host,
          certManagerIssuer: web.own.certManagerIssuer,
        }),
        status: undefined,
      })
    : new k8s.apiextensions.CustomResource(
        `${name}-gateway`,
        { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", status: undefined },
        { parent, id: `${gatewayRef.namespace}/${gatewayRef.name}` },
      );
  const route = custom(
    "route",
    orthancRoute(s, {
      host: web.host,
      parent: parentRef,
      httpPort: args.httpPort,
      corsOrigins: args.corsOrigins,
      ...(args.keycloak
        ? {
            keycloak: {
              pathPrefix: KEYCLOAK_PATH,
              hiddenPrefix: KEYCLOAK_MASTER_REALM_PATH,
              ...args.keycloak,
            },
          }
        : {}),
    }),
    web.own ? [gateway] : [],
  );
  if (web.own)
    custom("https-redirect", httpsRedirectRoute(s, { host: web.host, gateway: gatewayRef }), [
      gateway,
    ]);
  if (web.implementation === "nginx-gateway-fabric")
    custom("client-settings", nginxGatewayFabricBodyPolicy(s), [route]);
  return {
    address: (
      gateway as unknown as { status: pulumi.Output<GatewayStatus | undefined> }
    ).status.apply((st) => st?.addresses?.[0]?.value ?? ""),
    sources: gatewaySources(web, gatewayRef, ns.name),
  };
}

type GatewayStatus = { addresses?: { type?: string; value: string }[] };

/**
 * Who may reach Orthanc through this Gateway: its proxies where the implementation runs them (or
 * where the stack says); and, for the stack's own Gateway whose proxies run in Orthanc's
 * namespace, those proxies themselves, which the namespace's default deny would cut off.
 */
export function gatewaySources(
  web: GatewayEdge,
  gateway: GatewayRef,
  namespace: string,
): EdgeSources {
  const facts = IMPLEMENTATIONS[web.implementation];
  const placement = facts.proxies;
  if (placement?.kind === "cilium-ingress")
    return { http: { kind: "cilium-ingress" }, acmeSolver: web.own !== undefined };
  const proxies =
    web.proxyNamespace ?? (placement ? proxyNamespace(placement, gateway) : namespace);
  // In the Gateway's namespace, the Gateway API's own label tells one Gateway's proxies apart.
  const labels =
    placement?.labels(gateway) ??
    (proxies === gateway.namespace ? { [GATEWAY_NAME_LABEL]: gateway.name } : {});
  const http: HttpSource = {
    kind: "pods",
    namespace: proxies,
    ...(Object.keys(labels).length ? { labels } : {}),
  };
  const inNamespace = web.own !== undefined && proxies === namespace;
  return {
    http,
    acmeSolver: web.own !== undefined,
    gatewayProxies:
      inNamespace && http.labels
        ? {
            labels: http.labels,
            listenerPorts: [OWN_LISTENERS.https, OWN_LISTENERS.http],
            controlPlane: {
              namespace: web.controlPlaneNamespace ?? facts.controlPlane?.namespace ?? namespace,
              ports: facts.controlPlane?.ports ?? [],
            },
          }
        : undefined,
  };
}

/**
 * A Route 53 record for each name that has an address: a CNAME for a host name, an A record for
 * an IP. They were the stack's own resources before they moved into this component: the aliases
 * keep the existing ones.
 */
function createEdgeRecords(
  name: string,
  parent: pulumi.Resource,
  dns: DnsOptions,
  names: [string | undefined, pulumi.Output<string> | undefined][],
) {
  const aliases = [{ parent: pulumi.rootStackResource }];
  const provider = createRoute53Provider(`${name}-dns`, parent, { aliases });
  const records: DnsRecordsArgs["records"] = Object.fromEntries(
    names.flatMap(([recordName, target]) =>
      recordName && target ? [[recordName, { name: recordName, target: { address: target } }]] : [],
    ),
  );
  createDnsRecords(name, parent, { zoneId: dns.zoneId, records }, { provider, aliases });
}
