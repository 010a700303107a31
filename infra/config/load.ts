import * as pulumi from "@pulumi/pulumi";
import { ConfigError, NAMESPACE, safeParseConfig } from "./parse";
import { ConfigEntry, ConfigInput, inspectConfig } from "./input";
import type { OrthancConfig } from "./schema";

/**
 * Decodes one stored config value. The CLI keeps structured values (`--path` sets, YAML maps)
 * as JSON text and scalars as plain strings, so `"2"` becomes 2 and `"docker"` stays a string.
 */
export function decodeConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The `orthanc:*` keys of a flat `namespace:key` map, prefix stripped and values decoded. */
export function rawConfigFrom(all: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, ...rest] = fullKey.split(":");
    if (ns === NAMESPACE) raw[rest.join(":")] = decodeConfigValue(value);
  }
  return raw;
}

/**
 * The configuration as the CLI hands it to the program (`PULUMI_CONFIG`): every key of every
 * namespace, values as text, and which keys hold a secret (`PULUMI_CONFIG_SECRET_KEYS`). Pulumi
 * flags a whole key when any value inside it was given encrypted, so a key holding a password
 * that is not flagged had it in plain text; one that is flagged is taken as given encrypted.
 * `isSecret` undefined: the runtime does not say (then nothing is called plain text).
 */
export function inspectConfigMap(
  all: Record<string, string>,
  isSecret?: (key: string) => boolean,
): ConfigInput {
  const entries: ConfigEntry[] = Object.entries(all).map(([key, value]) => ({
    key,
    value: decodeConfigValue(value),
    encrypted: () => (isSecret ? isSecret(key) : undefined),
  }));
  return inspectConfig(entries);
}

/** The runtime's own test of `PULUMI_CONFIG_SECRET_KEYS` (internal to the SDK, stable in 3.x). */
function runtimeSecretTest(): ((key: string) => boolean) | undefined {
  const test = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean })
    .isConfigSecret;
  return typeof test === "function" ? test : undefined;
}

/** Reads and validates the current stack's configuration: the program's only config boundary. */
export function readStackConfig(): OrthancConfig {
  const input = inspectConfigMap(pulumi.runtime.allConfig(), runtimeSecretTest());
  const parsed = safeParseConfig(input.raw);
  const issues = [...input.issues, ...(parsed.ok ? [] : parsed.issues)];
  if (issues.length || !parsed.ok) throw new ConfigError(issues);
  return parsed.config;
}
