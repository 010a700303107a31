/**
 * The Docker target for real: the program's plan for the `local` stack (and a two-replica variant
 * with a DICOM allowlist beyond loopback) is created on a real Docker engine exactly as registered
 * (test/docker-engine/engine.ts), from stand-in images built from Debian packages
 * (test/docker-engine/images/: no registry is reachable here), and checked over the wire as an
 * operator would: HTTP through the proxy, DICOM on the published port, isolation of the backend,
 * secrets, backups and their restore, replicas, a day-2 image upgrade, and the DICOM gate from
 * test hosts in network namespaces.
 *
 * With CI=true it runs or fails; elsewhere it skips loudly when no engine answers.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { Config, planConfig, Planned, planStack } from "../helpers/plan";
import { makeInstance } from "../real-orthanc/dicom";
import { dcmtk as labDcmtk } from "../real-orthanc/lab";
import { applyPlan, connect, execIn, replaceChanged, teardown, waitHealthy } from "./engine";
import { PlanResource, plainInputs, TYPES } from "./engineSpec";
import { engineAnswers } from "./engineProbe";
import { MIRROR, standInImages } from "./standIns";

const README = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

const missing = engineAnswers()
  ? undefined
  : "no Docker engine answers on /var/run/docker.sock (apt-get install docker.io; dockerd &)";
if (missing && process.env.CI === "true") {
  test("the real Docker engine suite can run (required when CI=true)", () => {
    throw new Error(missing);
  });
} else if (missing) {
  console.warn(
    `\n${"!".repeat(80)}\n!! SKIPPED the real Docker engine suite: ${missing}\n${"!".repeat(80)}\n`,
  );
}
const suite = missing ? describe.skip : describe;

// ------------------------------------------------------------------------------------- helpers

interface Deployment {
  stack: string;
  resources: PlanResource[];
  /** Plain inputs of each container, by container name. */
  containers: Record<string, Record<string, unknown>>;
  admin: { user: string; password: string };
  /** Every secret value the plan holds (passwords, credentials files). */
  secrets: string[];
}

/** Every image through the stand-ins' mirror: the plan names exactly the images the engine has. */
const THROUGH_MIRROR: Config = { registry: { mirror: MIRROR } };

/** A shipped stack with a change, as deployed here. */
const planShipped = async (stack: string, change: Config = {}) =>
  deployment(await planStack(stack, { ...change, ...THROUGH_MIRROR }));

/** Any configuration, as deployed here. */
const planOther = async (stack: string, config: Config) =>
  deployment(await planConfig({ ...config, ...THROUGH_MIRROR }, stack));

function deployment({ plan, registrations: resources, config: raw }: Planned): Deployment {
  const stack = plan.stack;
  const containers: Deployment["containers"] = {};
  const secrets = new Set<string>();
  for (const r of resources) {
    if (r.type === TYPES.container)
      containers[r.inputs.name as string] = plainInputs(r.inputs, r.name) as Record<
        string,
        unknown
      >;
  }
  const orthanc = Object.values(containers).find((c) => String(c.name).endsWith("-orthanc"))!;
  const credentials = JSON.parse(
    (orthanc.uploads as { file: string; content: string }[]).find((u) =>
      u.file.endsWith("orthanc-credentials.json"),
    )!.content,
  );
  // Every secret file the containers receive (credentials, password, pgpass), and the passwords
  // themselves, beside the documents that carry them.
  for (const c of Object.values(containers))
    for (const u of (c.uploads ?? []) as { file: string; content: string }[])
      if (u.file.startsWith("/run/secrets/")) secrets.add(u.content.trim());
  for (const password of Object.values(credentials.RegisteredUsers as Record<string, string>))
    secrets.add(password);
  if (credentials.PostgreSQL?.Password) secrets.add(credentials.PostgreSQL.Password);
  const adminUser = (raw.orthanc as { adminUser?: string } | undefined)?.adminUser ?? "admin";
  return {
    stack,
    resources,
    containers,
    admin: { user: adminUser, password: credentials.RegisteredUsers[adminUser] },
    secrets: [...secrets],
  };
}

