/**
 * Access control on the Docker target under mocks: the root component built with the shipped
 * local stack's arguments plus `accessControl` (the config section is mapped elsewhere). Exact
 * networks, ports and files of Keycloak, its database and the auth service; no secret in any
 * environment; the secrets both sides hold are the same; Keycloak's data protected and dumped;
 * and without access control, not one resource or input changes.
 */
import type { OrthancDockerArgs } from "../../../components/docker";
import {
  AccessControlArgs,
  ANONYMOUS_PROFILE,
  authServiceEnvironment,
  DEFAULT_ROLES,
  KEYCLOAK_COMMAND,
  keycloakEnvironment,
  renderPermissions,
} from "../../../components/shared/accessControl";
import { ORTHANC_PATHS } from "../../../components/shared/orthancImage";
import { DockerConfig, parseConfig } from "../../../infra/config";
import { planMocks } from "../../../infra/plan/mocks";
import { Plan, planOf } from "../../../infra/plan/runPlan";
import { SECRET_MARK } from "../../../infra/plan/record";
import { readStackFile, stackFilePath } from "../../../infra/stackFiles";
import { inputsDigest } from "../../stacks/urnHistory";
import { Container, container, containers, upload } from "../../helpers/docker";
import { named, ofType, reveal } from "../../helpers/plan";

/* eslint-disable @typescript-eslint/no-explicit-any -- provider inputs are untyped */
type Inputs = Record<string, any>;

const AC: AccessControlArgs = {
  publicUrl: "https://pacs.example.org",
  displayName: "Example PACS",
  roles: DEFAULT_ROLES,
  availableLabels: ["external", "research"],
  firstAdmin: { username: "alice", email: "alice@example.org", roles: ["admin"] },
  shares: { enabled: true, viewer: "stone" },
  apiKeys: true,
  requirePkce: false,
  images: {
    keycloak: "quay.io/keycloak/keycloak:26.4.7",
    authService: "orthancteam/orthanc-auth-service:25.12.0",
    postgres: "postgres:17.6-bookworm",
  },
};

const STACK = "acl";
const N = `orthanc-${STACK}`;
const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";

interface Planned {
  plan: Plan;
  /** Inputs as the provider sees them, secrets revealed, by resource name. */
  plain: Record<string, Inputs>;
  /** Every RandomPassword's value as the mock provider generates it, by resource name. */
  generated: Record<string, string>;
}

/**
 * The root component with the local stack's arguments (`change`'s keys replacing the stack's)
 * and the given `accessControl` (or, with `"absent"`, no such key at all).
 */
async function planDocker(
  accessControl: AccessControlArgs | undefined | "absent",
  change: Record<string, unknown> = {},
  adjust: (args: OrthancDockerArgs) => OrthancDockerArgs = (args) => args,
): Promise<Planned> {
  const plain: Record<string, Inputs> = {};
  const generated: Record<string, string> = {};
  const raw = readStackFile(stackFilePath("local"));
  const plan = await planOf(
    STACK,
    "docker",
    async () => {
      // After the mocks, as the program itself is imported (runPlan.ts).
      const { dockerArgs } = await import("../../../infra/targets/docker");
      const { OrthancDocker } = await import("../../../components/docker");
      const cfg = parseConfig({ ...raw, ...change }) as DockerConfig;
      const args: OrthancDockerArgs =
        accessControl === "absent" ? dockerArgs(cfg) : { ...dockerArgs(cfg), accessControl };
      const o = new OrthancDocker(N, adjust(args));
      return { adminUser: o.adminUser, adminPassword: o.adminPassword, url: o.url };
    },
    async (args) => {
      plain[args.name] = reveal(args.inputs) as Inputs;
      if (args.type === "random:index/randomPassword:RandomPassword")
        generated[args.name] = (await planMocks.newResource(args)).state.result;
    },
  );
  return { plan, plain, generated };
}

const json = (c: Container, file: string) => JSON.parse(upload(c, file)!.content);
/** A file's content as the provider receives it (secrets revealed). */
const plainFile = (p: Planned, name: string, file: string): string | undefined =>
  (p.plain[name].uploads as Inputs[]).find((u) => u.file === file)?.content;
const networksOf = (p: Planned, name: string) =>
  (p.plain[name].networksAdvanced as { name: string; aliases?: string[] }[]).map((n) => ({
    name: n.name,
    aliases: n.aliases,
  }));

