/**
 * Orthanc's own settings beyond the modelled ones: `orthanc:orthanc.settings` (any documented
 * setting, merged into the rendered orthanc.json), and the two integrations sites use most,
 * typed: `orthanc:orthanc.peers` (OrthancPeers) and `orthanc:orthanc.dicomWebServers`
 * (DicomWeb.Servers), whose passwords are secrets.
 */
import { z } from "zod";
import {
  IMAGE_ORTHANC_VERSION,
  ORTHANC_CORE_KEYS,
  PLUGIN_SECTION_KEYS,
} from "../../../components/shared/orthancSettingKeys";
import type { ConfigIssue } from "../errors";
import { closest } from "../errors";
import { orthancSecretString } from "../primitives";
import { rule } from "../rule";

const S = "orthanc:orthanc.settings";
const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/**
 * Core keys the program sets itself: the escape hatch never reaches them, so it cannot switch
 * security off or contradict a typed key. Each names the key that sets it, or why it is fixed.
 */
export const OWNED_SETTINGS: Readonly<Record<string, string>> = {
  Name: "is set by `orthanc:orthanc.name`",
  HttpPort: "is set by `orthanc:orthanc.httpPort`",
  RemoteAccessAllowed:
    "is fixed: Orthanc is reached through the target's edge, always with authentication",
  AuthenticationEnabled:
    "is fixed: Basic auth is always on, unless `orthanc:accessControl` hands every request to the authorization plugin",
  Authorization:
    "is set by `orthanc:accessControl` (the authorization plugin, with the auth service and Keycloak it needs)",
  RegisteredUsers:
    "is set by `orthanc:orthanc.adminUser` and `orthanc:orthanc.users` (passwords as secrets)",
  ExecuteLuaEnabled: "is fixed off: no server-side scripts",
  LuaScripts: "is fixed empty: no server-side scripts",
  LuaHeartBeatPeriod: "belongs to Lua scripts, which are off",
  RestApiWriteToFileSystemEnabled: "is fixed off: the API never writes to the container's files",
  WebDavEnabled: "is fixed off (WebDAV exposes the whole archive as a file share)",
  WebDavDeleteAllowed: "belongs to WebDAV, which is off",
  WebDavUploadAllowed: "belongs to WebDAV, which is off",
  HttpDescribeErrors: "is fixed off: errors do not describe the server's internals",
  HttpServerEnabled: "is fixed: the REST API is how every target reaches Orthanc",
  SslEnabled: "is fixed off: TLS ends at the target's edge (Caddy, the load balancer, the Gateway)",
  SslCertificate: "belongs to Orthanc's own HTTPS, which is off (TLS ends at the edge)",
  SslMinimumProtocolVersion: "belongs to Orthanc's own HTTPS, which is off (TLS ends at the edge)",
  SslVerifyPeers: "belongs to Orthanc's own HTTPS, which is off (TLS ends at the edge)",
  SslTrustedClientCertificates:
    "belongs to Orthanc's own HTTPS, which is off (TLS ends at the edge)",
  HttpsVerifyPeers:
    "stays on (Orthanc's default): Orthanc checks the certificates of the peers and DICOMweb servers it calls",
  DicomServerEnabled: "is set by `orthanc:orthanc.dicom.enabled`",
  DicomAet: "is set by `orthanc:orthanc.dicom.aet`",
  DicomPort: "is set by `orthanc:orthanc.dicom.port`",
  DicomCheckCalledAet: "is set by `orthanc:orthanc.dicom.checkCalledAet`",
  DicomCheckModalityHost:
    "is set by the target with the DICOM allowlist (`orthanc:orthanc.dicom.modalities`)",
  DicomAlwaysAllowEcho: "is set with the DICOM allowlist (`orthanc:orthanc.dicom.modalities`)",
  DicomAlwaysAllowStore: "is set with the DICOM allowlist (`orthanc:orthanc.dicom.modalities`)",
  DicomAlwaysAllowFind:
    "is fixed off: each modality's `allowFind` in `orthanc:orthanc.dicom.modalities`",
  DicomAlwaysAllowFindWorklist: "is fixed off: worklists are not served",
  DicomAlwaysAllowGet:
    "is fixed off: each modality's `allowGet` in `orthanc:orthanc.dicom.modalities`",
  DicomAlwaysAllowMove:
    "is fixed off: each modality's `allowMove` in `orthanc:orthanc.dicom.modalities`",
  DicomModalities: "is set by `orthanc:orthanc.dicom.modalities`",
  DicomModalitiesInDatabase:
    "is fixed off: the DICOM allowlist lives in the stack, not in the database",
  OrthancPeers: "is set by `orthanc:orthanc.peers` (passwords as secrets)",
  OrthancPeersInDatabase: "is fixed off: the peers live in the stack, not in the database",
  DicomTlsEnabled: "is set by `orthanc:orthanc.dicom.tls.enabled`",
  DicomTlsCertificate: "is set by `orthanc:orthanc.dicom.tls` (files the target mounts)",
  DicomTlsPrivateKey: "is set by `orthanc:orthanc.dicom.tls` (files the target mounts)",
  DicomTlsTrustedCertificates: "is set by `orthanc:orthanc.dicom.tls.clientCertificates`",
  DicomTlsRemoteCertificateRequired: "is set by `orthanc:orthanc.dicom.tls.clientCertificates`",
  DicomTlsMinimumProtocolVersion:
    "is Orthanc's default (TLS 1.2 and later) wherever it serves DICOM TLS",
  DicomTlsCiphersAccepted:
    "is Orthanc's default (strong ciphers only) wherever it serves DICOM TLS",
  StorageDirectory: "is the target's (a volume, a PVC, EFS; or S3 through `orthanc:storage`)",
  IndexDirectory: "is the target's (`orthanc:database`)",
  TemporaryDirectory: "is the image's writable /tmp (the root file system is read-only)",
  Plugins: "is the image's plugin folder (plugins are switched by `orthanc:orthanc.plugins`)",
  DatabaseServerIdentifier: "is set per replica by the target",
  SaveJobs:
    "is set from `orthanc:orthanc.replicas` (jobs of one replica are not resumed by another)",
  TcpNoDelay: "is set on by the target (TCP_NODELAY)",
};