const imageRefs = (d: Deployment) =>
  d.resources
    .filter((r) => r.type === TYPES.remoteImage)
    .map((r) => String((plainInputs(r.inputs) as { name: string }).name));

async function http(
  url: string,
  opts: {
    auth?: { user: string; password: string };
    method?: string;
    body?: Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth)
    headers.authorization = `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString("base64")}`;
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body: opts.body });
  return { status: res.status, body: await res.text() };
}

/** A command (a DICOM client, mostly) from this host or from a test host's network namespace. */
const dcmtk = (argv: string[], netns?: string) => labDcmtk(argv[0], argv.slice(1), { netns });

function instanceFiles(dir: string, count: number, studyUid?: string): string[] {
  const study = makeInstance().ids;
  return Array.from({ length: count }, (_, i) => {
    const { file } = makeInstance(
      { patientId: "ENGINE", studyUid: studyUid ?? study.studyUid, seriesUid: study.seriesUid },
      i + 1,
    );
    const path = join(dir, `i${i}.dcm`);
    writeFileSync(path, file);
    return path;
  });
}

async function instanceCount(base: string, auth: Deployment["admin"]): Promise<number> {
  const r = await http(`${base}/statistics`, { auth });
  expect(r.status).toBe(200);
  return JSON.parse(r.body).CountInstances;
}

async function healthyAll(d: Deployment, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (const c of Object.values(d.containers))
    if (c.healthcheck)
      await waitHealthy(String(c.name), Math.max(1000, timeoutMs - (Date.now() - start)));
  return Date.now() - start;
}

// ------------------------------------------------------------------------------------- the suite

