/**
 * The real program under mocks, for the shipped Docker stacks and variants: exact
 * security-relevant inputs, the wiring between containers, secrets staying secret, and which
 * resources exist.
 */
import { runPlan, Plan } from "../../infra/plan/runPlan";
import { previewJson } from "../../infra/plan/format";
import { PlannedResource } from "../../infra/plan/record";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import { ConfigError } from "../../infra/config";

type Container = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const containers = (plan: Plan) => ofType(plan, "docker:index/container:Container") as Container[];
const container = (plan: Plan, suffix: string) => {
  const found = containers(plan).filter((c) => c.name.endsWith(`-${suffix}`));
  expect(found).toHaveLength(1);
  return found[0];
};
const upload = (c: Container, file: string) =>
  (
    c.inputs.uploads as { file: string; content: string; permissions: string; owner?: string }[]
  ).find((u) => u.file === file);

describe("stack local (the embedded default)", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runPlan(readStackFile(stackFilePath("local")), "local");
  });

  test("creates exactly the Docker graph and nothing of another target", () => {
    const counts: Record<string, number> = {};
    for (const r of plan.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "orthanc:docker:OrthancDocker": 1,
      "orthanc:shared:Credentials": 1,
      "random:index/randomPassword:RandomPassword": 3,
      "pulumi:providers:docker": 1,
      "docker:index/network:Network": 2,
      "docker:index/volume:Volume": 4,
      "docker:index/remoteImage:RemoteImage": 3,
      "docker:index/container:Container": 4,
    });
    expect(plan.resources.some((r) => /^(aws|kubernetes):/.test(r.type))).toBe(false);
  });

  test("only the proxy and the allowlisted DICOM port are published, both on loopback", () => {
    const published = containers(plan).flatMap((c) =>
      (c.inputs.ports ?? []).map((p: object) => ({ container: c.name, ...p })),
    );
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
    });
    expect(o.inputs.healthcheck.tests).toEqual([
      "CMD",
      "/probes/test-aliveness.py",
      "--user=healthcheck",
    ]);
    expect(upload(o, "/run/secrets/orthanc-credentials.json")).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    const config = JSON.parse(upload(o, "/etc/orthanc/orthanc.json")!.content);
    expect(config).toMatchObject({
      Name: "Local PACS",
      AuthenticationEnabled: true,
      DicomAet: "ORTHANC",
      DatabaseServerIdentifier: "orthanc-local-orthanc",
    });
    expect(o.inputs.envs).toContain("TCP_NODELAY=1");
    expect(o.inputs.envs).toContain("VERBOSE_STARTUP=false");
    expect(o.inputs.volumes).toEqual([
      { volumeName: "orthanc-local-dicom", containerPath: "/var/lib/orthanc/db" },
    ]);
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
      "reverse_proxy orthanc:8042 {",
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

describe("docker variants", () => {
  test("a domain gets TLS: 80 and 443 published, HSTS, DICOMweb links with the public name", async () => {
    const plan = await runPlan(
      {
        target: "docker",
        dns: { name: "pacs.example.org" },
        tls: { acmeEmail: "ops@example.org" },
        docker: { host: "ssh://admin@pacs.example.org" },
      },
      "tls",
    );
    const proxy = container(plan, "proxy");
    expect(proxy.inputs.ports).toEqual([
      { internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" },
      { internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    const caddyfile = upload(proxy, "/etc/caddy/Caddyfile")!.content;
    expect(caddyfile).toContain("pacs.example.org {");
    expect(caddyfile).toContain("Strict-Transport-Security");
    expect(caddyfile).not.toContain("auto_https off");
    const config = JSON.parse(
      upload(container(plan, "orthanc"), "/etc/orthanc/orthanc.json")!.content,
    );
    expect(config.DicomWeb).toMatchObject({ Host: "pacs.example.org", Ssl: true });
    expect(container(plan, "orthanc").inputs.ports).toEqual([]); // DICOM closed: no allowlist
    expect(ofType(plan, "pulumi:providers:docker")[0].inputs.host).toBe(
      "ssh://admin@pacs.example.org",
    );
    expect(plan.outputs.url).toBe("https://pacs.example.org/");
    expect(plan.outputs.note).toBeUndefined();
  });

  test("two replicas get distinct server identifiers and the proxy balances over both", async () => {
    const plan = await runPlan({ target: "docker", orthanc: { replicas: 2 } }, "ha");
    const orthancs = containers(plan).filter((c) => c.name.endsWith("-orthanc"));
    expect(orthancs.map((c) => c.name).sort()).toEqual([
      "orthanc-ha-2-orthanc",
      "orthanc-ha-orthanc",
    ]);
    const ids = orthancs.map(
      (c) => JSON.parse(upload(c, "/etc/orthanc/orthanc.json")!.content).DatabaseServerIdentifier,
    );
    expect(new Set(ids).size).toBe(2);
    expect(upload(container(plan, "proxy"), "/etc/caddy/Caddyfile")!.content).toContain(
      "reverse_proxy orthanc:8042 orthanc-ha-2-orthanc:8042 {",
    );
  });

  test("protectData false is the explicit opt-out", async () => {
    const plan = await runPlan({ target: "docker", protectData: false }, "scratch");
    expect(plan.resources.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  test("parts not built yet are refused before any resource is created", async () => {
    await expect(
      runPlan({ target: "docker", docker: { host: "aws-vm", vm: { region: "eu-west-1" } } }, "vm"),
    ).rejects.toThrow(ConfigError);
    await expect(runPlan({ target: "aws", aws: { region: "eu-west-1" } }, "aws")).rejects.toThrow(
      /aws is not available in this release yet/,
    );
  });

  test("an invalid configuration is rejected with every key before the program runs", async () => {
    await expect(
      runPlan({ target: "docker", orthanc: { replicaCount: 2 }, tls: { enabled: true } }, "bad"),
    ).rejects.toThrow(/orthanc:orthanc.replicaCount[\s\S]*orthanc:tls.enabled/);
  });
});
