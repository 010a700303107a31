/**
 * ECS container definitions for Orthanc, as plain data typed with the ECS API's own model. Fargate
 * cannot mount files, so a small init container (the Orthanc image itself) writes the same two
 * files every target uses, orthanc.json and credentials.json, into a task-scoped volume and exits;
 * Orthanc starts after it and reads them. Secrets reach the init container only through ECS
 * `secrets` (Secrets Manager), never through `environment` or the task definition.
 */
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import {
  ORTHANC_PATHS,
  ORTHANC_UID,
  ORTHANC_WRITABLE,
  PROBE_COMMAND,
  READ_ONLY_ROOT_ENV,
} from "../shared/orthancImage";
import { roleScript } from "../shared/postgresRole";

export const CONFIG_VOLUME = "orthanc-config";
export const SECRETS_VOLUME = "orthanc-secrets";
export const STORAGE_VOLUME = "orthanc-storage";
/**
 * Orthanc's writable folders on its read-only root: task volumes without `host`, i.e. the task's
 * ephemeral storage on Fargate and an ECS-managed folder on EC2 (tmpfs is EC2-only), created
 * root-owned 0755, so the init container hands them to Orthanc's uid.
 */
export const TMP_VOLUME = "orthanc-tmp";
export const PLUGINS_VOLUME = "orthanc-plugins";
/** Every task volume that is not storage: bind mounts of the task, on Fargate and EC2 alike. */
export const TASK_VOLUMES = [CONFIG_VOLUME, SECRETS_VOLUME, TMP_VOLUME, PLUGINS_VOLUME] as const;

export type LaunchType = "FARGATE" | "EC2";

/**
 * The capabilities a container runtime grants by default (Docker's and containerd's default set,
 * which ECS uses on EC2 and on Fargate). Fargate lets a task add only SYS_PTRACE, so the init
 * container keeps CHOWN by dropping every other default rather than by "drop ALL, add CHOWN".
 */
export const DEFAULT_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
] as const;

export interface OrthancContainersArgs {
  readonly image: string;
  /** orthanc.json, not secret. */
  readonly orthancJson: string;
  /** ARN of the Secrets Manager secret holding credentials.json. */
  readonly credentialsSecretArn: string;
  /** ARN of the secret holding the storage-encryption master key, if any. */
  readonly storageKeySecretArn?: string;
  readonly environment: Record<string, string>;
  readonly httpPort: number;
  readonly dicomPort?: number;
  /** EFS storage mounted at Orthanc's storage directory. */
  readonly efs: boolean;
  readonly logGroup: string;
  readonly region: string;
  readonly memoryMiB: number;
  /** RDS: the step that makes Orthanc's role own its database before Orthanc starts. */
  readonly databaseRole?: DatabaseRoleArgs;
}

/** What the database-role container needs: the RDS it reaches and where the two passwords are. */
export interface DatabaseRoleArgs {
  /** The postgres image of the server's major version (its psql), pinned. */
  readonly image: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The master user, and the RDS connection secret (JSON with `password`) that holds its password. */
  readonly adminUser: string;
  readonly adminSecretArn: string;
  /** Orthanc's role, and the secret holding its password (a plain string). */
  readonly appRole: string;
  readonly appPasswordSecretArn: string;
}

/** uid:gid of `postgres` in the official postgres image. */
export const POSTGRES_IMAGE_USER = "999:999";

/**
 * The database-role container: runs postgresRole.ts's script against RDS as the master user and
 * exits. It alone receives the master password (from the RDS connection secret, through
 * `secrets`); it runs as the image's unprivileged user without any capability on a read-only
 * root (psql writes nothing; dash passes the script through a pipe).
 */
