import { z } from "zod";
import { dnsSection, keysSection, orthancSection, registrySection, tlsSection } from "./shared";
import { TARGETS, TargetName, targetSections } from "./targets";
import { ConfigIssue, formatZodIssue, unknownKeyIssue } from "./errors";
import { crossFieldIssues } from "./rules";

/** The stack-config namespace: every key is `orthanc:<key>`. */
export const NAMESPACE = "orthanc";

function sharedSections<D extends z.ZodType, S extends z.ZodType>(database: D, storage: S) {
  return {
    orthanc: orthancSection.prefault({}),
    database: database.prefault({} as never),
    storage: storage.prefault({} as never),
    keys: keysSection.prefault({}),
    dns: dnsSection.prefault({}),
    tls: tlsSection.prefault({}),
    registry: registrySection.prefault({}),
    /**
     * Protect the database, volumes, bucket, file system and keys from deletion and replacement.
     * Turning it off is the explicit opt-in that `pulumi destroy` of data needs.
     */
    protectData: z.boolean().default(true),
  };
}

const T = targetSections;

/** One strict schema per target; `target` selects which one parses the stack. */
export const configSchemas = {
  docker: z.strictObject({
    target: z.literal("docker"),
    ...sharedSections(T.docker.database, T.docker.storage),
    docker: T.docker.section.prefault({}),
  }),
  aws: z.strictObject({
    target: z.literal("aws"),
    ...sharedSections(T.aws.database, T.aws.storage),
    // Required: an AWS deployment has no sensible default region.
    aws: T.aws.section,
  }),
  kubernetes: z.strictObject({
    target: z.literal("kubernetes"),
    ...sharedSections(T.kubernetes.database, T.kubernetes.storage),
    kubernetes: T.kubernetes.section.prefault({}),
  }),
};

export type DockerConfig = z.output<typeof configSchemas.docker>;
export type AwsConfig = z.output<typeof configSchemas.aws>;
export type KubernetesConfig = z.output<typeof configSchemas.kubernetes>;
/** The whole, validated stack configuration. Secrets in it are `pulumi.Output<string>`. */
export type OrthancConfig = DockerConfig | AwsConfig | KubernetesConfig;
export type OrthancSection = OrthancConfig["orthanc"];
/** What a caller (Automation API, tests) writes: the schema's input, defaults optional. */
export type OrthancConfigInput =
  | z.input<typeof configSchemas.docker>
  | z.input<typeof configSchemas.aws>
  | z.input<typeof configSchemas.kubernetes>;

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
  issues.push(...crossFieldIssues(parsed, target as TargetName));
  return issues.length ? { ok: false, issues } : { ok: true, config: parsed as OrthancConfig };
}

/** Like `safeParseConfig`, but throws a `ConfigError` listing every problem. */
export function parseConfig(raw: Record<string, unknown>): OrthancConfig {
  const result = safeParseConfig(raw);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}
