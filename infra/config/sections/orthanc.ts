import { dicomWebServersKey, peersKey, settingsKey, settingsRules } from "./orthancSettings";
import { z } from "zod";
import type { ConfigIssue } from "../errors";
import {
  aeTitle,
  cidr,
  hostShape,
  orthancSecretString,
  pemCertificates,
  pemPrivateKey,
  pinnedTag,
  port,
  publicBlocks,
} from "../primitives";
import { rule } from "../rule";
import { isLoopbackCidr, isPublicCidr } from "../../../components/shared/cidr";
import type { TargetName } from "../schema";
import { tlsOn } from "./tls";
import { ORTHANC_IMAGE, PROBE_USER } from "../../../components/shared/orthancImage";

const modality = z.strictObject({
  /** The modality's own AE title. */
  aet: aeTitle,
  /** Host name or IP address Orthanc connects to for C-MOVE/C-STORE SCU. */
  host: z.string().min(1),
  port: port.default(104),
  /** Which DIMSE requests Orthanc accepts from this modality (all by default). */
  allowEcho: z.boolean().default(true),
  allowStore: z.boolean().default(true),
  allowFind: z.boolean().default(true),
  allowGet: z.boolean().default(true),
  allowMove: z.boolean().default(true),
});

/**
 * DICOM over TLS (DICOM PS3.15 B.1): at the aws target's network load balancer (an ACM
 * certificate), in Orthanc itself on the docker and kubernetes targets.
 */
const dicomTls = z.strictObject({
  /**
   * Unset: on wherever DICOM is published (`allowedCidrs`) and the stack has a name for it
   * (`dicomTlsOn` says which per target), or a certificate is given.
   */
  enabled: z.boolean().optional(),
  /**
   * The explicit yes to DICOM in clear text from public networks (any `allowedCidrs` block outside
   * RFC 1918, 100.64.0.0/10, loopback and link-local): studies then cross networks the hospital
   * does not own unencrypted.
   */
  allowPlaintext: z.boolean().default(false),
  /** Orthanc's own certificate (docker, kubernetes), PEM, with its chain; instead of a managed one. */
  certificate: pemCertificates.optional(),
  /** The private key of `certificate`, PEM, unencrypted. Secret. */
  privateKey: pemPrivateKey.optional(),
  /**
   * PEM CAs the modalities' client certificates must chain to: given, Orthanc requires a client
   * certificate (mutual TLS, as IHE ATNA asks); absent, the server alone proves who it is.
   */
  clientCertificates: pemCertificates.optional(),
});

const dicom = z.strictObject({
  /** Orthanc's DICOM (DIMSE) server. Reachable from outside only where `allowedCidrs` says. */
  enabled: z.boolean().default(true),
  aet: aeTitle.default("ORTHANC"),
  port: port.default(4242),
  /** Refuse associations whose called AE title is not ours. */
  checkCalledAet: z.boolean().default(true),
  /**
   * Accept a listed modality's AE title only from that modality's `host` (an IP address). On by
   * default where Orthanc sees clients' own addresses (aws, kubernetes); set false behind NAT or
   * a load balancer that hides them.
   */
  checkModalityHost: z.boolean().optional(),
  /**
   * Known modalities, by symbolic name. When any is given, only these AE titles may C-ECHO and
   * C-STORE (`DicomAlwaysAllowEcho`/`DicomAlwaysAllowStore` become false).
   */
  modalities: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), modality).default({}),
  /**
   * Networks that may open the DICOM port. Empty: the port is not published outside the
   * deployment (the default; DICOM then serves only peers inside it).
   */
  allowedCidrs: z.array(cidr).default([]),
  /**
   * The explicit yes to a DICOM port open to the internet (a block of `allowedCidrs` as wide as
   * a /0 to a /7): DIMSE has no user authentication, and anyone reaching the port can query
   * and store studies under any AE title that is allowed.
   */
  allowPublic: z.boolean().default(false),
  tls: dicomTls.prefault({}),
});

const user = z.strictObject({
  /** Omit to have a strong password generated (read it with `pulumi stack output --show-secrets`). */
  password: orthancSecretString.optional(),
});

/**
 * A browser origin, exactly as browsers send it in the `Origin` header (`https://host[:port]`):
 * the proxy compares the header with it as text, so a path, a trailing slash, a default port or
 * upper case would never match.
 */
