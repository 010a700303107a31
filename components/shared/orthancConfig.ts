/**
 * Renders what the official `orthancteam/orthanc` image consumes, as plain data:
 *  - `orthanc.json`: every non-secret setting, mounted at /etc/orthanc;
 *  - `credentials.json`: the sections that hold secrets (users, database), mounted at /run/secrets
 *    (the image merges both directories deeply, and for a scalar defined twice the later file
 *    silently wins: each top-level key lives in exactly one of them, so nothing is overridden);
 *  - the environment: plugin switches and TCP_NODELAY, never a secret.
 * Pure and deterministic. Values known only at deploy time (a database address, generated
 * passwords) reach it through `pulumi.Output.apply`; it registers no resource.
 */
import { ORTHANC_PATHS } from "./orthancImage";
import {
  AccessControlArgs,
  renderAuthorizationSection,
  renderExplorerSettings,
} from "./accessControl";

export interface ModalitySettings {
  readonly aet: string;
  readonly host: string;
  readonly port: number;
  readonly allowEcho: boolean;
  readonly allowStore: boolean;
  readonly allowFind: boolean;
  readonly allowGet: boolean;
  readonly allowMove: boolean;
}

/** How to reach a PostgreSQL database. */
export interface PostgresAddress {
  host: string;
  port: number;
  database: string;
  username: string;
  /** Require TLS. */
  ssl: boolean;
}

export type DatabaseSettings =
  | { kind: "sqlite" }
  | (PostgresAddress & {
      kind: "postgresql";
      /** `IndexConnectionsCount`, from `connectionsPerReplica`. */
      connections: number;
      /** More than one Orthanc writes to this database. */
      multipleWriters: boolean;
    });

/** Objects in S3 (or an S3-compatible server) through Orthanc's S3 plugin. */
export interface S3Settings {
  readonly kind: "s3";
  readonly bucket: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly prefix: string;
  /** Client-side encryption with a master key delivered as a file. */
  readonly encryption: boolean;
  /**
   * Static access keys go into credentials.json. Without them the plugin uses the instance,
   * task or pod role, which is always preferred.
   */
  readonly staticKeys: boolean;
}

export type StorageSettings = { kind: "filesystem" } | S3Settings;

/** A server Orthanc calls over HTTP(S): an Orthanc peer or a DICOMweb server. */
export interface RemoteServer {
  readonly url: string;
  /** With a password, in the secrets (`OrthancSecrets`). */
  readonly username?: string;
}

export interface OrthancSettings {
  readonly name: string;
  readonly httpPort: number;
  readonly dicom: {
    enabled: boolean;
    aet: string;
    port: number;
    checkCalledAet: boolean;
    modalities: Record<string, ModalitySettings>;
    /**
     * A known AE title must also come from its modality's address. Only where the platform
     * hands Orthanc the client's own address (not a proxy's or a NAT gateway's).
     */
    checkModalityHost: boolean;
    /**
     * Orthanc serves DICOM over TLS with the files at the image's paths; `mutual`: modalities
     * must present a certificate from the trusted CAs. Undefined: plain DICOM (or TLS ended in
     * front of Orthanc, at the aws target's load balancer).
     */
    tls?: { mutual: boolean };
  };
  readonly plugins: { dicomWeb: boolean; explorer2: boolean; viewer: "none" | "stone" | "ohif" };
  readonly database: DatabaseSettings;
  readonly storage: StorageSettings;
  /** Where browsers reach Orthanc; sets DICOMweb links right behind a TLS proxy. */
  readonly publicUrl?: { host: string; https: boolean };
  /** Stable identifier of this Orthanc in a shared database (`DatabaseServerIdentifier`). */
  readonly serverIdentifier: string;
  readonly verboseLogs: boolean;
  /**
   * Further documented Orthanc settings the stack gives (`orthanc.settings`, checked by the
   * config: known keys, none the program owns), merged over what the program renders.
   */
  readonly extra: JsonObject;
  /** Orthanc peers by name (`OrthancPeers`). */
  readonly peers: Record<string, RemoteServer>;
  /** DICOMweb servers by name (`DicomWeb.Servers`). */
  readonly dicomWebServers: Record<string, RemoteServer>;
  /**
   * Access control by the authorization plugin, the auth service at `serviceUrl` and Keycloak:
   * no Basic auth then, and no registered users.
   */
  readonly accessControl?: OrthancAccessControl;
}

