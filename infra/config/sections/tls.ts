import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { rule } from "../rule";

/** `orthanc:tls`: HTTPS on the public web endpoint. */
export const tlsSection = z.strictObject({
  /** HTTPS on the public endpoint. Defaults to on whenever `orthanc:dns.name` is set. */
  enabled: z.boolean().optional(),
  /** Contact address for Let's Encrypt (Docker target) expiry notices. */
  acmeEmail: z.email().optional(),
  /** Use Let's Encrypt's staging CA (untrusted certificates, no rate limits) for trials. */
  staging: z.boolean().default(false),
  /**
   * The explicit yes to plain HTTP beyond this machine: on a Docker host's network interface
   * (`docker.bindAddress` other than loopback), on an `aws-vm` host, or on the aws target's
   * internet-facing load balancer. Passwords and images then cross the network unencrypted.
   */
  allowPlainHttp: z.boolean().default(false),
});

/** Whether the web endpoint serves HTTPS (as `infra/targets/common.ts` decides it). */
export const tlsOn = (tls: { enabled?: boolean }, dns: { name?: string }) =>
  tls.enabled ?? dns.name !== undefined;

const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;
const ALLOW_PLAIN_HTTP = "`pulumi config set --path 'orthanc:tls.allowPlainHttp' true`";

/** Why the endpoint has no TLS, naming the key to change. */
const whyPlain = (tls: { enabled?: boolean }) =>
  tls.enabled === false
    ? "`orthanc:tls.enabled` is false"
    : "there is no domain (`orthanc:dns.name`) for a certificate";

/** The rules that guard `orthanc:tls`. */
export const tlsRules = [
  rule({ sections: ["tls", "dns"] }, ({ tls, dns }) =>
    tls.enabled === true && !dns.name
      ? {
          key: "orthanc:tls.enabled",
          message: `TLS needs a domain for its certificate, but \`orthanc:dns.name\` is not set. Fix: set \`orthanc:dns.name\`, or tls.enabled to false.`,
        }
      : undefined,
  ),

  // Let's Encrypt is the Docker target's; ACM (aws) and cert-manager (kubernetes) issue theirs.
  rule({ sections: ["tls", "dns"] }, ({ tls, dns }, target, given) => {
    const issues: ConfigIssue[] = [];
    for (const leaf of ["acmeEmail", "staging"] as const) {
      const key = `orthanc:tls.${leaf}`;
      if (!given(`tls.${leaf}`)) continue;
      if (target !== "docker")
        issues.push({
          key,
          message:
            `configures Let's Encrypt, which only the docker target uses; on ${target} the certificate comes from ` +
            (target === "aws"
              ? "ACM (validated in `orthanc:dns.zoneId`)"
              : "the cert-manager issuer `orthanc:kubernetes.certManagerIssuer` (its email is the issuer's)") +
            `. Fix: ${rm(key)}.`,
        });
      else if (!tlsOn(tls, dns))
        issues.push({
          key,
          message:
            `configures Let's Encrypt, but the endpoint has no TLS: ${whyPlain(tls)}. ` +
            `Fix: set \`orthanc:dns.name\` (and remove tls.enabled false) for HTTPS, or ${rm(key)}.`,
        });
    }
    return issues;
  }),

  // Plain HTTP on a Docker host: fine on loopback, an explicit yes anywhere else.
  rule({ sections: ["tls", "dns", "docker"], targets: ["docker"] }, ({ tls, dns, docker }) => {
    if (tlsOn(tls, dns) || tls.allowPlainHttp) return undefined;
    if (docker.host === "aws-vm")
      // Without a domain at all, the dns rule says so (an aws-vm host needs dns.name).
      return tls.enabled === false
        ? {
            key: "orthanc:tls.enabled",
            message:
              `is false on an internet-facing VM (\`orthanc:docker.host\` aws-vm, public Elastic IP): the web endpoint ` +
              `would be plain HTTP, so the users' passwords and the images cross the internet unencrypted. ` +
              `Fix: ${rm("orthanc:tls.enabled")} (HTTPS with a Let's Encrypt certificate for ${dns.name}), ` +
              `or accept plain HTTP explicitly with ${ALLOW_PLAIN_HTTP}.`,
          }
        : undefined;
    if (docker.bindAddress.startsWith("127.")) return undefined;
    return {
      key: "orthanc:docker.bindAddress",
      message:
        `publishes plain HTTP on ${docker.bindAddress}:${docker.httpPort}, beyond this host's loopback, because ${whyPlain(tls)}: ` +
        `anyone on the host's networks can reach it, and the users' passwords and the images cross them unencrypted. ` +
        `Fix: keep the default 127.0.0.1 (${rm("orthanc:docker.bindAddress")}), set \`orthanc:dns.name\` for HTTPS, ` +
        `or accept plain HTTP explicitly with ${ALLOW_PLAIN_HTTP}.`,
    };
  }),

  // The aws target's web load balancer is internet-facing.
  rule({ sections: ["tls", "dns", "aws"], targets: ["aws"] }, ({ tls, dns, aws }) =>
    tlsOn(tls, dns) || tls.allowPlainHttp
      ? undefined
      : {
          key: tls.enabled === false ? "orthanc:tls.enabled" : "orthanc:dns.name",
          message:
            `${tls.enabled === false ? "is false" : "is not set"}: the web endpoint would be plain HTTP on an internet-facing ` +
            `load balancer (reachable from ${aws.webAllowedCidrs.join(", ") || "no network"}), so the users' passwords and ` +
            `the images cross the internet unencrypted. Fix: ` +
            (tls.enabled === false
              ? `${rm("orthanc:tls.enabled")} (HTTPS with an ACM certificate for ${dns.name ?? "dns.name"})`
              : `\`pulumi config set --path 'orthanc:dns.name' pacs.example.org\` with \`orthanc:dns.zoneId\` (or dns.createZone) for HTTPS with an ACM certificate`) +
            `, or accept plain HTTP explicitly with ${ALLOW_PLAIN_HTTP}.`,
        },
  ),
];