const corsOrigin = z
  .url({
    protocol: /^https?$/,
    error: "must be an origin such as `https://viewer.example.org` (http or https)",
  })
  .superRefine((value, ctx) => {
    const origin = new URL(value).origin;
    if (origin !== value)
      ctx.addIssue({
        code: "custom",
        message:
          `must be an origin, scheme://host[:port], as browsers send it (\`${origin}\`): ` +
          `no path, no trailing slash, no default port, lower case`,
        input: value,
        params: { example: origin },
      });
  });

/** `orthanc:orthanc`: the Orthanc server itself, the same on every target. */
export const orthancSection = z.strictObject({
  image: z
    .strictObject({
      repository: z.string().min(1).default(ORTHANC_IMAGE.repository),
      tag: pinnedTag.default(ORTHANC_IMAGE.tag),
    })
    .prefault({}),
  /** Instance name shown in the UI and in `/system`. */
  name: z.string().min(1).max(64).default("Orthanc"),
  httpPort: port.default(8042),
  /** Orthanc processes behind one address. More than one needs PostgreSQL and shared storage. */
  replicas: z.number().int().min(1).max(20).default(1),
  dicom: dicom.prefault({}),
  plugins: z
    .strictObject({
      dicomWeb: z.boolean().default(true),
      explorer2: z.boolean().default(true),
      viewer: z.enum(["none", "stone", "ohif"]).default("stone"),
    })
    .prefault({}),
  /** The administrator account; its password is generated unless `users.<name>.password` sets it. */
  adminUser: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/)
    .default("admin"),
  /** Further HTTP basic-auth users. Each gets a generated password unless one is given. */
  users: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/), user).default({}),
  /** Browser origins allowed to call the REST/DICOMweb API (CORS), applied at the proxy/ingress. */
  corsOrigins: z.array(corsOrigin).default([]),
  /** Orthanc's verbose log. Never the image's VERBOSE_STARTUP, which prints secrets. */
  verboseLogs: z.boolean().default(false),
  /** Further documented Orthanc settings, merged into orthanc.json (see orthancSettings.ts). */
  settings: settingsKey,
  /** Orthanc peers (`OrthancPeers`), passwords as secrets. */
  peers: peersKey,
  /** DICOMweb servers (`DicomWeb.Servers`), passwords as secrets. */
  dicomWebServers: dicomWebServersKey,
});

// The probe user is generated for the image's health check; nobody may claim its name.
const RESERVED_USERS: string[] = [PROBE_USER];

const set = (key: string, value: string) => `\`pulumi config set --path '${key}' ${value}\``;

/** `[registry-host[:port]/]path`: an image repository, without tag, digest or scheme. */
const IMAGE_REPOSITORY =
  /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d+)?\/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$/;

/** What is wrong with `orthanc.image.repository`, with the fix; undefined when it is a repository. */
function imageRepositoryIssue(repository: string, tag: string): ConfigIssue | undefined {
  const key = "orthanc:orthanc.image.repository";
  const tagKey = "orthanc:orthanc.image.tag";
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(repository)) {
    const bare = repository.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, "");
    return {
      key,
      message:
        `${JSON.stringify(repository)} has a scheme; an image repository is \`[registry-host[:port]/]path\`, pulled over HTTPS. ` +
        `Fix: ${set(key, bare)}.`,
    };
  }
  const slash = repository.lastIndexOf("/");
  const last = repository.slice(slash + 1);
  const at = last.indexOf("@");
  const colon = last.indexOf(":");
  if (at >= 0 || colon >= 0) {
    // `name:tag`, `name@sha256:...` or `name:tag@sha256:...`: the digest pins best.
    const cut = slash + 1 + (colon >= 0 && (at < 0 || colon < at) ? colon : at);
    const bare = repository.slice(0, cut);
    const pin = at >= 0 ? last.slice(at + 1) : last.slice(colon + 1);
    const what = at >= 0 ? `a digest (\`${pin}\`)` : `a tag (\`${pin}\`)`;
    const pinned = pinnedTag.safeParse(pin).success;
    return {
      key,
      message:
        `${JSON.stringify(repository)} carries ${what}, but the pin belongs in \`${tagKey}\` (now ${JSON.stringify(tag)}): ` +
        `the image pulled is repository:tag. Fix: ${set(key, bare)} and ` +
        (pinned
          ? `${set(tagKey, pin)}.`
          : `${set(tagKey, "<release>")} with a pinned release such as 26.8.1 (${JSON.stringify(pin)} is not pinned).`),
    };
  }
  if (!IMAGE_REPOSITORY.test(repository))
    return {
      key,
      message:
        `got ${JSON.stringify(repository)}; allowed: an image repository such as \`orthancteam/orthanc\` or ` +
        `\`registry.example.org:5000/pacs/orthanc\` (lower-case path; no scheme, tag or digest). Fix: ${set(key, "orthancteam/orthanc")}.`,
    };
  return undefined;
}

