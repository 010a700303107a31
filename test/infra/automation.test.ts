/**
 * The Automation API driver against a FAKE `pulumi` executable: the real CLI cannot be installed
 * on these machines, so this checks the driver's wiring (the CLI calls it makes, its state
 * backend and passphrase, typed config written with secrets flagged, error mapping), not a
 * deployment. The program itself is tested under mocks in test/stacks/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { parse as parseYaml } from "yaml";
import { ConfigError, OrthancConfigInput } from "../../infra/config";
import { rawConfigFrom } from "../../infra/config/load";
import {
  DeployError,
  PROJECT_ROOT,
  destroy,
  outputs,
  preview,
  resolveLocations,
  splitConfig,
  up,
} from "../../infra/automation";
import { FakeCall, TRICKY, readCalls, writeFakePulumi } from "./fakePulumi";

let dir: string;
let log: string;
let home: string;
let pulumiCommand: PulumiCommand;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
  writeFakePulumi(dir);
  log = join(dir, "calls.log");
  home = join(dir, "home");
  process.env.FAKE_LOG = log;
  // The driver's home for every test that does not name one: never the user's ~/.orthanc-deploy.
  process.env.ORTHANC_DEPLOY_HOME = home;
  delete process.env.PULUMI_BACKEND_URL;
  delete process.env.PULUMI_CONFIG_PASSPHRASE;
  delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  delete process.env.ORTHANC_DEPLOY_PASSPHRASE_FILE;
  pulumiCommand = await PulumiCommand.get({ root: dir });
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  rmSync(log, { force: true });
  delete process.env.FAKE_FAIL;
});

const records = (): FakeCall[] => (existsSync(log) ? readCalls(log) : []);
const calls = () => records().map((c) => c.argv.join(" "));
const last = (cmd: string) =>
  records()
    .filter((c) => c.argv[0] === cmd)
    .pop()!;
const backendFor = (name: string) => `file://${join(dir, name)}`;

test("preview selects the stack in a local file backend with a generated passphrase file", async () => {
  const streamed: string[] = [];
  await preview({
    stack: "local",
    pulumiCommand,
    backendUrl: backendFor("state"),
    onOutput: (t) => streamed.push(t),
  });
  expect(calls()[0]).toMatch(/^stack select --stack local --non-interactive/);
  expect(calls()).toContainEqual(expect.stringMatching(/^preview .*--stack local/));
  expect(streamed.join("")).toContain("Previewing update (local)");
  // The passphrase is kept apart from the state, in the driver's home.
  const passfile = join(home, "passphrase");
  expect(existsSync(passfile)).toBe(true);
  expect(statSync(passfile).mode & 0o777).toBe(0o600);
  expect(last("preview")).toMatchObject({ backend: backendFor("state"), passfile });
  // A checkout's stack file is read where it is.
  expect(last("preview").cwd).toBe(PROJECT_ROOT);
});

test("up writes typed config to the driver's workspace, secrets encrypted by the CLI, then runs `up` and returns outputs", async () => {
  const out = await up({
    stack: "dev",
    pulumiCommand,
    backendUrl: backendFor("state"),
    config: {
      target: "docker",
      orthanc: { replicas: 1, users: { alice: { password: "pw" } } },
      docker: { httpPort: 8080 },
    },
  });
  // Only the secret goes through the CLI (it alone can encrypt); `--path` keeps it a string.
  const setAll = calls().filter((c) => c.startsWith("config set-all"));
  expect(setAll).toEqual([
    "config set-all --stack dev --path --secret orthanc:orthanc.users.alice.password=pw --non-interactive",
  ]);
  const ran = last("up");
  expect(ran.argv.join(" ")).toMatch(/^up --yes --skip-preview .*--stack dev/);
  expect(ran.cwd).toBe(join(home, "workspace"));
  expect(ran.settings).not.toContain("pw");
  expect(ran.program!.secretKeys).toEqual(["orthanc:orthanc"]);
  expect(rawConfigFrom(ran.program!.config)).toEqual({
    target: "docker",
    orthanc: { replicas: 1, users: { alice: { password: "pw" } } },
    docker: { httpPort: 8080 },
  });
  expect(out.url.value).toBe("http://127.0.0.1:8042/");
});

test("values reach the program exactly as given: numeric-looking strings stay strings, an empty list stays empty", async () => {
  await preview({ stack: "exact", pulumiCommand, config: TRICKY });
  const given = last("preview").program!;
  expect(rawConfigFrom(given.config)).toEqual(TRICKY);
  expect(JSON.parse(given.config["orthanc:orthanc"]).dicom.aet).toBe("1234");
  expect(JSON.parse(given.config["orthanc:orthanc"]).dicom.allowedCidrs).toEqual([]);
  // Secrets under map keys the CLI's path syntax would split are quoted.
  expect(calls().find((c) => c.startsWith("config set-all"))).toBe(
    'config set-all --stack exact --path --secret orthanc:orthanc.users["alice.bob"].password=1234 ' +
      "--secret orthanc:orthanc.users.carol.password=true --non-interactive",
  );
});

test("a caller's config replaces the last one: removed keys and secrets do not survive, the secrets provider's salt does", async () => {
  // First run: secrets (the users' passwords), `docker.httpPort`, modalities.
  await up({ stack: "replace", pulumiCommand, config: TRICKY });
  expect(last("up").program!.secretKeys).toEqual(["orthanc:orthanc"]);
  const salt = parseYaml(readFileSync(join(home, "workspace", "Pulumi.replace.yaml"), "utf8"))
    .encryptionsalt as string;
  expect(salt).toMatch(/^v1:fake-salt-/);
  rmSync(log, { force: true });

  const second = { target: "docker", orthanc: { name: "Second" } } satisfies OrthancConfigInput;
  await up({ stack: "replace", pulumiCommand, config: second });
  const ran = last("up");
  expect(rawConfigFrom(ran.program!.config)).toEqual(second);
  expect(ran.program!.secretKeys).toEqual([]);
  expect(calls().filter((c) => c.startsWith("config"))).toEqual([]);
  expect(parseYaml(ran.settings!).encryptionsalt).toBe(salt);
});

test("typed config never edits the tracked stacks/*.yaml files, even for a shipped stack's name", async () => {
  const file = join(PROJECT_ROOT, "stacks", "Pulumi.local.yaml");
  const before = readFileSync(file, "utf8");
  await preview({
    stack: "local",
    pulumiCommand,
    config: { target: "docker", orthanc: { name: "Not the shipped one" } },
  });
  expect(readFileSync(file, "utf8")).toBe(before);
  expect(new Set(records().map((c) => c.cwd))).toEqual(new Set([join(home, "workspace")]));
  expect(rawConfigFrom(last("preview").program!.config)).toEqual({
    target: "docker",
    orthanc: { name: "Not the shipped one" },
  });
});

test("an invalid typed config fails with every key before any CLI call", async () => {
  await expect(
    up({
      stack: "dev",
      pulumiCommand,
      config: { target: "docker", orthanc: { replicaCount: 3 } } as never,
    }),
  ).rejects.toThrow(ConfigError);
  expect(calls()).toEqual([]);
});

test("a concurrent update is reported with the way out", async () => {
  process.env.FAKE_FAIL = "conflict";
  await expect(
    up({ stack: "dev", pulumiCommand, backendUrl: backendFor("state") }),
  ).rejects.toThrow(/another update is running.*pulumi cancel --stack dev/);
});

test("destroy and outputs run their commands", async () => {
  await destroy({ stack: "dev", pulumiCommand, backendUrl: backendFor("state") });
  expect(calls()).toContainEqual(expect.stringMatching(/^destroy --yes .*--stack dev/));
  // A stack without a file in stacks/ is the driver's own: its workspace, not the checkout.
  expect(last("destroy").cwd).toBe(join(home, "workspace"));
  const out = await outputs({ stack: "dev", pulumiCommand, backendUrl: backendFor("state") });
  expect(Object.keys(out).sort()).toEqual(["adminPassword", "url"]);
});

test("a missing CLI becomes a DeployError that says how to install it", async () => {
  // The default command is `pulumi` on PATH; here PATH has none.
  const path = process.env.PATH;
  process.env.PATH = join(dir, "empty");
  const err = await preview({ stack: "x", backendUrl: backendFor("state") })
    .catch((e) => e)
    .finally(() => (process.env.PATH = path));
  expect(err).toBeInstanceOf(DeployError);
  expect(err.message).toMatch(/the Pulumi CLI was not found/);
});

test("splitConfig: plain values keep their types, secret leaves become quoted --path keys", () => {
  expect(
    splitConfig({
      target: "docker",
      orthanc: { dicom: { aet: "1234", allowedCidrs: [] }, users: { "a.b": { password: "x" } } },
      database: { external: { host: "db", password: "" } },
    }),
  ).toEqual({
    plain: {
      "orthanc:target": "docker",
      "orthanc:orthanc": { dicom: { aet: "1234", allowedCidrs: [] }, users: { "a.b": {} } },
      "orthanc:database": { external: { host: "db", password: "" } },
    },
    secrets: { 'orthanc:orthanc.users["a.b"].password': { value: "x", secret: true } },
  });
});

describe("where state and passphrase live", () => {
  const opts = { stack: "s" };
  const noLegacy = join(dir ?? tmpdir(), "no-checkout");

  test("default: ~/.orthanc-deploy/state, the passphrase beside it, not in it", () => {
    const env = { ...process.env };
    delete process.env.ORTHANC_DEPLOY_HOME;
    const base = join(homedir(), ".orthanc-deploy");
    try {
      expect(resolveLocations(opts, noLegacy)).toEqual({
        home: base,
        backendUrl: `file://${join(base, "state")}`,
        stateDir: join(base, "state"),
        passphraseFile: join(base, "passphrase"),
        workspaceDir: join(base, "workspace"),
      });
    } finally {
      process.env = env;
    }
  });

  test("options and environment variables move them; a caller's passphrase is used as given", () => {
    expect(
      resolveLocations({ ...opts, home: "/srv/od", passphraseFile: "/keys/od" }, noLegacy),
    ).toMatchObject({
      backendUrl: "file:///srv/od/state",
      passphraseFile: "/keys/od",
      workspaceDir: "/srv/od/workspace",
    });
    expect(
      resolveLocations(
        {
          ...opts,
          envVars: { PULUMI_BACKEND_URL: "file://~/pulumi", PULUMI_CONFIG_PASSPHRASE: "x" },
        },
        noLegacy,
      ),
    ).toMatchObject({
      stateDir: join(homedir(), "pulumi"),
      passphraseFile: undefined,
    });
    process.env.ORTHANC_DEPLOY_PASSPHRASE_FILE = "/keys/env";
    try {
      expect(resolveLocations(opts, noLegacy).passphraseFile).toBe("/keys/env");
    } finally {
      delete process.env.ORTHANC_DEPLOY_PASSPHRASE_FILE;
    }
    // Another backend: no local passphrase is made up for it.
    expect(resolveLocations({ ...opts, backendUrl: "s3://bucket" }, noLegacy).passphraseFile).toBe(
      undefined,
    );
  });

  test("never inside node_modules, and the passphrase never inside the state", () => {
    expect(() =>
      resolveLocations({ ...opts, home: "/app/node_modules/orthanc-deploy" }, noLegacy),
    ).toThrow(
      /The driver's home would be \/app\/node_modules\/orthanc-deploy, inside node_modules.*Fix: pass `home`/,
    );
    expect(() =>
      resolveLocations(
        { ...opts, backendUrl: "file:///app/node_modules/x/.pulumi-state" },
        noLegacy,
      ),
    ).toThrow(/The state would be .*inside node_modules/);
    expect(() =>
      resolveLocations(
        { ...opts, home: "/srv/od", passphraseFile: "/srv/od/state/passphrase" },
        noLegacy,
      ),
    ).toThrow(
      /inside the state \(\/srv\/od\/state\), so every copy of the state would carry the key/,
    );
  });

  test("state an earlier version kept in the checkout is not left behind silently", () => {
    const checkout = join(dir, "old-checkout");
    mkdirSync(join(checkout, ".pulumi-state"), { recursive: true });
    expect(() => resolveLocations({ ...opts, home: "/srv/od" }, checkout)).toThrow(
      `mv ${checkout}/.pulumi-state/passphrase /srv/od/passphrase && mv ${checkout}/.pulumi-state /srv/od/state`,
    );
    expect(
      resolveLocations({ ...opts, backendUrl: `file://${checkout}/.pulumi-state` }, checkout)
        .stateDir,
    ).toBe(join(checkout, ".pulumi-state"));
  });
});
