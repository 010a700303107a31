import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, parseConfig } from "./parse";
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

/** Reads and validates the current stack's configuration: the program's only config boundary. */
export function readStackConfig(): OrthancConfig {
  return parseConfig(rawConfigFrom(pulumi.runtime.allConfig()));
}
