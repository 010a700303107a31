/**
 * The reverse proxy's configuration (Caddy): the only published HTTP(S) entry. With a domain,
 * Caddy obtains and renews a Let's Encrypt certificate (state persisted in its /data volume) and
 * redirects HTTP to HTTPS; without one, plain HTTP.
 */
import { KEYCLOAK_MASTER_REALM_PATH, KEYCLOAK_PATH } from "../shared/accessControl";

export interface ProxySettings {
  /** Public name; undefined for plain HTTP (no certificate without a domain). */
  readonly domain?: string;
  readonly acmeEmail?: string;
  readonly acmeStaging: boolean;
  /** `host:port` of Orthanc on the shared network. */
  readonly upstream: string;
  readonly corsOrigins: string[];
  /** Listen port for plain HTTP when there is no domain (80 in the container). */
  readonly httpPort?: number;
  /** Port of the health endpoint (never published). */
  readonly healthPort?: number;
  /** The access log: a file on the proxy's data volume, rolled files kept `retentionDays`. */
  readonly accessLog: AccessLogSettings;
  /**
   * Keycloak's `host:port` (access control): `/keycloak` and everything under it go there, the
   * path unchanged (Keycloak serves under it). Undefined: everything goes to Orthanc.
   */
  readonly keycloakUpstream?: string;
}

export interface AccessLogSettings {
  /** Path inside the container (on its data volume). */
  readonly file: string;
  /** Days a rolled file is kept. */
  readonly retentionDays: number;
}

/** Where the proxy writes its access log: the `proxy-data` volume, mounted at /data. */
export const PROXY_ACCESS_LOG = "/data/access.log";
/** Size at which the access log is rolled (gzip-compressed), and the most rolled files kept. */
export const ACCESS_LOG_ROLL = { sizeMiB: 100, keep: 1000 } as const;

/**
 * Query parameters whose value is replaced in the logged URI: any name containing one of these
 * (`token`, `access_token`, `api_key`, `password`, `X-Amz-Signature`, ...), in any case.
 */
const SECRET_QUERY_NAMES = [
  "token",
  "auth",
  "pass",
  "secret",
  "key",
  "sig",
  "credential",
  "session",
  "jwt",
];

/** Port of the proxy's own health endpoint, inside the container only. */
export const PROXY_HEALTH_PORT = 8080;

const LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

