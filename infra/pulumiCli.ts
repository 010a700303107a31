/**
 * Which Pulumi CLI `npm run deploy` runs: the project's own (the npm package `pulumi`, pinned in
 * package.json, which fetches the CLI from get.pulumi.com into ~/.pulumi/versions/<version> on
 * first use), else `pulumi` on PATH. When neither is there, a message that says why and what to do.
 */
import { dirname, join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { DeployError } from "./automation";

export interface FoundCli {
  command: PulumiCommand;
  /** Where it came from, for one line of output. */
  source: string;
}

/** The `pulumi` package's own resolver (lib/resolve.js): the cached CLI, downloaded if missing. */
type Resolve = () => Promise<string>;

function projectResolver(): { resolve: Resolve; version: string } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS package without types
    const { resolve } = require("pulumi/lib/resolve") as { resolve: Resolve };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require("pulumi/package.json") as { version: string };
    return { resolve, version: process.env.PULUMI_VERSION || version };
  } catch {
    return undefined;
  }
}

/** The root cause of a failed download, in words: `fetch failed` alone says nothing. */
export function downloadFailure(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const code = err?.cause?.code;
  const via = process.env.HTTPS_PROXY || process.env.https_proxy;
  const proxy =
    via && (process.env.NODE_USE_ENV_PROXY === "1" || process.execArgv.includes("--use-env-proxy"))
      ? ` (through the proxy ${via})`
      : "";
  const reasons: Record<string, string> = {
    ENOTFOUND: "the name get.pulumi.com does not resolve (no DNS or no network)",
    EAI_AGAIN: "the name get.pulumi.com does not resolve (no DNS or no network)",
    ECONNREFUSED: "the connection was refused",
    ECONNRESET: "the connection was reset",
    ETIMEDOUT: "the connection timed out",
    UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
    ENETUNREACH: "the network is unreachable",
    EHOSTUNREACH: "the host is unreachable",
  };
  if (code && reasons[code])
    return `get.pulumi.com cannot be reached from here: ${reasons[code]}${proxy}`;
  return `downloading it failed: ${err?.cause?.message ?? err?.message ?? String(e)}${proxy}`;
}

export async function findPulumiCli(deps: {
  project?: () => { resolve: Resolve; version: string } | undefined;
  fromPath?: () => Promise<PulumiCommand>;
  note: (line: string) => void;
  stack: string;
}): Promise<FoundCli> {
  const project = (deps.project ?? projectResolver)();
  const fromPath = deps.fromPath ?? (() => PulumiCommand.get());
  let projectProblem: string;
  if (!project) {
    projectProblem =
      "the project's CLI (npm package `pulumi`) is not installed: run ./scripts/setup.sh";
  } else {
    try {
      const bin = await project.resolve();
      // PulumiCommand wants the install root (<root>/bin/pulumi); it also checks the version
      // against the Automation API's minimum and puts the bundled language hosts first on PATH.
      const command = await PulumiCommand.get({ root: dirname(dirname(bin)) });
      return { command, source: `Pulumi CLI ${command.version} (the project's, ${bin})` };
    } catch (e) {
      const text = String((e as Error)?.message ?? e);
      projectProblem = /Minimum version|version mismatch/i.test(text)
        ? `the project's CLI does not suit the Automation API: ${text}`
        : `the project's CLI v${project.version} is not downloaded yet, and ${downloadFailure(e)}`;
    }
  }
  try {
    const command = await fromPath();
    deps.note(`Using pulumi ${command.version} from PATH (${projectProblem}).`);
    return { command, source: `Pulumi CLI ${command.version} (on PATH)` };
  } catch (e) {
    const text = String((e as Error)?.message ?? e);
    const pathProblem = /ENOENT|not found/i.test(text)
      ? "there is no `pulumi` on PATH"
      : `the \`pulumi\` on PATH does not run: ${text.split("\n")[0]}`;
    const home = process.env.PULUMI_HOME || join("~", ".pulumi");
    throw new DeployError(
      [
        "The Pulumi CLI is needed to deploy, and none can be used:",
        `  - ${projectProblem};`,
        `  - ${pathProblem}.`,
        "Install it: run this command again where get.pulumi.com can be reached (the project's CLI is",
        `downloaded into ${join(home, "versions")} on first use), or install it yourself`,
        "(https://www.pulumi.com/docs/install/) and put `pulumi` on PATH.",
        `Without the CLI, \`npm run plan -- --stack ${deps.stack}\` shows everything this stack would create.`,
      ].join("\n"),
      e,
    );
  }
}
