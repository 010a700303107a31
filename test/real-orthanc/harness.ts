/**
 * What the real-Orthanc test files share: the skip-or-fail rule when Orthanc is not installed, a
 * PostgreSQL cluster per file, and `boot`, which starts Debian's Orthanc on the documents the
 * program would deploy, with the lab's locations only (`location.ts`), and checks that it did.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonObject } from "../../components/shared/orthancConfig";
import { forLab, outsideLocations } from "./location";
import {
  caddyInstalled,
  freePorts,
  LabOrthanc,
  LabPostgres,
  orthancInstalled,
  OrthancUser,
  removeDir,
  scratchDir,
  sleep,
  writeConfigDir,
} from "./lab";
import { Shipped } from "./shippedDocuments";

export const installed = orthancInstalled();
if (!installed) {
  const msg =
    "Orthanc/PostgreSQL/dcmtk are not installed: the real-Orthanc suite cannot run (apt-get install orthanc orthanc-postgresql orthanc-dicomweb postgresql dcmtk).";
  if (process.env.CI === "true") throw new Error(msg);
  console.warn(`\n!!!!!!!! SKIPPING: ${msg}\n`);
}
/** `describe` where Orthanc is installed, `describe.skip` elsewhere (never in CI). */
export const suite = installed ? describe : describe.skip;

export const proxySuite = installed && caddyInstalled() ? describe : describe.skip;
if (installed && !caddyInstalled()) {
  if (process.env.CI === "true")
    throw new Error("caddy is not installed: the proxy suite cannot run (apt-get install caddy).");
  console.warn(
    "\n!!!!!!!! SKIPPING the proxy checks: caddy is not installed (apt-get install caddy).\n",
  );
}

export interface BootOptions {
  /** Which of the shipped Orthancs (the Docker target's replicas): the first by default. */
  instance?: number;
  /** A database made with `lab.database` (shared by replicas); a new one otherwise. */
  database?: string;
  storageDir?: string;
  /** Return once launched, for tests of how Orthanc fails. */
  wait?: boolean;
  /** The password the lab gives the database role, when a test wants the shipped one wrong. */
  rolePassword?: string;
  /** Another PostgreSQL port than the lab cluster's (one nobody listens on, or a TLS server's). */
  pgPort?: number;
  /** The server on `pgPort` serves TLS: `EnableSsl` is booted as shipped. */
  pgTls?: boolean;
  /** The container runtime's own environment (HOSTNAME), on top of the shipped one. */
  env?: Record<string, string>;
  /** Modalities the lab's DICOM clients stand in for (every one by default). */
  modalitiesOnLab?: string[];
  /**
   * The DICOM TLS files the target would deliver, when the documents use DICOM TLS: a chain the
   * lab makes like the program's (a CA and a server certificate for localhost) by default.
   */
  dicomTls?: LabDicomTls;
  /**
   * orthanc.json keys a test changes to watch a mechanism, not a stack; the only changes to the
   * shipped documents besides the locations, and named where used.
   */
  orthancOverrides?: JsonObject;
}

export interface Booted {
  orthanc: LabOrthanc;
  dicomPort: number;
  /** The registered users and their passwords, as the program generated or was given them. */
  users: Record<string, string>;
  admin: OrthancUser;
  storageDir: string;
  database?: string;
  notes: string[];
  /** The DICOM TLS files Orthanc was given, when its documents use DICOM TLS. */
  dicomTls?: LabDicomTls;
}

/** DICOM TLS files on this machine: the server's certificate and key, the trusted CAs, its CA. */
export interface LabDicomTls {
  certificate: string;
  privateKey: string;
  trusted: string;
  /** The CA that signed `certificate`: what modalities are told to trust. */
  ca: string;
}

/**
 * A CA and a server certificate it signs for localhost and 127.0.0.1, as the Docker target makes
 * them (RSA 3072, the CA self-signed); `clientCa` signs client certificates for mutual TLS.
 */
export function makeDicomTlsChain(dir: string, name: string): LabDicomTls & { caKey: string } {
  mkdirSync(dir, { recursive: true });
  const at = (f: string) => join(dir, `${name}-${f}`);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:3072",
    "-nodes",
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.crt"),
    "-days",
    "2",
    "-subj",
    `/CN=${name} DICOM CA`,
    "-addext",
    "basicConstraints=critical,CA:TRUE,pathlen:0",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  signed(dir, `${name}-server`, at("ca.crt"), at("ca.key"), "serverAuth,clientAuth");
  return {
    certificate: at("server.crt"),
    privateKey: at("server.key"),
    // Without client CAs, the program's trusted file is the server's own certificate.
    trusted: at("server.crt"),
    ca: at("ca.crt"),
    caKey: at("ca.key"),
  };
}