describe("docker access control", () => {
  let on: Planned;
  let off: Planned;
  beforeAll(async () => {
    on = await planDocker(AC);
    off = await planDocker("absent");
  });

  test("undefined is off: the very same resources and inputs as without the key", async () => {
    const undef = await planDocker(undefined);
    const shape = (p: Planned) =>
      p.plan.resources.map((r) => [r.type, r.name, inputsDigest(r), r.protect]).sort();
    expect(shape(undef)).toEqual(shape(off));
    expect(undef.plain).toEqual(off.plain);
  });

  test("on: exactly these resources added, the Basic-auth passwords gone, the inputs of four others changed, the rest untouched", () => {
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const before = new Map(off.plan.resources.map((r) => [key(r), r]));
    const after = new Map(on.plan.resources.map((r) => [key(r), r]));
    const added = [...after.keys()].filter((k) => !before.has(k)).sort();
    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    expect(added).toEqual(
      [
        `orthanc:shared:AccessControlCredentials::${N}-access-control-credentials`,
        ...[
          "share-signing-key",
          "service",
          "admin-client",
          "keycloak-admin",
          "keycloak-database",
          "first-admin",
        ].map(
          (s) => `random:index/randomPassword:RandomPassword::${N}-access-control-credentials-${s}`,
        ),
        `${NETWORK}::${N}-identity`,
        `${NETWORK}::${N}-keycloak-db`,
        `docker:index/volume:Volume::${N}-keycloak-db`,
        `docker:index/remoteImage:RemoteImage::${N}-keycloak-postgres-image`,
        `docker:index/remoteImage:RemoteImage::${N}-keycloak-image`,
        `docker:index/remoteImage:RemoteImage::${N}-auth-service-image`,
        `${CONTAINER}::${N}-keycloak-postgres`,
        `${CONTAINER}::${N}-keycloak`,
        `${CONTAINER}::${N}-auth-service-files`,
        `${CONTAINER}::${N}-auth-service`,
      ].sort(),
    );
    expect(removed).toEqual([
      `random:index/randomPassword:RandomPassword::${N}-credentials-probe`,
      `random:index/randomPassword:RandomPassword::${N}-credentials-user-admin`,
    ]);
    const changed = [...before.keys()]
      .filter((k) => after.has(k) && inputsDigest(after.get(k)!) !== inputsDigest(before.get(k)!))
      .sort();
    expect(changed).toEqual(
      [
        // orthanc.json (no Basic auth, Keycloak in Explorer 2); the credentials are a secret.
        `${CONTAINER}::${N}-orthanc-files`,
        // Probed without credentials.
        `${CONTAINER}::${N}-orthanc`,
        `${CONTAINER}::${N}-proxy`,
        `${CONTAINER}::${N}-backup`,
      ].sort(),
    );
  });

  test("the auth service: backend and identity networks only, no port, a read-only root as nobody", () => {
    const svc = container(on.plan, "auth-service");
    expect(networksOf(on, `${N}-auth-service`)).toEqual([
      { name: `${N}-backend`, aliases: ["auth-service"] },
      { name: `${N}-identity`, aliases: ["auth-service"] },
    ]);
    expect(svc.inputs.ports ?? []).toEqual([]);
    expect(svc.inputs).toMatchObject({
      user: "65534:65534",
      readOnly: true,
      tmpfs: { "/tmp": "size=64m,mode=1777" },
      restart: "unless-stopped",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      logOpts: { "max-size": "20m", "max-file": "5" },
      memory: 256,
      memorySwap: 256,
      command: ["/bin/sh", "-c", expect.stringContaining("exec uvicorn app:app")],
    });
    expect(svc.inputs.healthcheck.tests[0]).toBe("CMD");
    expect(svc.inputs.healthcheck.tests.join(" ")).toContain("/openapi.json");
    expect(svc.inputs.envs).toEqual(
      Object.entries(authServiceEnvironment(AC, { keycloak: "http://keycloak:8080" })).map(
        ([k, v]) => `${k}=${v}`,
      ),
    );
    expect(svc.inputs.volumes).toEqual([{ fromContainer: `${N}-auth-service-files-id` }]);
  });

  test("the auth service's files: secrets 0400 owned by nobody, secret in the plan; its profiles 0444", () => {
    const files = container(on.plan, "auth-service-files");
    expect(files.inputs).toMatchObject({ start: false, mustRun: false, restart: "no" });
    const uploads = files.inputs.uploads as Inputs[];
    expect(uploads.map((u) => [u.file, u.permissions, u.owner, u.group])).toEqual([
      ["/run/secrets/SECRET_KEY", "0400", "65534", "65534"],
      ["/run/secrets/USERS", "0400", "65534", "65534"],
      ["/run/secrets/KEYCLOAK_CLIENT_SECRET", "0400", "65534", "65534"],
      ["/etc/orthanc-auth-service/permissions.json", "0444", undefined, undefined],
      ["/etc/orthanc-auth-service/anonymous-profile.json", "0444", undefined, undefined],
    ]);
    for (const f of ["SECRET_KEY", "USERS", "KEYCLOAK_CLIENT_SECRET"])
      expect(upload(files, `/run/secrets/${f}`)!.content).toBe(SECRET_MARK);
    expect(json(files, "/etc/orthanc-auth-service/permissions.json")).toEqual(
      renderPermissions(AC),
    );
    expect(json(files, "/etc/orthanc-auth-service/anonymous-profile.json")).toEqual(
      ANONYMOUS_PROFILE,
    );
  });

  test("Keycloak: identity, frontend and its database's network, no port, its secrets in files only", () => {
    const kc = container(on.plan, "keycloak");
    expect(networksOf(on, `${N}-keycloak`)).toEqual([
      { name: `${N}-identity`, aliases: ["keycloak"] },
      { name: `${N}-frontend`, aliases: ["keycloak"] },
      { name: `${N}-keycloak-db`, aliases: undefined },
    ]);
    expect(kc.inputs.ports ?? []).toEqual([]);
    expect(kc.inputs).toMatchObject({
      image: expect.stringMatching(/^sha256:/),
      command: [...KEYCLOAK_COMMAND],
      user: "1000",
      restart: "unless-stopped",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      memory: 1024,
      wait: true,
    });
    expect(kc.inputs.envs).toEqual(
      Object.entries(keycloakEnvironment(AC, { keycloakDatabase: "keycloak-postgres" })).map(
        ([k, v]) => `${k}=${v}`,
      ),
    );
    expect(kc.inputs.healthcheck.tests).toEqual([
      "CMD",
      "bash",
      "-c",
      "exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /keycloak/health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '^HTTP/1\\.[01] 200 ' <&3",
    ]);
    const uploads = kc.inputs.uploads as Inputs[];
    expect(uploads).toEqual([
      {
        file: "/opt/keycloak/conf/keycloak.conf",
        content: SECRET_MARK,
        permissions: "0400",
        owner: "1000",
        group: "0",
      },
      {
        file: "/opt/keycloak/data/import/orthanc-realm.json",
        content: SECRET_MARK,
        permissions: "0400",
        owner: "1000",
        group: "0",
      },
    ]);
    const keycloakConf = plainFile(on, `${N}-keycloak`, "/opt/keycloak/conf/keycloak.conf")!;
    const secret = (s: string) => on.generated[`${N}-access-control-credentials-${s}`];
    expect(keycloakConf.split("\n").slice(1)).toEqual([
      `db-password=${secret("keycloak-database")}`,
      `bootstrap-admin-password=${secret("keycloak-admin")}`,
      "",
    ]);
    // The database's own password file holds the same one.
    expect(plainFile(on, `${N}-keycloak-postgres`, "/run/secrets/postgres-password")).toBe(
      secret("keycloak-database"),
    );
  });

  test("Keycloak's PostgreSQL: its own network only, SCRAM, a password file, its protected volume", () => {
    const pg = container(on.plan, "keycloak-postgres");
    expect(networksOf(on, `${N}-keycloak-postgres`)).toEqual([
      { name: `${N}-keycloak-db`, aliases: ["keycloak-postgres"] },
    ]);
    expect(pg.inputs.ports ?? []).toEqual([]);
    expect(pg.inputs.entrypoints).toBeUndefined(); // the image's own: no Orthanc role wrapper
    expect(pg.inputs.envs).toEqual([
      "POSTGRES_USER=keycloak",
      "POSTGRES_DB=keycloak",
      "POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password",
      "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256 --auth-local=scram-sha-256",
      "POSTGRES_HOST_AUTH_METHOD=scram-sha-256",
      "PGDATA=/var/lib/postgresql/data/pgdata",
    ]);
    expect(pg.inputs.uploads).toEqual([
      {
        file: "/run/secrets/postgres-password",
        content: SECRET_MARK,
        permissions: "0400",
        owner: "999",
        group: "999",
      },
    ]);
    expect(pg.inputs.volumes).toEqual([
      { volumeName: `${N}-keycloak-db`, containerPath: "/var/lib/postgresql/data" },
    ]);
    expect(pg.inputs).toMatchObject({ wait: true, memory: 512, command: expect.any(Array) });
    expect(pg.inputs.command).toEqual([
      "postgres",
      "-c",
      "max_connections=110",
      "-c",
      "shared_buffers=128MB",
    ]);
    expect(pg.inputs.healthcheck.tests).toEqual([
      "CMD",
      "pg_isready",
      "-h",
      "127.0.0.1",
      "-U",
      "keycloak",
      "-d",
      "keycloak",
    ]);
    const volume = named(on.plan, "docker:index/volume:Volume", `${N}-keycloak-db`);
    expect(volume).toMatchObject({ protect: true, retainOnDelete: true });
    for (const n of ["identity", "keycloak-db"])
      expect(named(on.plan, NETWORK, `${N}-${n}`).inputs).toEqual({
        name: `${N}-${n}`,
        internal: true,
        driver: "bridge",
        options: { "com.docker.network.bridge.inhibit_ipv4": "true" },
      });
  });

  test("the protectData opt-out reaches Keycloak's volume too", async () => {
    const { plan } = await planDocker(AC, { protectData: false });
    expect(named(plan, "docker:index/volume:Volume", `${N}-keycloak-db`)).toMatchObject({
      protect: false,
      retainOnDelete: false,
    });
  });

  test("no generated secret in any container's environment, command or health check", () => {
    // Access control's six and PostgreSQL's two (no Basic-auth user).
    expect(Object.keys(on.generated)).toHaveLength(8);
    for (const c of containers(on.plan)) {
      const i = on.plain[c.name];
      const exposed = JSON.stringify([i.envs, i.command, i.entrypoints, i.healthcheck, i.labels]);
      for (const secret of Object.values(on.generated)) expect(exposed).not.toContain(secret);
    }
  });

  test("the service's Basic password is the one in Orthanc's credentials document", () => {
    const users = JSON.parse(plainFile(on, `${N}-auth-service-files`, "/run/secrets/USERS")!);
    const credentials = JSON.parse(plainFile(on, `${N}-orthanc-files`, ORTHANC_PATHS.credentials)!);
    expect(Object.keys(users)).toEqual([credentials.Authorization.WebServiceUsername]);
    const password = users[credentials.Authorization.WebServiceUsername];
    expect(password).toBe(on.generated[`${N}-access-control-credentials-service`]);
    expect(credentials.Authorization.WebServicePassword).toBe(password);
    expect(credentials.Authorization.WebServiceRootUrl).toBe("http://auth-service:8000/");
    expect(credentials.RegisteredUsers).toBeUndefined();
    const orthancJson = JSON.parse(plainFile(on, `${N}-orthanc-files`, ORTHANC_PATHS.config)!);
    expect(orthancJson.AuthenticationEnabled).toBe(false);
  });

  test("the realm's admin-cli secret is the service's KEYCLOAK_CLIENT_SECRET, which API keys alone bring", async () => {
    const realmOf = (p: Planned) =>
      JSON.parse(plainFile(p, `${N}-keycloak`, "/opt/keycloak/data/import/orthanc-realm.json")!);
    const secretFile = (p: Planned) =>
      plainFile(p, `${N}-auth-service-files`, "/run/secrets/KEYCLOAK_CLIENT_SECRET");
    const adminCli = (p: Planned) =>
      realmOf(p).clients.find((c: Inputs) => c.clientId === "admin-cli");
    expect(adminCli(on).secret).toBe(on.generated[`${N}-access-control-credentials-admin-client`]);
    expect(secretFile(on)).toBe(adminCli(on).secret);
    const noKeys = await planDocker({ ...AC, apiKeys: false });
    expect(secretFile(noKeys)).toBeUndefined();
    expect(container(noKeys.plan, "auth-service").inputs.envs).toContain(
      "ENABLE_KEYCLOAK_API_KEYS=false",
    );
  });

  test("Orthanc: probed on /system without credentials, created after the auth service", () => {
    const orthanc = named(on.plan, CONTAINER, `${N}-orthanc`);
    expect(orthanc.inputs.healthcheck.tests).toEqual([
      "CMD",
      "python3",
      "-c",
      "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8042/system', timeout=8)",
    ]);
    const service = named(on.plan, CONTAINER, `${N}-auth-service`);
    expect(orthanc.dependencies).toContain(service.urn);
    expect(networksOf(on, `${N}-orthanc`).map((n) => n.name)).toEqual([
      `${N}-backend`,
      `${N}-frontend`,
    ]);
  });

  test("the proxy routes /keycloak to Keycloak's HTTP port, with the path unchanged, but not its master realm", () => {
    const caddyfile = upload(container(on.plan, "proxy"), "/etc/caddy/Caddyfile")!.content;
    expect(caddyfile).toContain(
      "\t@keycloak {\n\t\tpath /keycloak /keycloak/*\n\t\tnot path /keycloak/realms/master /keycloak/realms/master/*\n\t}\n\treverse_proxy @keycloak keycloak:8080\n",
    );
    expect(caddyfile).not.toContain("9000");
    expect(upload(container(off.plan, "proxy"), "/etc/caddy/Caddyfile")!.content).not.toContain(
      "keycloak",
    );
  });

  test("the dumps cover Keycloak's database too, on its network, with the same retention", () => {
    const backup = container(on.plan, "backup");
    expect(networksOf(on, `${N}-backup`)).toEqual([
      { name: `${N}-backend`, aliases: undefined },
      { name: `${N}-keycloak-db`, aliases: undefined },
    ]);
    const script = upload(backup, "/usr/local/bin/orthanc-backup.sh")!.content as string;
    expect(script).toContain('  if pg_dump -Fc -f "$dir/orthanc-$stamp.dump.partial"; then\n');
    expect(script).toContain(
      '  if PGHOST=keycloak-postgres PGUSER=keycloak PGDATABASE=keycloak pg_dump -Fc -f "$dir/keycloak-$stamp.dump.partial"; then\n',
    );
    expect(script).toContain("  find \"$dir\" -name 'orthanc-*.dump' -mtime +14 -print -delete\n");
    expect(script).toContain("  find \"$dir\" -name 'keycloak-*.dump' -mtime +14 -print -delete\n");
    expect(upload(backup, "/run/secrets/pgpass")!.content).toBe(SECRET_MARK);
    const pgpass = plainFile(on, `${N}-backup`, "/run/secrets/pgpass")!;
    const keycloakPassword = on.generated[`${N}-access-control-credentials-keycloak-database`];
    expect(pgpass.split("\n")[1]).toBe(
      `keycloak-postgres:5432:keycloak:keycloak:${keycloakPassword}`,
    );
    expect(backup.dependencies).toContain(named(on.plan, CONTAINER, `${N}-keycloak-postgres`).urn);
  });

  test("without a PostgreSQL of Orthanc's, backups on: Keycloak's database alone is dumped, with its image", async () => {
    const sqlite = await planDocker(
      AC,
      { database: { engine: "sqlite" } },
      // The stack's mapping turns backups off without an index to dump; the component dumps
      // Keycloak's whenever they are on.
      (args) => ({ ...args, backup: { ...args.backup, enabled: true } }),
    );
    const backup = container(sqlite.plan, "backup");
    expect(networksOf(sqlite, `${N}-backup`)).toEqual([
      { name: `${N}-keycloak-db`, aliases: undefined },
    ]);
    expect(backup.inputs.envs).toEqual(["PGPORT=5432", "PGPASSFILE=/run/secrets/pgpass"]);
    const script = upload(backup, "/usr/local/bin/orthanc-backup.sh")!.content as string;
    expect(script).toContain(
      "PGHOST=keycloak-postgres PGUSER=keycloak PGDATABASE=keycloak pg_dump",
    );
    expect(script).not.toContain("orthanc-$stamp");
    expect(plainFile(sqlite, `${N}-backup`, "/run/secrets/pgpass")).toBe(
      `keycloak-postgres:5432:keycloak:keycloak:${sqlite.generated[`${N}-access-control-credentials-keycloak-database`]}\n`,
    );
    // The mock's image ids differ per image: this is Keycloak's PostgreSQL's.
    expect(backup.inputs.image).toBe(container(sqlite.plan, "keycloak-postgres").inputs.image);
    expect(containers(sqlite.plan).some((c) => c.name === `${N}-postgres`)).toBe(false);
  });

  test("the component's admin outputs are the first admin and its initial password", () => {
    expect(on.plan.outputs.adminUser).toBe("alice");
    expect(on.plan.outputs.adminPassword).toBe(SECRET_MARK);
    expect(ofType(on.plan, "orthanc:shared:Credentials")).toHaveLength(1);
  });
});