/** What is wrong with a modality's `host`, with the fix; undefined when it is a bare host. */
export function modalityHostIssue(
  name: string,
  modality: { host: string; port: number },
): ConfigIssue | undefined {
  const key = `orthanc:orthanc.dicom.modalities.${name}.host`;
  const portKey = `orthanc:orthanc.dicom.modalities.${name}.port`;
  const shape = hostShape(modality.host);
  const given = JSON.stringify(modality.host);
  switch (shape.kind) {
    case "host":
      return undefined;
    case "hostPort":
      return {
        key,
        message:
          `${given} includes a port; the port goes in \`${portKey}\` (now ${modality.port}), the host alone here. ` +
          `Fix: ${set(key, shape.host)} and ${set(portKey, shape.port)}.`,
      };
    case "url":
      return {
        key,
        message:
          `is a ${shape.scheme}:// URL; a modality is a host name or IP address here, and its port goes in \`${portKey}\`. ` +
          `Fix: ${set(key, shape.host ?? "<host>")}` +
          (shape.port ? ` and ${set(portKey, shape.port)}.` : "."),
      };
    case "invalid":
      return {
        key,
        message:
          `got ${given}; allowed: a host name such as \`ct01.hospital.example\` or an IP address such as \`10.20.1.15\` ` +
          `(no port, scheme or spaces). Fix: ${set(key, "10.20.1.15")}.`,
      };
  }
}

type Dns = { name?: string; dicomName?: string };
type DicomTlsInput = {
  orthanc: { dicom: z.output<typeof dicom> };
  dns: Dns;
  tls: { enabled?: boolean };
};

/**
 * The name modalities connect to, as each target names it: on aws the DICOM load balancer's
 * (`dicom.<name>` unless given), on docker the host's (the web name unless given), on
 * kubernetes only a given `dns.dicomName` (the cluster gives the load balancer an address).
 */
export function dicomHostName(dns: Dns, target: TargetName): string | undefined {
  if (target === "aws") return dns.name ? (dns.dicomName ?? `dicom.${dns.name}`) : undefined;
  if (target === "docker") return dns.dicomName ?? dns.name;
  return dns.dicomName;
}

/** Whether DICOM is published outside the deployment at all. */
const dicomPublished = (d: z.output<typeof dicom>) => d.enabled && d.allowedCidrs.length > 0;

/**
 * Where a certificate for DICOM comes from without one given: ACM for the DICOM name on aws
 * (issued only with a domain and HTTPS), a CA of the stack's own (docker) or cert-manager
 * (kubernetes) for the DICOM name. Undefined: none can be made.
 */
function managedCertificateFor(s: DicomTlsInput, target: TargetName): string | undefined {
  if (target === "aws" && !tlsOn(s.tls, s.dns)) return undefined;
  return dicomHostName(s.dns, target);
}

/**
 * Whether DICOM is served over TLS: the switch (`orthanc.dicom.tls.enabled`, or the deprecated
 * `aws.dicomTls`) when given, else on wherever DICOM is published and a certificate exists or can
 * be made. Decided once, here: the rules and `infra/targets/common.ts` read it.
 */
export function dicomTlsOn(s: DicomTlsInput, target: TargetName, awsDicomTls?: boolean): boolean {
  const d = s.orthanc.dicom;
  if (!dicomPublished(d)) return false;
  const explicit = d.tls.enabled ?? awsDicomTls;
  if (explicit !== undefined) return explicit;
  return d.tls.certificate !== undefined || managedCertificateFor(s, target) !== undefined;
}

