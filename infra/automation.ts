/**
 * The Automation API driver: deploy a stack of this program from another tool with typed
 * configuration. `preview`, `up`, `destroy` and `outputs` for a stack name; state in a local file
 * backend by default (no Pulumi Cloud login); progress streamed to the caller; failures mapped to
 * `DeployError`s with a clear message. The package's entry is `driver.ts`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
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
import { parse as parseYaml } from "yaml";
import { ConfigError, NAMESPACE, OrthancConfigInput, parseConfig } from "./config";
import { SECRET_FIELD } from "./config/primitives";
import { orthancProgram } from "./program";

/** The checkout or installed package: `infra/..` from source, `dist/infra/../..` when built. */
function findRoot(from: string): string {
  const up = resolve(from, "..");
  return existsSync(join(up, "package.json")) ? up : resolve(up, "..");
}

export const PROJECT_ROOT = findRoot(__dirname);
export const PROJECT_NAME = "orthanc";

export interface DriverOptions {
  /**
   * Stack name. Without `config`, a checkout's `stacks/Pulumi.<stack>.yaml` supplies the
   * configuration; otherwise the configuration last given for this stack (see `config`).
   */
  stack: string;
  /**
   * Typed configuration (validated first). It replaces the stack's whole configuration, kept in
   * the driver's own workspace (`<home>/workspace`), never in the tracked `stacks/` files.
   */
  config?: OrthancConfigInput;
  /** The driver's directory. Default: `$ORTHANC_DEPLOY_HOME`, else `~/.orthanc-deploy`. */
  home?: string;
  /** Where state lives. Default: `$PULUMI_BACKEND_URL`, else `file://<home>/state`. */
  backendUrl?: string;
  /**
   * The generated passphrase of a local backend (created on first use, mode 0600). Default:
   * `$ORTHANC_DEPLOY_PASSPHRASE_FILE`, else `<home>/passphrase`. Unused when the caller sets
   * PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE.
   */
  passphraseFile?: string;
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

/** Where the driver keeps what it owns, as `resolveLocations` settles it. */
export interface Locations {
  home: string;
  backendUrl: string;
  /** The state directory of a `file://` backend. */
  stateDir?: string;
  /** The driver-managed passphrase file; undefined when the caller gives the passphrase. */
  passphraseFile?: string;
  /** Pulumi.yaml and the `Pulumi.<stack>.yaml` of stacks driven with typed config. */
  workspaceDir: string;
}

const inNodeModules = (path: string) => /(^|[\\/])node_modules([\\/]|$)/.test(path);
const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
};

/** `file://~/x`, `file:///abs`, `file://rel` (with query options) as a directory. */
function fileBackendDir(url: string): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  const path = url.slice("file://".length).split("?")[0];
  return resolve(path.startsWith("~") ? join(homedir(), path.slice(1)) : path);
}

/**
 * Settles the locations. State and passphrase must not be inside `node_modules` (an installed
 * package is replaced on every install) and the passphrase not inside the state (a copy of the
 * state must not carry its key). State of an earlier version, kept in the checkout, is not
 * silently left behind: the caller is told how to move it.
 */
export function resolveLocations(opts: DriverOptions, root = PROJECT_ROOT): Locations {
  const env = { ...process.env, ...opts.envVars };
  const home = resolve(
    opts.home ?? process.env.ORTHANC_DEPLOY_HOME ?? join(homedir(), ".orthanc-deploy"),
  );
  const chosen = opts.backendUrl ?? env.PULUMI_BACKEND_URL;
  const legacy = join(root, ".pulumi-state");
  if (!chosen && existsSync(legacy)) {
    throw new DeployError(
      `State of an earlier version is in ${legacy}, inside the project, with its passphrase beside it. ` +
        `Move both to the driver's home (${home}), apart from each other: ` +
        `\`mkdir -p ${home} && mv ${join(legacy, "passphrase")} ${join(home, "passphrase")} && mv ${legacy} ${join(home, "state")}\`` +
        ` (or name the backend explicitly: PULUMI_BACKEND_URL=file://${legacy}).`,
    );
  }
  const backendUrl = chosen ?? `file://${join(home, "state")}`;
  const stateDir = fileBackendDir(backendUrl);
  const callerPassphrase =
    env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  const passphraseFile =
    stateDir && !callerPassphrase
      ? resolve(
          opts.passphraseFile ??
            process.env.ORTHANC_DEPLOY_PASSPHRASE_FILE ??
            join(home, "passphrase"),
        )
      : undefined;
  const refuse = (what: string, path: string, why: string, fix: string) =>
    new DeployError(`The ${what} would be ${path}, ${why}. Fix: ${fix}.`);
  for (const [what, path, fix] of [
    ["driver's home", home, "pass `home` or set ORTHANC_DEPLOY_HOME to a directory outside it"],
    ["state", stateDir, "pass `backendUrl` or set PULUMI_BACKEND_URL to a directory outside it"],
    [
      "passphrase file",
      passphraseFile,
      "pass `passphraseFile` or set ORTHANC_DEPLOY_PASSPHRASE_FILE to a file outside it",
    ],
  ] as const) {
    if (path && inNodeModules(path))
      throw refuse(what, path, "inside node_modules, which a package install replaces", fix);
  }
  if (stateDir && passphraseFile && inside(stateDir, passphraseFile))
    throw refuse(
      "passphrase file",
      passphraseFile,
      `inside the state (${stateDir}), so every copy of the state would carry the key to its secrets`,
      "pass `passphraseFile` or set ORTHANC_DEPLOY_PASSPHRASE_FILE to a file outside the state",
    );
  return { home, backendUrl, stateDir, passphraseFile, workspaceDir: join(home, "workspace") };
}

