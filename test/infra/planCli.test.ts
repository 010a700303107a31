/**
 * `npm run plan` as a process (`node -r @swc-node/register infra/plan.ts`, what the npm script
 * runs): `--json` piped into another program arrives whole, and the header says where the
 * configuration came from (only a file in `stacks/` is a shipped stack).
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const PLAN = ["-r", "@swc-node/register", "infra/plan.ts"];

/**
 * Runs the plan with its stdout piped (a shell pipe, 64 KB of buffer, as a user's `| jq`) into a
 * second Node process that parses all of it.
 */
function pipedJson(args: string[]): Promise<{ code: number; consumer: string }> {
  const consumer = `
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d) => (text += d));
    process.stdin.on("end", () => {
      const bytes = Buffer.byteLength(text);
      try {
        const json = JSON.parse(text);
        console.log(JSON.stringify({ bytes, steps: json.steps.length, waysIn: json.exposure.waysIn.length }));
      } catch (e) {
        console.log(JSON.stringify({ bytes, error: String(e) }));
      }
    });`;
  const node = JSON.stringify(process.execPath);
  const pipeline = `${node} ${PLAN.join(" ")} ${args.join(" ")} | ${node} -e "$CONSUMER"`;
  return new Promise((done) =>
    execFile(
      "bash",
      ["-o", "pipefail", "-c", pipeline],
      { cwd: root, timeout: 120_000, env: { ...process.env, CONSUMER: consumer } },
      (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, consumer: stdout }),
    ),
  );
}

test("--json piped into another program: the whole document (over a pipe's 64 KB), valid JSON", async () => {
  const { code, consumer } = await pipedJson(["--stack", "aws-fargate-s3", "--json"]);
  const result = JSON.parse(consumer);
  expect(result.error).toBeUndefined();
  expect(result.bytes).toBeGreaterThan(128 * 1024);
  expect(result.steps).toBe(119); // the stack itself and the plan's 118 registrations
  expect(result.waysIn).toBe(3);
  expect(code).toBe(0);
}, 120_000);

function planText(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      [...PLAN, ...args],
      { cwd: root, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

test("a file in stacks/ is a shipped stack; a --config-file elsewhere is not", async () => {
  const shipped = await planText(["--stack", "local"]);
  expect(shipped.stdout.split("\n")[0]).toBe(
    "Stack local (target docker, shipped stack file stacks/Pulumi.local.yaml): 19 resources to create (+), in 2 components (*)",
  );
  const copy = join(mkdtempSync(join(tmpdir(), "plan-source-")), "Pulumi.mine.yaml");
  copyFileSync(join(root, "stacks", "Pulumi.local.yaml"), copy);
  const mine = await planText(["--config-file", copy]);
  expect(mine.stdout.split("\n")[0]).toBe(
    `Stack mine (target docker, from ${copy}): 19 resources to create (+), in 2 components (*)`,
  );
  expect(mine.stdout).not.toMatch(/shipped/i);
  const missing = await planText(["--config-file", join(tmpdir(), "Pulumi.absent.yaml")]);
  expect(missing.code).toBe(2);
  expect(missing.stderr.trim()).toBe(`No file ${join(tmpdir(), "Pulumi.absent.yaml")}.`);
}, 120_000);

test("--diagram prints the Mermaid flowchart alone", async () => {
  const { code, stdout } = await planText(["--stack", "local", "--diagram"]);
  expect(code).toBe(0);
  expect(stdout.split("\n")[0]).toBe("flowchart LR");
  expect(stdout).not.toContain("Stack local");
}, 120_000);
