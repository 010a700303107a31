import type { z } from "zod";
import { configRules, configSchemas, OrthancConfig, TARGETS, TargetName } from "./schema";
import { ConfigIssue, formatZodIssue, unknownKeyIssue } from "./errors";
import { ruleIssues } from "./rule";

/** The stack-config namespace: every key is `orthanc:<key>`. */
export const NAMESPACE = "orthanc";

/** Raised with every problem of a configuration at once, before any resource is created. */
export class ConfigError extends Error {
  constructor(public readonly issues: ConfigIssue[]) {
    super(
      `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.key}: ${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export type ParseResult =
  { ok: true; config: OrthancConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates a raw configuration (keys without the `orthanc:` prefix, values already decoded from
 * YAML/JSON). Pure: used by the Pulumi program, the plan command, the Automation API and tests.
 */
export function safeParseConfig(raw: Record<string, unknown>): ParseResult {
  const target = raw.target;
  if (typeof target !== "string" || !TARGETS.includes(target as TargetName)) {
    return {
      ok: false,
      issues: [
        {
          key: `${NAMESPACE}:target`,
          message:
            `${target === undefined ? "is required" : `got ${JSON.stringify(target)}`}. ` +
            `Allowed: ${TARGETS.join(", ")}. Fix: \`pulumi config set orthanc:target docker\`.`,
        },
      ],
    };
  }
  const shape: Record<string, z.ZodType> = { ...configSchemas[target as TargetName].shape };
  delete shape.target;
  const issues: ConfigIssue[] = [];
  const parsed: Record<string, unknown> = { target };

  for (const key of Object.keys(raw)) {
    if (key !== "target" && !(key in shape)) {
      issues.push(unknownKeyIssue([key], Object.keys(shape).concat("target"), target));
    }
  }
  for (const [key, schema] of Object.entries(shape)) {
    const result = schema.safeParse(raw[key], { reportInput: true });
    if (result.success) parsed[key] = result.data;
    else
      issues.push(
        ...result.error.issues.flatMap((i) => formatZodIssue(key, i, target, schema as never)),
      );
  }
  // Cross-field rules need every section they read; each rule names its sections and runs
  // whenever those parsed, so one pass reports as much as possible.
  issues.push(...ruleIssues(configRules, parsed, target as TargetName, raw));
  return issues.length ? { ok: false, issues } : { ok: true, config: parsed as OrthancConfig };
}

/** Like `safeParseConfig`, but throws a `ConfigError` listing every problem. */
export function parseConfig(raw: Record<string, unknown>): OrthancConfig {
  const result = safeParseConfig(raw);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}