/** The enabling key a stack wrote, for messages (the deprecated aws one when that is it). */
const tlsSwitchKey = (given: (p: string) => boolean) =>
  !given("orthanc.dicom.tls.enabled") && given("aws.dicomTls")
    ? "orthanc:aws.dicomTls"
    : "orthanc:orthanc.dicom.tls.enabled";

/** The rules of `orthanc:orthanc.dicom.tls` (and of the deprecated `orthanc:aws.dicomTls`). */
function dicomTlsIssues(
  s: DicomTlsInput,
  target: TargetName,
  given: (p: string) => boolean,
  awsDicomTls?: boolean,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const d = s.orthanc.dicom;
  const t = d.tls;
  const on = dicomTlsOn(s, target, awsDicomTls);
  const key = (leaf: string) => `orthanc:orthanc.dicom.tls.${leaf}`;
  const rm = (k: string) => `\`pulumi config rm --path '${k}'\``;
  const switchKey = tlsSwitchKey(given);
  const explicitOn = (t.enabled ?? awsDicomTls) === true;

  // Public networks in clear text: an explicit yes, or TLS.
  const publicRanges = d.enabled ? d.allowedCidrs.filter(isPublicCidr) : [];
  if (publicRanges.length && !on && !t.allowPlaintext) {
    const name = managedCertificateFor(s, target);
    const why =
      (t.enabled ?? awsDicomTls) === false
        ? `\`${switchKey}\` is false`
        : target === "aws"
          ? "there is no ACM certificate for it (`orthanc:dns.name` with HTTPS)"
          : target === "docker"
            ? "there is no name for its certificate (`orthanc:dns.name`) and none is given"
            : "there is no name for its certificate (`orthanc:dns.dicomName`) and none is given";
    const turnOn =
      (t.enabled ?? awsDicomTls) === false && (name || t.certificate)
        ? rm(switchKey)
        : target === "aws"
          ? `\`pulumi config set --path 'orthanc:dns.name' pacs.example.org\` with \`orthanc:dns.zoneId\` (TLS at the load balancer with an ACM certificate for dicom.pacs.example.org)`
          : target === "docker"
            ? `\`pulumi config set --path 'orthanc:dns.name' pacs.example.org\` (a certificate for it from a CA of this stack), or give Orthanc a certificate with \`pulumi config set --path '${key("certificate")}' < dicom.crt\` and \`pulumi config set --secret --path '${key("privateKey")}' < dicom.key\``
            : `\`pulumi config set --path 'orthanc:dns.dicomName' dicom.pacs.example.org\` (a cert-manager certificate for it), or give Orthanc a certificate with \`pulumi config set --path '${key("certificate")}' < dicom.crt\` and \`pulumi config set --secret --path '${key("privateKey")}' < dicom.key\``;
    issues.push({
      key: "orthanc:orthanc.dicom.allowedCidrs",
      message:
        `lets public networks (${publicRanges.join(", ")}) reach DICOM on port ${d.port} in clear text: DICOM TLS is off because ${why}, ` +
        `so studies and patient data would cross networks the hospital does not own unencrypted. ` +
        `Fix: turn DICOM TLS on with ${turnOn}; or accept clear text explicitly with \`pulumi config set --path '${key("allowPlaintext")}' true\`.`,
    });
  }

  // A switch that would do nothing is refused where the stack wrote it.
  if (explicitOn && !dicomPublished(d))
    issues.push({
      key: switchKey,
      message:
        `turns DICOM TLS on, but DICOM is not published (` +
        (d.enabled
          ? "`orthanc:orthanc.dicom.allowedCidrs` is empty"
          : "`orthanc:orthanc.dicom.enabled` is false") +
        `), so there is nothing to encrypt. Fix: list the modalities' networks ` +
        `(\`pulumi config set --path 'orthanc:orthanc.dicom.allowedCidrs[0]' 10.20.0.0/16\`), or ${rm(switchKey)}.`,
    });
  if (given("orthanc.dicom.tls.allowPlaintext") && t.allowPlaintext && on)
    issues.push({
      key: key("allowPlaintext"),
      message: `accepts DICOM in clear text, but DICOM TLS is on, so it does nothing. Fix: ${rm(key("allowPlaintext"))}.`,
    });

  // Where the certificate comes from.
  if (target === "aws") {
    for (const leaf of ["certificate", "privateKey", "clientCertificates"] as const)
      if (given(`orthanc.dicom.tls.${leaf}`))
        issues.push({
          key: key(leaf),
          message:
            `is not used on the aws target: DICOM TLS ends at the network load balancer, with the ACM certificate of the DICOM name` +
            (leaf === "clientCertificates"
              ? ", and a network load balancer cannot ask modalities for client certificates"
              : "") +
            `. Fix: ${rm(key(leaf))}.`,
        });
    if (explicitOn && dicomPublished(d) && !managedCertificateFor(s, target))
      issues.push({
        key: switchKey,
        message:
          `needs a certificate for the DICOM name (from ACM), issued only with a domain and HTTPS, but ` +
          (s.dns.name ? "`orthanc:tls.enabled` is false" : "`orthanc:dns.name` is not set") +
          `. Fix: ` +
          (s.dns.name
            ? rm("orthanc:tls.enabled")
            : "`pulumi config set --path 'orthanc:dns.name' pacs.example.org` (with dns.zoneId; DICOM then gets dicom.pacs.example.org)") +
          `, or ${rm(switchKey)}.`,
      });
    return issues;
  }
  if (Boolean(t.certificate) !== Boolean(t.privateKey)) {
    const missing = t.certificate ? "privateKey" : "certificate";
    issues.push({
      key: key(missing),
      message:
        `is missing: a certificate and its private key come together (\`${key("certificate")}\` and \`${key("privateKey")}\`). ` +
        `Fix: ` +
        (missing === "privateKey"
          ? `\`pulumi config set --secret --path '${key("privateKey")}' < dicom.key\``
          : `\`pulumi config set --path '${key("certificate")}' < dicom.crt\``) +
        `, or remove the other.`,
    });
  }
  if (on && !t.certificate && !managedCertificateFor(s, target))
    issues.push({
      key: switchKey,
      message:
        `turns DICOM TLS on, but there is no certificate: none is given and there is no name to issue one for (` +
        (target === "docker" ? "`orthanc:dns.name`" : "`orthanc:dns.dicomName`") +
        `). Fix: \`pulumi config set --path '${target === "docker" ? "orthanc:dns.name' pacs.example.org" : "orthanc:dns.dicomName' dicom.pacs.example.org"}\`, ` +
        `or give one with \`pulumi config set --path '${key("certificate")}' < dicom.crt\` and \`pulumi config set --secret --path '${key("privateKey")}' < dicom.key\`.`,
    });
  if (!on)
    for (const leaf of ["certificate", "privateKey", "clientCertificates"] as const)
      if (given(`orthanc.dicom.tls.${leaf}`))
        issues.push({
          key: key(leaf),
          message:
            `is for DICOM TLS, which is off (` +
            (!dicomPublished(d) ? "DICOM is not published" : `\`${switchKey}\` is false`) +
            `), so it would do nothing. Fix: ${rm(key(leaf))}` +
            (dicomPublished(d) ? `, or ${rm(switchKey)} to turn DICOM TLS on.` : "."),
        });
  return issues;
}