export function databaseRoleContainer(
  a: DatabaseRoleArgs,
  logConfiguration: ContainerDefinition["logConfiguration"],
): ContainerDefinition {
  return {
    name: "db-role",
    image: a.image,
    essential: false,
    user: POSTGRES_IMAGE_USER,
    readonlyRootFilesystem: true,
    linuxParameters: { capabilities: { drop: ["ALL"] } },
    entryPoint: ["/bin/sh", "-c"],
    command: [roleScript(a.appRole)],
    environment: [
      { name: "PGHOST", value: a.host },
      { name: "PGPORT", value: String(a.port) },
      { name: "PGDATABASE", value: a.database },
      { name: "PGUSER", value: a.adminUser },
      // rds.force_ssl refuses anything else; the image has no RDS CA to verify against.
      { name: "PGSSLMODE", value: "require" },
      { name: "PGCONNECT_TIMEOUT", value: "15" },
      { name: "PGAPPNAME", value: "orthanc-db-role" },
    ],
    secrets: [
      { name: "PGPASSWORD", valueFrom: `${a.adminSecretArn}:password::` },
      { name: "ORTHANC_APP_PASSWORD", valueFrom: a.appPasswordSecretArn },
    ],
    logConfiguration,
  };
}

/**
 * Writes each variable to its file, readable only by Orthanc's uid (0400), then exits. It runs as
 * root only because a new task volume is root-owned; CAP_CHOWN is the only capability it keeps.
 */
export function initScript(
  files: Record<string, string>,
  uid: string,
  writableDirs: readonly string[] = [],
): string {
  return [
    "set -eu",
    ...writableDirs.map((dir) => `chown ${uid}:${uid} ${dir}`),
    "umask 0277",
    ...Object.entries(files).flatMap(([variable, path]) => [
      `printf '%s' "$${variable}" > ${path}`,
      `chown ${uid}:${uid} ${path}`,
    ]),
  ].join("\n");
}

/**
 * The init container, Orthanc and, on RDS, the database-role container; the same definitions
 * serve Fargate and EC2.
 */
export function orthancContainers(a: OrthancContainersArgs): ContainerDefinition[] {
  const log = (prefix: string): ContainerDefinition["logConfiguration"] => ({
    logDriver: "awslogs",
    options: {
      "awslogs-group": a.logGroup,
      "awslogs-region": a.region,
      "awslogs-stream-prefix": prefix,
    },
  });
  const files: Record<string, string> = {
    ORTHANC_CONFIG_JSON: ORTHANC_PATHS.config,
    ORTHANC_CREDENTIALS_JSON: ORTHANC_PATHS.credentials,
  };
  const secrets = [{ name: "ORTHANC_CREDENTIALS_JSON", valueFrom: a.credentialsSecretArn }];
  if (a.storageKeySecretArn) {
    files.ORTHANC_STORAGE_KEY = ORTHANC_PATHS.storageMasterKey;
    secrets.push({ name: "ORTHANC_STORAGE_KEY", valueFrom: a.storageKeySecretArn });
  }
  const configMounts = [
    { sourceVolume: CONFIG_VOLUME, containerPath: "/etc/orthanc" },
    { sourceVolume: SECRETS_VOLUME, containerPath: ORTHANC_PATHS.secretsDir },
  ];
  const writableMounts = [
    { sourceVolume: TMP_VOLUME, containerPath: ORTHANC_WRITABLE.tmp },
    { sourceVolume: PLUGINS_VOLUME, containerPath: ORTHANC_WRITABLE.plugins },
  ];
  const init: ContainerDefinition = {
    name: "config",
    image: a.image,
    essential: false,
    user: "0",
    // It writes only into the task volumes it mounts.
    readonlyRootFilesystem: true,
    linuxParameters: {
      capabilities: { drop: DEFAULT_CAPABILITIES.filter((c) => c !== "CHOWN") },
    },
    entryPoint: ["/bin/sh", "-c"],
    command: [
      initScript(
        files,
        String(ORTHANC_UID),
        writableMounts.map((m) => m.containerPath),
      ),
    ],
    environment: [{ name: "ORTHANC_CONFIG_JSON", value: a.orthancJson }],
    secrets,
    mountPoints: [...configMounts, ...writableMounts],
    logConfiguration: log("config"),
  };
  const ports: ContainerDefinition["portMappings"] = [
    { containerPort: a.httpPort, protocol: "tcp" },
  ];
  if (a.dicomPort) ports.push({ containerPort: a.dicomPort, protocol: "tcp" });
  const orthanc: ContainerDefinition = {
    name: "orthanc",
    image: a.image,
    essential: true,
    user: `${ORTHANC_UID}:${ORTHANC_UID}`,
    dependsOn: [
      { containerName: "config", condition: "SUCCESS" },
      ...(a.databaseRole ? [{ containerName: "db-role", condition: "SUCCESS" as const }] : []),
    ],
    // A read-only root, as on Kubernetes: the image writes only to /tmp and the plugin folder.
    readonlyRootFilesystem: true,
    environment: Object.entries({ ...a.environment, ...READ_ONLY_ROOT_ENV }).map(
      ([name, value]) => ({ name, value }),
    ),
    secrets: [],
    portMappings: ports,
    mountPoints: [
      ...configMounts.map((m) => ({ ...m, readOnly: true })),
      ...writableMounts,
      ...(a.efs ? [{ sourceVolume: STORAGE_VOLUME, containerPath: ORTHANC_PATHS.storage }] : []),
    ],
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
    healthCheck: {
      // The image's probe logs in as the generated probe user and touches the database.
      command: ["CMD", ...PROBE_COMMAND],
      interval: 30,
      timeout: 10,
      retries: 3,
      startPeriod: 120,
    },
    // A soft limit under the task's memory leaves room for the image's startup scripts.
    memoryReservation: Math.floor(a.memoryMiB * 0.75),
    stopTimeout: 60,
    logConfiguration: log("orthanc"),
  };
  return a.databaseRole
    ? [init, orthanc, databaseRoleContainer(a.databaseRole, log("db-role"))]
    : [init, orthanc];
}

