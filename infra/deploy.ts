/**
 * `npm run deploy -- --stack local [--preview | --destroy | --outputs | --create]` (`--help` for
 * all): checks the stack file and plans it offline, then finds the Pulumi CLI and runs the program
 * through the Automation API with a local state backend, showing progress as resources done/total
 * and elapsed time.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline/promises";
import type { EngineEvent, OutputMap } from "@pulumi/pulumi/automation";
import * as automation from "./automation";
import { ConfigError } from "./config";
import { DeployArgs, HELP, parseDeployArgs } from "./deployCli";
import { checkStackFile, DeployPlan, PlanResult } from "./deployPlan";
import { Progress } from "./deployProgress";
import { FoundCli, findPulumiCli } from "./pulumiCli";
import { shippedStacks, STACKS_DIR } from "./stackFiles";

type Driver = Pick<typeof automation, "preview" | "up" | "destroy" | "outputs">;

export interface DeployDeps {
  out: (line: string) => void;
  err: (line: string) => void;
  stacksDir: string;
  /** Whether a person can answer (stdin and stdout are terminals). */
  isTTY: boolean;
  ask: (question: string) => Promise<string>;
  offlinePlan: (file: string, stack: string) => Promise<PlanResult>;
  findCli: (stack: string, note: (line: string) => void) => Promise<FoundCli>;
  driver: Driver;
  now: () => number;
}

/** The top-level keys that tie a stack file to its own stack's secrets key: never copied. */
const STACK_KEY_LINE = /^(encryptionsalt|encryptedkey|secretsprovider):.*\n?/gm;

function createStackFile(args: DeployArgs, file: string, deps: DeployDeps): number {
  const show = (f: string) => relative(process.cwd(), f) || f;
  if (existsSync(file)) {
    deps.err(`${show(file)} already exists: edit it, or pick another stack name.`);
    return 2;
  }
  const source = join(deps.stacksDir, `Pulumi.${args.from}.yaml`);
  if (!existsSync(source)) {
    deps.err(
      `--from ${args.from}: no stack file ${show(source)}. Stacks to copy: ${shippedStacks(deps.stacksDir).join(", ")}.`,
    );
    return 2;
  }
  const text = readFileSync(source, "utf8").replace(STACK_KEY_LINE, "");
  writeFileSync(file, text, { flag: "wx" });
  deps.out(`Created ${show(file)} from ${show(source)}.`);
  if (/\bsecure:/.test(text))
    deps.out(
      `Its encrypted values belong to stack ${args.from}: set each again with \`pulumi config set --secret --path --stack ${args.stack} <key> <value>\`.`,
    );
  deps.out(
    `Next: put your own names, networks and keys in it, check it with \`npm run plan -- --stack ${args.stack}\`, then run \`npm run deploy -- --stack ${args.stack}\`.`,
  );
  return 0;
}

function printOutputs(out: OutputMap, args: DeployArgs, deps: DeployDeps) {
  deps.out("Outputs:");
  for (const [k, v] of Object.entries(out))
    deps.out(`  ${k}: ${v.secret && !args.showSecrets ? "[secret]" : JSON.stringify(v.value)}`);
  if (!args.showSecrets && Object.values(out).some((v) => v.secret))
    deps.out(
      `Read the secret outputs with: npm run deploy -- --stack ${args.stack} --outputs --show-secrets`,
    );
}

function describeLeftBehind(plan: DeployPlan, stack: string): string[] {
  const lines: string[] = [];
  if (plan.protected.length) {
    lines.push(
      `Left in place, protected (they stay in the stack and keep their data):`,
      ...plan.protected.map((r) => `  - ${r}`),
    );
  }
  if (plan.retained.length) {
    lines.push(
      `Removed from the stack but kept in the cloud (retainOnDelete):`,
      ...plan.retained.map((r) => `  - ${r}`),
    );
  }
  if (plan.protected.length)
    lines.push(
      `To delete protected resources too: run \`pulumi config set --stack ${stack} orthanc:protectData false\`, deploy, then destroy (only once their data is safe elsewhere).`,
    );
  return lines.length ? lines : ["Nothing is protected: everything the stack created is deleted."];
}

