/** Whether an IPv4 CIDR lies in loopback (127.0.0.0/8): only this host's own clients. */
export function isLoopbackCidr(cidr: string): boolean {
  return cidr.startsWith("127.");
}
