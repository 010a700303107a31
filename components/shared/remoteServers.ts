/**
 * Where Orthanc itself connects out to: its peers and DICOMweb servers, as the targets that
 * restrict egress (Kubernetes NetworkPolicies, AWS security groups) must allow them. A rule names
 * addresses and ports, not host names: a server given by name is allowed on its port to any
 * address, one given by address on its port to that address only.
 */
import * as ipaddr from "ipaddr.js";

export interface Destination {
  readonly port: number;
  /** The server's own address as a /32 or /128; none when it is given by name. */
  readonly cidr?: string;
}

/** The port and, for an address literal, the address of each server; one rule per pair. */
export function destinationsOf(servers: readonly { readonly url: string }[]): Destination[] {
  const seen = new Map<string, Destination>();
  for (const { url } of servers) {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const cidr = ipaddr.isValid(host)
      ? `${ipaddr.parse(host).toString()}/${ipaddr.parse(host).kind() === "ipv4" ? 32 : 128}`
      : undefined;
    seen.set(`${port} ${cidr ?? ""}`, cidr ? { port, cidr } : { port });
  }
  return [...seen.values()].sort(
    (a, b) => a.port - b.port || (a.cidr ?? "").localeCompare(b.cidr ?? ""),
  );
}