/** Plugin sections' keys the program sets itself. */
const OWNED_PLUGIN_SETTINGS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  DicomWeb: {
    Enable: "is set by `orthanc:orthanc.plugins.dicomWeb`",
    Root: "is fixed at /dicom-web/, where every target's edge routes it",
    EnableWado: "is fixed on",
    WadoRoot: "is fixed at /wado",
    Host: "is set from the public name (`orthanc:dns.name`)",
    Ssl: "is set from the public name (`orthanc:dns.name`)",
    Servers: "is set by `orthanc:orthanc.dicomWebServers` (passwords as secrets)",
    ServersInDatabase:
      "is fixed off: the DICOMweb servers live in the stack (`orthanc:orthanc.dicomWebServers`), not in the database",
  },
  OrthancExplorer2: { Enable: "is set by `orthanc:orthanc.plugins.explorer2`" },
  PostgreSQL: Object.fromEntries(
    [
      "EnableIndex",
      "EnableStorage",
      "Host",
      "Port",
      "Database",
      "Username",
      "Password",
      "EnableSsl",
      "Lock",
      "IndexConnectionsCount",
      "TransactionMode",
      "MaximumConnectionRetries",
      "ConnectionRetryInterval",
      "ConnectionUri",
      // Another schema hides the existing index.
      "Schema",
    ].map((k) => [k, "is set from `orthanc:database` by the target"]),
  ),
  AwsS3Storage: Object.fromEntries(
    [
      "BucketName",
      "Region",
      "RootPath",
      "Endpoint",
      "VirtualAddressing",
      "AccessKey",
      "SecretKey",
      "StorageEncryption",
      // Another layout or a hybrid store leaves the existing objects out of reach or migrates them.
      "StorageStructure",
      "HybridMode",
    ].map((k) => [k, "is set from `orthanc:storage` by the target"]),
  ),
};

/**
 * Core keys whose values may carry a credential (`HttpProxy`: `http://user:password@proxy`):
 * rendered into the secret credentials document, never into orthanc.json or a ConfigMap.
 */
export const CREDENTIAL_SETTINGS = ["HttpProxy"] as const;

type PluginSection = keyof typeof PLUGIN_SECTION_KEYS;
const isPluginSection = (key: string): key is PluginSection =>
  Object.hasOwn(PLUGIN_SECTION_KEYS, key);

/** A JSON value as Orthanc's configuration takes it. */
const jsonValue: z.ZodType<unknown> = z.json();