/** What Orthanc's own configuration needs of access control. */
export type OrthancAccessControl = Pick<AccessControlArgs, "publicUrl" | "apiKeys" | "shares"> & {
  /** The auth service as Orthanc reaches it: `http://host:8000/`. */
  readonly serviceUrl: string;
};

export interface OrthancSecrets {
  /** User name -> password, the admin and the probe user included. */
  users: Record<string, string>;
  databasePassword?: string;
  s3AccessKey?: string;
  s3SecretKey?: string;
  /** Peer name -> password, for the peers that have one. */
  peerPasswords?: Record<string, string>;
  /** DICOMweb server name -> password, for the servers that have one. */
  dicomWebPasswords?: Record<string, string>;
  /** Settings of the stack that may carry a credential (a proxy URL with a password). */
  secretSettings?: JsonObject;
  /** The Basic password the authorization plugin uses with the auth service. */
  authServicePassword?: string;
}

export type JsonObject = { [key: string]: unknown };

export function renderOrthancJson(s: OrthancSettings): JsonObject {
  const allowlist = Object.keys(s.dicom.modalities).length > 0;
  const json: JsonObject = {
    Name: s.name,
    HttpPort: s.httpPort,
    // Auth on, for every client including the proxy's network neighbours; with access control
    // the authorization plugin decides every request instead (no Basic auth, no users).
    RemoteAccessAllowed: true,
    AuthenticationEnabled: !s.accessControl,
    // Hardening: no server-side scripting, no writes to the container's file system through
    // the API, no WebDAV (on by default in Orthanc 1.10).
    ExecuteLuaEnabled: false,
    RestApiWriteToFileSystemEnabled: false,
    LuaScripts: [],
    WebDavEnabled: false,
    HttpDescribeErrors: false,
    DicomServerEnabled: s.dicom.enabled,
    DicomAet: s.dicom.aet,
    DicomPort: s.dicom.port,
    DicomCheckCalledAet: s.dicom.checkCalledAet,
    DicomCheckModalityHost: allowlist && s.dicom.checkModalityHost,
    ...(s.dicom.tls ? renderDicomTls(s.dicom.tls) : {}),
    // With an allowlist, only the listed modalities may echo and store; Find/Get/Move stay per
    // modality (Orthanc's global defaults for those are already false).
    DicomAlwaysAllowEcho: !allowlist,
    DicomAlwaysAllowStore: !allowlist,
    DicomAlwaysAllowFind: false,
    DicomAlwaysAllowGet: false,
    DicomAlwaysAllowMove: false,
    DicomModalities: Object.fromEntries(
      Object.entries(s.dicom.modalities)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, m]) => [
          name,
          {
            AET: m.aet,
            Host: m.host,
            Port: m.port,
            AllowEcho: m.allowEcho,
            AllowStore: m.allowStore,
            AllowFind: m.allowFind,
            AllowGet: m.allowGet,
            AllowMove: m.allowMove,
          },
        ]),
    ),
    StorageDirectory: ORTHANC_PATHS.storage,
    DatabaseServerIdentifier: s.serverIdentifier,
    // Jobs of one replica must not be resumed by another after a restart.
    SaveJobs: s.database.kind === "postgresql" && s.database.multipleWriters ? false : true,
  };
  if (s.plugins.dicomWeb && !credentialSections(s).has("DicomWeb"))
    json.DicomWeb = renderDicomWeb(s);
  if (s.storage.kind === "s3" && !s.storage.staticKeys) json.AwsS3Storage = renderS3(s.storage);
  if (s.accessControl) json.OrthancExplorer2 = renderExplorerSettings(s.accessControl);
  return withExtra(json, s, (key) => !credentialSections(s).has(key));
}

