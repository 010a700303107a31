import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { NAMESPACE } from "./config";

export const STACKS_DIR = join(__dirname, "..", "stacks");

/** Marks a value that was `secure:` in a stack file and cannot be decrypted offline. */
export const UNDECRYPTED_SECRET = "[secret: encrypted in the stack file]";

function replaceSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceSecure);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return UNDECRYPTED_SECRET;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, replaceSecure(v)]));
  }
  return value;
}

/**
 * The `orthanc:*` keys of a `Pulumi.<stack>.yaml`, prefix stripped. Encrypted (`secure:`) values
 * become a placeholder: only the Pulumi CLI can decrypt them.
 */
export function readStackFile(path: string): Record<string, unknown> {
  const doc = (parse(readFileSync(path, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const [ns, ...rest] = key.split(":");
    if (ns === NAMESPACE) raw[rest.join(":")] = replaceSecure(value);
  }
  return raw;
}

/** Stack names shipped in `stacks/`, sorted. */
export function shippedStacks(dir = STACKS_DIR): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(basename(f))?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

export function stackFilePath(stack: string, dir = STACKS_DIR): string {
  const yaml = join(dir, `Pulumi.${stack}.yaml`);
  return yaml;
}
