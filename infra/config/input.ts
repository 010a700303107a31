/**
 * The keys of a stack's configuration as Pulumi holds them (`namespace:name`, values decoded),
 * before the schema: the part both readers share, the stack file of the offline plan and the
 * `PULUMI_CONFIG` the CLI hands the program, so that both give the same answers. It keeps the
 * `orthanc:*` keys and refuses what Pulumi or the program would silently ignore or misread.
 */
import type { ConfigIssue } from "./errors";
import { NAMESPACE } from "./parse";
import { SECRET_FIELD } from "./primitives";
import { editDistance } from "./distance";

type Path = readonly PropertyKey[];

/** One `namespace:name` key of the stack's configuration. */
export interface ConfigEntry {
  key: string;
  value: unknown;
  /**
   * Whether the value at `path` (inside this key's value) was given encrypted: `false` when it
   * was given in plain text, `undefined` when the reader cannot tell.
   */
  encrypted(path: Path): boolean | undefined;
  /** Where `path` was written (`file:line:column`), when the reader knows. */
  where?(path: Path): string | undefined;
}

export interface ConfigInput {
  /** The `orthanc:*` keys, prefix stripped: what `safeParseConfig` reads. */
  raw: Record<string, unknown>;
  /** What is wrong with the keys themselves, before the schema. */
  issues: ConfigIssue[];
}

function looksLikeOurNamespace(ns: string): boolean {
  const lower = ns.toLowerCase();
  return lower.includes(NAMESPACE) || editDistance(lower, NAMESPACE) <= 2;
}

/** `<namespace>:<name>`, or the old `<namespace>:config:<name>` form Pulumi still reads. */
export function splitKey(key: string): { ns: string; name: string } | undefined {
  const parts = key.split(":");
  if (parts.length === 2 && parts[0] && parts[1]) return { ns: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2])
    return { ns: parts[0], name: parts[2] };
  return undefined;
}

function pathKey(base: string, path: Path): string {
  let key = base;
  for (const seg of path) key += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return key;
}

/** Every non-empty value under a secret key of `value`, with its path. */
function secretLeaves(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const last = path[path.length - 1];
  if (typeof last === "string" && SECRET_FIELD.test(last))
    return value === undefined || value === null || value === "" ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretLeaves(v, [...path, i]));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => secretLeaves(v, [...path, k]));
  return [];
}

/**
 * Provider settings the program does not read: each target makes its own providers from
 * `orthanc:*` keys, so `aws:region` would be ignored (and the stack deployed elsewhere).
 */
function providerKeyIssue(
  ns: string,
  name: string,
  raw: Record<string, unknown>,
): Omit<ConfigIssue, "where"> | undefined {
  const target = raw.target;
  const docker = (raw.docker ?? {}) as { host?: unknown };
  const key = `${ns}:${name}`;
  const rm = `\`pulumi config rm '${key}'\``;
  if (ns === "aws" && name === "region") {
    const ours =
      target === "aws"
        ? "orthanc:aws.region"
        : target === "docker" && docker.host === "aws-vm"
          ? "orthanc:docker.vm.region"
          : undefined;
    if (!ours) return undefined;
    return {
      key,
      message:
        `is the default AWS provider's setting, which this program does not use: it creates its own provider in \`${ours}\`, ` +
        `so this value would be ignored. Fix: ${rm} and \`pulumi config set --path '${ours}' <region>\`.`,
    };
  }
  if (ns === "docker" && name === "host" && target === "docker") {
    return {
      key,
      message:
        "is the default Docker provider's setting, which this program does not use: it connects to `orthanc:docker.host`, " +
        `so this value would be ignored. Fix: ${rm} and \`pulumi config set --path 'orthanc:docker.host' <local | ssh://user@host | tcp://host:2376 | aws-vm>\`.`,
    };
  }
  return undefined;
}

/** The `orthanc:*` keys of a stack's configuration, and what is wrong with its keys. */
export function inspectConfig(entries: readonly ConfigEntry[]): ConfigInput {
  const raw: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, ConfigEntry>();
  const others: Array<{ entry: ConfigEntry; ns: string; name: string }> = [];

  for (const entry of entries) {
    const at = entry.where?.([]);
    const split = splitKey(entry.key);
    if (!split) {
      const guess = entry.key.includes(":") ? entry.key.split(":").pop() : entry.key;
      issues.push({
        key: entry.key,
        where: at,
        message:
          "is not a configuration key: Pulumi reads keys as `<namespace>:<name>` and refuses this one. " +
          `Fix: write it as \`${NAMESPACE}:${guess}\`.`,
      });
      continue;
    }
    const { ns, name } = split;
    if (ns !== NAMESPACE) {
      if (looksLikeOurNamespace(ns)) {
        issues.push({
          key: entry.key,
          where: at,
          message:
            `is in namespace \`${ns}\`, not \`${NAMESPACE}\`: the program reads only \`${NAMESPACE}:*\` keys, so it would be ignored. ` +
            `Fix: rename it to \`${NAMESPACE}:${name}\`.`,
        });
      } else others.push({ entry, ns, name });
      continue;
    }
    const earlier = seen.get(name);
    if (earlier) {
      issues.push({
        key: `${NAMESPACE}:${name}`,
        where: at,
        message: `is given twice (as \`${earlier.key}\` and \`${entry.key}\`); Pulumi keeps only one. Fix: remove one of them.`,
      });
      continue;
    }
    seen.set(name, entry);
    raw[name] = entry.value;
  }

  for (const { entry, ns, name } of others) {
    const found = providerKeyIssue(ns, name, raw);
    if (found) issues.push({ ...found, where: entry.where?.([]) });
  }

  // A secret written in plain text is in the stack file (and its history) for anyone to read.
  for (const [name, entry] of seen) {
    for (const path of secretLeaves(entry.value)) {
      if (entry.encrypted(path) !== false) continue;
      const key = pathKey(`${NAMESPACE}:${name}`, path);
      issues.push({
        key,
        where: entry.where?.(path),
        message:
          "is a secret given in plain text (value hidden): it would sit unencrypted in the stack file and its history. " +
          `Fix: \`pulumi config set --secret --path '${key}' <value>\`, which stores it encrypted in its place (then rotate it, since it was readable).`,
      });
    }
  }
  return { raw, issues };
}
