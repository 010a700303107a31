import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ORTHANC_DATABASE, ownPostgres, SettingsRuntime } from "../shared/settings";
import {
  createBackupContainer,
  createBackupSyncContainer,
  createDatabaseContainer,
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

/**
 * SQLite (on Orthanc's storage volume), an external PostgreSQL, or a PostgreSQL container of its
 * own on the backend network with its volume, its scheduled dumps and their optional copy to S3.
 */
export function createDatabase(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "database" | "backup" | "storage" | "resources">,
  generatedPassword?: pulumi.Output<string>,
): DockerDatabase {
  const db = args.database;
  if (db.kind === "sqlite") return { runtime: { kind: "sqlite" }, dependsOn: [] };
  if (db.kind === "external")
    return { runtime: { ...db, kind: "postgresql" }, password: db.password, dependsOn: [] };
  if (!generatedPassword)
    throw new pulumi.ResourceError("The PostgreSQL container needs a generated password.", parent);

  const pgImage = host.image("postgres", db.image);
  const postgres = createDatabaseContainer(name, parent, {
    image: pgImage.imageId,
    network: host.backend.name,
    volume: host.volume("pgdata").name,
    password: generatedPassword,
    database: DB_NAME,
    user: DB_USER,
    memoryMiB: args.resources.postgresMemoryMiB,
    provider: host.provider,
  });
  if (args.backup.enabled)
    createDumps(name, parent, host, args, pgImage, postgres, generatedPassword);
  return {
    // Traffic stays on the internal bridge network of this host: no TLS.
    runtime: ownPostgres(POSTGRES_ALIAS, false, db.connectionsPerReplica),
    password: generatedPassword,
    dependsOn: [postgres],
  };
}

/** Scheduled `pg_dump`s into a protected volume and, with S3 storage, their copy to the bucket. */
function createDumps(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "backup" | "storage" | "resources">,
  pgImage: docker.RemoteImage,
  postgres: docker.Container,
  password: pulumi.Output<string>,
) {
  const backups = host.volume("backups");
  const dumper = createBackupContainer(name, parent, {
    image: pgImage.imageId,
    network: host.backend.name,
    backupVolume: backups.name,
    password,
    database: DB_NAME,
    user: DB_USER,
    intervalHours: args.backup.intervalHours,
    retentionDays: args.backup.retentionDays,
    memoryMiB: args.resources.backupMemoryMiB,
    provider: host.provider,
    dependsOn: [postgres],
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
