import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { hostname } from "../primitives";
import { rule } from "../rule";

/** `orthanc:dns`: the public names of the web and DICOM endpoints. */
export const dnsSection = z.strictObject({
  /** Route 53 hosted zone id that holds `name`. */
  zoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, {
      error: "must be a Route 53 hosted zone id such as `Z0123456789ABC`",
    })
    .optional(),
  /** Public name of the web endpoint, e.g. `pacs.example.org`. */
  name: hostname.optional(),
  /**
   * Public name of the DICOM endpoint. Defaults to `name` on Docker (one host) and to
   * `dicom.<name>` on AWS (a balancer of its own).
   */
  dicomName: hostname.optional(),
  /**
   * Create a hosted zone for `name` (aws target) instead of using `zoneId`. Delegate it from the
   * parent zone with the `nameServers` output; the certificate is issued once that is done.
   */
  createZone: z.boolean().default(false),
});

/** The rules that guard `orthanc:dns`. */
export const dnsRules = [
  rule({ sections: ["dns"] }, ({ dns }, target) => {
    const issues: ConfigIssue[] = [];
    if (dns.dicomName && !dns.name) {
      issues.push({
        key: "orthanc:dns.dicomName",
        message: `needs \`orthanc:dns.name\` (the web name) too. Fix: set \`orthanc:dns.name\`.`,
      });
    }
    if (dns.zoneId && !dns.name) {
      issues.push({
        key: "orthanc:dns.zoneId",
        message: `is set but there is no name to create in it. Fix: set \`orthanc:dns.name\`, e.g. pacs.example.org.`,
      });
    }
    if (dns.createZone && (!dns.name || dns.zoneId || target !== "aws")) {
      issues.push({
        key: "orthanc:dns.createZone",
        message:
          `creates a zone for dns.name on the aws target; it needs dns.name, no dns.zoneId, and target aws ` +
          `(got name ${JSON.stringify(dns.name)}, zoneId ${JSON.stringify(dns.zoneId)}, target ${target}). Fix: adjust those keys, or remove createZone.`,
      });
    }
    if (
      dns.createZone &&
      dns.name &&
      dns.dicomName &&
      dns.dicomName !== dns.name &&
      !dns.dicomName.endsWith(`.${dns.name}`)
    ) {
      issues.push({
        key: "orthanc:dns.dicomName",
        message: `${JSON.stringify(dns.dicomName)} is outside the zone that dns.createZone makes for ${JSON.stringify(dns.name)}. Fix: use a name under ${dns.name}, or drop dicomName.`,
      });
    }
    if (dns.name && !dns.zoneId && !dns.createZone && target === "aws") {
      issues.push({
        key: "orthanc:dns.name",
        message:
          `${JSON.stringify(dns.name)} needs the Route 53 zone that holds it (for the record and certificate validation). ` +
          `Fix: \`pulumi config set --path 'orthanc:dns.zoneId' Z0123456789ABC\`, or set dns.createZone to true.`,
      });
    }
    return issues;
  }),

  rule({ sections: ["dns", "docker"], targets: ["docker"] }, ({ dns, docker }) =>
    dns.name && !dns.zoneId && docker.host === "aws-vm"
      ? {
          key: "orthanc:dns.name",
          message:
            `${JSON.stringify(dns.name)} on an \`aws-vm\` host needs the Route 53 zone for its record. ` +
            `Fix: \`pulumi config set --path 'orthanc:dns.zoneId' Z0123456789ABC\`.`,
        }
      : undefined,
  ),

  // AWS and Kubernetes publish DICOM on a load balancer of its own, not the web one.
  rule(
    { sections: ["dns", "orthanc"], targets: ["aws", "kubernetes"] },
    ({ dns, orthanc }, target) =>
      dns.name &&
      dns.dicomName === dns.name &&
      orthanc.dicom.enabled &&
      orthanc.dicom.allowedCidrs.length
        ? {
            key: "orthanc:dns.dicomName",
            message:
              `is the web name ${JSON.stringify(dns.name)}, but on the ${target} target DICOM has a load balancer of its own ` +
              `and one DNS name cannot point at two. Fix: set dicomName to another name such as dicom.${dns.name}` +
              (target === "aws"
                ? `, or remove it (the aws target then uses dicom.${dns.name}).`
                : "."),
          }
        : undefined,
  ),

  rule({ sections: ["dns", "docker", "tls"], targets: ["docker"] }, ({ dns, docker, tls }) =>
    docker.host === "aws-vm" && !dns.name && !tls.allowPlainHttp
      ? {
          key: "orthanc:dns.name",
          message:
            `is required for an aws-vm host: without a domain there is no TLS certificate, and a PACS must not ` +
            `serve plain HTTP on the internet. Fix: \`pulumi config set --path 'orthanc:dns.name' pacs.example.org\` (and dns.zoneId), ` +
            `or accept plain HTTP explicitly with \`pulumi config set --path 'orthanc:tls.allowPlainHttp' true\`.`,
        }
      : undefined,
  ),

  rule({ sections: ["dns", "docker"], targets: ["docker"] }, ({ dns, docker }) =>
    dns.zoneId && docker.host !== "aws-vm"
      ? {
          key: "orthanc:dns.zoneId",
          message:
            `records are created only for a VM this stack creates (docker.host aws-vm), got host ${JSON.stringify(docker.host)}. ` +
            `Fix: remove dns.zoneId and point ${dns.name ?? "the name"} at your host in your own DNS.`,
        }
      : undefined,
  ),
];
