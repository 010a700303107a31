/**
 * A throwaway PostgreSQL cluster and Orthanc processes from Debian's packages, on loopback and
 * free ports, for booting the configuration the renderer produces. Starts and stops only its own
 * processes and removes its scratch directory.
 */
import { randomBytes } from "node:crypto";
import { ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  openSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  HOSTNAME_PLACEHOLDER,
  JsonObject,
  serializeForImage,
} from "../../components/shared/orthancConfig";

const run = promisify(execFile);

export const ORTHANC_BIN = "/usr/sbin/Orthanc";
export const DEBIAN_PLUGINS = {
  dicomWeb: "/usr/share/orthanc/plugins/libOrthancDicomWeb.so",
  postgresqlIndex: "/usr/share/orthanc/plugins/libOrthancPostgreSQLIndex.so",
};

export function orthancInstalled(): boolean {
  return (
    existsSync(ORTHANC_BIN) &&
    existsSync(DEBIAN_PLUGINS.postgresqlIndex) &&
    pgBinDir() !== undefined
  );
}

function pgBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], "bin") : undefined;
}

/**
 * `count` distinct free loopback ports. Every socket stays open until all are allocated: ports
 * taken one at a time can come back twice (HTTP and DICOM on the same port, seen in CI).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.once("error", reject);
          srv.listen(0, "127.0.0.1", () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((srv) => {
    const addr = srv.address();
    return typeof addr === "object" && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function scratchDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `orthanc-lab-${tag}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export const isRoot = () => process.getuid?.() === 0;

/** The directory of PostgreSQL's client and server programs (pg_dump, pg_restore...). */
export function pgBin(): string {
  const dir = pgBinDir();
  if (!dir) throw new Error("PostgreSQL binaries not found under /usr/lib/postgresql.");
  return dir;
}

/** Hands a path to the `postgres` user when we are root (PostgreSQL's tools refuse root). */
export async function chownToPostgres(path: string): Promise<void> {
  if (!isRoot()) return;
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  chownSync(path, uid, gid);
}

/** Starts a long-running command as `postgres` (as ourselves when not root), in its own process group. */
export function spawnAsPostgres(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): ChildProcess {
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const full = isRoot()
    ? ["runuser", "-u", "postgres", "--", "env", ...envArgs, cmd, ...args]
    : ["env", ...envArgs, cmd, ...args];
  return spawn(full[0], full.slice(1), { detached: true, stdio: "ignore" });
}

/** PostgreSQL refuses to run as root: run its tools as `postgres` when we are root. */
async function asPostgres(bin: string, args: string[]) {
  const cmd = isRoot() ? "runuser" : bin;
  const full = isRoot() ? ["-u", "postgres", "--", bin, ...args] : args;
  return run(cmd, full, { timeout: 60_000 });
}

export class LabPostgres {
  readonly port: number;
  private constructor(
    private readonly dir: string,
    port: number,
    private readonly bin: string,
  ) {
    this.port = port;
  }

  /**
   * A throwaway cluster on a free port. Without `durable`, fsync and synchronous commits are off
   * (durability of a throwaway cluster is irrelevant, and CI disks are slow); with it, PostgreSQL's
   * durability defaults hold and `durable.settings` are passed as `-c` options, as the Docker
   * container's are (for measurements of server settings).
   */
  static async start(
    dir: string,
    durable?: { settings: Readonly<Record<string, string>> },
  ): Promise<LabPostgres> {
    const bin = pgBinDir();
    if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql.");
    const pgDir = join(dir, "pg");
    mkdirSync(join(pgDir, "sock"), { recursive: true });
    if (isRoot()) {
      const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
      const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
      chownSync(pgDir, uid, gid);
      chownSync(join(pgDir, "sock"), uid, gid);
    }
    const port = await freePort();
    await asPostgres(join(bin, "initdb"), [
      "-D",
      join(pgDir, "data"),
      "-U",
      "postgres",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "-E",
      "UTF8",
      ...(durable ? [] : ["--no-sync"]),
    ]);
    const server = durable
      ? Object.entries(durable.settings).map(([k, v]) => `-c ${k}=${v}`)
      : ["-c fsync=off -c synchronous_commit=off -c max_connections=100"];
    await asPostgres(join(bin, "pg_ctl"), [
      "-D",
      join(pgDir, "data"),
      "-l",
      join(pgDir, "log"),
      "-w",
      "-t",
      "30",
      "-o",
      [`-p ${port} -k ${join(pgDir, "sock")} -c listen_addresses=127.0.0.1`, ...server].join(" "),
      "start",
    ]);
    return new LabPostgres(pgDir, port, bin);
  }

