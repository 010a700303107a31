/**
 * The shipped local stack under mocks (the embedded default: Orthanc, PostgreSQL, backups and a
 * proxy on this machine's engine): exactly the Docker graph, what is published and where, the
 * hardening and wiring of each container, secrets staying secret, protected volumes, outputs, and
 * images through a registry mirror.
 */
import { Plan } from "../../infra/plan/runPlan";
import { previewJson } from "../../infra/plan/format";
import { container, containers, upload } from "../helpers/docker";
import { ofType, planStack } from "../helpers/plan";

describe("stack local (the embedded default)", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    ({ plan, plain } = await planStack("local"));
  });

  test("creates exactly the Docker graph and nothing of another target", () => {
    const counts: Record<string, number> = {};
    for (const r of plan.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "orthanc:docker:OrthancDocker": 1,
      "orthanc:shared:Credentials": 1,
      // admin, probe, the PostgreSQL administrator and Orthanc's database role
      "random:index/randomPassword:RandomPassword": 4,
      "pulumi:providers:docker": 1,
      "docker:index/network:Network": 2,
      "docker:index/volume:Volume": 4,
      "docker:index/remoteImage:RemoteImage": 3,
      // Orthanc's files container is created, never started.
      "docker:index/container:Container": 5,
    });
    expect(plan.resources.some((r) => /^(aws|kubernetes):/.test(r.type))).toBe(false);
  });

  test("only the proxy and the allowlisted DICOM port are published, both on loopback", () => {
    const published = containers(plan).flatMap((c) =>
      (c.inputs.ports ?? []).map((p: object) => ({ container: c.name, ...p })),
    );
    // Sorted by container name: registration order is not part of the contract.
    published.sort((a, b) => a.container.localeCompare(b.container));
    expect(published).toEqual([
      {
        container: "orthanc-local-orthanc",
        internal: 4242,
        external: 4242,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
      {
        container: "orthanc-local-proxy",
        internal: 80,
        external: 8042,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
    ]);
  });

  test("the database is on an internal network only, with password auth and no published port", () => {
    const backend = ofType(plan, "docker:index/network:Network").find((n) =>
      n.name.endsWith("-backend"),
    )!;
    expect(backend.inputs.internal).toBe(true);
    // No address for the host on the backend bridge: the database cannot reach host services.
    expect(backend.inputs.options).toEqual({ "com.docker.network.bridge.inhibit_ipv4": "true" });
    const pg = container(plan, "postgres");
    expect(pg.inputs.ports ?? []).toEqual([]);
    expect(pg.inputs.networksAdvanced).toEqual([
      { name: "orthanc-local-backend", aliases: ["postgres"] },
    ]);
    expect(pg.inputs.envs).toContain("POSTGRES_HOST_AUTH_METHOD=scram-sha-256");
    expect(pg.inputs.envs.some((e: string) => /trust|POSTGRES_PASSWORD=/.test(e))).toBe(false);
    expect(upload(pg, "/run/secrets/postgres-password")).toEqual({
      file: "/run/secrets/postgres-password",
      content: "[secret]",
      permissions: "0400",
      owner: "999",
      group: "999",
    });
    expect(pg.inputs.healthcheck.tests).toEqual([
      "CMD",
      "pg_isready",
      "-h",
      "127.0.0.1",
      "-U",
      "orthanc",
      "-d",
      "orthanc",
    ]);
    expect(pg.inputs.wait).toBe(true);
    expect(pg.inputs).toMatchObject({ stopTimeout: 60, destroyGraceSeconds: 60 });
  });

  test("PostgreSQL runs the image's entrypoint with the measured server settings, durability untouched", () => {
    const pg = container(plan, "postgres");
    // The image's entrypoint, through the wrapper that makes Orthanc's role own its database at
    // every start (postgresRole.ts); the wrapper passes the command on.
    expect(pg.inputs.entrypoints).toEqual([
      "/bin/bash",
      "/usr/local/bin/orthanc-postgres-start.sh",
    ]);
    expect(pg.inputs.command).toEqual([
      "postgres",
      "-c",
      "max_connections=100",
      "-c",
      "shared_buffers=256MB",
    ]);
    expect(pg.inputs.command.join(" ")).not.toMatch(/fsync|synchronous_commit|full_page_writes/);
  });

  test("Orthanc runs non-root, hardened, with its configuration as files and secrets only in a secret file", () => {
    const o = container(plan, "orthanc");
    expect(o.inputs.image).toMatch(/^sha256:/);
    expect(o.inputs).toMatchObject({
      user: "999:999",
      restart: "unless-stopped",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      logDriver: "json-file",
      logOpts: { "max-size": "20m", "max-file": "5" },
      // A clean shutdown on every stop, not only on Pulumi's replace and destroy.
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    });
    expect(o.inputs.healthcheck.tests).toEqual([
      "CMD",
      "/probes/test-aliveness.py",
      "--user=healthcheck",
    ]);
    expect(
      upload(container(plan, "orthanc-files"), "/run/secrets/orthanc-credentials.json"),
    ).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    const config = JSON.parse(
      upload(container(plan, "orthanc-files"), "/etc/orthanc/orthanc.json")!.content,
    );
    expect(config).toMatchObject({
      Name: "Local PACS",
      AuthenticationEnabled: true,
      DicomAet: "ORTHANC",
      DatabaseServerIdentifier: "orthanc-local-orthanc",
    });
    expect(o.inputs.envs).toContain("TCP_NODELAY=1");
    expect(o.inputs.envs).toContain("VERBOSE_STARTUP=false");
    expect(o.inputs.volumes).toEqual([
      // The files container's volumes, by its id: new files replace Orthanc too.
      { fromContainer: "orthanc-local-orthanc-files-id" },
      { volumeName: "orthanc-local-dicom", containerPath: "/var/lib/orthanc/db" },
    ]);
  });

  test("Orthanc's files are uploaded into the volumes of a container that never runs", () => {
    const files = container(plan, "orthanc-files");
    const { uploads, image, ...inputs } = files.inputs;
    expect(image).toBe(container(plan, "orthanc").inputs.image);
    expect(inputs).toEqual({
      name: "orthanc-local-orthanc-files",
      start: false,
      mustRun: false,
      restart: "no",
      entrypoints: ["/bin/true"],
      user: "999:999",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      memory: 16,
      memorySwap: 16,
      volumes: [{ containerPath: "/etc/orthanc" }, { containerPath: "/run/secrets" }],
      removeVolumes: true,
    });
    expect(
      uploads.map((u: { file: string; permissions: string }) => [u.file, u.permissions]),
    ).toEqual([
      ["/etc/orthanc/orthanc.json", "0444"],
      ["/run/secrets/orthanc-credentials.json", "0400"],
    ]);
  });

  test("Orthanc's root is read-only: it writes only to sized tmpfs folders, and never /etc/hostid", () => {
    const o = container(plan, "orthanc");
    expect(o.inputs.readOnly).toBe(true);
    expect(o.inputs.tmpfs).toEqual({
      "/tmp": "size=512m,mode=1777",
      // The configurator copies the enabled plugins here; Orthanc loads them (exec).
      "/run/orthanc/plugins": "exec,size=256m,mode=0755,uid=999,gid=999",
    });
    expect(o.inputs.envs).toContain("GENERATE_HOST_ID_IF_MISSING=false");
    // Docker refuses uploads into a container with a read-only root: none here.
    expect(o.inputs.uploads).toBeUndefined();
    // Every other container keeps its writable root (their images write at start).
    for (const c of containers(plan).filter((c) => c !== o)) {
      expect(c.inputs.readOnly).toBeUndefined();
      expect(c.inputs.tmpfs).toBeUndefined();
    }
  });

  test("every container has a memory limit and no swap beyond it; the defaults per part", () => {
    const limits = Object.fromEntries(
      containers(plan).map((c) => [c.name, [c.inputs.memory, c.inputs.memorySwap]]),
    );
    expect(limits).toEqual({
      "orthanc-local-postgres": [1024, 1024],
      "orthanc-local-backup": [512, 512],
      "orthanc-local-orthanc-files": [16, 16],
      "orthanc-local-orthanc": [2048, 2048],
      "orthanc-local-proxy": [256, 256],
    });
  });

  test("no container has a secret in its environment, and no secret reaches a plain input", () => {
    const generated = /generated-orthanc-local-credentials/;
    for (const r of plan.resources) expect(JSON.stringify(r.inputs)).not.toMatch(generated);
    for (const c of containers(plan)) {
      expect(c.inputs.envs ?? []).not.toContainEqual(
        expect.stringMatching(/PASSWORD=|SECRET=|_KEY=/),
      );
    }
  });

  test("wiring: Orthanc reaches PostgreSQL by its alias on the backend, the proxy reaches Orthanc on the frontend", () => {
    const o = container(plan, "orthanc");
    const pg = container(plan, "postgres");
    const proxy = container(plan, "proxy");
    expect(o.inputs.networksAdvanced).toEqual([
      { name: "orthanc-local-backend", aliases: ["orthanc"] },
      { name: "orthanc-local-frontend", aliases: ["orthanc"] },
    ]);
    expect(proxy.inputs.networksAdvanced).toEqual([{ name: "orthanc-local-frontend" }]);
    expect(upload(proxy, "/etc/caddy/Caddyfile")!.content).toContain(
      "reverse_proxy orthanc-local-orthanc:8042 {",
    );
    // Orthanc is created after the database is healthy; the proxy after Orthanc.
    expect(o.dependencies).toContain(pg.urn);
    expect(proxy.dependencies).toContain(o.urn);
  });

  test("every volume is protected and retained; nothing else is", () => {
    const protectedNames = plan.resources
      .filter((r) => r.protect)
      .map((r) => r.name)
      .sort();
    expect(protectedNames).toEqual([
      "orthanc-local-backups",
      "orthanc-local-dicom",
      "orthanc-local-pgdata",
      "orthanc-local-proxy-data",
    ]);
    expect(
      plan.resources
        .filter((r) => r.retainOnDelete)
        .map((r) => r.name)
        .sort(),
    ).toEqual(protectedNames);
  });

  test("backups: a pg_dump loop with its own password file, on the backend only", () => {
    const b = container(plan, "backup");
    expect(b.inputs.networksAdvanced).toEqual([{ name: "orthanc-local-backend" }]);
    expect(b.inputs.user).toBeUndefined(); // starts as root only to chown the volume, then drops to postgres
    expect(b.inputs.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["CHOWN", "FOWNER", "SETUID", "SETGID"],
    });
    expect(b.inputs.envs).toContain("PGHOST=postgres");
    expect(b.inputs.volumes).toEqual([
      { volumeName: "orthanc-local-backups", containerPath: "/backups" },
    ]);
    expect(upload(b, "/run/secrets/pgpass")).toMatchObject({
      content: "[secret]",
      permissions: "0600",
    });
    expect(upload(b, "/usr/local/bin/orthanc-backup.sh")!.content).toContain(
      "-mtime +14 -print -delete",
    );
  });

  test("database role: Orthanc and the dumps log in as orthanc_app; only PostgreSQL holds the administrator's password", () => {
    const inputs = (c: string) => plain[`docker:index/container:Container::orthanc-local-${c}`];
    const file = (c: string, path: string) =>
      (inputs(c).uploads as { file: string; content: string }[]).find((u) => u.file === path);
    const admin = file("postgres", "/run/secrets/postgres-password")!.content;
    const app = file("postgres", "/run/secrets/orthanc-app-password")!.content;
    expect(app).not.toBe(admin);
    expect(upload(container(plan, "postgres"), "/run/secrets/orthanc-app-password")).toEqual({
      file: "/run/secrets/orthanc-app-password",
      content: "[secret]",
      permissions: "0400",
      owner: "999",
      group: "999",
    });
    expect(inputs("postgres").envs).toContain(
      "ORTHANC_APP_PASSWORD_FILE=/run/secrets/orthanc-app-password",
    );
    expect(file("postgres", "/usr/local/bin/orthanc-postgres-start.sh")).toMatchObject({
      permissions: "0555",
    });
    // In the image's init folder, so an empty volume gets the role during initialisation too.
    expect(file("postgres", "/docker-entrypoint-initdb.d/orthanc-db-role.sh")!.content).toContain(
      "CREATE ROLE orthanc_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
    );
    const credentials = JSON.parse(
      file("orthanc-files", "/run/secrets/orthanc-credentials.json")!.content,
    );
    expect(credentials.PostgreSQL).toMatchObject({ Username: "orthanc_app", Password: app });
    expect(file("backup", "/run/secrets/pgpass")!.content).toBe(
      `postgres:5432:orthanc:orthanc_app:${app}\n`,
    );
    expect(inputs("backup").envs).toContain("PGUSER=orthanc_app");
    // (The mocks' passwords are named after their resource: the app's extends the admin's.)
    const holds = new RegExp(`${admin}(?![-\\w])`);
    expect(holds.test(JSON.stringify(inputs("postgres")))).toBe(true);
    for (const c of ["orthanc", "orthanc-files", "backup", "proxy"])
      expect({ c, admin: holds.test(JSON.stringify(inputs(c))) }).toEqual({ c, admin: false });
  });

  test("outputs: URL, DICOM endpoint, admin user, the password only as a secret, and the no-TLS note", () => {
    expect(plan.outputs).toEqual({
      target: "docker",
      url: "http://127.0.0.1:8042/",
      dicomEndpoint: "ORTHANC@127.0.0.1:4242",
      adminUser: "admin",
      adminPassword: "[secret]",
      host: "localhost",
      note: "Plain HTTP without TLS on 127.0.0.1:8042: set orthanc:dns.name to serve HTTPS with a Let's Encrypt certificate.",
    });
  });

  test("--json has the shape of `pulumi preview --json`", () => {
    const json = previewJson(plan);
    expect(json.steps[0]).toMatchObject({ op: "create", type: "pulumi:pulumi:Stack" });
    expect(json.steps).toHaveLength(plan.resources.length + 1);
    const volume = json.steps.find((s) => s.newState.urn.endsWith("::orthanc-local-pgdata"))!;
    expect(volume.newState).toMatchObject({
      type: "docker:index/volume:Volume",
      protect: true,
      retainOnDelete: true,
    });
    expect(volume.newState.parent).toMatch(/orthanc:docker:OrthancDocker::orthanc-local$/);
    expect(json.changeSummary).toEqual({ create: plan.resources.length + 1 });
  });
});

test("with registry.mirror every image is pulled through the mirror, official ones under library/", async () => {
  const { plan } = await planStack("local", {
    registry: { mirror: "harbor.example.org/dockerhub" },
  });
  expect(
    plan.resources
      .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
      .map((r) => r.inputs.name)
      .sort(),
  ).toEqual([
    "harbor.example.org/dockerhub/library/caddy:2.10.2-alpine",
    "harbor.example.org/dockerhub/library/postgres:16.10-bookworm",
    "harbor.example.org/dockerhub/orthancteam/orthanc:26.8.1",
  ]);
});
