import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ORTHANC_APP_ROLE } from "../shared/postgresRole";
import { ORTHANC_DATABASE, ownPostgres, SettingsRuntime } from "../shared/settings";
import {
  createBackupContainer,
  createBackupSyncContainer,
  createDatabaseContainer,
  KeycloakDump,
  POSTGRES_ALIAS,
} from "./containers";
import type { DockerHost } from "./host";
import type { OrthancDockerArgs } from "./orthancDocker";

const { database: DB_NAME, username: DB_USER } = ORTHANC_DATABASE;

/** The index as Orthanc reaches it, and what Orthanc must wait for. */
export interface DockerDatabase {
  runtime: SettingsRuntime["database"];
  password?: pulumi.Output<string>;
  /** The PostgreSQL container, when this host runs it. */
  dependsOn: docker.Container[];
}

/** Keycloak's database, which the scheduled dumps also cover (access control). */
export interface KeycloakBackup {
  dump: KeycloakDump;
  /** Its PostgreSQL container, which the dumps wait for. */
  container: docker.Container;
  /** Its PostgreSQL image: the dumps' own when there is no Orthanc database to dump. */
  image: pulumi.Input<string>;
}

/**
 * SQLite (on Orthanc's storage volume), an external PostgreSQL, or a PostgreSQL container of its
 * own on the backend network with its volume, its scheduled dumps and their optional copy to S3.
 * In the container, Orthanc and the dumps log in as Orthanc's own role, which owns the database;
 * the administrator's password (`generated.admin`) stays in the PostgreSQL container.
 */
export function createDatabase(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "database" | "backup" | "storage" | "resources">,
  generated?: { admin?: pulumi.Output<string>; app?: pulumi.Output<string> },
  keycloak?: KeycloakBackup,
): DockerDatabase {
  const db = args.database;
  if (db.kind !== "container") {
    // No index of ours to dump; Keycloak's database (access control) still is.
    if (args.backup.enabled && keycloak) createDumps(name, parent, host, args, { keycloak });
    return db.kind === "sqlite"
      ? { runtime: { kind: "sqlite" }, dependsOn: [] }
      : { runtime: { ...db, kind: "postgresql" }, password: db.password, dependsOn: [] };
  }
  const adminPassword = generated?.admin;
  const appPassword = generated?.app;
  if (!adminPassword || !appPassword)
    throw new pulumi.ResourceError("The PostgreSQL container needs generated passwords.", parent);

  const pgImage = host.image("postgres", db.image);
  const postgres = createDatabaseContainer(name, parent, {
    image: pgImage.imageId,
    network: host.backend.name,
    volume: host.volume("pgdata").name,
    password: adminPassword,
    app: { role: ORTHANC_APP_ROLE, password: appPassword },
    database: DB_NAME,
    user: DB_USER,
    memoryMiB: args.resources.postgresMemoryMiB,
    provider: host.provider,
  });
  if (args.backup.enabled)
    createDumps(name, parent, host, args, {
      orthanc: { image: pgImage, container: postgres, password: appPassword },
      keycloak,
    });
  return {
    // Traffic stays on the internal bridge network of this host: no TLS.
    runtime: ownPostgres(POSTGRES_ALIAS, false, db.connectionsPerReplica, ORTHANC_APP_ROLE),
    password: appPassword,
    dependsOn: [postgres],
  };
}

/**
 * Scheduled `pg_dump`s into a protected volume and, with S3 storage, their copy to the bucket.
 * Orthanc's index is dumped as Orthanc's role: it owns every object in the database, so it reads
 * all of it, and the container that keeps running beside the dumps never holds the
 * administrator's password. Keycloak's database (access control) is dumped as the superuser of a
 * server that holds nothing else, with the same retention, into the same volume.
 */
function createDumps(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "backup" | "storage" | "resources">,
  dumped: {
    orthanc?: {
      image: docker.RemoteImage;
      container: docker.Container;
      password: pulumi.Output<string>;
    };
    keycloak?: KeycloakBackup;
  },
) {
  const { orthanc, keycloak } = dumped;
  const backups = host.volume("backups");
  const dumper = createBackupContainer(name, parent, {
    image: orthanc ? orthanc.image.imageId : keycloak!.image,
    backupVolume: backups.name,
    orthanc: orthanc && {
      network: host.backend.name,
      password: orthanc.password,
      database: DB_NAME,
      user: ORTHANC_APP_ROLE,
    },
    keycloak: keycloak?.dump,
    intervalHours: args.backup.intervalHours,
    retentionDays: args.backup.retentionDays,
    memoryMiB: args.resources.backupMemoryMiB,
    provider: host.provider,
    dependsOn: [orthanc?.container, keycloak?.container].filter((c): c is docker.Container => !!c),
  });
  const st = args.storage;
  if (!args.backup.copyToS3 || st.kind !== "s3") return;
  createBackupSyncContainer(name, parent, {
    image: host.image("aws-cli", args.backup.copyToS3.image).imageId,
    network: host.frontend.name,
    backupVolume: backups.name,
    destination: `s3://${st.bucket}/${st.prefix}backups/`,
    endpoint: st.endpoint,
    region: st.region,
    intervalHours: args.backup.intervalHours,
    credentials: st.accessKeyId
      ? pulumi.secret(
          pulumi.interpolate`[default]\naws_access_key_id = ${st.accessKeyId}\naws_secret_access_key = ${st.secretAccessKey!}\n`,
        )
      : undefined,
    memoryMiB: args.resources.backupMemoryMiB,
    provider: host.provider,
    dependsOn: [dumper],
  });
}
