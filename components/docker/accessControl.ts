/**
 * Access control on one Docker host: Keycloak with a PostgreSQL of its own, and the
 * orthanc-auth-service Orthanc's authorization plugin asks. Every document comes from the shared
 * renderers (components/shared/accessControl.ts); this file only places them in containers.
 *
 * Who reaches whom, by network (each internal one has no route out and no address on the host):
 *  - backend: Orthanc -> the auth service (`auth-service:8000`), never published;
 *  - identity: the auth service -> Keycloak (`keycloak:8080`);
 *  - frontend: the proxy -> Keycloak (`/keycloak`, its HTTP port only);
 *  - keycloak-db: Keycloak (and the dumps) -> its PostgreSQL (`keycloak-postgres:5432`).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  AccessControlArgs,
  ANONYMOUS_PROFILE,
  AUTH_SERVICE_COMMAND,
  AUTH_SERVICE_PATHS,
  AUTH_SERVICE_PORT,
  AUTH_SERVICE_PROBE,
  authServiceEnvironment,
  authServiceSecretFiles,
  KEYCLOAK_COMMAND,
  KEYCLOAK_DATABASE,
  KEYCLOAK_HEALTH_PATH,
  KEYCLOAK_HTTP_PORT,
  KEYCLOAK_MANAGEMENT_PORT,
  KEYCLOAK_PATHS,
  KEYCLOAK_UID,
  keycloakEnvironment,
  renderKeycloakConf,
  renderPermissions,
  renderRealm,
} from "../shared/accessControl";
import {
  AccessControlCredentials,
  AccessControlSecrets,
  secretValues,
} from "../shared/accessControlCredentials";
import type { OrthancAccessControl } from "../shared/orthancConfig";
import { createDatabaseContainer, HARDENING } from "./containers";
import type { KeycloakBackup } from "./database";
import type { DockerHost } from "./host";
import { DOCKER_MEMORY_MIB, memoryLimit, ORTHANC_FILES_MEMORY_MIB } from "./limits";
import type { OrthancDockerArgs } from "./orthancDocker";

/** The names the containers reach each other by, on their shared networks. */
export const AUTH_SERVICE_ALIAS = "auth-service";
export const KEYCLOAK_ALIAS = "keycloak";
export const KEYCLOAK_POSTGRES_ALIAS = "keycloak-postgres";

/** Keycloak as the proxy and the auth service reach it: its HTTP port, never the management one. */
export const KEYCLOAK_UPSTREAM = `${KEYCLOAK_ALIAS}:${KEYCLOAK_HTTP_PORT}`;

/**
 * The auth service's user: `nobody` of its Debian-based python image. The image runs as root by
 * default; the service needs no privilege (an unprivileged port, files it only reads).
 */
export const AUTH_SERVICE_UID = 65534;

/**
 * Keycloak's database holds a few MB of realm data: a smaller cache than Orthanc's index, still a
 * quarter of its limit. Connections: Keycloak's pool (`db-pool-max-size`, 100 by default), the
 * dumps and an operator's psql.
 */
export const KEYCLOAK_POSTGRES_SETTINGS = {
  max_connections: "110",
  shared_buffers: "128MB",
} as const;

/** What the rest of the host needs from access control. */
export interface DockerAccessControl {
  /** Orthanc's side (its documents): the service as Orthanc reaches it on the backend network. */
  orthanc: OrthancAccessControl;
  /** The Basic password Orthanc's plugin uses with the service (secret). */
  servicePassword: pulumi.Output<string>;
  /** What Orthanc is created after. */
  dependsOn: docker.Container[];
  /** Keycloak's database, for the scheduled dumps. */
  backup: KeycloakBackup;
  /** The first admin and its initial password (secret), the component's admin outputs. */
  firstAdmin: { user: string; password: pulumi.Output<string> };
}

/** The two internal networks of access control (the others are the host's). */
export interface AccessControlNetworks {
  /** The auth service and Keycloak. */
  identity: docker.Network;
  /** Keycloak and its PostgreSQL (and the dumps). */
  keycloakDb: docker.Network;
}

/**
 * Keycloak, its database and the auth service, with every secret they share generated once
 * (`<name>-access-control-credentials`).
 */
