import * as ipaddr from "ipaddr.js";

/** Whether an IPv4 CIDR lies in loopback (127.0.0.0/8): only this host's own clients. */
export function isLoopbackCidr(cidr: string): boolean {
  return cidr.startsWith("127.");
}

/** `10.0.0.5` -> 167772165. */
export function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** 167772165 -> `10.0.0.5`. */
export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The network of an IPv4 CIDR, host bits cleared: `10.0.0.5/16` -> `10.0.0.0/16`. */
export function networkOf(cidr: string): string {
  const [base, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const start = ipv4ToInt(base);
  return `${intToIpv4(start - (start % 2 ** (32 - prefix)))}/${prefix}`;
}

/**
 * Networks a hospital can own without the internet in between: RFC 1918, carrier-grade NAT
 * (100.64.0.0/10, RFC 6598), loopback and link-local, and IPv6 unique-local and link-local.
 * Everything else, documentation ranges (192.0.2.0/24...) included, is public.
 */
const NON_PUBLIC: readonly string[] = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
];

/**
 * Whether a CIDR block reaches beyond the networks of `NON_PUBLIC`: a block is private only when
 * it lies wholly inside one of them (`10.0.0.0/7` also covers the public 11.0.0.0/8).
 */
export function isPublicCidr(block: string): boolean {
  const [address, prefix] = ipaddr.parseCIDR(block);
  return !NON_PUBLIC.some((range) => {
    const [net, bits] = ipaddr.parseCIDR(range);
    if (prefix < bits) return false;
    if (address.kind() === "ipv4" && net.kind() === "ipv4")
      return (address as ipaddr.IPv4).match(net as ipaddr.IPv4, bits);
    if (address.kind() === "ipv6" && net.kind() === "ipv6")
      return (address as ipaddr.IPv6).match(net as ipaddr.IPv6, bits);
    return false;
  });
}