suite("the local stack on a real Docker engine", () => {
  const runId = `local-${process.pid}`;
  let d: Deployment;
  let scratch: string;
  const base = "http://127.0.0.1:8042";

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "engine-local-"));
    d = await planShipped("local");
    standInImages(imageRefs(d));
    await teardown(runId);
    await applyPlan(d.resources, {
      runId,
      localImage: (ref) => ref,
      log: (l) => console.log(`[engine] ${l}`),
    });
  }, 1_200_000);

  afterAll(async () => {
    if (d) await teardown(runId);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  test("every container becomes healthy through its own health check", async () => {
    const ms = await healthyAll(d, 180_000);
    console.log(`[engine] all containers healthy ${ms} ms after creation finished`);
  }, 200_000);

  test("HTTP only through the proxy on 127.0.0.1:8042: 401 without or with wrong credentials, 200 for the admin", async () => {
    expect((await http(`${base}/system`)).status).toBe(401);
    expect(
      (await http(`${base}/system`, { auth: { user: d.admin.user, password: "wrong" } })).status,
    ).toBe(401);
    const system = await http(`${base}/system`, { auth: d.admin });
    expect(system.status).toBe(200);
    expect(JSON.parse(system.body)).toMatchObject({
      Name: "Local PACS",
      DatabaseBackendPlugin: expect.stringContaining("PostgreSQL"),
    });
    const proxy = await connect().getContainer("orthanc-local-proxy").inspect();
    expect(proxy.HostConfig.PortBindings).toEqual({
      "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8042" }],
    });
  });

  test("REST upload, and DICOMweb QIDO finds the study with links on the public address", async () => {
    const { file, ids } = makeInstance({ patientId: "REST-1" });
    const up = await http(`${base}/instances`, { auth: d.admin, method: "POST", body: file });
    expect(up.status).toBe(200);
    const qido = await http(`${base}/dicom-web/studies?StudyInstanceUID=${ids.studyUid}`, {
      auth: d.admin,
    });
    expect(qido.status).toBe(200);
    const [study] = JSON.parse(qido.body);
    expect(study["00081190"].Value[0]).toBe(`${base}/dicom-web/studies/${ids.studyUid}`);
    expect((await http(`${base}/dicom-web/studies`)).status).toBe(401);
  });

  test("DICOM on 127.0.0.1:4242: C-ECHO and C-STORE answered, the port bound to loopback only", async () => {
    expect(
      (await dcmtk(["echoscu", "-aet", "ENGINETEST", "-aec", "ORTHANC", "127.0.0.1", "4242"])).code,
    ).toBe(0);
    const before = await instanceCount(base, d.admin);
    const files = instanceFiles(scratch, 3);
    const store = await dcmtk([
      "storescu",
      "-aet",
      "ENGINETEST",
      "-aec",
      "ORTHANC",
      "127.0.0.1",
      "4242",
      ...files,
    ]);
    expect(store.output).not.toMatch(/E:/);
    expect(store.code).toBe(0);
    expect(await instanceCount(base, d.admin)).toBe(before + 3);
    const orthanc = await connect().getContainer("orthanc-local-orthanc").inspect();
    expect(orthanc.HostConfig.PortBindings).toEqual({
      "4242/tcp": [{ HostIp: "127.0.0.1", HostPort: "4242" }],
    });
    // The called AE title is checked.
    expect(
      (await dcmtk(["echoscu", "-aet", "ENGINETEST", "-aec", "SOMEONEELSE", "127.0.0.1", "4242"]))
        .code,
    ).not.toBe(0);
  });

  test("PostgreSQL publishes no port and lives on the internal backend network only", async () => {
    const pg = await connect().getContainer("orthanc-local-postgres").inspect();
    expect(pg.HostConfig.PortBindings ?? {}).toEqual({});
    expect(Object.keys(pg.NetworkSettings.Networks)).toEqual(["orthanc-local-backend"]);
    const backend = await connect().getNetwork("orthanc-local-backend").inspect();
    expect(backend.Internal).toBe(true);
  });

  test("a container on the backend network cannot reach a server outside it, one beside the server can", async () => {
    const docker = connect();
    const net = `engine-outside-${process.pid}`;
    await docker.createNetwork({ Name: net, Labels: { "org.orthanc-deploy.test": runId } });
    const server = await docker.createContainer({
      name: `${net}-server`,
      Image: `${MIRROR}/orthanc:current`,
      Entrypoint: ["python3", "-m", "http.server", "8000", "--bind", "0.0.0.0"],
      User: "999:999",
      Labels: { "org.orthanc-deploy.test": runId },
      HostConfig: { NetworkMode: net },
    });
    await server.start();
    const ip = (await server.inspect()).NetworkSettings.Networks[net].IPAddress;
    const tryConnect = (container: string, host: string, port: number) =>
      execIn(container, [
        "bash",
        "-c",
        `timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port}' && echo reached`,
      ]);
    // Positive control: the server answers on its own network.
    const peer = await docker.createContainer({
      name: `${net}-peer`,
      Image: `${MIRROR}/postgres:current`,
      Entrypoint: ["sleep", "300"],
      Labels: { "org.orthanc-deploy.test": runId },
      HostConfig: { NetworkMode: net },
    });
    await peer.start();
    for (
      let i = 0;
      i < 50 && !(await tryConnect(`${net}-peer`, ip, 8000)).output.includes("reached");
      i++
    )
      await new Promise((r) => setTimeout(r, 200));
    expect((await tryConnect(`${net}-peer`, ip, 8000)).output).toContain("reached");
    // From PostgreSQL's container: no route out of the internal network.
    const blocked = await tryConnect("orthanc-local-postgres", ip, 8000);
    expect(blocked.output).not.toContain("reached");
    // Nor to the host through the other network's gateway.
    const gateway = String((await docker.getNetwork(net).inspect()).IPAM?.Config?.[0]?.Gateway);
    const hostServer = createServer((s) => s.end());
    await new Promise<void>((r) => hostServer.listen(0, "0.0.0.0", r));
    const hostPort = (hostServer.address() as AddressInfo).port;
    try {
      expect((await tryConnect(`${net}-peer`, gateway, hostPort)).output).toContain("reached");
      expect((await tryConnect("orthanc-local-postgres", gateway, hostPort)).output).not.toContain(
        "reached",
      );
    } finally {
      hostServer.close();
    }
  }, 60_000);

  test("no secret value appears anywhere in docker inspect of any container", async () => {
    expect(d.secrets.length).toBeGreaterThanOrEqual(3);
    for (const name of Object.keys(d.containers)) {
      const inspected = JSON.stringify(await connect().getContainer(name).inspect());
      for (const secret of d.secrets)
        expect({ name, leaked: inspected.includes(secret) }).toEqual({ name, leaked: false });
    }
  });

  test("the uploaded files land with their owner and mode: credentials 0400 for uid 999", async () => {
    const stat = await execIn("orthanc-local-orthanc", [
      "stat",
      "-c",
      "%u:%g %a",
      "/run/secrets/orthanc-credentials.json",
      "/etc/orthanc/orthanc.json",
    ]);
    expect(stat.output.trim().split("\n")).toEqual(["999:999 400", "999:999 444"]);
    const id = await execIn("orthanc-local-orthanc", ["id", "-u"]);
    expect(id.output.trim()).toBe("999");
  });

  test("the backup container writes a dump that restores into a fresh database with every instance, and the README's restore procedure works", async () => {
    for (const patientId of ["BACKUP-1", "BACKUP-2"]) {
      const { file } = makeInstance({ patientId });
      expect(
        (await http(`${base}/instances`, { auth: d.admin, method: "POST", body: file })).status,
      ).toBe(200);
    }
    const count = await instanceCount(base, d.admin);
    const dumps = async () =>
      (
        await execIn(
          "orthanc-local-backup",
          ["sh", "-c", "ls /backups | grep -E '^orthanc-.*\\.dump$' || true"],
          { user: "postgres" },
        )
      ).output
        .trim()
        .split("\n")
        .filter(Boolean);
    const before = await dumps();
    // The loop dumps when it starts: a restart is the interval, shortened.
    await connect().getContainer("orthanc-local-backup").restart();
    let after = await dumps();
    for (let i = 0; i < 120 && after.length <= before.length; i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = await dumps();
    }
    const dump = after.find((f) => !before.includes(f))!;
    if (!dump) {
      const logs = await connect()
        .getContainer("orthanc-local-backup")
        .logs({ stdout: true, stderr: true });
      throw new Error(`no new dump appeared; the backup container said:\n${String(logs)}`);
    }

    // Into a fresh database: every instance is in the restored index.
    const pg = (sql: string, db = "orthanc") =>
      execIn(
        "orthanc-local-backup",
        [
          "sh",
          "-c",
          // The backup's pgpass names the orthanc database only; its password serves any.
          `PGPASSWORD=$(cut -d: -f5 /run/secrets/pgpass) psql -h postgres -U orthanc -d ${db} -tAc "${sql}"`,
        ],
        { user: "postgres" },
      );
    expect(await pg("CREATE DATABASE restorecheck")).toMatchObject({ exitCode: 0 });
    const restore = await execIn(
      "orthanc-local-backup",
      [
        "sh",
        "-c",
        `PGPASSWORD=$(cut -d: -f5 /run/secrets/pgpass) pg_restore -h postgres -U orthanc -d restorecheck --no-owner /backups/${dump}`,
      ],
      { user: "postgres" },
    );
    expect(restore).toMatchObject({ exitCode: 0 });
    expect(
      Number(
        (
          await pg("SELECT count(*) FROM resources WHERE resourcetype = 3", "restorecheck")
        ).output.trim(),
      ),
    ).toBe(count);

    // The README's procedure, as written, after one more upload: the index returns to the dump.
    const extra = await http(`${base}/instances`, {
      auth: d.admin,
      method: "POST",
      body: makeInstance({ patientId: "AFTER-DUMP" }).file,
    });
    expect(extra.status).toBe(200);
    expect(await instanceCount(base, d.admin)).toBe(count + 1);
    const block = /### Restoring a backup \(Docker target\)\s+```bash\n([\s\S]*?)```/.exec(
      README,
    )?.[1];
    expect(block).toBeDefined();
    const script = block!.replace("orthanc-<stamp>.dump", dump);
    execFileSync("bash", ["-euo", "pipefail", "-c", script], {
      stdio: "inherit",
      timeout: 120_000,
    });
    await waitHealthy("orthanc-local-orthanc", 120_000);
    expect(await instanceCount(base, d.admin)).toBe(count);
  }, 240_000);

  test("day 2: a new Orthanc image tag replaces exactly the Orthanc container, and the data and password survive", async () => {
    const count = await instanceCount(base, d.admin);
    const next = await planShipped("local", { orthanc: { image: { tag: "26.9.0" } } });
    standInImages(imageRefs(next));
    const replaced = await replaceChanged(d.resources, next.resources, {
      runId,
      localImage: (ref) => ref,
    });
    expect(replaced).toEqual(["orthanc-local-orthanc"]);
    const image = (await connect().getContainer("orthanc-local-orthanc").inspect()).Config.Image;
    expect(image).toBe(`${MIRROR}/orthancteam/orthanc:26.9.0`);
    await waitHealthy("orthanc-local-orthanc", 180_000);
    expect(next.admin.password).toBe(d.admin.password);
    expect(await instanceCount(base, next.admin)).toBe(count);
    d = next;
  }, 300_000);
});

