import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createDnsRecords, createRoute53Provider, DnsRecordsArgs } from "../dns/records";
import { dicomService, orthancIngress } from "./manifests/ingress";
import { APP, InNamespace } from "./namespace";

/** The web entrance: an Ingress of an existing ingress-nginx, TLS from cert-manager. */
export interface IngressOptions {
  /** The public name; none: no Ingress, Orthanc is reached inside the cluster only. */
  readonly host?: string;
  /** The IngressClass. */
  readonly className: string;
  /** The cert-manager ClusterIssuer for the certificate. */
  readonly certManagerIssuer: string;
  /** Where the ingress controller runs: the only namespace allowed to reach Orthanc's HTTP. */
  readonly controllerNamespace: string;
}

/** Route 53 names for the addresses the cluster gives the Ingress and the DICOM load balancer. */
export interface DnsOptions {
  /** The hosted zone; the web record is for the Ingress's host. */
  readonly zoneId: string;
  /** The DICOM load balancer's name; ignored while DICOM is not published. */
  readonly dicomName?: string;
}

export interface EdgeArgs {
  readonly ns: InNamespace;
  readonly ingress: IngressOptions;
  readonly httpPort: number;
  /** Browser origins allowed to call the API. */
  readonly corsOrigins: string[];
  /** DICOM from outside the cluster, only from these networks; none: it stays inside. */
  readonly dicom?: { readonly port: number; readonly allowedCidrs: string[] };
  readonly dns?: DnsOptions;
}

export interface Edge {
  /** The ingress controller's address for the public name, once assigned. */
  readonly ingressAddress?: pulumi.Output<string>;
  /** The DICOM load balancer Service's name. */
  readonly dicomService?: pulumi.Output<string>;
  /** The DICOM load balancer's address once the cluster assigned one. */
  readonly dicomHost?: pulumi.Output<string>;
}

/** The address the cluster reports for a load balancer or an Ingress: host name, else IP. */
const address = (status?: { ingress?: { hostname?: string; ip?: string }[] }) =>
  status?.ingress?.[0]?.hostname ?? status?.ingress?.[0]?.ip;

/**
 * How the world reaches Orthanc: the Ingress for the public name, the DICOM load balancer open to
 * the allowlist only, and, with a hosted zone, Route 53 records for both.
 */
export function createEdge(name: string, parent: pulumi.Resource, args: EdgeArgs): Edge {
  const { ns } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const ingress = args.ingress.host
    ? new k8s.networking.v1.Ingress(
        `${name}-ingress`,
        orthancIngress(
          { name: APP, namespace: ns.name },
          {
            host: args.ingress.host,
            className: args.ingress.className,
            certManagerIssuer: args.ingress.certManagerIssuer,
            corsOrigins: args.corsOrigins,
          },
        ),
        inNs,
      )
    : undefined;
  const dicom = args.dicom
    ? new k8s.core.v1.Service(
        `${name}-dicom`,
        dicomService({ name: APP, namespace: ns.name }, args.dicom.port, args.dicom.allowedCidrs),
        inNs,
      )
    : undefined;
  const edge: Edge = {
    ingressAddress: ingress?.status.apply((s) => address(s?.loadBalancer) ?? ""),
    dicomService: dicom?.metadata.name,
    dicomHost: dicom?.status.apply((s) => address(s?.loadBalancer) ?? "(pending)"),
  };
  if (args.dns)
    createEdgeRecords(name, parent, args.dns, [
      [args.ingress.host, edge.ingressAddress],
      [args.dns.dicomName, edge.dicomHost],
    ]);
  return edge;
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
