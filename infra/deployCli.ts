/**
 * The arguments of `npm run deploy`: parsed strictly (an unknown flag or a stray word is an error,
 * not silently ignored), `--flag=value` and `--flag value` alike. Pure: no file system, no process.
 */
import { parseArgs } from "node:util";

export type Operation = "up" | "preview" | "destroy" | "outputs" | "create";

export interface DeployArgs {
  stack: string;
  operation: Operation;
  /** `--destroy` without asking (the only way to destroy without a terminal). */
  yes: boolean;
  showSecrets: boolean;
  /** The shipped stack file a new one is copied from (`--create`). */
  from: string;
  /** The CLI's own text instead of the progress lines. */
  raw: boolean;
}

export type Parsed =
  { kind: "help" } | { kind: "error"; message: string } | { kind: "run"; args: DeployArgs };

export const OPTIONS = {
  stack: { type: "string" },
  preview: { type: "boolean" },
  destroy: { type: "boolean" },
  outputs: { type: "boolean" },
  "show-secrets": { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  create: { type: "boolean" },
  from: { type: "string" },
  raw: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Pulumi's own rule for a stack name (the part after any `org/project/`). */
const STACK_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export const HELP = `usage: npm run deploy -- --stack <name> [operation] [options]

Runs this program on stack <name> through the Pulumi Automation API, with the configuration in
stacks/Pulumi.<name>.yaml and the state in ~/.orthanc-deploy/state (a local file backend, its
passphrase kept apart; ORTHANC_DEPLOY_HOME moves both; no Pulumi Cloud login). The stack file is
checked, and the program planned offline, before the Pulumi CLI is looked for:
\`npm run plan -- --stack <name>\` shows the same without any CLI.

Operations (one at most; the default is to deploy: create or update everything):
  --preview            show what a deployment would change, change nothing
  --destroy            delete the stack's resources; protected ones (data volumes, databases,
                       buckets, keys) are left in place and listed first. Asks for confirmation
  --outputs            print the stack's outputs (secrets as [secret])
  --create             copy a stack file into stacks/Pulumi.<name>.yaml to edit, then stop

Options:
  --stack <name>       the stack (required); its file stacks/Pulumi.<name>.yaml must exist
  --from <stack>       with --create: the stack file to copy (default: local)
  --show-secrets       with --outputs or a deployment: print secret outputs in clear
  --yes, -y            with --destroy: do not ask (required when there is no terminal)
  --raw                print the Pulumi CLI's own output instead of the progress lines
  --help, -h           this text

The Pulumi CLI: the project's own (the npm package \`pulumi\`, fetched into ~/.pulumi/versions/
on first use; PULUMI_HOME moves it), else \`pulumi\` on PATH.

Examples:
  npm run deploy -- --stack local
  npm run deploy -- --stack local --outputs --show-secrets
  npm run deploy -- --stack mine --create --from aws-fargate-s3
  npm run deploy -- --stack local --destroy`;

function quoted(s: string) {
  return JSON.stringify(s);
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
}

export function parseDeployArgs(argv: readonly string[]): Parsed {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    // Node's messages name the flag: "Unknown option '--jsno'", "Option '--stack <value>' argument missing".
    const text = String((e as Error).message).replace(/\. To specify a positional.*$/s, "");
    return { kind: "error", message: `${text}. See --help.` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (positionals.length) {
    const hint =
      !values.stack && positionals.length === 1 ? ` Did you mean --stack ${positionals[0]}?` : "";
    return {
      kind: "error",
      message: `Unexpected argument ${quoted(positionals[0])}.${hint} See --help.`,
    };
  }
  const stack = values.stack;
  if (stack === undefined)
    return { kind: "error", message: "--stack <name> is required. See --help." };
  if (!STACK_NAME.test(stack)) {
    return {
      kind: "error",
      message: `--stack ${quoted(stack)}: a stack name is 1 to 100 letters, digits, '.', '-' or '_'.`,
    };
  }
  const ops = (["preview", "destroy", "outputs", "create"] as const).filter((o) => values[o]);
  if (ops.length > 1)
    return {
      kind: "error",
      message: `${ops.map((o) => `--${o}`).join(" and ")} cannot be combined: pick one operation.`,
    };
  const operation: Operation = ops.length ? ops[0] : "up";
  if (values.from !== undefined && operation !== "create")
    return { kind: "error", message: "--from only goes with --create." };
  if (values.from !== undefined && !STACK_NAME.test(values.from))
    return { kind: "error", message: `--from ${quoted(values.from)} is not a stack name.` };
  if (values.yes && operation !== "destroy")
    return {
      kind: "error",
      message: "--yes only goes with --destroy (nothing else asks for confirmation).",
    };
  if (values["show-secrets"] && operation !== "outputs" && operation !== "up")
    return {
      kind: "error",
      message: "--show-secrets only goes with --outputs or a deployment (no operation flag).",
    };
  if (values.raw && (operation === "outputs" || operation === "create"))
    return { kind: "error", message: `--raw has nothing to show with --${operation}.` };
  return {
    kind: "run",
    args: {
      stack,
      operation,
      yes: values.yes ?? false,
      showSecrets: values["show-secrets"] ?? false,
      from: values.from ?? "local",
      raw: values.raw ?? false,
    },
  };
}
