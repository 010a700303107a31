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
