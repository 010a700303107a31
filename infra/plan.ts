/**
 * Offline plan: `npm run plan -- --stack local [--json | --diagram]` or `--config-file path.yaml`.
 * Runs the real program under mocks and prints what it would create, then its exposure summary
 * (`--json`: the shape of `pulumi preview --json` plus `exposure`; `--diagram`: a Mermaid
 * flowchart). Needs nothing but Node.
 * A configuration with problems is refused before the program runs: every problem with its
 * key, line and fix, no stack trace, no secret.
 */
import { ConfigError } from "./config";
import { redactText } from "./config/redact";
import { mermaidDiagram } from "./plan/diagram";
import { previewJson, planTree } from "./plan/format";
import { runPlan } from "./plan/runPlan";
import {
  inspectStackFile,
  shippedStacks,
  STACKS_DIR,
  stackFileIssues,
  stackFilePath,
} from "./stackFiles";
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

const USAGE =
  "usage: npm run plan -- (--stack <name> | --config-file <Pulumi.<stack>.yaml>) [--json | --diagram]";

/**
 * Exits once everything written has reached stdout and stderr: on a pipe, Node writes
 * asynchronously, and exiting at once would cut a long plan (64 KB, a pipe's buffer).
 */
function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

async function main(argv: string[]): Promise<number> {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stack = arg("--stack");
  const file = arg("--config-file") ?? (stack ? stackFilePath(stack) : undefined);
  if (!file) {
    console.error(`${USAGE}\nshipped stacks (stacks/): ${shippedStacks().join(", ")}`);
    return 2;
  }
  if (!existsSync(file)) {
    console.error(
      stack && !arg("--config-file")
        ? `No stack file ${file}. Shipped stacks (stacks/): ${shippedStacks().join(", ")}.`
        : `No file ${file}.`,
    );
    return 2;
  }
  const shipped = resolve(dirname(file)) === resolve(STACKS_DIR);
  const name = stack ?? /Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] ?? "plan";
  const stackFile = inspectStackFile(file);
  const issues = stackFileIssues(stackFile);
  if (issues.length) {
    console.error(`${file}: ${new ConfigError(issues).message}`);
    return 1;
  }
  try {
    const plan = await runPlan(stackFile.raw, name);
    const source = { file: shipped ? relative(process.cwd(), file) || file : file, shipped };
    const json = argv.includes("--json");
    const text = json
      ? JSON.stringify(previewJson(plan), null, 2)
      : argv.includes("--diagram")
        ? mermaidDiagram(plan)
        : planTree(plan, source);
    process.stdout.write(`${text}\n`);
    // npm prints its `> orthanc-deploy@... plan` banner on stdout unless run with -s.
    if (
      json &&
      process.env.npm_lifecycle_event === "plan" &&
      process.env.npm_config_loglevel !== "silent"
    )
      console.error(
        "note: npm printed its banner above the JSON on stdout; use `npm run -s plan -- ... --json` for JSON alone",
      );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  // The mocked runtime may keep handles open: exit once the plan is written.
  exitAfterOutput,
  (e) => {
    // Not a configuration problem: a bug of the program. Its message only (secret-shaped text
    // hidden); the stack with ORTHANC_PLAN_DEBUG=1.
    const err = e as Error;
    console.error(`plan failed: ${redactText(String(err?.message ?? e))}`);
    if (process.env.ORTHANC_PLAN_DEBUG === "1") console.error(err?.stack);
    else console.error("(set ORTHANC_PLAN_DEBUG=1 for the stack trace)");
    exitAfterOutput(1);
  },
);
