import { ConfigIssue, safeParseConfig } from "../../infra/config";

/**
 * The smallest aws configuration that is accepted: a region, and a domain in a zone (without one
 * the web endpoint would be plain HTTP on an internet-facing load balancer, refused).
 */
export const AWS_HTTPS = {
  aws: { region: "eu-west-1" },
  dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
};

/** The problems `safeParseConfig` reports; fails the test when the configuration is accepted. */
/**
 * The kubernetes target's HTTPS edge for tests that give a public name: an HTTPRoute on an
 * existing Envoy Gateway (a name without an edge is refused).
 */
export const K8S_EDGE = {
  gateway: {
    name: "shared-gateway",
    namespace: "gateway-system",
    listener: "https",
    implementation: "envoy-gateway",
  },
};

export function issuesOf(raw: Record<string, unknown>): ConfigIssue[] {
  const r = safeParseConfig(raw);
  if (r.ok) throw new Error("expected the configuration to be rejected");
  return r.issues;
}

/** A configuration that must be rejected: what it shows, the raw config, the key and message reported. */
export type Rejection = [name: string, raw: Record<string, unknown>, key: string, message: RegExp];

/** One test per case: the configuration is rejected with `key`, and that issue's message matches. */
export function testRejections(cases: Rejection[]): void {
  test.each(cases)("%s", (_name, raw, key, message) => {
    const issues = issuesOf(raw);
    expect(issues.map((i) => i.key)).toContain(key);
    expect(issues.find((i) => i.key === key)!.message).toMatch(message);
  });
}