  async sql(statement: string, database = "postgres"): Promise<string> {
    const { stdout } = await asPostgres(join(this.bin, "psql"), [
      "-h",
      join(this.dir, "sock"),
      "-p",
      String(this.port),
      "-U",
      "postgres",
      "-d",
      database,
      "-v",
      "ON_ERROR_STOP=1",
      "-tAc",
      statement,
    ]);
    return stdout.trim();
  }

  /** A login role that owns a fresh database, as the targets create it (no superuser). */
  async createDatabase(name: string, user: string, password: string): Promise<void> {
    const exists = await this.sql(`SELECT 1 FROM pg_roles WHERE rolname='${user}'`);
    const pw = password.replace(/'/g, "''");
    await this.sql(
      exists
        ? `ALTER ROLE "${user}" PASSWORD '${pw}'`
        : `CREATE ROLE "${user}" LOGIN PASSWORD '${pw}'`,
    );
    await this.sql(`CREATE DATABASE "${name}" OWNER "${user}"`);
  }

  /**
   * `pg_ctl restart`: `fast` closes every connection, checkpoints and starts again; `immediate`
   * is a crash (no checkpoint, recovery from the WAL at start). Seconds.
   */
  async restart(mode: "fast" | "immediate" = "fast"): Promise<number> {
    const t0 = performance.now();
    // -l again: without it the restarted server would hold pg_ctl's stdout open.
    await asPostgres(join(this.bin, "pg_ctl"), [
      ...["-D", join(this.dir, "data"), "-w", "-l", join(this.dir, "log")],
      ...["-t", "60", "-m", mode, "restart"],
    ]);
    return (performance.now() - t0) / 1000;
  }

  /** Bytes of WAL written so far. */
  async walBytes(): Promise<number> {
    return Number(await this.sql("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"));
  }

  async stop(): Promise<void> {
    await asPostgres(join(this.bin, "pg_ctl"), [
      "-D",
      join(this.dir, "data"),
      "-m",
      "fast",
      "-w",
      "stop",
    ]).catch(() => undefined);
  }
}

/** Orthanc's JSON answers, read loosely by the checks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface OrthancUser {
  user: string;
  password: string;
}

export class LabOrthanc {
  private proc?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly logFile: string;
  /** What a container runtime would set as HOSTNAME: a 12-hex-digit container id. */
  readonly hostname = randomBytes(6).toString("hex");

  constructor(
    readonly configDir: string,
    readonly httpPort: number,
    readonly auth: OrthancUser,
    private readonly env: Record<string, string> = {},
  ) {
    this.logFile = join(configDir, "..", `orthanc-${httpPort}.log`);
  }