export function renderCaddyfile(s: ProxySettings): string {
  const global: string[] = ["admin off"];
  if (!s.domain) global.push("auto_https off");
  if (s.acmeEmail) global.push(`email ${s.acmeEmail}`);
  if (s.domain && s.acmeStaging) global.push(`acme_ca ${LETS_ENCRYPT_STAGING}`);

  const site: string[] = [
    "encode zstd gzip",
    "header {",
    ...(s.domain ? ['\tStrict-Transport-Security "max-age=63072000; includeSubDomains"'] : []),
    '\tX-Content-Type-Options "nosniff"',
    '\tReferrer-Policy "same-origin"',
    "\t-Server",
    "}",
  ];
  if (s.corsOrigins.length) {
    const origins = `^(${s.corsOrigins.map(escapeRegex).join("|")})$`;
    site.push(
      `@cors header_regexp Origin ${origins}`,
      "header @cors {",
      "\tAccess-Control-Allow-Origin {http.request.header.Origin}",
      '\tAccess-Control-Allow-Credentials "true"',
      '\tAccess-Control-Allow-Headers "Authorization, Content-Type, Accept"',
      '\tAccess-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS"',
      "\tVary Origin",
      "}",
      // Browsers send the preflight without credentials; Orthanc would answer 401 and block
      // every cross-origin call, so the proxy answers it.
      "@corsPreflight {",
      "\tmethod OPTIONS",
      `\theader_regexp Origin ${origins}`,
      "}",
      'header @corsPreflight Access-Control-Max-Age "600"',
      "respond @corsPreflight 204",
    );
  }
  site.push(...accessLog(s.accessLog, s.keycloakUpstream ? ACCESS_CONTROL_SECRET_HEADERS : []));
  if (s.keycloakUpstream)
    site.push(
      // Its HTTP port only (the management port, with health and metrics, is never routed).
      // Caddy overwrites the X-Forwarded-* headers a client sends (no trusted proxies), which is
      // what Keycloak's `proxy-headers xforwarded` requires. Caddy runs a directive with a
      // matcher before the same directive without one (Orthanc's, below).
      // Keycloak's own `master` realm is left out: it falls to Orthanc, which has no such path.
      "@keycloak {",
      `\tpath ${KEYCLOAK_PATH} ${KEYCLOAK_PATH}/*`,
      `\tnot path ${KEYCLOAK_MASTER_REALM_PATH} ${KEYCLOAK_MASTER_REALM_PATH}/*`,
      "}",
      `reverse_proxy @keycloak ${s.keycloakUpstream}`,
    );
  site.push(
    // Studies are uploaded and downloaded whole (STOW, ZIP archives): Caddy sets no body limit
    // by default; stream responses, and allow multi-GB transfers to take their time.
    `reverse_proxy ${s.upstream} {`,
    "\tflush_interval -1",
    "\ttransport http {",
    "\t\tread_timeout 1h",
    "\t\twrite_timeout 1h",
    "\t}",
    "}",
  );

  const address = s.domain ?? `:${s.httpPort ?? 80}`;
  return [
    `{`,
    ...global.map((l) => `\t${l}`),
    `}`,
    ``,
    `${address} {`,
    ...site.map((l) => `\t${l}`),
    `}`,
    ``,
    // Container health check target; this port is never published.
    `http://:${s.healthPort ?? PROXY_HEALTH_PORT} {`,
    `\trespond /healthz "ok" 200`,
    `}`,
    ``,
  ].join("\n");
}

/**
 * A JSON line per request (time, client address and port, method, host, URI, protocol, request
 * headers, status, size, duration, response headers) into a file rolled at 100 MiB and kept
 * `retentionDays`, 1000 rolled files at most (100 GiB before compression: a bound on the disk it
 * takes beside the database and DICOM files, reached only by a very busy site). Credentials never
 * reach it: the headers that carry them are deleted (Caddy would write them as REDACTED), and the
 * value of any query parameter whose name suggests a secret is replaced.
 */
function accessLog(a: AccessLogSettings, moreSecretHeaders: readonly string[]): string[] {
  const names = SECRET_QUERY_NAMES.join("|");
  const secretQuery = `(?i)([?&][^=&]*(?:${names})[^=&]*=)[^&]*`;
  return [
    "log {",
    `\toutput file ${a.file} {`,
    `\t\troll_size ${ACCESS_LOG_ROLL.sizeMiB}MiB`,
    `\t\troll_keep ${ACCESS_LOG_ROLL.keep}`,
    `\t\troll_keep_for ${a.retentionDays * 24}h`,
    "\t}",
    "\tformat filter {",
    "\t\twrap json",
    "\t\tfields {",
    ...[...SECRET_HEADERS, ...moreSecretHeaders].map((h) => `\t\t\t${h} delete`),
    `\t\t\trequest>uri regexp "${secretQuery}" "\${1}REDACTED"`,
    "\t\t}",
    "\t}",
    "}",
  ];
}

/** Log fields of the headers that carry credentials or sessions, both ways. */
export const SECRET_HEADERS = [
  "request>headers>Authorization",
  "request>headers>Proxy-Authorization",
  "request>headers>Cookie",
  "resp_headers>Set-Cookie",
];

/**
 * Under access control, browsers send their Keycloak access token in a `token` header (Orthanc
 * Explorer 2) and scripts their API key in `api-key`: both are credentials (Go's canonical names).
 */
export const ACCESS_CONTROL_SECRET_HEADERS = ["request>headers>Token", "request>headers>Api-Key"];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