/** `orthanc:orthanc.settings`: documented Orthanc settings, checked by `settingsRules`. */
export const settingsKey = z.record(z.string(), jsonValue).default({});

/** An HTTPS server Orthanc sends to: a peer or a DICOMweb server. */
const remoteServer = (what: string, example: string) =>
  z
    .strictObject({
      /** Where it is reached; https unless `allowPlainHttp`. */
      url: z.url({
        protocol: /^https?$/,
        error: `must be the ${what}'s URL, such as \`${example}\``,
      }),
      username: z.string().min(1).max(128).optional(),
      /** Set with `pulumi config set --secret`. */
      password: orthancSecretString.optional(),
      /** The explicit yes to plain HTTP to this server (credentials and images in clear). */
      allowPlainHttp: z.boolean().default(false),
    })
    .check((ctx) => {
      const v = ctx.value;
      const u = URL.canParse(v.url) ? new URL(v.url) : undefined;
      if (u && (u.username || u.password))
        ctx.issues.push({
          code: "custom",
          input: "(hidden)",
          path: ["url"],
          message: `must not carry a user or password (they would sit in clear in the stack file): give them as \`username\` and \`password\` (set with \`pulumi config set --secret\`)`,
        });
      if (!v.username !== !v.password)
        ctx.issues.push({
          code: "custom",
          input: v,
          path: [v.username ? "password" : "username"],
          message: `is missing: a ${what}'s username and password come together (or neither, for a server without authentication)`,
        });
    });

const serverName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
  error: "must be a name of letters, digits, `_` and `-` (how Orthanc's API names it)",
});

/** `orthanc:orthanc.peers`: other Orthanc servers this one sends to or queries. */
export const peersKey = z
  .record(serverName, remoteServer("peer", "https://pacs-b.example.org/"))
  .default({});

/** `orthanc:orthanc.dicomWebServers`: DICOMweb servers this one sends to or queries. */
export const dicomWebServersKey = z
  .record(serverName, remoteServer("DICOMweb server", "https://archive.example.org/dicom-web/"))
  .default({});

/** Which plugin sections are in use, for a section given in the escape hatch. */
export interface PluginsInUse {
  readonly dicomWeb: boolean;
  readonly explorer2: boolean;
  readonly viewer: "none" | "stone" | "ohif";
  readonly postgresql: boolean;
  readonly s3: boolean;
}

const SECTION_SWITCH: Record<PluginSection, [(p: PluginsInUse) => boolean, string]> = {
  DicomWeb: [(p) => p.dicomWeb, "`orthanc:orthanc.plugins.dicomWeb` is false"],
  OrthancExplorer2: [(p) => p.explorer2, "`orthanc:orthanc.plugins.explorer2` is false"],
  StoneWebViewer: [(p) => p.viewer === "stone", "`orthanc:orthanc.plugins.viewer` is not stone"],
  OHIF: [(p) => p.viewer === "ohif", "`orthanc:orthanc.plugins.viewer` is not ohif"],
  PostgreSQL: [(p) => p.postgresql, "the index is SQLite (`orthanc:database.engine`)"],
  AwsS3Storage: [(p) => p.s3, "`orthanc:storage.kind` is not s3"],
};

const unknownKey = (key: string, known: string[], where: string): string => {
  const guess = closest(key.split(".").pop()!, known);
  return (
    `is not a documented ${where} of Orthanc ${IMAGE_ORTHANC_VERSION} as the pinned image carries it.` +
    (guess ? ` Did you mean \`${guess}\`?` : "") +
    ` Fix: ${guess ? `rename it to \`${guess}\`, or ` : ""}${rm(`${S}.${key}`)} (the keys are listed in components/shared/orthancSettingKeys.ts, from Orthanc's own documentation).`
  );
};

