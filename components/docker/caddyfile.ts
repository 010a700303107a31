/**
 * The reverse proxy's configuration (Caddy): the only published HTTP(S) entry. With a domain,
 * Caddy obtains and renews a Let's Encrypt certificate (state persisted in its /data volume) and
 * redirects HTTP to HTTPS; without one, plain HTTP.
 */
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
}

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

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
