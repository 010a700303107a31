/**
 * The `pulumi up` path without the CLI: Pulumi's Node runtime loads `index.ts` through the
 * project's ts-node and passes stack config in PULUMI_CONFIG (JSON-encoded structured values).
 * This loads the entry the same way in a fresh process and calls it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(__dirname, "..", "..");

async function callEntry(config: Record<string, string>): Promise<string> {
  const script = `
    require("ts-node").register({ transpileOnly: true });
    const program = require("./index.ts");
    // The runtime awaits the program's promise, as here.
    Promise.resolve()
      .then(() => program())
      .then(() => console.log("RESULT ok"))
      .catch((e) => console.log("RESULT " + e.name + ": " + e.message));`;
  const { stdout } = await run(process.execPath, ["-e", script], {
    cwd: root,
    env: { ...process.env, PULUMI_CONFIG: JSON.stringify(config) },
    timeout: 60_000,
  });
  return stdout.slice(stdout.indexOf("RESULT "));
}

test("index.ts loads through ts-node and exports the program as a function", async () => {
  const { stdout } = await run(
    process.execPath,
    [
      "-e",
      'require("ts-node").register({ transpileOnly: true }); console.log(typeof require("./index.ts"))',
    ],
    { cwd: root },
  );
  expect(stdout.trim()).toBe("function");
});

test("config as the CLI passes it reaches the schema: a typo fails before any resource", async () => {
  const out = await callEntry({
    "orthanc:target": "docker",
    "orthanc:orthanc": JSON.stringify({ replicaCount: 2 }),
  });
  expect(out).toMatch(
    /^RESULT ConfigError: Invalid stack configuration \(1 problem\):\n {2}- orthanc:orthanc.replicaCount: unknown key\. Did you mean `replicas`\?/,
  );
});

test("without a target the program says how to set one", async () => {
  const out = await callEntry({});
  expect(out).toMatch(
    /orthanc:target: is required\. Allowed: docker, aws, kubernetes\. Fix: `pulumi config set orthanc:target docker`/,
  );
});
