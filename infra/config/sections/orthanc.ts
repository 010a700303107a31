import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { aeTitle, cidr, orthancSecretString, pinnedTag, port } from "../primitives";
import { rule } from "../rule";
import { isLoopbackCidr } from "../../../components/shared/cidr";
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
});

const user = z.strictObject({
  /** Omit to have a strong password generated (read it with `pulumi stack output --show-secrets`). */
  password: orthancSecretString.optional(),
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
  corsOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
  /** Orthanc's verbose log. Never the image's VERBOSE_STARTUP, which prints secrets. */
  verboseLogs: z.boolean().default(false),
});

// The probe user is generated for the image's health check; nobody may claim its name.
const RESERVED_USERS: string[] = [PROBE_USER];

/** The rules that guard `orthanc:orthanc`. */
export const orthancRules = [
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

  // Where Orthanc compares each client's address with the modality's host (as text).
  rule({ sections: ["orthanc"], targets: ["aws", "kubernetes"] }, ({ orthanc }, target) => {
    const dicom = orthanc.dicom;
    const open = dicom.enabled && dicom.allowedCidrs.length > 0;
    if (!open || dicom.checkModalityHost === false) return undefined;
    return Object.entries(dicom.modalities)
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
];