  get url() {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Starts Orthanc; resolves when `/system` answers 200, rejects with the log tail if it dies. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.launch();
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    this.exited!.then((c) => (exitCode = c));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(`Orthanc exited with ${exitCode} before serving:\n${this.logTail()}`);
      }
      const res = await this.request("GET", "/system").catch(() => undefined);
      if (res?.status === 200) return;
      await sleep(50);
    }
    throw new Error(`Orthanc did not answer within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Starts Orthanc without waiting, for tests of how it fails. */
  launch(): void {
    const out = openSync(this.logFile, "a");
    this.proc = spawn(ORTHANC_BIN, [this.configDir], {
      // HOSTNAME as a container runtime sets it (the container's id): the program's
      // `${HOSTNAME}` placeholder names each replica after it.
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        TCP_NODELAY: "1",
        HOSTNAME: this.hostname,
        ...this.env,
      },
      stdio: ["ignore", out, out],
    });
    closeSync(out); // the child holds its own copy
    const proc = this.proc;
    this.exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async waitExit(timeoutMs: number): Promise<number | null | "timeout"> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">(
      (r) => (timer = setTimeout(() => r("timeout"), timeoutMs)),
    );
    try {
      return await Promise.race([this.exited!, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  logTail(lines = 30): string {
    return existsSync(this.logFile)
      ? readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n")
      : "(no log)";
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.proc!.kill("SIGTERM");
    if ((await this.waitExit(15_000)) === "timeout") {
      this.proc!.kill("SIGKILL");
      await this.waitExit(5_000);
    }
  }

  async request(
    method: string,
    path: string,
    opts: {
      body?: Buffer | string;
      auth?: OrthancUser | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; text: string; json: () => Json }> {
    const auth = opts.auth === undefined ? this.auth : opts.auth;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (auth)
      headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString("base64")}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, body: opts.body });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  }
}

/**
 * Writes a config directory the way the image mounts it: orthanc.json and credentials.json,
 * serialized as every target ships them (`$` escaped; the program's placeholders kept).
 */
export function writeConfigDir(dir: string, files: Record<string, JsonObject>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), serializeForImage(content, [HOSTNAME_PLACEHOLDER]), {
      mode: 0o600,
    });
  }
  return dir;
}

/**
 * Runs a DICOM client (or any command) with Nagle off, as the lab's Orthanc runs, optionally from
 * a test host in a network namespace; its exit code and output, never a throw.
 */
export async function dcmtk(
  tool: string,
  args: string[],
  opts: { netns?: string } = {},
): Promise<{ code: number; output: string }> {
  const [cmd, ...argv] = opts.netns
    ? ["ip", "netns", "exec", opts.netns, tool, ...args]
    : [tool, ...args];
  try {
    const { stdout, stderr } = await run(cmd, argv, {
      timeout: 60_000,
      env: { ...process.env, TCP_NODELAY: "1" },
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : 1,
      output: `${err.stdout ?? ""}${err.stderr ?? ""}`,
    };
  }
}

/** echoscu/storescu from `callingAet` to Orthanc's `calledAet` on loopback; `files` for storescu. */
export function scu(
  tool: "echoscu" | "storescu",
  callingAet: string,
  calledAet: string,
  port: number,
  ...files: string[]
) {
  return dcmtk(tool, ["-aet", callingAet, "-aec", calledAet, "127.0.0.1", String(port), ...files]);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function caddyInstalled(): boolean {
  return existsSync("/usr/bin/caddy");
}

/** Caddy from Debian's package, on a rendered Caddyfile; its state stays in the scratch dir. */
export class LabCaddy {
  private proc?: ChildProcess;
  constructor(
    private readonly caddyfile: string,
    private readonly dir: string,
  ) {}

  static async validate(caddyfile: string, dir: string): Promise<{ ok: boolean; output: string }> {
    const file = join(dir, `Caddyfile-${Date.now()}`);
    writeFileSync(file, caddyfile);
    try {
      const { stdout, stderr } = await run(
        "caddy",
        ["validate", "--config", file, "--adapter", "caddyfile"],
        { env: caddyEnv(dir), timeout: 30_000 },
      );
      return { ok: true, output: stdout + stderr };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
    }
  }

  async start(healthUrl: string): Promise<void> {
    const file = join(this.dir, "Caddyfile");
    writeFileSync(file, this.caddyfile);
    const out = openSync(join(this.dir, "caddy.log"), "a");
    this.proc = spawn("caddy", ["run", "--config", file, "--adapter", "caddyfile"], {
      env: caddyEnv(this.dir),
      stdio: ["ignore", out, out],
    });
    closeSync(out);
    for (let i = 0; i < 200; i++) {
      if ((await fetch(healthUrl).catch(() => undefined))?.status === 200) return;
      if (this.proc.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(
      `Caddy did not start:\n${readFileSync(join(this.dir, "caddy.log"), "utf8").slice(-2000)}`,
    );
  }

  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc!.once("exit", r));
    this.proc.kill("SIGTERM");
    await exited;
  }
}

function caddyEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
  };
}
