/**
 * TLS of a PostgreSQL this program runs (the Kubernetes StatefulSet): the server settings that
 * turn it on, and the client authentication file that admits the network only over TLS. Pure:
 * the StatefulSet passes the settings as `postgres -c` arguments (with `postgresTuning.ts`'s) and
 * mounts the rules as `hba_file`; the real-PostgreSQL test boots exactly these.
 */

/** Where the server finds its certificate, key and client authentication rules. */
export interface PostgresTlsFiles {
  /** PEM certificate chain, leaf first (cert-manager's `tls.crt`). */
  readonly certFile: string;
  /** PEM private key; PostgreSQL refuses it unless owned by its user (0600) or root (0640). */
  readonly keyFile: string;
  /** The rules of `postgresHbaRules`, one a line. */
  readonly hbaFile: string;
}

/** TLS versions a server may be limited to; older ones have known weaknesses. */
export const TLS_MIN_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

/**
 * `ssl = on` with the mounted certificate and key, TLS 1.2 or newer, and the mounted rules in
 * place of the data directory's `pg_hba.conf`: an existing data directory keeps its own file
 * (the image wrote it at initdb) and needs no change, and the rules follow the program.
 */
export function postgresTlsSettings(
  files: PostgresTlsFiles,
  minVersion: TlsMinVersion = "TLSv1.2",
): Record<string, string> {
  if (!(TLS_MIN_VERSIONS as readonly string[]).includes(minVersion))
    throw new Error(
      `ssl_min_protocol_version must be one of ${TLS_MIN_VERSIONS.join(", ")}, got "${minVersion}"`,
    );
  for (const [what, path] of Object.entries(files))
    if (!path.startsWith("/") || /\s/.test(path))
      throw new Error(`${what} must be an absolute path without spaces, got "${path}"`);
  return {
    ssl: "on",
    ssl_cert_file: files.certFile,
    ssl_key_file: files.keyFile,
    ssl_min_protocol_version: minVersion,
    hba_file: files.hbaFile,
  };
}

/**
 * Who may connect, first match wins:
 *  - the Unix socket with a password: the image's entrypoint creates the database through it
 *    (with POSTGRES_PASSWORD) at first start; nothing outside the pod reaches it;
 *  - TCP over TLS with a password (SCRAM): Orthanc, the dump job and the probes;
 *  - TCP without TLS: refused, with a message that says so, whoever and whatever the password.
 */
export const POSTGRES_HBA_RULES: readonly string[] = [
  "local all all scram-sha-256",
  "hostssl all all all scram-sha-256",
  "hostnossl all all all reject",
];

/** The `pg_hba.conf` the server reads (`hba_file`). */
export function postgresHbaConf(rules: readonly string[] = POSTGRES_HBA_RULES): string {
  for (const rule of rules) {
    const [type, , , , method] = rule.split(/\s+/);
    if (/\b(trust|password|md5)\b/.test(rule))
      throw new Error(
        `pg_hba rule "${rule}": only scram-sha-256 or reject; no trust, clear or md5 passwords`,
      );
    if (type === "host")
      throw new Error(`pg_hba rule "${rule}": \`host\` admits plaintext TCP; use hostssl`);
    if (type === "hostnossl" && method !== "reject")
      throw new Error(`pg_hba rule "${rule}": TCP without TLS may only be rejected`);
    if (type === "hostssl" && method !== "scram-sha-256")
      throw new Error(
        `pg_hba rule "${rule}": TLS connections must authenticate with scram-sha-256`,
      );
  }
  return [
    "# Written by the deployment (postgresTls.ts); TCP only over TLS.",
    "# TYPE DATABASE USER ADDRESS METHOD",
    ...rules,
    "",
  ].join("\n");
}
