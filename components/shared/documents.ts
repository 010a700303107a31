import * as pulumi from "@pulumi/pulumi";
import {
  HOSTNAME_PLACEHOLDER,
  renderCredentialsJson,
  renderEnvironment,
  renderOrthancJson,
  S3Settings,
  serializeForImage,
  StorageSettings,
} from "./orthancConfig";
import { DatabaseEndpoint, OrthancAppOptions, orthancSettings, SettingsRuntime } from "./settings";

/** A value the target knows only once a resource exists (an RDS address, a bucket's name). */
type Later<T, K extends keyof T> = Omit<T, K> & { [P in K]: pulumi.Input<T[P]> };

type PostgresEndpoint = Extract<DatabaseEndpoint, { kind: "postgresql" }>;

/** What the target resolved, with the two values that may come from resources still deferred. */
export type DocumentsRuntime = Omit<SettingsRuntime, "database" | "storage"> & {
  database: Exclude<DatabaseEndpoint, PostgresEndpoint> | Later<PostgresEndpoint, "host">;
  storage: Exclude<StorageSettings, S3Settings> | Later<S3Settings, "bucket">;
};

/** The secrets the credentials document holds; each stays secret. */
export interface DocumentSecrets {
  /** User name -> password, the admin and the probe user included. */
  users: pulumi.Input<Record<string, string>>;
  databasePassword?: pulumi.Input<string>;
  /** Static S3 keys, only where no role can be used. */
  s3AccessKey?: string;
  s3SecretKey?: pulumi.Input<string>;
  /** The Basic password of the auth service, under access control. */
  authServicePassword?: pulumi.Input<string>;
}

/** Name -> password of the servers that have one (each a secret). */
const passwordsOf = (servers: OrthancAppOptions["peers"]): pulumi.Output<Record<string, string>> =>
  pulumi.all(
    Object.fromEntries(
      Object.entries(servers).flatMap(([name, r]) => (r.password ? [[name, r.password]] : [])),
    ),
  );

/** The three things the official image reads, serialized as it must receive them. */
export interface OrthancDocuments {
  /** /etc/orthanc/orthanc.json: every setting that is not a secret. */
  orthancJson: pulumi.Output<string>;
  /** The credentials file under /run/secrets: users, database password, static S3 keys. Secret. */
  credentialsJson: pulumi.Output<string>;
  /** Plugin switches and TCP_NODELAY; never a secret. */
  environment: Record<string, string>;
}

/**
 * The one seam from a target's resolved arguments to Orthanc's documents: every target's root
 * component and the real-Orthanc suite go through it, so what is tested is what ships.
 */
export function orthancDocuments(
  app: OrthancAppOptions,
  runtime: DocumentsRuntime,
  secrets: DocumentSecrets,
): OrthancDocuments {
  const db = runtime.database;
  const st = runtime.storage;
  const settings = pulumi
    .all([db.kind === "postgresql" ? db.host : "", st.kind === "s3" ? st.bucket : ""])
    .apply(([host, bucket]) =>
      orthancSettings(app, {
        ...runtime,
        database: db.kind === "postgresql" ? { ...db, host } : db,
        storage: st.kind === "s3" ? { ...st, bucket } : st,
      }),
    );
  // Only the program's own placeholder is left for the image to expand: one id per container.
  const placeholders =
    runtime.serverIdentifier === HOSTNAME_PLACEHOLDER ? [HOSTNAME_PLACEHOLDER] : [];
  return {
    orthancJson: settings.apply((s) => serializeForImage(renderOrthancJson(s), placeholders)),
    credentialsJson: pulumi.secret(
      pulumi
        .all([
          settings,
          secrets.users,
          secrets.databasePassword,
          secrets.s3SecretKey,
          passwordsOf(app.peers),
          passwordsOf(app.dicomWebServers),
          app.secretSettings ?? {},
          secrets.authServicePassword,
        ])
        .apply(
          ([
            s,
            users,
            databasePassword,
            s3SecretKey,
            peerPasswords,
            dicomWebPasswords,
            secretSettings,
            authServicePassword,
          ]) =>
            serializeForImage(
              renderCredentialsJson(s, {
                users,
                databasePassword,
                s3AccessKey: secrets.s3AccessKey,
                s3SecretKey,
                peerPasswords,
                dicomWebPasswords,
                secretSettings,
                authServicePassword,
              }),
            ),
        ),
    ),
    environment: renderEnvironment({
      plugins: app.plugins,
      verboseLogs: app.verboseLogs,
      database: { kind: db.kind },
      storage: { kind: st.kind },
    }),
  };
}