// Test hosts in network namespaces of our own (198.18.0.0/15 is the benchmarking range; nothing
// leaves this machine): one inside the DICOM allowlist, one outside it.
const NETNS = [
  { name: "odt-in", host: "198.18.7.1", peer: "198.18.7.2" },
  { name: "odt-out", host: "198.18.8.1", peer: "198.18.8.2" },
];

function netnsUp(): void {
  for (const n of NETNS) {
    const sh = (cmd: string) => execFileSync("sh", ["-c", cmd], { stdio: "pipe" });
    sh(`ip netns del ${n.name} 2>/dev/null || true`);
    sh(`ip netns add ${n.name}`);
    sh(`ip link add ${n.name}-h type veth peer name ${n.name}-n`);
    sh(`ip link set ${n.name}-n netns ${n.name}`);
    sh(`ip addr add ${n.host}/30 dev ${n.name}-h && ip link set ${n.name}-h up`);
    sh(
      `ip netns exec ${n.name} sh -c 'ip addr add ${n.peer}/30 dev ${n.name}-n && ip link set ${n.name}-n up && ip link set lo up'`,
    );
  }
}

function netnsDown(): void {
  // Deleting the namespace deletes its end of the pair, and with it the host's end.
  for (const n of NETNS) execFileSync("sh", ["-c", `ip netns del ${n.name} 2>/dev/null || true`]);
}