/**
 * What the ECS API refuses for a launch type although the ContainerDefinition type allows it (its
 * own documentation of each field says so). Each message names the container and the field.
 */
export function launchTypeViolations(
  defs: readonly ContainerDefinition[],
  launchType: LaunchType,
): string[] {
  const problems: string[] = [];
  for (const d of defs) {
    const where = `container ${JSON.stringify(d.name)}`;
    const lp = d.linuxParameters;
    // awsvpc (every task of this project): no links, no hostname, host port = container port.
    if (d.links?.length) problems.push(`${where}: links are not supported with awsvpc`);
    if (d.hostname) problems.push(`${where}: hostname is not supported with awsvpc`);
    for (const p of d.portMappings ?? []) {
      if (p.hostPort !== undefined && p.hostPort !== p.containerPort)
        problems.push(`${where}: hostPort must equal containerPort with awsvpc`);
    }
    if (launchType !== "FARGATE") continue;
    const added = (lp?.capabilities?.add ?? []).filter((c) => c !== "SYS_PTRACE");
    if (added.length)
      problems.push(`${where}: Fargate can add only SYS_PTRACE, not ${added.join(", ")}`);
    if (d.privileged) problems.push(`${where}: privileged is not supported on Fargate`);
    if (lp?.devices?.length) problems.push(`${where}: devices are not supported on Fargate`);
    if (lp?.tmpfs?.length) problems.push(`${where}: tmpfs is not supported on Fargate`);
    if (lp?.sharedMemorySize !== undefined)
      problems.push(`${where}: sharedMemorySize is not supported on Fargate`);
    if (lp?.maxSwap !== undefined || lp?.swappiness !== undefined)
      problems.push(`${where}: swap settings are not supported on Fargate`);
    if (d.dockerSecurityOptions?.length)
      problems.push(`${where}: dockerSecurityOptions are not supported on Fargate`);
    const driver = d.logConfiguration?.logDriver;
    if (driver && !["awslogs", "splunk", "awsfirelens"].includes(driver))
      problems.push(`${where}: Fargate supports the awslogs, splunk and awsfirelens log drivers`);
  }
  return problems;
}