export function createAccessControl(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "resources"> & { accessControl: AccessControlArgs },
): DockerAccessControl {
  const ac = args.accessControl;
  const credentials = new AccessControlCredentials(`${name}-access-control-credentials`, {
    parent,
  });
  const secrets = credentials.secrets;
  const networks = createAccessControlNetworks(name, parent, host);
  const postgresImage = host.image("keycloak-postgres", ac.images.postgres).imageId;
  const database = createKeycloakDatabase(name, parent, host, networks, {
    image: postgresImage,
    password: secrets.keycloakDatabasePassword,
    memoryMiB: args.resources.keycloakPostgresMemoryMiB ?? DOCKER_MEMORY_MIB.keycloakPostgres,
  });
  const keycloak = createKeycloak(name, parent, host, networks, ac, secrets, {
    memoryMiB: args.resources.keycloakMemoryMiB ?? DOCKER_MEMORY_MIB.keycloak,
    dependsOn: [database],
  });
  const authService = createAuthService(name, parent, host, networks, ac, secrets, {
    memoryMiB: args.resources.authServiceMemoryMiB ?? DOCKER_MEMORY_MIB.authService,
    dependsOn: [keycloak],
  });
  return {
    orthanc: {
      publicUrl: ac.publicUrl,
      apiKeys: ac.apiKeys,
      shares: ac.shares,
      serviceUrl: `http://${AUTH_SERVICE_ALIAS}:${AUTH_SERVICE_PORT}/`,
    },
    servicePassword: secrets.servicePassword,
    dependsOn: [authService],
    backup: {
      dump: {
        network: networks.keycloakDb.name,
        host: KEYCLOAK_POSTGRES_ALIAS,
        database: KEYCLOAK_DATABASE.database,
        user: KEYCLOAK_DATABASE.username,
        password: secrets.keycloakDatabasePassword,
      },
      container: database,
      image: postgresImage,
    },
    firstAdmin: { user: ac.firstAdmin.username, password: secrets.firstAdminPassword },
  };
}

/** Internal like the backend: no route out, and no address on the host for their bridges. */
export function createAccessControlNetworks(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
): AccessControlNetworks {
  const internal = (suffix: string) =>
    new docker.Network(
      `${name}-${suffix}`,
      {
        name: `${name}-${suffix}`,
        internal: true,
        driver: "bridge",
        options: { "com.docker.network.bridge.inhibit_ipv4": "true" },
      },
      { parent, provider: host.provider },
    );
  return { identity: internal("identity"), keycloakDb: internal("keycloak-db") };
}

/**
 * Keycloak's PostgreSQL: the image's superuser owns Keycloak's database, the only one it holds;
 * SCRAM, its password as a file, no published port, only on its own network, its own protected
 * volume (`<name>-keycloak-db`). Created once healthy, like Orthanc's.
 */
export function createKeycloakDatabase(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  networks: AccessControlNetworks,
  a: { image: pulumi.Input<string>; password: pulumi.Output<string>; memoryMiB: number },
): docker.Container {
  return createDatabaseContainer(name, parent, {
    suffix: "keycloak-postgres",
    alias: KEYCLOAK_POSTGRES_ALIAS,
    image: a.image,
    network: networks.keycloakDb.name,
    volume: host.volume("keycloak-db").name,
    password: a.password,
    database: KEYCLOAK_DATABASE.database,
    user: KEYCLOAK_DATABASE.username,
    settings: KEYCLOAK_POSTGRES_SETTINGS,
    memoryMiB: a.memoryMiB,
    provider: host.provider,
  });
}

/**
 * The health check of the upstream Keycloak image, which has no curl or wget: bash's /dev/tcp
 * (bash itself, not `sh`, which may lack it) asks the management port for readiness and passes
 * on a 200 status line only (503 until the database is reachable).
 */