suite("two replicas with DICOM open to a network: the gate enforces the allowlist", () => {
  const runId = `gate-${process.pid}`;
  const base = "http://127.0.0.1:18042";
  const [inside, outside] = NETNS;
  let d: Deployment;
  let scratch: string;
  // A supplied password the image's envsubst would cut if the program wrote its `$` raw.
  const oddPassword = `r$USER-$HOME-"q"-\\-é-漢-$`;
  const raw = {
    target: "docker",
    orthanc: {
      name: "Gate PACS",
      replicas: 2,
      users: { reader: { password: oddPassword } },
      dicom: {
        port: 14242,
        allowedCidrs: [`${inside.peer}/32`],
        modalities: { ct: { aet: "CT01", host: inside.peer } },
      },
    },
    docker: { host: "local", httpPort: 18042 },
  };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "engine-gate-"));
    d = await planOther("gate", raw);
    standInImages(imageRefs(d));
    await teardown(runId);
    netnsUp();
    await applyPlan(d.resources, {
      runId,
      localImage: (ref) => ref,
      log: (l) => console.log(`[engine] ${l}`),
    });
    await healthyAll(d, 180_000);
  }, 1_200_000);

  afterAll(async () => {
    netnsDown();
    if (d) await teardown(runId);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  test("uploads through the proxy land in one index, and both replicas see all of them", async () => {
    const files = Array.from(
      { length: 8 },
      (_, i) => makeInstance({ patientId: `R-${i}` }, i).file,
    );
    await Promise.all(
      files.map(async (body) =>
        expect(
          (await http(`${base}/instances`, { auth: d.admin, method: "POST", body })).status,
        ).toBe(200),
      ),
    );
    const script = [
      "import base64, json, sys, urllib.request",
      "r = urllib.request.Request('http://127.0.0.1:8042/statistics')",
      "r.add_header('Authorization', 'Basic ' + base64.b64encode(sys.argv[1].encode()).decode())",
      "print(json.load(urllib.request.urlopen(r))['CountInstances'])",
    ].join("\n");
    for (const replica of ["orthanc-gate-orthanc", "orthanc-gate-2-orthanc"]) {
      const r = await execIn(replica, [
        "python3",
        "-c",
        script,
        `${d.admin.user}:${d.admin.password}`,
      ]);
      expect({ replica, count: r.output.trim() }).toEqual({ replica, count: "8" });
    }
  });

  test("a supplied password with `$`, `$HOME`, quotes, a backslash and non-ASCII logs in through the image's envsubst", async () => {
    const reader = { user: "reader", password: oddPassword };
    expect((await http(`${base}/system`, { auth: reader })).status).toBe(200);
    expect((await http(`${base}/system`, { auth: { ...reader, password: "r" } })).status).toBe(401);
  });

  test("only the gate publishes DICOM, on every interface, and no replica publishes a port", async () => {
    const docker = connect();
    const gate = await docker.getContainer("orthanc-gate-dicom-gate").inspect();
    expect(gate.HostConfig.PortBindings).toEqual({
      "11112/tcp": [{ HostIp: "0.0.0.0", HostPort: "14242" }],
    });
    expect(gate.Config.User).toBe("haproxy");
    for (const replica of ["orthanc-gate-orthanc", "orthanc-gate-2-orthanc"])
      expect((await docker.getContainer(replica).inspect()).HostConfig.PortBindings ?? {}).toEqual(
        {},
      );
  });

  test("a host inside the allowlist echoes and stores as the known modality; an unknown AE title is refused", async () => {
    const before = await instanceCount(base, d.admin);
    const to = [inside.host, "14242"];
    expect(
      await dcmtk(["echoscu", "-aet", "CT01", "-aec", "ORTHANC", ...to], inside.name),
    ).toMatchObject({ code: 0 });
    const files = instanceFiles(scratch, 2);
    const store = await dcmtk(
      ["storescu", "-aet", "CT01", "-aec", "ORTHANC", ...to, ...files],
      inside.name,
    );
    expect(store).toMatchObject({ code: 0 });
    expect(await instanceCount(base, d.admin)).toBe(before + 2);
    const intruder = await dcmtk(
      ["echoscu", "-aet", "INTRUDER", "-aec", "ORTHANC", ...to],
      inside.name,
    );
    expect(intruder.code).not.toBe(0);
    expect(intruder.output).toMatch(/Association Rejected|rejected/i);
  }, 120_000);

  test("a host outside the allowlist is cut off at the gate, even as the known modality", async () => {
    const before = await instanceCount(base, d.admin);
    const to = [outside.host, "14242"];
    const echo = await dcmtk(["echoscu", "-aet", "CT01", "-aec", "ORTHANC", ...to], outside.name);
    expect(echo.code).not.toBe(0);
    // The gate closes the connection before any association: Orthanc never answers.
    expect(echo.output).not.toMatch(/Association Rejected/);
    // Control: the host is reachable from there, the TCP connection opens, and the gate closes it
    // at once (a reset without a byte), rather than nothing answering at all.
    const tcp = await dcmtk(
      [
        "bash",
        "-c",
        `exec 3<>/dev/tcp/${outside.host}/14242 && echo connected && timeout 5 cat <&3 2>/dev/null | wc -c`,
      ],
      outside.name,
    );
    expect(tcp.output.split(/\s+/).filter(Boolean)).toEqual(["connected", "0"]);
    const store = await dcmtk(
      ["storescu", "-aet", "CT01", "-aec", "ORTHANC", ...to, ...instanceFiles(scratch, 1)],
      outside.name,
    );
    expect(store.code).not.toBe(0);
    expect(await instanceCount(base, d.admin)).toBe(before);
  }, 120_000);

  test("the gate spreads associations over both replicas and logs each one's source", async () => {
    for (let i = 0; i < 4; i++)
      expect(
        await dcmtk(
          ["echoscu", "-aet", "CT01", "-aec", "ORTHANC", inside.host, "14242"],
          inside.name,
        ),
      ).toMatchObject({ code: 0 });
    const refused = await dcmtk(
      ["echoscu", "-aet", "CT01", "-aec", "ORTHANC", outside.host, "14242"],
      outside.name,
    );
    expect(refused.code).not.toBe(0);
    const logs = String(
      await connect().getContainer("orthanc-gate-dicom-gate").logs({ stdout: true, stderr: true }),
    );
    expect(logs).toContain(`${inside.peer}:`);
    expect(logs).toContain("orthanc/orthanc-1");
    expect(logs).toContain("orthanc/orthanc-2");
    // Refused attempts are in the trail too, with their source and no server.
    expect(logs).toMatch(
      new RegExp(`${outside.peer.replaceAll(".", "\\.")}:\\d+ .* dicom dicom/<NOSRV> .* PR `),
    );
    // The two server names are two containers, not the `orthanc` alias every replica carries.
    const cfg = await execIn("orthanc-gate-dicom-gate", [
      "cat",
      "/usr/local/etc/haproxy/haproxy.cfg",
    ]);
    expect(cfg.output).toContain("server orthanc-1 orthanc-gate-orthanc:14242");
    expect(cfg.output).toContain("server orthanc-2 orthanc-gate-2-orthanc:14242");
  }, 60_000);
});

