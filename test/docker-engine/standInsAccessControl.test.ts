/**
 * The Keycloak and orthanc-auth-service STAND-INS (images/keycloak, images/auth-service: small
 * Python servers, NOT the real software) on a real Docker engine, wired with the documents our
 * program renders (components/shared/accessControl.ts): Keycloak's secrets from its configuration
 * file, a real SCRAM connection to its PostgreSQL, the realm imported once, its health on the
 * management port; the service without root and with a read-only root, exiting while Keycloak does
 * not serve and brought back by its restart policy, its Basic auth, and its client secret checked
 * against the realm's. Skipped (loudly) without an engine; with CI=true it fails instead.
 */
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ANONYMOUS_PROFILE,
  AUTH_SERVICE_COMMAND,
  AUTH_SERVICE_PATHS,
  AUTH_SERVICE_PROBE,
  AccessControlArgs,
  AccessControlSecretValues,
  DEFAULT_ROLES,
  KEYCLOAK_COMMAND,
  KEYCLOAK_DATABASE,
  KEYCLOAK_HEALTH_PATH,
  KEYCLOAK_MANAGEMENT_PORT,
  KEYCLOAK_PATHS,
  KEYCLOAK_UID,
  SERVICE_USER,
  authServiceEnvironment,
  authServiceSecretFiles,
  keycloakEnvironment,
  renderKeycloakConf,
  renderPermissions,
  renderRealm,
} from "../../components/shared/accessControl";
import { POSTGRES_TAGS, imageReference, throughMirror } from "../../components/shared/images";
import {
  connect,
  demux,
  DOCKER_SOCKET,
  execIn,
  teardown,
  uploadArchive,
  waitHealthy,
} from "./engine";
import { engineAnswers } from "./engineProbe";
import { RUN_LABEL } from "./engineSpec";
import { MIRROR, standInFor, standInImages } from "./standIns";

test.each([
  [throughMirror("quay.io/keycloak/keycloak:26.4.2", MIRROR), "keycloak"],
  [throughMirror("orthancteam/orthanc-auth-service:25.12.0", MIRROR), "auth-service"],
  [throughMirror("orthancteam/orthanc:26.8.1", MIRROR), "orthanc"],
  [throughMirror(imageReference("postgres", POSTGRES_TAGS["16"]), MIRROR), "postgres"],
  ["orthanc-deploy-standin/orthancteam/orthanc-auth-service@sha256:ab", "auth-service"],
  ["quay.io/keycloak/keycloak-operator:26.4.2", undefined],
])("the stand-in for %s is %s", (ref, kind) => {
  expect(standInFor(ref)).toBe(kind);
});

const missing = engineAnswers()
  ? undefined
  : `no Docker engine answers on ${DOCKER_SOCKET} (start one: dockerd)`;
if (missing && process.env.CI === "true") {
  test("the access-control stand-in check can run (required when CI=true)", () => {
    throw new Error(`access-control stand-in check cannot run: ${missing}`);
  });
} else if (missing) {
  console.warn(
    `\n${"!".repeat(80)}\n!! SKIPPED test/docker-engine/standInsAccessControl.test.ts: ${missing}\n${"!".repeat(80)}\n`,
  );
}

const ARGS: AccessControlArgs = {
  publicUrl: "https://pacs.example.org",
  displayName: "PACS",
  roles: DEFAULT_ROLES,
  availableLabels: [],
  firstAdmin: { username: "admin", roles: ["admin"] },
  shares: { enabled: true, viewer: "stone" },
  apiKeys: true,
  requirePkce: false,
  images: { keycloak: "k", authService: "a", postgres: "p" },
};
const SECRETS: AccessControlSecretValues = {
  shareSigningKey: "shareSigningKey0123456789",
  servicePassword: "servicePassword0123456789",
  adminClientSecret: "adminClientSecret0123456789",
  keycloakAdminPassword: "keycloakAdminPassword0123456789",
  keycloakDatabasePassword: "keycloakDatabasePassword0123456789",
  firstAdminPassword: "firstAdminPassword0123456789",
};
const IMAGES = {
  postgres: `${MIRROR}/postgres:current`,
  keycloak: `${MIRROR}/keycloak:current`,
  authService: `${MIRROR}/auth-service:current`,
};
/** A health check of the kind Keycloak's image allows (no curl): bash's /dev/tcp. */
const KEYCLOAK_HEALTHCHECK = [
  "CMD",
  "bash",
  "-c",
  `exec 3<>/dev/tcp/127.0.0.1/${KEYCLOAK_MANAGEMENT_PORT} && ` +
    `printf 'GET ${KEYCLOAK_HEALTH_PATH} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && ` +
    `head -n 1 <&3 | grep -q ' 200 '`,
];
const HEALTH = { Interval: 1e9, Timeout: 5e9, Retries: 3, StartPeriod: 0 };