export function keycloakHealthCommand(): string[] {
  const request = `GET ${KEYCLOAK_HEALTH_PATH} HTTP/1.0\\r\\n\\r\\n`;
  return [
    "CMD",
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/${KEYCLOAK_MANAGEMENT_PORT} && printf '${request}' >&3 && grep -q '^HTTP/1\\.[01] 200 ' <&3`,
  ];
}

/**
 * Keycloak: its non-secret options as its environment, its secret ones (database and bootstrap
 * admin passwords) in its configuration file and the realm it imports at its first start, both
 * readable by its user only. It needs a writable root (it builds itself into /opt/keycloak at
 * start), so the files are uploaded into the container itself. Reached by the proxy on the
 * frontend network and by the auth service on the identity network; no published port.
 */
export function createKeycloak(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  networks: AccessControlNetworks,
  ac: AccessControlArgs,
  secrets: AccessControlSecrets,
  a: { memoryMiB: number; dependsOn: pulumi.Resource[] },
): docker.Container {
  const values = secretValues(secrets);
  const own = (file: string, content: pulumi.Output<string>) => ({
    file,
    content,
    permissions: "0400",
    owner: String(KEYCLOAK_UID),
    group: "0",
  });
  return new docker.Container(
    `${name}-keycloak`,
    {
      name: `${name}-keycloak`,
      image: host.image("keycloak", ac.images.keycloak).imageId,
      command: [...KEYCLOAK_COMMAND],
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      user: String(KEYCLOAK_UID),
      envs: Object.entries(
        keycloakEnvironment(ac, { keycloakDatabase: KEYCLOAK_POSTGRES_ALIAS }),
      ).map(([k, v]) => `${k}=${v}`),
      uploads: [
        own(
          KEYCLOAK_PATHS.conf,
          values.apply((v) => renderKeycloakConf(v)),
        ),
        own(
          KEYCLOAK_PATHS.realm,
          values.apply((v) => JSON.stringify(renderRealm(ac, v), null, 2)),
        ),
      ],
      networksAdvanced: [
        { name: networks.identity.name, aliases: [KEYCLOAK_ALIAS] },
        { name: host.frontend.name, aliases: [KEYCLOAK_ALIAS] },
        // Only to reach its database: no one there needs to reach Keycloak by name.
        { name: networks.keycloakDb.name },
      ],
      healthcheck: {
        tests: keycloakHealthCommand(),
        interval: "15s",
        timeout: "5s",
        retries: 5,
        // The first start builds Keycloak for PostgreSQL and imports the realm.
        startPeriod: "300s",
      },
      // Created once ready, so the auth service (which exits while Keycloak does not answer)
      // starts against a live Keycloak.
      wait: true,
      waitTimeout: 600,
      stopTimeout: 30,
      destroyGraceSeconds: 30,
    },
    { parent, provider: host.provider, dependsOn: a.dependsOn },
  );
}

/**
 * The auth service as `nobody`, on a read-only root with a tmpfs /tmp. Its secrets are files in
 * /run/secrets (it reads them before its environment; `USERS` is exported from its file by its
 * command), its permissions and anonymous profile read-only files. Docker copies no file into a
 * container with a read-only root, so, as for Orthanc, they are uploaded into the volumes of a
 * `-files` container that is created, never started, and the service mounts its volumes. Only on
 * the backend (Orthanc reaches it) and identity (it reaches Keycloak) networks; no published
 * port. It exits while Keycloak is not ready, and Docker restarts it.
 */
export function createAuthService(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  networks: AccessControlNetworks,
  ac: AccessControlArgs,
  secrets: AccessControlSecrets,
  a: { memoryMiB: number; dependsOn: pulumi.Resource[] },
): docker.Container {
  const values = secretValues(secrets);
  const image = host.image("auth-service", ac.images.authService).imageId;
  const uid = String(AUTH_SERVICE_UID);
  // The file names depend on the options only (not on the values), so the uploads are known
  // before the values are; each file's content is read out of the secret values.
  const names = Object.keys(
    authServiceSecretFiles(ac, { shareSigningKey: "", servicePassword: "", adminClientSecret: "" }),
  );
  const files = new docker.Container(
    `${name}-auth-service-files`,
    {
      name: `${name}-auth-service-files`,
      image,
      // Created only: nothing runs in it, not even after a daemon restart.
      start: false,
      mustRun: false,
      restart: "no",
      entrypoints: ["/bin/true"],
      user: `${uid}:${uid}`,
      securityOpts: HARDENING.securityOpts,
      capabilities: HARDENING.capabilities,
      // Never started: a limit only so that none is unbounded (as Orthanc's files container).
      ...memoryLimit(ORTHANC_FILES_MEMORY_MIB),
      // Anonymous volumes of this container, removed with it (`removeVolumes`).
      volumes: [
        { containerPath: AUTH_SERVICE_PATHS.secretsDir },
        { containerPath: configDir(AUTH_SERVICE_PATHS.permissions) },
      ],
      removeVolumes: true,
      uploads: [
        ...names.map((secret) => ({
          file: `${AUTH_SERVICE_PATHS.secretsDir}/${secret}`,
          content: values.apply((v) => authServiceSecretFiles(ac, v)[secret]),
          permissions: "0400",
          owner: uid,
          group: uid,
        })),
        {
          file: AUTH_SERVICE_PATHS.permissions,
          content: JSON.stringify(renderPermissions(ac), null, 2),
          permissions: "0444",
        },
        {
          file: AUTH_SERVICE_PATHS.anonymousProfile,
          content: JSON.stringify(ANONYMOUS_PROFILE, null, 2),
          permissions: "0444",
        },
      ],
    },
    { parent, provider: host.provider },
  );
  return new docker.Container(
    `${name}-auth-service`,
    {
      name: `${name}-auth-service`,
      image,
      command: [...AUTH_SERVICE_COMMAND],
      ...HARDENING,
      ...memoryLimit(a.memoryMiB),
      user: `${uid}:${uid}`,
      readOnly: true,
      tmpfs: { "/tmp": "size=64m,mode=1777" },
      envs: Object.entries(
        authServiceEnvironment(ac, { keycloak: `http://${KEYCLOAK_UPSTREAM}` }),
      ).map(([k, v]) => `${k}=${v}`),
      volumes: [{ fromContainer: files.id }],
      networksAdvanced: [
        { name: host.backend.name, aliases: [AUTH_SERVICE_ALIAS] },
        { name: networks.identity.name, aliases: [AUTH_SERVICE_ALIAS] },
      ],
      ports: [],
      healthcheck: {
        tests: ["CMD", ...AUTH_SERVICE_PROBE],
        interval: "30s",
        timeout: "10s",
        retries: 3,
        startPeriod: "60s",
      },
      stopTimeout: 10,
      destroyGraceSeconds: 10,
    },
    { parent, provider: host.provider, dependsOn: a.dependsOn },
  );
}

/** The folder of a file path. */
function configDir(file: string): string {
  return file.slice(0, file.lastIndexOf("/"));
}