/**
 * The top-level sections that live in the credentials document because they hold a secret: the
 * users, the database's, static S3 keys', the peers' and (with servers) DICOMweb's.
 */
function credentialSections(s: OrthancSettings): Set<string> {
  return new Set([
    s.accessControl ? "Authorization" : "RegisteredUsers",
    ...(s.database.kind === "postgresql" ? ["PostgreSQL"] : []),
    ...(s.storage.kind === "s3" && s.storage.staticKeys ? ["AwsS3Storage"] : []),
    ...(Object.keys(s.peers).length ? ["OrthancPeers"] : []),
    ...(s.plugins.dicomWeb && Object.keys(s.dicomWebServers).length ? ["DicomWeb"] : []),
  ]);
}

/**
 * The stack's own settings merged over a document, for the keys `here` says live in it: a plugin
 * section the program renders gains the given sub-keys, objects merged at every depth (Explorer
 * 2's `UiOptions` given keeps the program's share switches); any other key is set as given.
 */
function withExtra(json: JsonObject, s: OrthancSettings, here: (key: string) => boolean) {
  for (const [key, value] of Object.entries(s.extra)) {
    if (!here(key)) continue;
    json[key] = merged(json[key], value);
  }
  return json;
}

/** `value` over `current`: objects key by key, at every depth; anything else replaced. */
const merged = (current: unknown, value: unknown): unknown =>
  isObject(current) && isObject(value)
    ? Object.fromEntries(
        [...new Set([...Object.keys(current), ...Object.keys(value)])].map((k) => [
          k,
          k in value ? merged(current[k], value[k]) : current[k],
        ]),
      )
    : value;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A peer or DICOMweb server as Orthanc's configuration names its fields. */
function renderRemote(r: RemoteServer, password: string | undefined): JsonObject {
  return {
    Url: r.url,
    ...(r.username ? { Username: r.username } : {}),
    ...(password ? { Password: password } : {}),
  };
}

const renderRemotes = (
  servers: Record<string, RemoteServer>,
  passwords: Record<string, string> = {},
): JsonObject =>
  Object.fromEntries(
    Object.entries(servers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => {
        if (r.username && !passwords[name])
          throw new Error(`The password of ${JSON.stringify(name)} (${r.url}) is empty.`);
        return [name, renderRemote(r, passwords[name])];
      }),
  );

/**
 * Orthanc's DICOM TLS (1.9.0 and later; the certificate requirement 1.9.3): every file by path,
 * the key never inline. Orthanc refuses to start without a trusted-certificates file, so one is
 * always there (the client CAs for mutual TLS, else the server's own chain); without mutual TLS a
 * modality may connect without a certificate of its own.
 */
function renderDicomTls(tls: { mutual: boolean }): JsonObject {
  return {
    DicomTlsEnabled: true,
    DicomTlsCertificate: ORTHANC_PATHS.dicomTlsCertificate,
    DicomTlsPrivateKey: ORTHANC_PATHS.dicomTlsPrivateKey,
    DicomTlsTrustedCertificates: ORTHANC_PATHS.dicomTlsTrusted,
    DicomTlsRemoteCertificateRequired: tls.mutual,
  };
}

function renderDicomWeb(s: OrthancSettings): JsonObject {
  const section: JsonObject = {
    Enable: true,
    Root: "/dicom-web/",
    EnableWado: true,
    WadoRoot: "/wado",
  };
  // Behind a TLS proxy Orthanc sees plain HTTP on its own port; without Host/Ssl the
  // RetrieveURLs in QIDO answers would point there. Without a public name, the links follow the
  // request's Host header, which the proxy preserves.
  if (s.publicUrl) {
    section.Host = s.publicUrl.host;
    section.Ssl = s.publicUrl.https;
  }
  return section;
}

