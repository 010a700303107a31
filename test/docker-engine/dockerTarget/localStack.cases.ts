/**
 * The local stack (the embedded default) on a real Docker engine: health, HTTP only through the
 * proxy, DICOM on loopback, the isolated backend, secrets, uploaded files, a backup restored by the
 * README's procedure, and a day-2 image upgrade. Registered by ../dockerTarget.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { makeInstance } from "../../real-orthanc/dicom";
import { applyPlan, connect, execIn, replaceChanged, teardown, waitHealthy } from "../engine";
import { MIRROR, standInImages } from "../standIns";
import {
  Deployment,
  dcmtk,
  healthyAll,
  http,
  imageRefs,
  instanceCount,
  instanceFiles,
  planShipped,
} from "./harness";

const README = readFileSync(join(__dirname, "..", "..", "..", "README.md"), "utf8");

export function localStack(): void {
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

  test("Orthanc serves from a read-only root: / refuses a write, its tmpfs folders take one, /etc/hostid is untouched", async () => {
    const o = "orthanc-local-orthanc";
    const program = d.containers[o];
    const { HostConfig } = await connect().getContainer(o).inspect();
    expect(HostConfig.ReadonlyRootfs).toBe(true);
    expect(HostConfig.Tmpfs).toEqual(program.tmpfs);
    const root = await execIn(o, ["sh", "-c", "echo x > /probe"]);
    expect(root.exitCode).not.toBe(0);
    expect(root.output).toMatch(/Read-only file system/);
    const etc = await execIn(o, ["sh", "-c", "echo x > /etc/orthanc/probe"]);
    expect(etc.exitCode).not.toBe(0);
    const tmp = await execIn(o, [
      "sh",
      "-c",
      "echo x > /tmp/probe && cat /tmp/probe && rm /tmp/probe",
    ]);
    expect(tmp).toEqual({ exitCode: 0, output: "x\n" });
    // Sizes (1K blocks) and file systems as the program asked: 512 MiB and 256 MiB of tmpfs.
    const df = await execIn(o, [
      "df",
      "-k",
      "--output=fstype,size",
      "/tmp",
      "/run/orthanc/plugins",
    ]);
    expect(
      df.output
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s+/)),
    ).toEqual([
      ["tmpfs", "524288"],
      ["tmpfs", "262144"],
    ]);
    // GENERATE_HOST_ID_IF_MISSING=false: the image's own host id, never rewritten.
    expect((await execIn(o, ["cat", "/etc/hostid"])).output.trim()).toBe("not-generated");
  });

  test("the plugins are copies on the plugin tmpfs (another file system), and Orthanc loaded them from there", async () => {
    const o = "orthanc-local-orthanc";
    const listing = await execIn(o, [
      "find",
      "/run/orthanc/plugins",
      "-mindepth",
      "1",
      "-printf",
      "%y %f\n",
    ]);
    const entries = listing.output.trim().split("\n").sort();
    expect(entries).toEqual([
      "f libOrthancDicomWeb.so",
      "f libOrthancGdcm.so",
      "f libOrthancPostgreSQLIndex.so",
      "f libOrthancPostgreSQLStorage.so",
    ]);
    const plugins = await http(`${base}/plugins`, { auth: d.admin });
    expect(plugins.status).toBe(200);
    expect(JSON.parse(plugins.body)).toEqual(
      expect.arrayContaining(["dicom-web", "gdcm", "postgresql-index"]),
    );
  });

  test("docker inspect shows each container's memory limit as the program specified, no swap beyond it; the kernel enforces it", async () => {
    const running = Object.values(d.containers).filter((c) => c.start !== false);
    expect(running.length).toBe(4);
    for (const c of running) {
      const { HostConfig } = await connect().getContainer(String(c.name)).inspect();
      expect({ name: c.name, memory: HostConfig.Memory, swap: HostConfig.MemorySwap }).toEqual({
        name: c.name,
        memory: Number(c.memory) * 1024 * 1024,
        swap: Number(c.memorySwap) * 1024 * 1024,
      });
    }
    expect(d.containers["orthanc-local-orthanc"].memory).toBe(2048);
    const limit = await execIn("orthanc-local-orthanc", [
      "sh",
      "-c",
      "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]);
    expect(limit.output.trim()).toBe(String(2048 * 1024 * 1024));
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

    // Into a fresh database: every instance is in the restored index. The administrator (in the
    // PostgreSQL container, which alone holds its password) makes it for Orthanc's role, which
    // made the dump and restores it.
    const admin = (sql: string) =>
      execIn(
        "orthanc-local-postgres",
        [
          "sh",
          "-c",
          `PGPASSWORD=$(cat /run/secrets/postgres-password) psql -h 127.0.0.1 -U orthanc -d orthanc -tAc "${sql}"`,
        ],
        { user: "postgres" },
      );
    const pg = (sql: string, db = "orthanc") =>
      execIn(
        "orthanc-local-backup",
        [
          "sh",
          "-c",
          // The backup's pgpass names the orthanc database only; its password serves any.
          `PGPASSWORD=$(cut -d: -f5 /run/secrets/pgpass) psql -h postgres -U orthanc_app -d ${db} -tAc "${sql}"`,
        ],
        { user: "postgres" },
      );
    // Orthanc's role may not make databases: only its administrator.
    expect((await pg("CREATE DATABASE restorecheck")).output).toContain(
      "permission denied to create database",
    );
    expect(await admin("CREATE DATABASE restorecheck OWNER orthanc_app")).toMatchObject({
      exitCode: 0,
    });
    const restore = await execIn(
      "orthanc-local-backup",
      [
        "sh",
        "-c",
        `PGPASSWORD=$(cut -d: -f5 /run/secrets/pgpass) pg_restore -h postgres -U orthanc_app -d restorecheck --no-owner /backups/${dump}`,
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
    const block = /### Restoring a backup \(Docker target\)[^`#]*```bash\n([\s\S]*?)```/.exec(
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

  test("PostgreSQL restarted on a volume whose database and tables the administrator owns (as before the role) hands them to orthanc_app before it listens; Orthanc sees every instance", async () => {
    const count = await instanceCount(base, d.admin);
    const docker = connect();
    await docker.getContainer("orthanc-local-orthanc").stop();
    // Back to what the program made before the role existed: everything the superuser's.
    const reassign = await execIn(
      "orthanc-local-postgres",
      [
        "sh",
        "-c",
        'PGPASSWORD=$(cat /run/secrets/postgres-password) psql -h 127.0.0.1 -U orthanc -d orthanc -tAc "REASSIGN OWNED BY orthanc_app TO orthanc"',
      ],
      { user: "postgres" },
    );
    expect(reassign).toMatchObject({ exitCode: 0 });
    await docker.getContainer("orthanc-local-postgres").restart();
    await waitHealthy("orthanc-local-postgres", 120_000);
    const logs = String(
      await docker.getContainer("orthanc-local-postgres").logs({ stdout: true, stderr: true }),
    );
    // Once on the empty volume (the image's init), once at this start (the wrapper).
    expect(logs.split("orthanc-db-role: orthanc_app owns database orthanc").length - 1).toBe(2);
    const owners = await execIn(
      "orthanc-local-postgres",
      [
        "sh",
        "-c",
        "PGPASSWORD=$(cat /run/secrets/postgres-password) psql -h 127.0.0.1 -U orthanc -d orthanc -tAc " +
          "\"SELECT DISTINCT relowner::regrole FROM pg_class WHERE relnamespace = 'public'::regnamespace " +
          "UNION SELECT datdba::regrole FROM pg_database WHERE datname = 'orthanc'\"",
      ],
      { user: "postgres" },
    );
    expect(owners).toMatchObject({ exitCode: 0, output: "orthanc_app\n" });
    await docker.getContainer("orthanc-local-orthanc").start();
    await waitHealthy("orthanc-local-orthanc", 120_000);
    expect(await instanceCount(base, d.admin)).toBe(count);
  }, 300_000);

  test("day 2: a new Orthanc image tag replaces exactly the Orthanc container (and its files container), and the data and password survive", async () => {
    const count = await instanceCount(base, d.admin);
    const next = await planShipped("local", { orthanc: { image: { tag: "26.9.0" } } });
    standInImages(imageRefs(next));
    const replaced = await replaceChanged(d.resources, next.resources, {
      runId,
      localImage: (ref) => ref,
    });
    expect(replaced).toEqual(["orthanc-local-orthanc-files", "orthanc-local-orthanc"]);
    const image = (await connect().getContainer("orthanc-local-orthanc").inspect()).Config.Image;
    expect(image).toBe(`${MIRROR}/orthancteam/orthanc:26.9.0`);
    await waitHealthy("orthanc-local-orthanc", 180_000);
    expect(next.admin.password).toBe(d.admin.password);
    expect(await instanceCount(base, next.admin)).toBe(count);
    d = next;
  }, 300_000);
}
