/**
 * The Automation API driver: deploy a stack of this program from another tool with typed
 * configuration. `preview`, `up`, `destroy` and `outputs` for a stack name; state in a local file
 * backend by default (no Pulumi Cloud login); progress streamed to the caller; failures mapped to
 * `DeployError`s with a clear message.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  CommandError,
  ConcurrentUpdateError,
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  OutputMap,
  PulumiCommand,
  Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import { ConfigError, NAMESPACE, OrthancConfigInput, parseConfig } from "./config";
import { SECRET_FIELD } from "./config/primitives";
import { orthancProgram } from "./program";

export const PROJECT_ROOT = resolve(__dirname, "..");
export const PROJECT_NAME = "orthanc";

export interface DriverOptions {
  /** Stack name; its `stacks/Pulumi.<stack>.yaml` supplies the configuration unless `config` is given. */
  stack: string;
  /** Typed configuration written to the stack before the operation (validated first). */
  config?: OrthancConfigInput;
  /** Where state lives. Default: `file://<project>/.pulumi-state`. */
  backendUrl?: string;
  /** The Pulumi CLI to run; default: `pulumi` on PATH. */
  pulumiCommand?: PulumiCommand;
  /** Progress, one chunk of CLI output at a time. */
  onOutput?: (text: string) => void;
  /** Progress as the engine's structured events (resource steps, diagnostics, summary). */
  onEvent?: (event: EngineEvent) => void;
  /** Extra environment for the CLI (cloud credentials, DOCKER_HOST...). */
  envVars?: Record<string, string>;
}

/** A failed operation, with a message that says what to do. */
export class DeployError extends Error {
  constructor(
    message: string,
    public readonly cause?: unknown,
  ) {
    super(message);
    this.name = "DeployError";
  }
}

/** `{orthanc: {dicom: {port: 1}}}` -> `orthanc:orthanc.dicom.port`, secrets flagged, for `--path` config. */
export function flattenConfig(config: OrthancConfigInput): ConfigMap {
  const out: ConfigMap = {};
  const walk = (value: unknown, key: string, secret: boolean) => {
    if (Array.isArray(value)) {
      if (value.length === 0) out[key] = { value: "[]" };
      value.forEach((v, i) => walk(v, `${key}[${i}]`, secret));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value))
        walk(v, `${key}.${k}`, secret || SECRET_FIELD.test(k));
    } else if (value !== undefined) {
      out[key] = { value: String(value), secret };
    }
  };
  for (const [k, v] of Object.entries(config)) walk(v, `${NAMESPACE}:${k}`, SECRET_FIELD.test(k));
  return out;
}

/**
 * Local state needs a passphrase to encrypt secrets; one is generated on first use and kept
 * next to the state (mode 0600), unless the caller set PULUMI_CONFIG_PASSPHRASE(_FILE).
 */
function localStateEnv(opts: DriverOptions): Record<string, string> {
  const env: Record<string, string> = {};
  const backend =
    opts.backendUrl ??
    process.env.PULUMI_BACKEND_URL ??
    `file://${join(PROJECT_ROOT, ".pulumi-state")}`;
  env.PULUMI_BACKEND_URL = backend;
  const callerSet =
    process.env.PULUMI_CONFIG_PASSPHRASE !== undefined ||
    process.env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined ||
    opts.envVars?.PULUMI_CONFIG_PASSPHRASE !== undefined ||
    opts.envVars?.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  if (backend.startsWith("file://") && !callerSet) {
    const dir = backend.slice("file://".length);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, "passphrase");
    if (!existsSync(file))
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    readFileSync(file); // fail here, clearly, if it is unreadable
    env.PULUMI_CONFIG_PASSPHRASE_FILE = file;
  }
  return env;
}

async function openStack(opts: DriverOptions): Promise<Stack> {
  if (opts.config) parseConfig(opts.config as Record<string, unknown>); // every error before any CLI call
  const stack = await LocalWorkspace.createOrSelectStack(
    // The program reads the stack's configuration through the same boundary as `pulumi up`.
    { stackName: opts.stack, projectName: PROJECT_NAME, program: async () => orthancProgram() },
    {
      workDir: PROJECT_ROOT,
      pulumiCommand: opts.pulumiCommand,
      envVars: { ...localStateEnv(opts), ...opts.envVars },
    },
  );
  if (opts.config) await stack.setAllConfig(flattenConfig(opts.config), true);
  return stack;
}

async function run<T>(what: string, opts: DriverOptions, op: (s: Stack) => Promise<T>): Promise<T> {
  try {
    return await op(await openStack(opts));
  } catch (e) {
    throw toDeployError(what, opts.stack, e);
  }
}

export function toDeployError(what: string, stack: string, e: unknown): Error {
  if (e instanceof ConfigError || e instanceof DeployError) return e;
  if (e instanceof ConcurrentUpdateError) {
    return new DeployError(
      `${what} of stack ${stack}: another update is running. Wait for it, or run \`pulumi cancel --stack ${stack}\` if it died.`,
      e,
    );
  }
  if (e instanceof StackNotFoundError) {
    return new DeployError(
      `${what}: stack ${stack} does not exist in this backend. Check the stack name and PULUMI_BACKEND_URL.`,
      e,
    );
  }
  const text = String((e as Error)?.message ?? e);
  if (/ENOENT.*pulumi|pulumi.*ENOENT/.test(text)) {
    return new DeployError(
      `${what}: the Pulumi CLI was not found. Install it (https://www.pulumi.com/docs/install/) and make sure \`pulumi\` is on PATH.`,
      e,
    );
  }
  if (e instanceof CommandError) {
    const lines = text
      .split("\n")
      .filter((l) => /error:|Error:/.test(l))
      .slice(0, 5);
    return new DeployError(
      `${what} of stack ${stack} failed${lines.length ? `:\n${lines.join("\n")}` : `: ${text}`}`,
      e,
    );
  }
  return e instanceof Error ? e : new Error(text);
}

export async function preview(opts: DriverOptions) {
  return run("Preview", opts, (s) => s.preview({ onOutput: opts.onOutput, onEvent: opts.onEvent }));
}

export async function up(opts: DriverOptions) {
  return run(
    "Update",
    opts,
    async (s) => (await s.up({ onOutput: opts.onOutput, onEvent: opts.onEvent })).outputs,
  );
}

/**
 * `excludeProtected`: delete everything but the protected resources (and what they need), instead
 * of refusing the whole destroy because some are protected.
 */
export async function destroy(opts: DriverOptions & { excludeProtected?: boolean }) {
  return run("Destroy", opts, (s) =>
    s.destroy({
      onOutput: opts.onOutput,
      onEvent: opts.onEvent,
      excludeProtected: opts.excludeProtected,
    }),
  );
}

/** Stack outputs; secret ones stay marked (`secret: true`) and are revealed only as the CLI does. */
export async function outputs(opts: DriverOptions): Promise<OutputMap> {
  return run("Reading outputs", opts, (s) => s.outputs());
}