/** The rules that guard `orthanc:orthanc`. */
export const orthancRules = [
  ...settingsRules,
  rule({ sections: ["orthanc", "database"] }, ({ orthanc, database }) =>
    orthanc.replicas > 1 && database.engine !== "postgresql"
      ? {
          key: "orthanc:orthanc.replicas",
          message:
            `${orthanc.replicas} replicas need \`orthanc:database.engine\` postgresql (SQLite allows one writer), ` +
            `got engine ${database.engine}. Fix: set \`orthanc:database.engine\` to postgresql or replicas to 1.`,
        }
      : undefined,
  ),

  // Loopback clients reach a published port through Docker's proxy, which hides their address
  // from the DICOM gate: a list is either loopback only (bound to 127.0.0.1) or networks only.
  rule({ sections: ["orthanc"], targets: ["docker"] }, ({ orthanc }) => {
    const cidrs = orthanc.dicom.allowedCidrs;
    const loopback = cidrs.filter(isLoopbackCidr);
    return loopback.length && loopback.length < cidrs.length
      ? {
          key: "orthanc:orthanc.dicom.allowedCidrs",
          message:
            `mixes loopback (${loopback.join(", ")}) with other networks; on a Docker host the list is either loopback only ` +
            `(published on 127.0.0.1) or networks only (published through the DICOM gate, which sees each client's address). ` +
            `Fix: remove ${loopback.join(", ")}; clients on this host then connect to its address in one of the listed networks.`,
        }
      : undefined;
  }),

  // On a Docker host every association comes from the DICOM gate's (or Docker's proxy's) address.
  rule({ sections: ["orthanc"], targets: ["docker"] }, ({ orthanc }) => {
    const dicom = orthanc.dicom;
    return dicom.checkModalityHost && dicom.enabled && dicom.allowedCidrs.length > 0
      ? {
          key: "orthanc:orthanc.dicom.checkModalityHost",
          message:
            `is true, but on a Docker host every association reaches Orthanc from the DICOM gate's (or Docker's proxy's) ` +
            `address, so every listed modality would be refused. Fix: \`pulumi config set --path 'orthanc:orthanc.dicom.checkModalityHost' false\`.`,
        }
      : undefined;
  }),

  rule({ sections: ["orthanc"] }, ({ orthanc }) => {
    const issues: ConfigIssue[] = [];
    const image = imageRepositoryIssue(orthanc.image.repository, orthanc.image.tag);
    if (image) issues.push(image);
    for (const [name, m] of Object.entries(orthanc.dicom.modalities)) {
      const host = modalityHostIssue(name, m);
      if (host) issues.push(host);
    }
    return issues;
  }),

  // C-MOVE names its destination by AE title, and Orthanc finds the modality by it: two
  // modalities with one title (or one with Orthanc's own) would send studies to the wrong one.
  rule({ sections: ["orthanc"] }, ({ orthanc }) => {
    const issues: ConfigIssue[] = [];
    const own = orthanc.dicom.aet.trim();
    const seen = new Map<string, string>();
    for (const [name, m] of Object.entries(orthanc.dicom.modalities)) {
      const aet = m.aet.trim();
      const key = `orthanc:orthanc.dicom.modalities.${name}.aet`;
      const first = seen.get(aet);
      if (aet === own)
        issues.push({
          key,
          message:
            `${JSON.stringify(m.aet)} is Orthanc's own AE title (\`orthanc:orthanc.dicom.aet\`); a C-MOVE to it, or a ` +
            `modality calling with it, would be taken for Orthanc itself. Fix: give the modality its own AE title ` +
            `(${set(key, "<modality AE title>")}), or change orthanc.dicom.aet.`,
        });
      else if (first !== undefined)
        issues.push({
          key,
          message:
            `${JSON.stringify(m.aet)} is also the AE title of modality \`${first}\` (\`orthanc:orthanc.dicom.modalities.${first}.aet\`); ` +
            `Orthanc finds a C-MOVE destination and a caller's permissions by AE title, so studies could go to the wrong ` +
            `modality. Fix: give each modality its own AE title (${set(key, "<another AE title>")}), or list the device once.`,
        });
      else seen.set(aet, name);
    }
    return issues;
  }),

  // DIMSE has no user authentication: a port open to the internet needs an explicit yes.
  rule({ sections: ["orthanc"] }, ({ orthanc }) => {
    const dicom = orthanc.dicom;
    const wide = publicBlocks(dicom.allowedCidrs);
    if (!dicom.enabled || !wide.length || dicom.allowPublic) return undefined;
    return {
      key: "orthanc:orthanc.dicom.allowedCidrs",
      message:
        `opens the DICOM port ${dicom.port} to the internet (${wide.join(", ")}: a /0 to a /7 block). DICOM has no user ` +
        `authentication: anyone reaching the port can query and store studies${Object.keys(dicom.modalities).length ? " with a listed AE title" : " under any AE title"}. ` +
        `Fix: list your modalities' networks instead (e.g. 10.20.0.0/16), or accept the exposure explicitly with ` +
        `\`pulumi config set --path 'orthanc:orthanc.dicom.allowPublic' true\`.`,
    };
  }),

  // Where Orthanc compares each client's address with the modality's host (as text).
  rule({ sections: ["orthanc"], targets: ["aws", "kubernetes"] }, ({ orthanc }, target) => {
    const dicom = orthanc.dicom;
    const open = dicom.enabled && dicom.allowedCidrs.length > 0;
    if (!open || dicom.checkModalityHost === false) return undefined;
    return Object.entries(dicom.modalities)
      .filter(([name, m]) => !modalityHostIssue(name, m)) // its shape is reported above
      .filter(([, m]) => !z.ipv4().safeParse(m.host).success)
      .map(([name, m]) => ({
        key: `orthanc:orthanc.dicom.modalities.${name}.host`,
        message:
          `${JSON.stringify(m.host)} is not an IPv4 address; with DICOM open to networks on ${target}, Orthanc accepts this ` +
          `modality's AE title only from its host (checkModalityHost), comparing the client's address as text. ` +
          `Fix: give the modality's IPv4 address, or set orthanc.dicom.checkModalityHost to false (behind NAT, or a load balancer that hides client addresses).`,
      }));
  }),

  // Orthanc listens on both in one network namespace (container, task, pod).
  rule({ sections: ["orthanc"] }, ({ orthanc }) =>
    orthanc.dicom.enabled && orthanc.dicom.port === orthanc.httpPort
      ? {
          key: "orthanc:orthanc.dicom.port",
          message:
            `is ${orthanc.dicom.port}, the same port as \`orthanc:orthanc.httpPort\`: Orthanc serves HTTP and DICOM on one interface and cannot listen twice on a port. ` +
            `Allowed: any other port (DICOM's usual ones are 104, 4242 and 11112). Fix: \`pulumi config set --path 'orthanc:orthanc.dicom.port' ${orthanc.httpPort === 4242 ? 11112 : 4242}\`.`,
        }
      : undefined,
  ),

  rule({ sections: ["orthanc"] }, ({ orthanc }) => {
    const issues: ConfigIssue[] = [];
    if (orthanc.dicom.allowedCidrs.length && !orthanc.dicom.enabled) {
      issues.push({
        key: "orthanc:orthanc.dicom.allowedCidrs",
        message: `opens the DICOM port, but \`orthanc:orthanc.dicom.enabled\` is false. Fix: enable DICOM or remove allowedCidrs.`,
      });
    }
    if (orthanc.plugins.viewer !== "none" && !orthanc.plugins.dicomWeb) {
      issues.push({
        key: "orthanc:orthanc.plugins.viewer",
        message: `the ${orthanc.plugins.viewer} viewer reads images over DICOMweb, but plugins.dicomWeb is false. Fix: enable dicomWeb or set viewer to none.`,
      });
    }
    for (const name of Object.keys(orthanc.users)) {
      if (RESERVED_USERS.includes(name)) {
        issues.push({
          key: `orthanc:orthanc.users.${name}`,
          message: `the user name ${JSON.stringify(name)} is reserved for the health probe. Fix: choose another name.`,
        });
      }
    }
    if (RESERVED_USERS.includes(orthanc.adminUser)) {
      issues.push({
        key: "orthanc:orthanc.adminUser",
        message: `${JSON.stringify(orthanc.adminUser)} is reserved for the health probe. Fix: choose another name.`,
      });
    }
    return issues;
  }),

  // The aws target's load balancer cannot add CORS headers.
  rule({ sections: ["orthanc"], targets: ["aws"] }, ({ orthanc }) =>
    orthanc.corsOrigins.length
      ? {
          key: "orthanc:orthanc.corsOrigins",
          message: `the aws target's load balancer cannot add CORS headers, got ${JSON.stringify(orthanc.corsOrigins)}. Fix: remove corsOrigins, or serve the viewer from the same origin.`,
        }
      : undefined,
  ),

  // DICOM over TLS; after the rules above, so a wide-open allowlist is named for that first.
  rule(
    { sections: ["orthanc", "dns", "tls"], targets: ["docker", "kubernetes"] },
    (s, target, given) => dicomTlsIssues(s, target, given),
  ),
  rule({ sections: ["orthanc", "dns", "tls", "aws"], targets: ["aws"] }, (s, target, given) => {
    const issues = dicomTlsIssues(s, target, given, s.aws.dicomTls);
    if (given("aws.dicomTls") && given("orthanc.dicom.tls.enabled"))
      issues.push({
        key: "orthanc:aws.dicomTls",
        message:
          `is the former name of \`orthanc:orthanc.dicom.tls.enabled\`, which the stack sets too; one switch, one key. ` +
          `Fix: \`pulumi config rm --path 'orthanc:aws.dicomTls'\`.`,
      });
    return issues;
  }),
];