export async function deploy(argv: readonly string[], deps: DeployDeps): Promise<number> {
  const parsed = parseDeployArgs(argv);
  if (parsed.kind === "help") {
    deps.out(HELP);
    return 0;
  }
  if (parsed.kind === "error") {
    deps.err(parsed.message);
    return 2;
  }
  const args = parsed.args;
  const file = join(deps.stacksDir, `Pulumi.${args.stack}.yaml`);
  const shown = relative(process.cwd(), file) || file;
  if (args.operation === "create") return createStackFile(args, file, deps);
  if (!existsSync(file)) {
    deps.err(
      [
        `No stack file ${shown}: stack ${args.stack} has no configuration.`,
        `Stacks here: ${shippedStacks(deps.stacksDir).join(", ")}.`,
        `To start a new stack from one of them: npm run deploy -- --stack ${args.stack} --create --from local`,
      ].join("\n"),
    );
    return 2;
  }

  // Everything that needs no CLI first: a mistake in the stack file is found in seconds.
  const problem = checkStackFile(file);
  if (problem) {
    deps.err(problem);
    return 1;
  }
  let plan: DeployPlan | undefined;
  if (args.operation !== "outputs") {
    const result = await deps.offlinePlan(file, args.stack);
    if (!result.ok) {
      deps.err(result.message);
      return 1;
    }
    plan = result.plan;
    deps.out(`${shown}: checked; the offline plan has ${plan.resources} resources.`);
  }
  if (args.operation === "destroy" && plan) {
    describeLeftBehind(plan, args.stack).forEach((l) => deps.out(l));
    if (!args.yes) {
      if (!deps.isTTY) {
        deps.err(
          `Not destroying stack ${args.stack}: there is no terminal to confirm on. Add --yes to destroy without asking.`,
        );
        return 2;
      }
      const answer = await deps.ask(
        `Destroy stack ${args.stack}? Type its name (${args.stack}) to confirm: `,
      );
      if (answer.trim() !== args.stack) {
        deps.err("Not destroyed.");
        return 1;
      }
    }
  }

  const cli = await deps.findCli(args.stack, deps.out);
  deps.out(`Using ${cli.source}.`);
  const start = deps.now();
  const progress = new Progress({
    start,
    expected: args.operation === "destroy" ? undefined : plan?.resources,
    preview: args.operation === "preview",
  });
  const stream = args.raw
    ? { onOutput: (t: string) => deps.out(t.replace(/\n$/, "")) }
    : { onEvent: (e: EngineEvent) => progress.lines(e, deps.now()).forEach((l) => deps.out(l)) };
  const opts = { stack: args.stack, pulumiCommand: cli.command, ...stream };
  switch (args.operation) {
    case "preview":
      await deps.driver.preview(opts);
      break;
    case "destroy":
      await deps.driver.destroy({ ...opts, excludeProtected: true });
      break;
    case "outputs":
      printOutputs(await deps.driver.outputs(opts), args, deps);
      break;
    case "up":
      printOutputs(await deps.driver.up(opts), args, deps);
      break;
  }
  return 0;
}

/** `infra/deployPlan.ts` in a child process, with the loader this process runs under. */
function offlinePlan(file: string, stack: string): Promise<PlanResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [...process.execArgv, join(__dirname, "deployPlan.ts"), file, stack],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          done(JSON.parse(stdout) as PlanResult);
        } catch {
          fail(new Error(`the offline plan failed: ${error?.message ?? ""}\n${stderr}`));
        }
      },
    );
  });
}

if (require.main === module) {
  const deps: DeployDeps = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    stacksDir: STACKS_DIR,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    ask: async (q) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(q);
      } finally {
        rl.close();
      }
    },
    offlinePlan,
    findCli: (stack, note) => findPulumiCli({ stack, note }),
    driver: automation,
    now: () => Date.now(),
  };
  deploy(process.argv.slice(2), deps).then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (e) => {
      const err = e as Error;
      const known = e instanceof ConfigError || e instanceof automation.DeployError;
      process.stderr.write(`${known ? err.message : `${err?.message ?? e}`}\n`, () =>
        process.exit(1),
      );
    },
  );
}
