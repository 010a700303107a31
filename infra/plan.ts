/**
 * Offline plan: `npm run plan -- --stack local [--json]` or `--config-file path.yaml`.
 * Runs the real program under mocks and prints what it would create. Needs nothing but Node.
 */
import { ConfigError } from "./config";
import { previewJson, planTree } from "./plan/format";
import { runPlan } from "./plan/runPlan";
import { readStackFile, shippedStacks, stackFilePath } from "./stackFiles";
import { existsSync } from "node:fs";

function usage(): never {
  console.error(
    `usage: npm run plan -- (--stack <name> | --config-file <Pulumi.<stack>.yaml>) [--json]\nshipped stacks: ${shippedStacks().join(", ")}`,
  );
  process.exit(2);
}

async function main(argv: string[]) {
  const arg = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const stack = arg("--stack");
  const file = arg("--config-file") ?? (stack ? stackFilePath(stack) : undefined);
  if (!file) usage();
  if (!existsSync(file)) {
    console.error(`No stack file ${file}. Shipped stacks: ${shippedStacks().join(", ")}.`);
    process.exit(2);
  }
  const name = stack ?? /Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1] ?? "plan";
  try {
    const plan = await runPlan(readStackFile(file), name);
    console.log(
      argv.includes("--json") ? JSON.stringify(previewJson(plan), null, 2) : planTree(plan),
    );
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${file}: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  // The mocked runtime may keep handles open; the plan is complete here.
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
