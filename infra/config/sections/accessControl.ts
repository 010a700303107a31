/**
 * `orthanc:accessControl`: users, roles, labels, shares and API keys as the Orthanc Team deploys
 * them (the authorization plugin, orthanc-auth-service and Keycloak), on the docker and
 * kubernetes targets. Off by default: Orthanc's own Basic-auth users then.
 */
import { z } from "zod";
import {
  DEFAULT_ROLES,
  PERMISSIONS,
  RESERVED_ROLES,
} from "../../../components/shared/accessControl";
import type { ConfigIssue } from "../errors";
import { pinnedTag } from "../primitives";
import { rule } from "../rule";
import { tlsOn } from "./tls";

const K = "orthanc:accessControl";
const set = (key: string, value: string) => `\`pulumi config set --path '${key}' ${value}\``;
const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/** The images access control runs, pinned (Keycloak's own registry, Docker Hub's service). */
export const ACCESS_CONTROL_IMAGES = {
  keycloak: { repository: "quay.io/keycloak/keycloak", tag: "26.2.5" },
  authService: { repository: "orthancteam/orthanc-auth-service", tag: "25.12.0" },
} as const;

/** The Keycloak release the rendered options are for. */
const KEYCLOAK_MAJOR = ACCESS_CONTROL_IMAGES.keycloak.tag.split(".")[0];

/** A Keycloak realm role the permissions file names. */
const roleName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
    error: "must be 2-32 characters: lower-case letters, digits and `-`, starting with a letter",
  })
  .refine((r) => !RESERVED_ROLES.includes(r), {
    error: `is one of Keycloak's own roles (${RESERVED_ROLES.join(", ")})`,
  });

/** An Orthanc label (letters, digits, `_` and `-`, as Orthanc accepts them). */
const label = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, {
  error: "must be an Orthanc label: 1-64 letters, digits, `_` or `-`",
});

const role = z.strictObject({
  /** What the role's users may do (the service's permission names). */
  permissions: z.array(z.enum(PERMISSIONS)).min(1),
  /** The labels of the studies they may see; `["*"]`: all of them. */
  labels: z.array(z.union([z.literal("*"), label])).min(1),
});

const image = (d: { repository: string; tag: string }) =>
  z
    .strictObject({
      repository: z.string().min(1).default(d.repository),
      tag: pinnedTag.default(d.tag),
    })
    .prefault({});

export const accessControlSection = z.strictObject({
  /** Users log in through Keycloak; Orthanc's Basic auth is off. */
  enabled: z.boolean().default(false),
  /** Realm role -> permissions and labels. Defaults: admin, doctor, external (README). */
  roles: z
    .record(roleName, role)
    .default(
      Object.fromEntries(
        Object.entries(DEFAULT_ROLES).map(([n, r]) => [
          n,
          { permissions: [...r.permissions], labels: [...r.labels] },
        ]),
      ),
    ),
  /** The labels users may put on studies; empty: any. */
  availableLabels: z.array(label).default([]),
  /** The first user, created with the realm: its initial password is a stack output (secret). */
  firstAdmin: z
    .strictObject({
      username: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_.-]{1,62}$/, {
          error: "must be 2-63 lower-case letters, digits, `_`, `.` or `-`",
        })
        .default("pacs-admin"),
      email: z.email().optional(),
      roles: z.array(roleName).min(1).default(["admin"]),
    })
    .prefault({}),
  /** Signed links that open one study in the viewer, without an account. */
  shares: z.boolean().default(true),
  /** API keys (a Keycloak user attribute, sent as the `api-key` header) for scripts and DICOMweb. */
  apiKeys: z.boolean().default(false),
  /**
   * The browser's login must use PKCE. Off by default: Orthanc Explorer 2 (keycloak-js 20) does
   * not send it, and Keycloak would refuse every login; Keycloak still checks it when sent.
   */
  requirePkce: z.boolean().default(false),
  images: z
    .strictObject({
      keycloak: image(ACCESS_CONTROL_IMAGES.keycloak),
      authService: image(ACCESS_CONTROL_IMAGES.authService),
    })
    .prefault({}),
});

export type AccessControlSection = z.output<typeof accessControlSection>;

/** What is inconsistent inside the section itself. */
function sectionIssues(a: AccessControlSection): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const roles = Object.keys(a.roles);
  if (!roles.length)
    issues.push({
      key: `${K}.roles`,
      message: `is empty: nobody could do anything. Fix: ${rm(`${K}.roles`)} for the documented defaults (admin, doctor, external).`,
    });
  for (const [name, r] of Object.entries(a.roles)) {
    const at = `${K}.roles.${name}`;
    const twice = r.permissions.filter((p, i) => r.permissions.indexOf(p) !== i);
    if (twice.length)
      issues.push({
        key: `${at}.permissions`,
        message: `lists ${JSON.stringify(twice[0])} twice. Fix: list each permission once.`,
      });
    if (r.permissions.includes("all") && r.permissions.length > 1)
      issues.push({
        key: `${at}.permissions`,
        message: `has \`all\` with others (${r.permissions.filter((p) => p !== "all").join(", ")}); \`all\` already grants everything. Fix: \`["all"]\` alone, or drop \`all\`.`,
      });
    if (r.labels.includes("*") && r.labels.length > 1)
      issues.push({
        key: `${at}.labels`,
        message: `has \`*\` (every study) with named labels. Fix: \`["*"]\` alone, or only the labels.`,
      });
    const unknown = r.labels.filter(
      (l) => l !== "*" && a.availableLabels.length > 0 && !a.availableLabels.includes(l),
    );
    if (unknown.length)
      issues.push({
        key: `${at}.labels`,
        message: `names ${JSON.stringify(unknown)}, not in \`${K}.availableLabels\` (${JSON.stringify(a.availableLabels)}): nobody could put those labels on a study. Fix: add them to availableLabels, or remove them here.`,
      });
  }
  // The options, the bootstrap admin and the health port the program sets are Keycloak 26's.
  const major = /^(\d+)\./.exec(a.images.keycloak.tag)?.[1];
  if (major !== undefined && major !== KEYCLOAK_MAJOR)
    issues.push({
      key: `${K}.images.keycloak.tag`,
      message: `${JSON.stringify(a.images.keycloak.tag)} is Keycloak ${major}; the program configures Keycloak ${KEYCLOAK_MAJOR} (its bootstrap admin, hostname and health options). Fix: ${set(`${K}.images.keycloak.tag`, ACCESS_CONTROL_IMAGES.keycloak.tag)}.`,
    });
  for (const r of a.firstAdmin.roles)
    if (!roles.includes(r))
      issues.push({
        key: `${K}.firstAdmin.roles`,
        message: `names ${JSON.stringify(r)}, which is not a role of \`${K}.roles\` (${roles.join(", ") || "none"}). Fix: ${set(`${K}.firstAdmin.roles[0]`, roles[0] ?? "admin")}, or add the role.`,
      });
  return issues;
}

