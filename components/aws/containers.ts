/**
 * ECS container definitions for Orthanc, as plain data. Fargate cannot mount files, so a small
 * init container (the Orthanc image itself) writes the same two files every target uses,
 * orthanc.json and credentials.json, into a task-scoped volume and exits; Orthanc starts after it
 * and reads them. Secrets reach the init container only through ECS `secrets` (Secrets Manager),
 * never through `environment` or the task definition.
 */
import { ORTHANC_PATHS } from "../shared/orthancConfig";

export const CONFIG_VOLUME = "orthanc-config";
export const SECRETS_VOLUME = "orthanc-secrets";
export const STORAGE_VOLUME = "orthanc-storage";
/** uid of `orthanc` in the orthancteam/orthanc image. */
export const ORTHANC_UID = "999";

export interface OrthancContainersArgs {
  image: string;
  /** orthanc.json, not secret. */
  orthancJson: string;
  /** ARN of the Secrets Manager secret holding credentials.json. */
  credentialsSecretArn: string;
  /** ARN of the secret holding the storage-encryption master key, if any. */
  storageKeySecretArn?: string;
  environment: Record<string, string>;
  httpPort: number;
  dicomPort?: number;
  /** EFS storage mounted at Orthanc's storage directory. */
  efs: boolean;
  logGroup: string;
  region: string;
  memoryMiB: number;
}

/**
 * Writes each variable to its file, readable only by Orthanc's uid (0400), then exits. It runs as
 * root only because a new task volume is root-owned; it keeps nothing but CAP_CHOWN.
 */
export function initScript(files: Record<string, string>, uid: string): string {
  return [
    "set -eu",
    "umask 0277",
    ...Object.entries(files).flatMap(([variable, path]) => [
      `printf '%s' "$${variable}" > ${path}`,
      `chown ${uid}:${uid} ${path}`,
    ]),
  ].join("\n");
}

export function orthancContainers(a: OrthancContainersArgs) {
  const log = (prefix: string) => ({
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
    { sourceVolume: SECRETS_VOLUME, containerPath: "/run/secrets" },
  ];
  const init = {
    name: "config",
    image: a.image,
    essential: false,
    user: "0",
    linuxParameters: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
    entryPoint: ["/bin/sh", "-c"],
    command: [initScript(files, ORTHANC_UID)],
    environment: [{ name: "ORTHANC_CONFIG_JSON", value: a.orthancJson }],
    secrets,
    mountPoints: configMounts,
    logConfiguration: log("config"),
  };
  const ports = [{ containerPort: a.httpPort, protocol: "tcp" }];
  if (a.dicomPort) ports.push({ containerPort: a.dicomPort, protocol: "tcp" });
  const orthanc = {
    name: "orthanc",
    image: a.image,
    essential: true,
    user: `${ORTHANC_UID}:${ORTHANC_UID}`,
    dependsOn: [{ containerName: "config", condition: "SUCCESS" }],
    environment: Object.entries(a.environment).map(([name, value]) => ({ name, value })),
    secrets: [],
    portMappings: ports,
    mountPoints: [
      ...configMounts.map((m) => ({ ...m, readOnly: true })),
      ...(a.efs ? [{ sourceVolume: STORAGE_VOLUME, containerPath: ORTHANC_PATHS.storage }] : []),
    ],
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
    healthCheck: {
      // The image's probe logs in as the generated probe user and touches the database.
      command: ["CMD", "/probes/test-aliveness.py", "--user=healthcheck"],
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
  return [init, orthanc] as const;
}
