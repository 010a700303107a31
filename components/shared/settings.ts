import type * as pulumi from "@pulumi/pulumi";
import { connectionsPerReplica, OWN_POSTGRES_MAX_CONNECTIONS } from "./sizing";
import {
  DatabaseSettings,
  JsonObject,
  OrthancAccessControl,
  OrthancSettings,
  PostgresAddress,
  RemoteServer,
  S3Settings,
  StorageSettings,
} from "./orthancConfig";

/** A peer or DICOMweb server as the config gives it: its password a secret. */
export interface RemoteServerOptions extends RemoteServer {
  readonly password?: pulumi.Output<string>;
}

/** The parts of the `orthanc` config section that shape Orthanc's own configuration. */
export interface OrthancAppOptions {
  name: string;
  httpPort: number;
  replicas: number;
  /** `checkModalityHost` undefined: on exactly where the target keeps client addresses. */
  dicom: Omit<OrthancSettings["dicom"], "checkModalityHost" | "tls"> & {
    checkModalityHost?: boolean;
  };
  plugins: OrthancSettings["plugins"];
  verboseLogs: boolean;
  /** Further documented Orthanc settings (checked by the config), merged into orthanc.json. */
  settings: JsonObject;
  /** Settings that may carry a credential (a proxy URL): the credentials document only. */
  secretSettings?: pulumi.Output<JsonObject>;
  /** Orthanc peers by name. */
  peers: Record<string, RemoteServerOptions>;
  /** DICOMweb servers by name. */
  dicomWebServers: Record<string, RemoteServerOptions>;
}

/**
 * Orthanc's own DICOM TLS (docker and kubernetes targets; aws ends TLS at its load balancer).
 */
export interface DicomTlsArgs {
  /** A certificate the stack gives (PEM, with its chain) and its private key (secret). */
  readonly provided?: { readonly certificate: string; readonly privateKey: pulumi.Output<string> };
  /** The name modalities connect to: what a certificate the target makes is issued for. */
  readonly hostName?: string;
  /** PEM CAs that modalities' client certificates must chain to: mutual TLS. */
  readonly clientCertificates?: string;
}

/** Where the index lives, as the deploying target resolved it. */
export type DatabaseEndpoint =
  | { kind: "sqlite" }
  | (PostgresAddress & {
      kind: "postgresql";
      /** The server's `max_connections`. */
      maxConnections: number;
      /** Explicit `IndexConnectionsCount`; sized from `maxConnections` otherwise. */
      connectionsPerReplica?: number;
    });

/**
 * The database a PostgreSQL this program creates holds for Orthanc (any target), and the role
 * created with it: the administrator of the Docker container, the StatefulSet and RDS (Orthanc
 * logs in as `ORTHANC_APP_ROLE` there, postgresRole.ts), CloudNativePG's owner role.
 */
export const ORTHANC_DATABASE = { database: "orthanc", username: "orthanc" } as const;

/**
 * A PostgreSQL this program runs itself (a Docker container, a StatefulSet, CloudNativePG), as
 * Orthanc reaches it: its own database and `username`, the server sized by `postgresTuning.ts`.
 */
export function ownPostgres(
  host: string,
  ssl: boolean,
  connectionsPerReplica?: number,
  username: string = ORTHANC_DATABASE.username,
): Extract<DatabaseEndpoint, { kind: "postgresql" }> {
  return {
    kind: "postgresql",
    host,
    port: 5432,
    database: ORTHANC_DATABASE.database,
    username,
    ssl,
    maxConnections: OWN_POSTGRES_MAX_CONNECTIONS,
    connectionsPerReplica,
  };
}

export interface SettingsRuntime {
  database: DatabaseEndpoint;
  storage: StorageSettings;
  publicUrl?: { host: string; https: boolean };
  /** Distinguishes replicas sharing a database; the target supplies a stable one per replica. */
  serverIdentifier: string;
  /**
   * DICOM clients reach Orthanc with their own address (a network load balancer that keeps it,
   * Kubernetes' Local traffic policy), so a modality's host can be checked. False behind a
   * proxy or NAT, where every association seems to come from one address.
   */
  clientAddressesPreserved?: boolean;
  /**
   * Orthanc itself serves DICOM over TLS (certificate, key and trusted CAs as files at the
   * image's paths); `mutual`: a client certificate is required.
   */
  dicomTls?: { mutual: boolean };
  /** Access control (the authorization plugin), with the auth service's address in this target. */
  accessControl?: OrthancAccessControl;
}

/** Combines validated options with what the target resolved at deploy time. */
export function orthancSettings(app: OrthancAppOptions, runtime: SettingsRuntime): OrthancSettings {
  const db = runtime.database;
  const database: DatabaseSettings =
    db.kind === "sqlite"
      ? { kind: "sqlite" }
      : {
          kind: "postgresql",
          host: db.host,
          port: db.port,
          database: db.database,
          username: db.username,
          ssl: db.ssl,
          connections:
            db.connectionsPerReplica ?? connectionsPerReplica(db.maxConnections, app.replicas),
          multipleWriters: app.replicas > 1,
        };
  return {
    name: app.name,
    httpPort: app.httpPort,
    dicom: {
      ...app.dicom,
      checkModalityHost: app.dicom.checkModalityHost ?? runtime.clientAddressesPreserved ?? false,
      tls: runtime.dicomTls,
    },
    plugins: app.plugins,
    database,
    storage: runtime.storage,
    publicUrl: runtime.publicUrl,
    serverIdentifier: runtime.serverIdentifier,
    verboseLogs: app.verboseLogs,
    extra: app.settings,
    peers: withoutPasswords(app.peers),
    dicomWebServers: withoutPasswords(app.dicomWebServers),
    accessControl: runtime.accessControl,
  };
}

/** Where the servers are and who logs in; their passwords go through the secrets only. */
const withoutPasswords = (servers: Record<string, RemoteServerOptions>) =>
  Object.fromEntries(
    Object.entries(servers).map(([name, { url, username }]) => [name, { url, username }]),
  ) as Record<string, RemoteServer>;

/** A PostgreSQL that exists already, as a component receives it. */
export type ExternalDatabase = PostgresAddress & {
  kind: "external";
  password: pulumi.Output<string>;
  /** The server's `max_connections`. */
  maxConnections: number;
  connectionsPerReplica?: number;
};

/** S3 storage as a component receives it: static keys only where no role exists. */
export type S3StorageArgs = Omit<S3Settings, "staticKeys"> & {
  accessKeyId?: string;
  secretAccessKey?: pulumi.Output<string>;
};
