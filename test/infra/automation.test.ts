/**
 * The Automation API driver against a FAKE `pulumi` executable: the real CLI cannot be installed
 * on these machines, so this checks the driver's wiring (the CLI calls it makes, its state
 * backend and passphrase, typed config written with secrets flagged, error mapping), not a
 * deployment. The program itself is tested under mocks in test/stacks/.
 */
import {
  chmodSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { ConfigError } from "../../infra/config";
import { DeployError, destroy, flattenConfig, outputs, preview, up } from "../../infra/automation";

let dir: string;
let log: string;
let pulumiCommand: PulumiCommand;

const FAKE = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_LOG"
printf 'ENV backend=%s passfile=%s\\n' "$PULUMI_BACKEND_URL" "$PULUMI_CONFIG_PASSPHRASE_FILE" >> "$FAKE_LOG"
case "$1" in
  version) echo "v3.270.0" ;;
  stack)
    case "$2" in
      output) echo '{"url":"http://127.0.0.1:8042/","adminPassword":"s3cret"}' ;;
      history) echo '[{"version":1,"kind":"update","startTime":"2026-01-01T00:00:00Z","endTime":"2026-01-01T00:00:01Z","message":"","environment":{},"config":{},"result":"succeeded","resourceChanges":{"create":19}}]' ;;
      select) [ "$FAKE_FAIL" = "notfound" ] && { echo "error: no stack named 'x' found" >&2; exit 255; } ;;
    esac ;;
  preview) echo "Previewing update (local)" ;;
  up) [ "$FAKE_FAIL" = "conflict" ] && { echo "error: [409] Conflict: Another update is currently in progress." >&2; exit 255; }; echo "Updating (local)" ;;
  destroy) echo "Destroying (local)" ;;
esac
exit 0
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fake-pulumi-"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "pulumi"), FAKE);
  chmodSync(join(dir, "bin", "pulumi"), 0o755);
  log = join(dir, "calls.log");
  process.env.FAKE_LOG = log;
  pulumiCommand = await PulumiCommand.get({ root: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  writeFileSync(log, "");
  delete process.env.FAKE_FAIL;
});

const calls = () =>
  readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l && !l.startsWith("ENV "));
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
  const passfile = join(dir, "state", "passphrase");
  expect(existsSync(passfile)).toBe(true);
  expect(statSync(passfile).mode & 0o777).toBe(0o600);
  expect(readFileSync(log, "utf8")).toContain(
    `ENV backend=${backendFor("state")} passfile=${passfile}`,
  );
});

test("up writes typed config with --path, secrets flagged, then runs `up` and returns outputs", async () => {
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
  const setAll = calls().find((c) => c.startsWith("config set-all"))!;
  expect(setAll).toContain("--path");
  expect(setAll).toContain("--plaintext orthanc:target=docker");
  expect(setAll).toContain("--plaintext orthanc:orthanc.replicas=1");
  expect(setAll).toContain("--secret orthanc:orthanc.users.alice.password=pw");
  expect(setAll).toContain("--plaintext orthanc:docker.httpPort=8080");
  expect(calls()).toContainEqual(expect.stringMatching(/^up --yes --skip-preview .*--stack dev/));
  expect(out.url.value).toBe("http://127.0.0.1:8042/");
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

test("flattenConfig: nested keys become --path keys, arrays indexed, secret leaves flagged", () => {
  expect(
    flattenConfig({
      target: "docker",
      orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32"] } },
      database: { external: { host: "db", password: "x" } },
    }),
  ).toEqual({
    "orthanc:target": { value: "docker", secret: false },
    "orthanc:orthanc.dicom.allowedCidrs[0]": { value: "127.0.0.1/32", secret: false },
    "orthanc:database.external.host": { value: "db", secret: false },
    "orthanc:database.external.password": { value: "x", secret: true },
  });
});
