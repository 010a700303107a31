import { z } from "zod";
import { rule } from "../rule";

/** `orthanc:tls`: HTTPS on the public web endpoint. */
export const tlsSection = z.strictObject({
  /** HTTPS on the public endpoint. Defaults to on whenever `orthanc:dns.name` is set. */
  enabled: z.boolean().optional(),
  /** Contact address for Let's Encrypt (Docker target) expiry notices. */
  acmeEmail: z.email().optional(),
  /** Use Let's Encrypt's staging CA (untrusted certificates, no rate limits) for trials. */
  staging: z.boolean().default(false),
});

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
];