function renderS3(
  storage: Extract<StorageSettings, { kind: "s3" }>,
  keys?: { access: string; secret: string },
): JsonObject {
  const section: JsonObject = {
    BucketName: storage.bucket,
    Region: storage.region,
    RootPath: storage.prefix,
    // Virtual-hosted addressing for AWS; S3-compatible servers usually want path style.
    VirtualAddressing: storage.endpoint === undefined,
  };
  if (storage.endpoint) section.Endpoint = storage.endpoint;
  if (keys) {
    section.AccessKey = keys.access;
    section.SecretKey = keys.secret;
  }
  if (storage.encryption) {
    // Exactly the plugin's keys: a section it cannot read does not stop Orthanc, it only logs
    // that encryption is off and stores plaintext.
    section.StorageEncryption = {
      Enable: true,
      // [id, path]: the key arrives as a file, never inline.
      MasterKey: [1, ORTHANC_PATHS.storageMasterKey],
    };
  }
  return section;
}

/** The secret half of the configuration; mount it read-only at `ORTHANC_PATHS.credentials`. */
export function renderCredentialsJson(s: OrthancSettings, secrets: OrthancSecrets): JsonObject {
  if (s.accessControl) {
    if (Object.keys(secrets.users).length)
      throw new Error("Orthanc has no registered users under access control.");
  } else if (Object.keys(secrets.users).length === 0) {
    // Orthanc 1.13 refuses to start like this; older ones create orthanc:orthanc.
    throw new Error("Orthanc needs at least one registered user when authentication is on.");
  }
  for (const [user, password] of Object.entries(secrets.users)) {
    if (!password)
      throw new Error(`The password of Orthanc user ${JSON.stringify(user)} is empty.`);
  }
  const json: JsonObject = s.accessControl
    ? {
        Authorization: renderAuthorizationSection(
          s.accessControl,
          s.accessControl.serviceUrl,
          secrets.authServicePassword ?? "",
        ),
      }
    : {
        RegisteredUsers: Object.fromEntries(
          Object.entries(secrets.users).sort(([a], [b]) => a.localeCompare(b)),
        ),
      };
  const db = s.database;
  if (db.kind === "postgresql") {
    if (!secrets.databasePassword) throw new Error("The PostgreSQL password is empty.");
    json.PostgreSQL = {
      EnableIndex: true,
      // DICOM files go to the file system or S3, never into the database.
      EnableStorage: false,
      Host: db.host,
      Port: db.port,
      Database: db.database,
      Username: db.username,
      Password: secrets.databasePassword,
      EnableSsl: db.ssl,
      // One writer locks the database against a second Orthanc started by mistake; several
      // replicas must share it.
      Lock: !db.multipleWriters,
      IndexConnectionsCount: db.connections,
      // A connection lost (PostgreSQL restarting) fails its request once, then is reopened every
      // ConnectionRetryInterval seconds, MaximumConnectionRetries times: every second, clients
      // wait at most ~1 s past the server's return (2 s stretched it to ~2 s, bench (d)). 30 s in
      // all, 30 times the restarts measured (pg_ctl -m fast 0.2-0.9 s, docker restart ~0.5 s, crash
      // recovery ~0.7 s), room for a slower disk or a longer WAL replay; only then does Orthanc
      // give up. The same count bounds the replays of a transaction that collided with another
      // writer before HTTP 503.
      MaximumConnectionRetries: 30,
      ConnectionRetryInterval: 1,
      ...(db.multipleWriters ? { TransactionMode: "ReadCommitted" } : {}),
    };
  }
  if (s.storage.kind === "s3" && s.storage.staticKeys) {
    if (!secrets.s3AccessKey || !secrets.s3SecretKey)
      throw new Error("Static S3 keys are enabled but empty.");
    json.AwsS3Storage = renderS3(s.storage, {
      access: secrets.s3AccessKey,
      secret: secrets.s3SecretKey,
    });
  }
  const sections = credentialSections(s);
  if (sections.has("OrthancPeers"))
    json.OrthancPeers = renderRemotes(s.peers, secrets.peerPasswords);
  if (sections.has("DicomWeb"))
    json.DicomWeb = {
      ...renderDicomWeb(s),
      Servers: renderRemotes(s.dicomWebServers, secrets.dicomWebPasswords),
    };
  withExtra(json, s, (key) => sections.has(key));
  // A setting that may carry a credential never goes into orthanc.json.
  for (const [key, value] of Object.entries(secrets.secretSettings ?? {})) {
    if (key in json) throw new Error(`The setting ${key} is given twice.`);
    json[key] = value;
  }
  return json;
}