/** Problems of the escape hatch's keys: unknown, owned, or for a plugin that is off. */
export function settingsIssues(
  settings: Record<string, unknown>,
  plugins: PluginsInUse,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const core = Object.keys(ORTHANC_CORE_KEYS);
  for (const [key, value] of Object.entries(settings)) {
    const at = `${S}.${key}`;
    if (Object.hasOwn(OWNED_SETTINGS, key)) {
      issues.push({
        key: at,
        message: `${OWNED_SETTINGS[key]}; the escape hatch cannot set it. Fix: ${rm(at)}.`,
      });
      continue;
    }
    if (isPluginSection(key)) {
      const [on, off] = SECTION_SWITCH[key];
      if (!on(plugins)) {
        issues.push({
          key: at,
          message: `configures a plugin that is not in use here: ${off}. Fix: ${rm(at)}, or switch the plugin on.`,
        });
        continue;
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        issues.push({
          key: at,
          message: `must be an object of the plugin's settings, as in Orthanc's configuration. Fix: \`pulumi config set --path '${at}.<setting>' <value>\`.`,
        });
        continue;
      }
      const known = Object.keys(PLUGIN_SECTION_KEYS[key]);
      for (const sub of Object.keys(value)) {
        const subAt = `${at}.${sub}`;
        const ownedHere = OWNED_PLUGIN_SETTINGS[key] ?? {};
        const owned = Object.hasOwn(ownedHere, sub) ? ownedHere[sub] : undefined;
        if (owned)
          issues.push({
            key: subAt,
            message: `${owned}; the escape hatch cannot set it. Fix: ${rm(subAt)}.`,
          });
        else if (!known.includes(sub))
          issues.push({
            key: subAt,
            message: unknownKey(`${key}.${sub}`, known, `${key} setting`),
          });
      }
      continue;
    }
    if (!core.includes(key))
      issues.push({
        key: at,
        message: unknownKey(key, [...core, ...Object.keys(PLUGIN_SECTION_KEYS)], "setting"),
      });
  }
  // Orthanc's limits recycle by default: the oldest patients deleted, silently, when one is hit.
  const limits = ["MaximumStorageSize", "MaximumPatientCount"].filter(
    (k) => settings[k] !== undefined && settings[k] !== 0,
  );
  if (limits.length && settings.MaximumStorageMode !== "Reject")
    for (const k of limits)
      issues.push({
        key: `${S}.${k}`,
        message:
          `would make Orthanc delete the oldest patients, without a word, once the limit is reached (its MaximumStorageMode defaults to Recycle). ` +
          `Fix: also \`pulumi config set --path '${S}.MaximumStorageMode' Reject\` (uploads are refused at the limit instead), or ${rm(`${S}.${k}`)}.`,
      });
  return issues;
}

const http = (url: string) => new URL(url).protocol === "http:";

/** The rules of the escape hatch, the peers and the DICOMweb servers. */
export const settingsRules = [
  rule({ sections: ["orthanc", "database", "storage"] }, ({ orthanc, database, storage }) =>
    settingsIssues(orthanc.settings, {
      dicomWeb: orthanc.plugins.dicomWeb,
      explorer2: orthanc.plugins.explorer2,
      viewer: orthanc.plugins.viewer,
      postgresql: !("engine" in database) || database.engine !== "sqlite",
      s3: storage.kind === "s3",
    }),
  ),

  // Peers and DICOMweb servers over HTTPS, with Orthanc checking their certificates.
  rule({ sections: ["orthanc"] }, ({ orthanc }): ConfigIssue[] =>
    (
      [
        ["peers", orthanc.peers],
        ["dicomWebServers", orthanc.dicomWebServers],
      ] as const
    ).flatMap(([section, servers]) =>
      Object.entries(servers)
        .filter(([, s]) => http(s.url) && !s.allowPlainHttp)
        .map(([name, s]) => ({
          key: `orthanc:orthanc.${section}.${name}.url`,
          message:
            `is plain HTTP (${s.url}): ${s.password ? "the password and " : ""}the images would cross the network unencrypted. ` +
            `Fix: \`pulumi config set --path 'orthanc:orthanc.${section}.${name}.url' ${s.url.replace(/^http:/, "https:")}\`, ` +
            `or accept plain HTTP explicitly with \`pulumi config set --path 'orthanc:orthanc.${section}.${name}.allowPlainHttp' true\`.`,
        })),
    ),
  ),

  rule({ sections: ["orthanc"] }, ({ orthanc }): ConfigIssue[] =>
    orthanc.dicomWebServers &&
    Object.keys(orthanc.dicomWebServers).length &&
    !orthanc.plugins.dicomWeb
      ? [
          {
            key: "orthanc:orthanc.dicomWebServers",
            message: `needs the DICOMweb plugin, but \`orthanc:orthanc.plugins.dicomWeb\` is false. Fix: ${rm("orthanc:orthanc.plugins.dicomWeb")} (on by default), or ${rm("orthanc:orthanc.dicomWebServers")}.`,
          },
        ]
      : [],
  ),
];
