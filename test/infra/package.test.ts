/**
 * The driver as another tool gets it: `npm pack` (its `prepack` builds dist/), the tarball
 * installed into a scratch project under the system's temp directory, the driver imported there
 * with plain `node` and a TypeScript consumer type-checked against its declarations, then a stack
 * driven against the fake CLI with the default locations. Dependencies come from npm's cache
 * (`--prefer-offline`: the registry only for what the cache lacks). About a minute, most of it
 * the build and the install, so it is a file of its own.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../infra/automation";
import { rawConfigFrom } from "../../infra/config/load";
import { FakeCall, TRICKY, readCalls, writeFakePulumi } from "./fakePulumi";

const run = promisify(execFile);
jest.setTimeout(240_000);

let tmp: string;
let scratch: string;
let tarball: string;
const installed = () => join(scratch, "node_modules", "orthanc-deploy");

/** The environment of a tool on a machine where nothing of ours is configured. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env))
    if (/^(ORTHANC_DEPLOY_|PULUMI_|npm_)/.test(k) || k === "NODE_OPTIONS") delete env[k];
  return { ...env, ...extra };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "orthanc-pkg-"));
  mkdirSync(join(tmp, "pack"));
  const packed = await run("npm", ["pack", "--silent", "--pack-destination", join(tmp, "pack")], {
    cwd: PROJECT_ROOT,
    env: cleanEnv({}),
    maxBuffer: 64 * 1024 * 1024,
  });
  tarball = join(tmp, "pack", packed.stdout.trim().split("\n").pop()!);
  scratch = join(tmp, "scratch");
  mkdirSync(scratch);
  writeFileSync(join(scratch, "package.json"), '{ "name": "scratch", "private": true }\n');
  await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--omit=dev",
      tarball,
    ],
    { cwd: scratch, env: cleanEnv({}), maxBuffer: 64 * 1024 * 1024 },
  );
});
afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

test("the tarball holds the built driver, its declarations and the README; no sources, no program entry", async () => {
  const { stdout } = await run("tar", ["-tzf", tarball]);
  const files = stdout.trim().split("\n");
  expect(files).toEqual(
    expect.arrayContaining([
      "package/package.json",
      "package/README.md",
      "package/dist/infra/driver.js",
      "package/dist/infra/driver.d.ts",
      "package/dist/infra/targets/docker.js",
    ]),
  );
  expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
  expect(
    files.filter((f) => /^package\/(dist\/)?index\.|^package\/(test|stacks)\//.test(f)),
  ).toEqual([]);
});

test("plain node imports the driver from the scratch project; the program's entry and targets stay unloaded", async () => {
  const script = `
    const d = require("orthanc-deploy");
    const ours = Object.keys(require.cache).filter((k) => k.includes("/node_modules/orthanc-deploy/"));
    console.log(JSON.stringify({
      resolved: require.resolve("orthanc-deploy"),
      exports: Object.keys(d).sort(),
      entry: ours.filter((k) => /orthanc-deploy\\/(dist\\/)?index\\.js$/.test(k)),
      targets: ours.filter((k) => k.includes("/targets/")),
    }));`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    cwd: scratch,
    env: cleanEnv({}),
  });
  expect(JSON.parse(stdout)).toEqual({
    resolved: join(installed(), "dist", "infra", "driver.js"),
    exports: [
      "ConfigError",
      "DeployError",
      "PROJECT_NAME",
      "PulumiCommand",
      "destroy",
      "outputs",
      "preview",
      "resolveLocations",
      "up",
    ],
    entry: [],
    targets: [],
  });
});

test("a TypeScript consumer type-checks against the package's declarations (exports.types)", async () => {
  writeFileSync(
    join(scratch, "tool.ts"),
    `import { up, type OrthancConfigInput, type DriverOptions } from "orthanc-deploy";
const config: OrthancConfigInput = { target: "docker", orthanc: { name: "Research PACS" } };
const opts: DriverOptions = { stack: "research", config, home: "/srv/orthanc-deploy" };
export const run = async (): Promise<string> => String((await up(opts)).url?.value);
// @ts-expect-error: the schema's input type refuses an unknown key
export const bad: OrthancConfigInput = { target: "docker", orthanc: { replicaCount: 2 } };
`,
  );
  // A consumer's usual settings: Node 16+ module resolution, which reads `exports`.
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: "node16",
        moduleResolution: "node16",
        target: "es2022",
        types: [],
      },
      files: ["tool.ts"],
    }),
  );
  const tsc = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = await run(process.execPath, [tsc, "-p", "."], { cwd: scratch }).catch(
    (e: { stdout: string }) => e,
  );
  expect(result.stdout).toBe("");
});

test("the installed driver drives a stack against the fake CLI, state and passphrase under ~/.orthanc-deploy, none in node_modules", async () => {
  const fake = writeFakePulumi(join(tmp, "fake"));
  const user = join(tmp, "user");
  mkdirSync(user);
  const log = join(tmp, "calls.log");
  const script = `
    const { preview, up, PulumiCommand } = require("orthanc-deploy");
    (async () => {
      const pulumiCommand = await PulumiCommand.get({ root: process.env.FAKE_ROOT });
      const config = JSON.parse(process.env.CONFIG);
      await preview({ stack: "tool", pulumiCommand, config });
      const out = await up({ stack: "tool", pulumiCommand, config });
      console.log(JSON.stringify({ url: out.url.value }));
    })().catch((e) => { console.error(e.name + ": " + e.message); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    cwd: scratch,
    env: cleanEnv({ HOME: user, FAKE_LOG: log, FAKE_ROOT: fake, CONFIG: JSON.stringify(TRICKY) }),
  });
  expect(JSON.parse(stdout)).toEqual({ url: "http://127.0.0.1:8042/" });

  const calls: FakeCall[] = readCalls(log);
  const home = join(user, ".orthanc-deploy");
  expect(
    calls.map((c) => c.argv.slice(0, ["stack", "config"].includes(c.argv[0]) ? 2 : 1).join(" ")),
  ).toEqual([
    "version",
    "stack select",
    "config set-all",
    "preview",
    "stack select",
    "config set-all",
    "up",
    "stack output",
    "stack output",
    "stack history",
  ]);
  for (const c of calls.filter((c) => c.argv[0] !== "version"))
    expect(c).toMatchObject({
      cwd: join(home, "workspace"),
      backend: `file://${join(home, "state")}`,
      passfile: join(home, "passphrase"),
    });
  const given = calls.find((c) => c.argv[0] === "up")!.program!;
  expect(rawConfigFrom(given.config)).toEqual(TRICKY);
  expect(existsSync(join(home, "passphrase"))).toBe(true);
  expect(existsSync(join(home, "state"))).toBe(true);
  // Nothing of the stack's inside the installed package.
  const stray = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? stray(join(dir, e.name))
        : /passphrase|^Pulumi\..*\.yaml$|\.pulumi/.test(e.name)
          ? [join(dir, e.name)]
          : [],
    );
  expect(stray(installed())).toEqual([]);
  expect(existsSync(join(installed(), ".pulumi-state"))).toBe(false);
});