suite("SQLite with S3 storage: the index survives an upgrade", () => {
  const runId = `sqlite-${process.pid}`;
  const base = "http://127.0.0.1:28042";
  let d: Deployment;
  const raw = {
    target: "docker",
    database: { engine: "sqlite" },
    storage: {
      kind: "s3",
      s3: {
        bucket: "pacs",
        endpoint: "https://s3.example.org",
        accessKeyId: "STANDINACCESSKEY01",
        secretAccessKey: "standin-secret-key",
      },
    },
    docker: { host: "local", httpPort: 28042 },
  };

  beforeAll(async () => {
    d = await planOther("sqlite", raw);
    standInImages(imageRefs(d));
    await teardown(runId);
    await applyPlan(d.resources, { runId, localImage: (ref) => ref });
    await healthyAll(d, 180_000);
  }, 1_200_000);

  afterAll(async () => {
    if (d) await teardown(runId);
  }, 120_000);

  test("day 2: after the Orthanc container is replaced by a new tag, every instance is still indexed", async () => {
    // The stand-in has no S3 plugin (Debian has none): files land beside the index, on the same
    // volume. What this proves is the index's home, which is the same with the real plugin.
    for (const patientId of ["SQLITE-1", "SQLITE-2"]) {
      const { file } = makeInstance({ patientId });
      expect(
        (await http(`${base}/instances`, { auth: d.admin, method: "POST", body: file })).status,
      ).toBe(200);
    }
    const next = await planOther("sqlite", { ...raw, orthanc: { image: { tag: "26.9.0" } } });
    standInImages(imageRefs(next));
    expect(
      await replaceChanged(d.resources, next.resources, { runId, localImage: (ref) => ref }),
    ).toEqual(["orthanc-sqlite-orthanc"]);
    await waitHealthy("orthanc-sqlite-orthanc", 180_000);
    expect(await instanceCount(base, next.admin)).toBe(2);
    d = next;
  }, 300_000);
});