/** The CLI's state environment; a local backend's passphrase is generated on first use. */
function stateEnv(loc: Locations): Record<string, string> {
  const env: Record<string, string> = { PULUMI_BACKEND_URL: loc.backendUrl };
  if (loc.stateDir) mkdirSync(loc.stateDir, { recursive: true, mode: 0o700 });
  if (loc.passphraseFile) {
    mkdirSync(dirname(loc.passphraseFile), { recursive: true, mode: 0o700 });
    if (!existsSync(loc.passphraseFile))
      writeFileSync(loc.passphraseFile, randomBytes(32).toString("base64url"), {
        mode: 0o600,
        flag: "wx",
      });
    readFileSync(loc.passphraseFile); // fail here, clearly, if it is unreadable
    env.PULUMI_CONFIG_PASSPHRASE_FILE = loc.passphraseFile;
  }
  return env;
}

/** A `--path` segment: plain when the CLI reads it back as the same key, else quoted. */
const pathSegment = (key: string | number) =>
  typeof key === "number"
    ? `[${key}]`
    : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)
      ? `.${key}`
      : `[${JSON.stringify(key)}]`;

/**
 * Splits typed config into what the stack settings file holds as written (every value with its
 * type: `"16"` stays a string, `[]` an empty list) and the secret leaves, which only the CLI can
 * encrypt: `config set-all --path --secret` keeps them strings. A leaf is secret under a key
 * `SECRET_FIELD` names; empty strings stay plain, as the schema reads them as unset.
 */
export function splitConfig(config: OrthancConfigInput): {
  plain: Record<string, unknown>;
  secrets: ConfigMap;
} {
  const secrets: ConfigMap = {};
  const walk = (value: unknown, key: string, secret: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, key + pathSegment(i), secret));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const kept = walk(v, key + pathSegment(k), secret || SECRET_FIELD.test(k));
        if (kept !== undefined) out[k] = kept;
      }
      return out;
    }
    if (secret && typeof value === "string" && value !== "") {
      secrets[key] = { value, secret: true };
      return undefined;
    }
    return value;
  };
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const kept = walk(v, `${NAMESPACE}:${k}`, SECRET_FIELD.test(k));
    if (kept !== undefined) plain[`${NAMESPACE}:${k}`] = kept;
  }
  return { plain, secrets };
}

/**
 * Replaces the stack's configuration in the driver's workspace: the settings file is rewritten
 * with the caller's plain values (keys from an earlier run do not survive) and the secrets
 * provider's fields the CLI keeps there (`encryptionsalt`...), then the CLI encrypts the secrets.
 * JSON is YAML: every string is quoted, so the CLI reads back exactly what was given.
 */
async function replaceConfig(stack: Stack, workDir: string, config: OrthancConfigInput) {
  const { plain, secrets } = splitConfig(config);
  const file = join(workDir, `Pulumi.${stack.name.split("/").pop()}.yaml`);
  const kept = existsSync(file)
    ? ((parseYaml(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>)
    : {};
  delete kept.config;
  writeFileSync(
    file,
    "# Written by the orthanc-deploy driver on every run with typed config: edits here are replaced.\n" +
      JSON.stringify({ ...kept, config: plain }, null, 2) +
      "\n",
    { mode: 0o600 },
  );
  if (Object.keys(secrets).length) await stack.setAllConfig(secrets, true);
}

/** A checkout's own stack file, used when no typed config is given. */
function checkoutStackFile(stack: string): boolean {
  return (
    !inNodeModules(PROJECT_ROOT) &&
    existsSync(join(PROJECT_ROOT, "stacks", `Pulumi.${stack.split("/").pop()}.yaml`))
  );
}

async function openStack(opts: DriverOptions): Promise<Stack> {
  if (opts.config) parseConfig(opts.config as Record<string, unknown>); // every error before any CLI call
  const loc = resolveLocations(opts);
  // Typed config lives in the driver's workspace; a checkout's stack file is read where it is.
  const checkout = !opts.config && checkoutStackFile(opts.stack);
  const workDir = checkout ? PROJECT_ROOT : loc.workspaceDir;
  if (!checkout) mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const stack = await LocalWorkspace.createOrSelectStack(
    // The program reads the stack's configuration through the same boundary as `pulumi up`.
    { stackName: opts.stack, projectName: PROJECT_NAME, program: async () => orthancProgram() },
    {
      workDir,
      projectSettings: checkout ? undefined : { name: PROJECT_NAME, runtime: "nodejs" },
      pulumiCommand: opts.pulumiCommand,
      envVars: { ...stateEnv(loc), ...opts.envVars },
    },
  );
  if (opts.config) await replaceConfig(stack, workDir, opts.config);
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