/**
 * Environment of the Orthanc container: the image's plugin switches, and TCP_NODELAY, without
 * which DCMTK leaves Nagle on and C-STORE drops from ~236 to ~11 instances/s. Never a secret;
 * never VERBOSE_STARTUP (it prints the whole configuration, passwords included).
 */
export function renderEnvironment(
  s: Pick<OrthancSettings, "plugins" | "verboseLogs"> & {
    database: Pick<DatabaseSettings, "kind">;
    storage: Pick<StorageSettings, "kind">;
  },
): Record<string, string> {
  const on = (b: boolean) => (b ? "true" : "false");
  const env: Record<string, string> = {
    TCP_NODELAY: "1",
    DICOM_WEB_PLUGIN_ENABLED: on(s.plugins.dicomWeb),
    ORTHANC_EXPLORER_2_ENABLED: on(s.plugins.explorer2),
    STONE_WEB_VIEWER_PLUGIN_ENABLED: on(s.plugins.viewer === "stone"),
    OHIF_PLUGIN_ENABLED: on(s.plugins.viewer === "ohif"),
    POSTGRESQL_PLUGIN_ENABLED: on(s.database.kind === "postgresql"),
    AWS_S3_STORAGE_PLUGIN_ENABLED: on(s.storage.kind === "s3"),
    VERBOSE_STARTUP: "false",
    VERBOSE_ENABLED: on(s.verboseLogs),
  };
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

export interface RenderedOrthanc {
  orthancJson: JsonObject;
  credentialsJson: JsonObject;
  environment: Record<string, string>;
}

/** The program's own placeholder in orthanc.json, expanded by the image (one id per container). */
export const HOSTNAME_PLACEHOLDER = "${HOSTNAME}";

/** Stands for `$` while a document is serialized (a private-use character, never in config). */
const DOLLAR = "\uE024";

/**
 * A document as the image must receive it. The image passes every configuration file through
 * envsubst before parsing, which cuts `$NAME` and `${NAME}` out of any value (`pa$word` becomes
 * `pa`, and the user cannot log in). Every `$` is therefore written as the JSON escape `\u0024`,
 * which envsubst does not see and the JSON parser turns back into `$`. Only values equal to one of
 * `placeholders` (the program's own) are left for the image to expand.
 */
export function serializeForImage(doc: JsonObject, placeholders: readonly string[] = []): string {
  const escape = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (v.includes(DOLLAR)) throw new Error("a configuration value contains U+E024");
      return placeholders.includes(v) ? v : v.replaceAll("$", DOLLAR);
    }
    if (Array.isArray(v)) return v.map(escape);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escape(x)]));
    return v;
  };
  return JSON.stringify(escape(doc), null, 2).replaceAll(DOLLAR, "\\u0024");
}

export function renderOrthanc(s: OrthancSettings, secrets: OrthancSecrets): RenderedOrthanc {
  return {
    orthancJson: renderOrthancJson(s),
    credentialsJson: renderCredentialsJson(s, secrets),
    environment: renderEnvironment(s),
  };
}
