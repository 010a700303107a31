/**
 * `npm run deploy` with its collaborators replaced (offline plan, CLI lookup, Automation API
 * driver): the order of its checks, its messages and what it asks before a destroy. The real
 * offline plan and the real CLI lookup are tested below and in pulumiCli.test.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { deploy, DeployDeps } from "../../infra/deploy";
import { leftBehind, PlanResult } from "../../infra/deployPlan";
import { STACKS_DIR } from "../../infra/stackFiles";

const root = join(__dirname, "..", "..");

function harness(over: Partial<DeployDeps> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "deploy-cmd-"));
  writeFileSync(
    join(dir, "Pulumi.local.yaml"),
    readFileSync(join(STACKS_DIR, "Pulumi.local.yaml")),
  );
  const out: string[] = [];
  const err: string[] = [];
  const calls: string[] = [];
  const plan: PlanResult = {
    ok: true,
    plan: {
      resources: 22,
      protected: ["orthanc-local-pgdata (docker:index/volume:Volume)"],
      retained: [],
    },
  };
  const deps: DeployDeps = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    stacksDir: dir,
    isTTY: false,
    ask: async () => {
      calls.push("ask");
      return "";
    },
    offlinePlan: async () => (calls.push("plan"), plan),
    findCli: async () => {
      calls.push("findCli");
      return { command: {} as never, source: "fake CLI" };
    },
    driver: {
      preview: async () => (calls.push("preview"), {} as never),
      up: async () => (
        calls.push("up"),
        {
          url: { value: "http://127.0.0.1:8042/", secret: false },
          adminPassword: { value: "pw", secret: true },
        }
      ),
      destroy: async (o) => (
        calls.push(`destroy excludeProtected=${o.excludeProtected}`),
        {} as never
      ),
      outputs: async () => (calls.push("outputs"), {}),
    },
    now: () => 0,
    ...over,
  };
  return { dir, deps, out, err, calls };
}

test("a deployment: stack file checked, planned offline, then the CLI, then up; outputs with secrets hidden", async () => {
  const h = harness();
  expect(await deploy(["--stack=local"], h.deps)).toBe(0);
  expect(h.calls).toEqual(["plan", "findCli", "up"]);
  expect(h.out).toContain('  url: "http://127.0.0.1:8042/"');
  expect(h.out).toContain("  adminPassword: [secret]");
  expect(h.out.join("\n")).not.toContain("pw");
});

test("progress: engine events become done/total lines; --raw streams the CLI's text instead", async () => {
  const urn = "urn:pulumi:local::orthanc::docker:index/volume:Volume::orthanc-local-pgdata";
  const metadata = { op: "create" as const, urn, type: "docker:index/volume:Volume", provider: "" };
  let clock = 0;
  const up: DeployDeps["driver"]["up"] = async (o) => {
    o.onEvent?.({ sequence: 1, timestamp: 0, resourcePreEvent: { metadata } });
    clock = 42_000;
    o.onEvent?.({ sequence: 2, timestamp: 0, resOutputsEvent: { metadata } });
    o.onOutput?.("+ docker:index/volume:Volume orthanc-local-pgdata created\n");
    return {};
  };
  const h = harness({ now: () => clock });
  h.deps.driver.up = up;
  expect(await deploy(["--stack", "local"], h.deps)).toBe(0);
  expect(h.out).toContain(
    "[ 1/22] 0:42  created    orthanc-local-pgdata (docker:index/volume:Volume)",
  );
  expect(h.out.join("\n")).not.toContain("+ docker:index");
  const raw = harness();
  raw.deps.driver.up = up;
  expect(await deploy(["--stack", "local", "--raw"], raw.deps)).toBe(0);
  expect(raw.out).toContain("+ docker:index/volume:Volume orthanc-local-pgdata created");
  expect(raw.out.join("\n")).not.toContain("[1/22]");
});

test("an unknown flag stops everything with exit 2", async () => {
  const h = harness();
  expect(await deploy(["--stack", "local", "--jsno"], h.deps)).toBe(2);
  expect(h.err).toEqual(["Unknown option '--jsno'. See --help."]);
  expect(h.calls).toEqual([]);
});

test("a stack without a stack file is refused, with the stacks there are and how to create one", async () => {
  const h = harness();
  expect(await deploy(["--stack", "mine"], h.deps)).toBe(2);
  expect(h.err.join("\n")).toMatch(
    /No stack file .*Pulumi\.mine\.yaml.*\nStacks here: local\.\n.*--stack mine --create --from local/,
  );
  expect(h.calls).toEqual([]);
});

test("--create copies a stack file without its secrets key, never overwrites, and stops", async () => {
  const h = harness();
  writeFileSync(
    join(h.dir, "Pulumi.src.yaml"),
    "encryptionsalt: v1:abc\nconfig:\n  orthanc:target: docker\n  orthanc:x:\n    secure: v1:xyz\n",
  );
  expect(await deploy(["--stack", "mine", "--create", "--from", "src"], h.deps)).toBe(0);
  expect(readFileSync(join(h.dir, "Pulumi.mine.yaml"), "utf8")).toBe(
    "config:\n  orthanc:target: docker\n  orthanc:x:\n    secure: v1:xyz\n",
  );
  expect(h.out.join("\n")).toMatch(
    /encrypted values belong to stack src.*\n.*npm run plan -- --stack mine/,
  );
  expect(h.calls).toEqual([]);
  expect(await deploy(["--stack", "mine", "--create"], h.deps)).toBe(2);
  expect(h.err.pop()).toMatch(/Pulumi\.mine\.yaml already exists/);
  expect(await deploy(["--stack", "other", "--create", "--from", "nope"], h.deps)).toBe(2);
  expect(h.err.pop()).toMatch(/--from nope: no stack file .*Stacks to copy: local, mine, src\./);
  expect(existsSync(join(h.dir, "Pulumi.other.yaml"))).toBe(false);
});

test("a bad stack file is reported before the offline plan and before any CLI is looked for", async () => {
  const h = harness();
  writeFileSync(join(h.dir, "Pulumi.bad.yaml"), "config:\n  orthanc:target: dokcer\n");
  expect(await deploy(["--stack", "bad"], h.deps)).toBe(1);
  expect(h.err.join("\n")).toMatch(
    /Pulumi\.bad\.yaml: Invalid stack configuration.*\n.*orthanc:target/,
  );
  expect(h.calls).toEqual([]);
});

test("a problem only the offline plan finds is reported before any CLI is looked for", async () => {
  const h = harness({
    offlinePlan: async () => ({
      ok: false,
      message: "stacks/Pulumi.local.yaml: orthanc:x is wrong",
    }),
  });
  expect(await deploy(["--stack", "local"], h.deps)).toBe(1);
  expect(h.err).toEqual(["stacks/Pulumi.local.yaml: orthanc:x is wrong"]);
});

test("--destroy without a terminal refuses unless --yes, after listing what it leaves behind", async () => {
  const h = harness();
  expect(await deploy(["--stack", "local", "--destroy"], h.deps)).toBe(2);
  expect(h.out.join("\n")).toMatch(
    /Left in place, protected.*\n  - orthanc-local-pgdata \(docker:index\/volume:Volume\)/,
  );
  expect(h.err.join("\n")).toMatch(/no terminal to confirm on\. Add --yes/);
  expect(h.calls).toEqual(["plan"]);
  expect(await deploy(["--stack", "local", "--destroy", "--yes"], h.deps)).toBe(0);
  expect(h.calls).toEqual(["plan", "plan", "findCli", "destroy excludeProtected=true"]);
});

test("--destroy on a terminal asks, and destroys only when the stack's name is typed", async () => {
  const no = harness({ isTTY: true });
  expect(await deploy(["--stack", "local", "--destroy"], no.deps)).toBe(1);
  expect(no.calls).toEqual(["plan", "ask"]);
  expect(no.err).toEqual(["Not destroyed."]);
  const yes = harness({ isTTY: true, ask: async () => "local\n" });
  expect(await deploy(["--stack", "local", "--destroy"], yes.deps)).toBe(0);
  expect(yes.calls).toEqual(["plan", "findCli", "destroy excludeProtected=true"]);
});

test("a missing CLI's message reaches the user as it is", async () => {
  const h = harness({
    findCli: async () => {
      throw new Error("no CLI; `npm run plan -- --stack local` works without it");
    },
  });
  await expect(deploy(["--stack", "local", "--preview"], h.deps)).rejects.toThrow(/npm run plan/);
});

test("what a destroy leaves behind, from the offline plan's flags", () => {
  expect(
    leftBehind([
      { type: "t:v", name: "data", protect: true, retainOnDelete: true },
      { type: "t:b", name: "kept", protect: false, retainOnDelete: true },
      { type: "t:c", name: "gone", protect: false, retainOnDelete: false },
    ]),
  ).toEqual({ protected: ["data (t:v)"], retained: ["kept (t:b)"] });
});

test("the real offline plan of the local stack (child process): its count and its protected volumes", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "-r",
      "@swc-node/register",
      "infra/deployPlan.ts",
      join(STACKS_DIR, "Pulumi.local.yaml"),
      "local",
    ],
    { cwd: root, timeout: 120_000 },
  );
  expect(JSON.parse(stdout)).toEqual({
    ok: true,
    plan: {
      resources: 22,
      protected: ["pgdata", "backups", "dicom", "proxy-data"].map(
        (v) => `orthanc-local-${v} (docker:index/volume:Volume)`,
      ),
      retained: [],
    },
  });
});