/** The rules that guard `orthanc:accessControl`. */
export const accessControlRules = [
  rule({ sections: ["accessControl"] }, ({ accessControl }, target, given) => {
    if (!accessControl.enabled) {
      const stray = Object.keys(accessControl).filter(
        (k) => k !== "enabled" && given(`accessControl.${k}`),
      );
      return stray.map((k) => ({
        key: `${K}.${k}`,
        message: `is set but access control is off. Fix: ${set(`${K}.enabled`, "true")}, or ${rm(`${K}.${k}`)}.`,
      }));
    }
    if (target === "aws")
      return {
        key: `${K}.enabled`,
        message:
          `access control (Keycloak and the auth service) is not built for the aws target yet; its Orthanc keeps Basic auth behind the load balancer. ` +
          `Fix: ${rm(`${K}`)}, or deploy to the docker or kubernetes target.`,
      };
    return sectionIssues(accessControl);
  }),

  // Keycloak's redirects and cookies need the public URL; passwords must not cross a network
  // in clear. Plain HTTP only on a Docker host's loopback (a trial on this machine).
  rule(
    { sections: ["accessControl", "dns", "tls", "docker"], targets: ["docker"] },
    ({ accessControl, dns, tls, docker }) =>
      accessControl.enabled &&
      !tlsOn(tls, dns) &&
      !(docker.host === "local" && docker.bindAddress === "127.0.0.1")
        ? {
            key: `${K}.enabled`,
            message: `needs HTTPS (a public name, \`orthanc:dns.name\`) for logins to cross the network; plain HTTP is allowed only on this machine's loopback (docker.host local, docker.bindAddress 127.0.0.1). Fix: ${set("orthanc:dns.name", "pacs.example.org")}.`,
          }
        : undefined,
  ),
  rule(
    { sections: ["accessControl", "dns", "tls"], targets: ["kubernetes"] },
    ({ accessControl, dns, tls }) =>
      accessControl.enabled && !(tlsOn(tls, dns) && dns.name)
        ? {
            key: `${K}.enabled`,
            message: `needs the public HTTPS name where browsers log in (Keycloak under /keycloak on the same edge). Fix: ${set("orthanc:dns.name", "pacs.example.org")} with the Gateway or Ingress of orthanc:kubernetes.`,
          }
        : undefined,
  ),

  // Orthanc's own users and the Explorer 2 login that Keycloak replaces.
  rule({ sections: ["accessControl", "orthanc"] }, ({ accessControl, orthanc }, _t, given) => {
    if (!accessControl.enabled) return undefined;
    const issues: ConfigIssue[] = [];
    for (const k of ["users", "adminUser"] as const)
      if (given(`orthanc.${k}`))
        issues.push({
          key: `orthanc:orthanc.${k}`,
          message: `is Orthanc's Basic auth, which is off under access control: users log in through Keycloak (the first one is \`${K}.firstAdmin\`). Fix: ${rm(`orthanc:orthanc.${k}`)}, and create users in Keycloak (README).`,
        });
    if (!orthanc.plugins.explorer2)
      issues.push({
        key: "orthanc:orthanc.plugins.explorer2",
        message: `is false, but Orthanc Explorer 2 is where users log in through Keycloak. Fix: ${set("orthanc:orthanc.plugins.explorer2", "true")}.`,
      });
    if (accessControl.shares && orthanc.plugins.viewer === "none")
      issues.push({
        key: `${K}.shares`,
        message: `opens a shared study in the viewer, but \`orthanc:orthanc.plugins.viewer\` is none. Fix: ${set("orthanc:orthanc.plugins.viewer", "stone")}, or ${set(`${K}.shares`, "false")}.`,
      });
    const settings = orthanc.settings as Record<string, unknown>;
    const explorer = settings.OrthancExplorer2 as Record<string, unknown> | undefined;
    if (explorer && typeof explorer === "object" && "Keycloak" in explorer)
      issues.push({
        key: "orthanc:orthanc.settings.OrthancExplorer2.Keycloak",
        message: `is set by \`${K}\`; the escape hatch cannot set it. Fix: ${rm("orthanc:orthanc.settings.OrthancExplorer2.Keycloak")}.`,
      });
    return issues;
  }),
];