/** Requests from inside the internal network (the service's container has python3). */
const CLIENT = `
import base64, json, sys, urllib.request, urllib.error
out = []
for r in json.loads(sys.argv[1]):
    req = urllib.request.Request(r["url"], data=r["body"].encode() if "body" in r else None,
                                 headers=r.get("headers", {}))
    if "auth" in r:
        req.add_header("Authorization", "Basic " + base64.b64encode(r["auth"].encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            out.append([resp.status, resp.read().decode()])
    except urllib.error.HTTPError as e:
        out.append([e.code, e.read().decode()])
print(json.dumps(out))
`;
interface Req {
  url: string;
  body?: string;
  auth?: string;
  headers?: Record<string, string>;
}

(missing ? describe.skip : describe)("the access-control stand-ins on a real Docker engine", () => {
  const docker = connect();
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const runId = `standin-ac-${id}`;
  const n = (s: string) => `odt-${id}-${s}`;
  const labels = { [RUN_LABEL]: runId };
  const host = mkdtempSync(join(tmpdir(), "standin-ac-"));
  const KEYCLOAK = "http://keycloak:8080";
  const SERVICE = "http://127.0.0.1:8000";
  const service = `${SERVICE_USER}:${SECRETS.servicePassword}`;
  let logsAtFirstStart = "";

  const logs = async (name: string) => {
    const raw = (await docker
      .getContainer(name)
      .logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demux(raw);
  };
  const request = async (reqs: Req[]): Promise<[number, string][]> => {
    const r = await execIn(n("auth"), ["python3", "-c", CLIENT, JSON.stringify(reqs)], { docker });
    if (r.exitCode !== 0) throw new Error(`client failed: ${r.output}`);
    return JSON.parse(r.output) as [number, string][];
  };
  const upload = (name: string, path: string, content: string, uid: number, gid: number) =>
    uploadArchive({ path, content: Buffer.from(content), mode: 0o400, uid, gid }).then((tar) =>
      docker.getContainer(name).putArchive(tar, { path: "/" }),
    );
  /** Polls the engine's view of a container until `done` holds; gives up after a minute. */
  const until = async (name: string, done: (s: Awaited<ReturnType<typeof inspect>>) => boolean) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await inspect(name);
      if (done(s)) return s;
      if (Date.now() > deadline)
        throw new Error(`${name}: state not reached in 60 s\n${(await logs(name)).slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const inspect = (name: string) => docker.getContainer(name).inspect();
  /** A one-off Keycloak or service container on the network: its exit code and output. */
  const runOnce = async (image: string, opts: { env: string[]; cmd: readonly string[] }) => {
    const name = n(`once-${Math.random().toString(36).slice(2, 8)}`);
    const c = await docker.createContainer({
      name,
      Image: image,
      Labels: labels,
      Env: opts.env,
      Cmd: [...opts.cmd],
      HostConfig: { NetworkMode: n("net") },
    });
    return { c, name };
  };

  /** The service's files on the host, bind-mounted read-only (a read-only root takes no upload). */
  const writeServiceFiles = (clientSecret: string) => {
    const files = authServiceSecretFiles(ARGS, { ...SECRETS, adminClientSecret: clientSecret });
    for (const [name, value] of Object.entries(files)) {
      writeFileSync(join(host, "secrets", name), value, { mode: 0o400 });
      chownSync(join(host, "secrets", name), 65534, 65534);
    }
  };

  // Builds (or reuses) the stand-ins: minutes when build.sh or an image's folder changed.
  beforeAll(() => standInImages([]), 900_000);

  beforeAll(async () => {
    mkdirSync(join(host, "secrets"), { mode: 0o755 });
    mkdirSync(join(host, "etc"), { mode: 0o755 });
    writeServiceFiles(SECRETS.adminClientSecret);
    writeFileSync(join(host, "etc", "permissions.json"), JSON.stringify(renderPermissions(ARGS)));
    writeFileSync(join(host, "etc", "anonymous-profile.json"), JSON.stringify(ANONYMOUS_PROFILE));

    await docker.createNetwork({
      Name: n("net"),
      Internal: true,
      Labels: labels,
      CheckDuplicate: true,
    });
    await docker.createVolume({ Name: n("kcdb"), Labels: labels });
    const net = (alias: string) => ({
      EndpointsConfig: { [n("net")]: { Aliases: [alias] } },
    });
    // Keycloak's PostgreSQL: created now, started only after Keycloak and the service.
    await docker.createContainer({
      name: n("db"),
      Image: IMAGES.postgres,
      Labels: labels,
      Env: [
        `POSTGRES_USER=${KEYCLOAK_DATABASE.username}`,
        `POSTGRES_DB=${KEYCLOAK_DATABASE.database}`,
        "POSTGRES_PASSWORD_FILE=/run/secrets/db-password",
      ],
      HostConfig: { Binds: [`${n("kcdb")}:/var/lib/postgresql/data`], NetworkMode: n("net") },
      NetworkingConfig: net("keycloak-db"),
    });
    await upload(n("db"), "/run/secrets/db-password", SECRETS.keycloakDatabasePassword, 999, 999);
    await docker.createContainer({
      name: n("keycloak"),
      Image: IMAGES.keycloak,
      Labels: labels,
      Env: Object.entries(keycloakEnvironment(ARGS, { keycloakDatabase: "keycloak-db" })).map(
        ([k, v]) => `${k}=${v}`,
      ),
      Cmd: [...KEYCLOAK_COMMAND],
      Healthcheck: { Test: KEYCLOAK_HEALTHCHECK, ...HEALTH },
      HostConfig: {
        NetworkMode: n("net"),
        RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      },
      NetworkingConfig: net("keycloak"),
    });
    await upload(n("keycloak"), KEYCLOAK_PATHS.conf, renderKeycloakConf(SECRETS), KEYCLOAK_UID, 0);
    await upload(
      n("keycloak"),
      KEYCLOAK_PATHS.realm,
      JSON.stringify(renderRealm(ARGS, SECRETS)),
      KEYCLOAK_UID,
      0,
    );
    await docker.createContainer({
      name: n("auth"),
      Image: IMAGES.authService,
      Labels: labels,
      User: "65534:65534",
      Env: Object.entries(authServiceEnvironment(ARGS, { keycloak: KEYCLOAK })).map(
        ([k, v]) => `${k}=${v}`,
      ),
      Cmd: [...AUTH_SERVICE_COMMAND],
      Healthcheck: { Test: ["CMD", ...AUTH_SERVICE_PROBE], ...HEALTH },
      HostConfig: {
        NetworkMode: n("net"),
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,noexec,nosuid,size=16m" },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges:true"],
        RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
        Binds: [
          `${join(host, "secrets")}:${AUTH_SERVICE_PATHS.secretsDir}:ro`,
          `${join(host, "etc", "permissions.json")}:${AUTH_SERVICE_PATHS.permissions}:ro`,
          `${join(host, "etc", "anonymous-profile.json")}:${AUTH_SERVICE_PATHS.anonymousProfile}:ro`,
        ],
      },
      NetworkingConfig: net("auth-service"),
    });

    // Keycloak waits for its database (management port up, not ready); the service, started
    // then, finds nothing on Keycloak's port and exits; the database comes; both become healthy.
    await docker.getContainer(n("keycloak")).start();
    await docker.getContainer(n("auth")).start();
    await until(n("auth"), (s) => s.RestartCount >= 1);
    await docker.getContainer(n("db")).start();
    await waitHealthy(n("keycloak"), 60_000, docker);
    await waitHealthy(n("auth"), 60_000, docker);
    logsAtFirstStart = await logs(n("keycloak"));
  }, 180_000);

  afterAll(async () => {
    await teardown(runId, docker);
    rmSync(host, { recursive: true, force: true });
  }, 60_000);

  test("Keycloak's secrets come from its configuration file; it connects with SCRAM and imports the realm", async () => {
    expect(logsAtFirstStart).toContain(
      'secret options read from: {"db-password": "conf", "bootstrap-admin-password": "conf"}',
    );
    expect(logsAtFirstStart).toContain(
      "connected to PostgreSQL keycloak-db:5432/keycloak as keycloak",
    );
    expect(logsAtFirstStart).toContain("Created temporary admin user with username keycloak-admin");
    expect(logsAtFirstStart).toContain("Realm 'orthanc' imported");
    const hba = await execIn(
      n("db"),
      ["grep", "-c", "^host all all all scram-sha-256$", "/var/lib/postgresql/data/pg_hba.conf"],
      { docker },
    );
    expect(hba.output.trim()).toBe("1");
    const env = (await inspect(n("keycloak"))).Config.Env.join("\n");
    for (const secret of Object.values(SECRETS)) expect(env).not.toContain(secret);
  });

  test("Keycloak serves the realm and its key under /keycloak, and health on the management port only", async () => {
    const [realm, realmSlash, unknown, unprefixed, healthMain, ready] = await request([
      { url: `${KEYCLOAK}/keycloak/realms/orthanc` },
      { url: `${KEYCLOAK}/keycloak/realms/orthanc/` },
      { url: `${KEYCLOAK}/keycloak/realms/other/` },
      { url: `${KEYCLOAK}/realms/orthanc/` },
      { url: `${KEYCLOAK}${KEYCLOAK_HEALTH_PATH}` },
      { url: `http://keycloak:${KEYCLOAK_MANAGEMENT_PORT}${KEYCLOAK_HEALTH_PATH}` },
    ]);
    expect(realm[0]).toBe(200);
    expect(JSON.parse(realm[1])).toMatchObject({
      realm: "orthanc",
      public_key: expect.stringMatching(/^MII[A-Za-z0-9+/]+=*$/),
    });
    expect(realmSlash[0]).toBe(200);
    expect([unknown[0], unprefixed[0], healthMain[0]]).toEqual([404, 404, 404]);
    expect(ready[0]).toBe(200);
    expect(JSON.parse(ready[1])).toMatchObject({ status: "UP" });
  });

  test("Keycloak sees the headers a proxy forwards", async () => {
    const [echo] = await request([
      {
        url: `${KEYCLOAK}/keycloak/standin/request`,
        headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "pacs.example.org" },
      },
    ]);
    expect(JSON.parse(echo[1])).toMatchObject({
      path: "/keycloak/standin/request",
      headers: {
        Host: "keycloak:8080",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "pacs.example.org",
      },
    });
  });

  test("the service exited while Keycloak did not serve and came back by its restart policy, as a non-root uid on a read-only root", async () => {
    const info = await inspect(n("auth"));
    expect(info.RestartCount).toBeGreaterThanOrEqual(1);
    expect(await logs(n("auth"))).toContain(
      "Unable to reach keycloak (be patient, Keycloak may need more than 1 min to start), exiting...",
    );
    expect(info.Config.User).toBe("65534:65534");
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    const id = await execIn(n("auth"), ["id", "-u"], { docker });
    expect(id.output.trim()).toBe("65534");
    const env = info.Config.Env.join("\n");
    for (const secret of Object.values(SECRETS)) expect(env).not.toContain(secret);
  });

  test("the service's Basic auth: its OpenAPI document without, its routes with USERS' password only", async () => {
    const profile = `${SERVICE}/user/get-profile`;
    const results = await request([
      { url: `${SERVICE}/openapi.json` },
      { url: profile, body: "{}" },
      { url: profile, body: "{}", auth: `${SERVICE_USER}:wrong` },
      { url: profile, body: "{}", auth: `someone:${SECRETS.servicePassword}` },
      { url: profile, body: "{}", auth: service },
    ]);
    expect(results.map(([status]) => status)).toEqual([200, 401, 401, 401, 200]);
    expect(JSON.parse(results[4][1])).toEqual(ANONYMOUS_PROFILE);
  });

  test("the service reads our permissions, our anonymous profile and its secrets from files, and its client secret is the realm's", async () => {
    const [[status, body]] = await request([{ url: `${SERVICE}/standin/settings`, auth: service }]);
    expect(status).toBe(200);
    expect(JSON.parse(body)).toEqual({
      roles: renderPermissions(ARGS).roles,
      availableLabels: [],
      anonymous: ANONYMOUS_PROFILE,
      publicKeyLoaded: true,
      secretsFrom: { SECRET_KEY: "file", KEYCLOAK_CLIENT_SECRET: "file" },
      keycloakClientSecretMatches: true,
    });
  });

  test("a realm that already exists is not imported again: its secret stays, a changed file is ignored", async () => {
    const [before] = await request([{ url: `${KEYCLOAK}/keycloak/realms/orthanc/` }]);
    const changed = { ...SECRETS, adminClientSecret: "aChangedClientSecret0123456789" };
    await upload(
      n("keycloak"),
      KEYCLOAK_PATHS.realm,
      JSON.stringify(renderRealm(ARGS, changed)),
      KEYCLOAK_UID,
      0,
    );
    await docker.getContainer(n("keycloak")).restart({ t: 5 });
    await until(n("keycloak"), (s) => s.State.Health?.Status !== "healthy");
    await waitHealthy(n("keycloak"), 60_000, docker);
    const restarted = (await logs(n("keycloak"))).slice(logsAtFirstStart.length);
    expect(restarted).toContain("Realm 'orthanc' already exists. Import skipped");
    expect(restarted).not.toContain("Created temporary admin user");
    const token = (secret: string) => ({
      url: `${KEYCLOAK}/keycloak/realms/orthanc/protocol/openid-connect/token`,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=admin-cli&client_secret=${secret}`,
    });
    const [after, kept, ignored] = await request([
      { url: `${KEYCLOAK}/keycloak/realms/orthanc/` },
      token(SECRETS.adminClientSecret),
      token(changed.adminClientSecret),
    ]);
    expect(JSON.parse(after[1]).public_key).toBe(JSON.parse(before[1]).public_key);
    expect([kept[0], ignored[0]]).toEqual([200, 401]);
  });

  test("a service whose client secret is not the realm's says so", async () => {
    writeServiceFiles("notTheRealmsSecret0123456789");
    await docker.getContainer(n("auth")).restart({ t: 5 });
    await waitHealthy(n("auth"), 60_000, docker);
    const [[, body]] = await request([{ url: `${SERVICE}/standin/settings`, auth: service }]);
    expect(JSON.parse(body)).toMatchObject({ keycloakClientSecretMatches: false });
    writeServiceFiles(SECRETS.adminClientSecret);
  });

  test("Keycloak refuses to start without a hostname or with a realm file that is not JSON", async () => {
    const env = keycloakEnvironment(ARGS, { keycloakDatabase: "keycloak-db" });
    const noHost = Object.entries(env).filter(([k]) => k !== "KC_HOSTNAME");
    const a = await runOnce(IMAGES.keycloak, {
      env: noHost.map(([k, v]) => `${k}=${v}`),
      cmd: KEYCLOAK_COMMAND,
    });
    await upload(a.name, KEYCLOAK_PATHS.conf, renderKeycloakConf(SECRETS), KEYCLOAK_UID, 0);
    const b = await runOnce(IMAGES.keycloak, {
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cmd: KEYCLOAK_COMMAND,
    });
    await upload(b.name, KEYCLOAK_PATHS.conf, renderKeycloakConf(SECRETS), KEYCLOAK_UID, 0);
    await upload(b.name, KEYCLOAK_PATHS.realm, "{ not json", KEYCLOAK_UID, 0);
    for (const { c } of [a, b]) await c.start();
    const [ea, eb] = await Promise.all([a.c.wait(), b.c.wait()]);
    expect([ea.StatusCode, eb.StatusCode]).toEqual([1, 1]);
    expect(await logs(a.name)).toContain("hostname is not configured");
    expect(await logs(b.name)).toContain(
      `Failed to import realm from ${KEYCLOAK_PATHS.realm}: invalid JSON`,
    );
  });

  test("the service refuses to start without USERS or with an unknown permission (exit -1)", async () => {
    const env = Object.entries(authServiceEnvironment(ARGS, { keycloak: KEYCLOAK })).map(
      ([k, v]) => `${k}=${v}`,
    );
    const bad = join(host, "etc", "bad-permissions.json");
    writeFileSync(
      bad,
      JSON.stringify({
        roles: { admin: { "authorized-labels": ["*"], permissions: ["everything"] } },
      }),
    );
    const run = async (extraEnv: string[], cmd: readonly string[]) => {
      const name = n(`once-${Math.random().toString(36).slice(2, 8)}`);
      const c = await docker.createContainer({
        name,
        Image: IMAGES.authService,
        Labels: labels,
        User: "65534:65534",
        Env: [...env, ...extraEnv],
        Cmd: [...cmd],
        HostConfig: {
          NetworkMode: n("net"),
          ReadonlyRootfs: true,
          Binds: [
            `${join(host, "secrets")}:${AUTH_SERVICE_PATHS.secretsDir}:ro`,
            `${bad}:/etc/bad-permissions.json:ro`,
            `${join(host, "etc", "anonymous-profile.json")}:${AUTH_SERVICE_PATHS.anonymousProfile}:ro`,
          ],
        },
      });
      await c.start();
      return { code: (await c.wait()).StatusCode, out: await logs(name) };
    };
    // The image's own command: USERS is not exported from its file.
    const noUsers = await run([], ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]);
    expect(noUsers).toEqual({
      code: 255,
      out: expect.stringContaining("USERS env var is not defined"),
    });
    const unknown = await run(
      ["PERMISSIONS_FILE_PATH=/etc/bad-permissions.json"],
      AUTH_SERVICE_COMMAND,
    );
    expect(unknown).toEqual({
      code: 255,
      out: expect.stringContaining("unknown permission(s) ['everything']"),
    });
  });
});