/** A key and a certificate signed by `ca` for localhost (`<name>.key`, `<name>.crt` in `dir`). */
export function signed(dir: string, name: string, ca: string, caKey: string, usage: string) {
  const at = (f: string) => join(dir, `${name}.${f}`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=${usage}\n`);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ssl(
    "req",
    "-newkey",
    "rsa:3072",
    "-nodes",
    "-keyout",
    at("key"),
    "-out",
    at("csr"),
    "-subj",
    "/CN=localhost",
  );
  ssl(
    "x509",
    "-req",
    "-in",
    at("csr"),
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    at("crt"),
    "-days",
    "2",
    "-extfile",
    ext,
  );
  return { certificate: at("crt"), privateKey: at("key") };
}

/** One file's lab: its scratch directory, PostgreSQL cluster and Orthanc processes. */
export class Lab {
  scratch!: string;
  pg!: LabPostgres;
  private dbCounter = 0;
  private readonly started: LabOrthanc[] = [];

  /** A fresh database in the lab cluster, owned by the shipped role with the shipped password. */
  async database(shipped: Shipped, rolePassword?: string): Promise<string> {
    const pg = shipped.credentialsJson.PostgreSQL as JsonObject | undefined;
    if (!pg) throw new Error("these documents do not use PostgreSQL");
    const name = `orthanc_${++this.dbCounter}`;
    await this.pg.createDatabase(
      name,
      pg.Username as string,
      rolePassword ?? (pg.Password as string),
    );
    return name;
  }

  /** Writes the shipped documents with the lab's locations as the image mounts them; starts Orthanc. */
  async boot(shipped: Shipped, opts: BootOptions = {}): Promise<Booted> {
    const docs = shipped.instances[opts.instance ?? 0];
    const postgres = !!docs.credentialsJson.PostgreSQL;
    let database = opts.database;
    // A port nobody listens on needs no database, only a name.
    if (postgres && !database)
      database =
        opts.pgPort === undefined ? await this.database(shipped, opts.rolePassword) : "nowhere";
    const [httpPort, dicomPort] = await freePorts(2);
    const storageDir = opts.storageDir ?? join(this.scratch, `storage-${httpPort}`);
    mkdirSync(storageDir, { recursive: true });
    const dicomTls =
      docs.orthancJson.DicomTlsEnabled === true
        ? (opts.dicomTls ?? makeDicomTlsChain(join(this.scratch, `tls-${httpPort}`), "lab"))
        : undefined;
    const lab = forLab(docs, {
      httpPort,
      dicomPort,
      storageDir,
      dicomTls,
      postgres: database
        ? { port: opts.pgPort ?? this.pg.port, database, tls: opts.pgTls }
        : undefined,
      modalitiesOnLab: opts.modalitiesOnLab,
    });
    const configDir = writeConfigDir(join(this.scratch, `config-${httpPort}`), {
      "orthanc.json": { ...lab.orthancJson, ...opts.orthancOverrides },
      "credentials.json": lab.credentialsJson,
    });
    // What Orthanc will read, read back: nothing but the locations and the named overrides
    // differ from what the program would deploy.
    const read = (file: string) =>
      JSON.parse(readFileSync(join(configDir, file), "utf8")) as JsonObject;
    const differ = outsideLocations(
      docs,
      {
        orthancJson: read("orthanc.json"),
        credentialsJson: read("credentials.json"),
        environment: lab.environment,
      },
      Object.keys(opts.orthancOverrides ?? {}),
    );
    if (differ.length)
      throw new Error(`the lab would boot what the program does not deploy:\n${differ.join("\n")}`);
    // Under access control Orthanc has no users: Keycloak has them, and Basic auth is off.
    const users = (docs.credentialsJson.RegisteredUsers ?? {}) as Record<string, string>;
    const admin = { user: shipped.adminUser, password: users[shipped.adminUser] };
    const orthanc = new LabOrthanc(configDir, httpPort, admin, { ...lab.environment, ...opts.env });
    this.started.push(orthanc);
    if (opts.wait === false) orthanc.launch();
    else await orthanc.start();
    return { orthanc, dicomPort, users, admin, storageDir, database, notes: lab.notes, dicomTls };
  }

  writeFile(name: string, content: Buffer | string): string {
    const path = join(this.scratch, name);
    writeFileSync(path, content);
    return path;
  }

  async stopAll() {
    await Promise.all(this.started.splice(0).map((o) => o.stop()));
  }
}

/** A lab for the enclosing `describe`: started before its tests, removed after them. */
export function useLab(tag: string): Lab {
  const lab = new Lab();
  beforeAll(async () => {
    lab.scratch = scratchDir(tag);
    lab.pg = await LabPostgres.start(lab.scratch);
  }, 60_000);
  afterAll(async () => {
    await lab.stopAll();
    await lab.pg?.stop();
    if (lab.scratch) removeDir(lab.scratch);
  }, 60_000);
  afterEach(() => lab.stopAll(), 60_000);
  return lab;
}

export async function upload(o: LabOrthanc, file: Buffer) {
  const res = await o.request("POST", "/instances", {
    body: file,
    headers: { "content-type": "application/dicom" },
  });
  expect(res.status).toBe(200);
  return res.json() as { Status: string; ID: string };
}

export async function countInstances(o: LabOrthanc): Promise<number> {
  const res = await o.request("GET", "/statistics");
  expect(res.status).toBe(200);
  return res.json().CountInstances;
}

export async function waitForLog(o: LabOrthanc, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(o.log())) return;
    await sleep(100);
  }
  throw new Error(`Orthanc's log never matched ${pattern}:\n${o.logTail()}`);
}
