/**
 * Offline plan: `npm run plan -- --stack local [--json]` or `--config-file path.yaml`.
 * Runs the real program under mocks and prints what it would create. Needs nothing but Node.
 * A configuration with problems is refused before the program runs: every problem with its
 * key, line and fix, no stack trace, no secret.
 */
import { ConfigError } from "./config";
import { redactText } from "./config/redact";
import { previewJson, planTree } from "./plan/format";
import { runPlan } from "./plan/runPlan";
import { inspectStackFile, shippedStacks, stackFileIssues, stackFilePath } from "./stackFiles";
import { existsSync } from "node:fs";

function usage(): never {
  console.error(
    `usage: npm run plan -- (--stack <name> | --config-file <Pulumi.<stack>.yaml>) [--json]\nshipped stacks: ${shippedStacks().join(", ")}`,
  );
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stack = arg("--stack");
  const file = arg("--config-file") ?? (stack ? stackFilePath(stack) : undefined);
  if (!file) usage();
  if (!existsSync(file)) {
    console.error(`No stack file ${file}. Shipped stacks: ${shippedStacks().join(", ")}.`);
    return 2;
  }
  const name = stack ?? /Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] ?? "plan";
  const stackFile = inspectStackFile(file);
  const issues = stackFileIssues(stackFile);
  if (issues.length) {
    console.error(`${file}: ${new ConfigError(issues).message}`);
    return 1;
  }
  try {
    const plan = await runPlan(stackFile.raw, name);
    console.log(
      argv.includes("--json") ? JSON.stringify(previewJson(plan), null, 2) : planTree(plan),
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
  // The mocked runtime may keep handles open; the plan is complete here.
  (code) => process.exit(code),
  (e) => {
    // Not a configuration problem: a bug of the program. Its message only (secret-shaped text
    // hidden); the stack with ORTHANC_PLAN_DEBUG=1.
    const err = e as Error;
    console.error(`plan failed: ${redactText(String(err?.message ?? e))}`);
    if (process.env.ORTHANC_PLAN_DEBUG === "1") console.error(err?.stack);
    else console.error("(set ORTHANC_PLAN_DEBUG=1 for the stack trace)");
    process.exit(1);
  },
);
