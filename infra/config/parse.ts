import type { z } from "zod";
import { configRules, configSchemas, OrthancConfig, TARGETS, TargetName } from "./schema";
import {
  ConfigIssue,
  describeGiven,
  formatZodIssue,
  fullKey,
  schemaAt,
  secretKeyOf,
  unknownKeyIssue,
  unwrap,
  ZodLike,
} from "./errors";
import { CERTIFICATE_FIELD, SECRET_FIELD } from "./primitives";
import { knownSecrets, redactText, secretShape } from "./redact";
import { ruleIssues } from "./rule";

/** The stack-config namespace: every key is `orthanc:<key>`. */
export const NAMESPACE = "orthanc";

/** Raised with every problem of a configuration at once, before any resource is created. */
export class ConfigError extends Error {
  constructor(public readonly issues: ConfigIssue[]) {
    super(
      `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.key}${i.where ? ` (${i.where})` : ""}: ${i.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export type ParseResult =
  { ok: true; config: OrthancConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * `pulumi config set --path` stores `16`, `1234` or `104` as numbers, and YAML reads them so:
 * where the schema wants text (a version, an AE title, a name, a password), a whole number is
 * taken as the text it was written as. Fractions are not: `2.10` would come back as "2.1".
 */
export function numbersAsText(schema: ZodLike, value: unknown): unknown {
  const d = unwrap(schema)._zod.def;
  if (typeof value === "number") {
    const wantsText = d.type === "string" || d.type === "enum";
    return wantsText && Number.isSafeInteger(value) ? String(value) : value;
  }
  if (Array.isArray(value) && d.type === "array" && d.element) {
    const element = d.element;
    return value.map((v) => numbersAsText(element, v));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const child = (k: string) =>
      d.type === "object" ? d.shape?.[k] : d.type === "record" ? d.valueType : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const s = child(k);
        return [k, s ? numbersAsText(s, v) : v];
      }),
    );
  }
  return value;
}

/**
 * Secret material put under a key that is not secret (a private key pasted into a name, the S3
 * secret key in `accessKeyId`): refused, since the value would be printed in plans and state.
 */
function secretsInPlainKeys(section: string, value: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const walk = (v: unknown, path: PropertyKey[]) => {
    const last = path[path.length - 1];
    if (typeof last === "string" && SECRET_FIELD.test(last)) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    else if (typeof v === "string") {
      const shape = secretShape(v);
      // Long random tokens are hidden in messages but allowed (public keys, role ARNs...).
      if (!shape || shape === "a long random token") return;
      // Certificates are public: the keys made for them take PEM, but never a private key.
      if (
        typeof last === "string" &&
        CERTIFICATE_FIELD.test(last) &&
        shape === "PEM material (a certificate or key)"
      )
        return;
      const key = fullKey(path);
      const s3 = key === "orthanc:storage.s3.accessKeyId";
      issues.push({
        key,
        message:
          `holds ${shape} (hidden), but this key is not secret: its value would be printed in plans and kept in plain text in state. ` +
          (s3
            ? "An access key id is the 20-character `AKIA...` name of the key; the secret key goes in `orthanc:storage.s3.secretAccessKey`. " +
              "Fix: `pulumi config set --secret --path 'orthanc:storage.s3.secretAccessKey' <secret key>`, and set accessKeyId to the key id."
            : shape.startsWith("PEM")
              ? "Fix: remove it from this key; certificates and keys go only in the secret keys made for them (e.g. `orthanc:docker.tlsCert`, set with `pulumi config set --secret --path`)."
              : "Fix: remove it from this key, and give secrets only to secret keys, with `pulumi config set --secret --path`."),
      });
    }
  };
  walk(value, [section]);
  return issues;
}

/**
 * U+E024 stands for `$` while the program serializes Orthanc's documents for the image (see
 * `serializeForImage`): a value holding it could not be written, and is refused here rather
 * than fail the deployment halfway.
 */
function reservedCharacterIssues(section: string, value: unknown): ConfigIssue[] {
  const found: ConfigIssue[] = [];
  const walk = (v: unknown, path: PropertyKey[]) => {
    if (typeof v === "string" && v.includes("\uE024"))
      found.push({
        key: fullKey(path),
        message:
          "contains the private-use character U+E024, which the program reserves to escape `$` for the Orthanc image " +
          "(value not shown). Fix: remove that character from the value.",
      });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, [section]);
  return found;
}

/**
 * `orthanc:orthanc.dicom.port`, written by `pulumi config set` without `--path`: one key whose
 * name holds dots, which the program never reads.
 */
function flatKeyIssue(name: string, value: unknown, target: string): ConfigIssue | undefined {
  if (!/[.[]/.test(name)) return undefined;
  const key = `${NAMESPACE}:${name}`;
  const section = name.split(/[.[]/)[0];
  const known = section in configSchemas[target as TargetName].shape;
  const secret = SECRET_FIELD.test(name);
  const plain =
    !secret &&
    (typeof value === "number" ||
      typeof value === "boolean" ||
      (typeof value === "string" &&
        /^[A-Za-z0-9._/:@-]{1,64}$/.test(value) &&
        !secretShape(value)));
  const example = plain ? String(value) : "<value>";
  return {
    key,
    message:
      `is one key named ${JSON.stringify(name)}: it was set without \`--path\`, so Pulumi keeps the dots in its name and the program never reads it` +
      `${known ? ` (it reads \`${NAMESPACE}:${section}\` as a map)` : ""}. ` +
      `Fix: \`pulumi config rm '${key}'\` then \`pulumi config set ${secret ? "--secret " : ""}--path '${key}' ${example}\`` +
      `${known ? `, or in the stack file nest it under \`${NAMESPACE}:${section}:\`` : ""}.`,
  };
}

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
            `${target === undefined ? "is required" : `got ${describeGiven(["target"], target)}`}. ` +
            `Allowed: ${TARGETS.join(", ")}. Fix: \`pulumi config set orthanc:target docker\`.`,
        },
      ],
    };
  }
  const schemas = configSchemas[target as TargetName];
  const shape: Record<string, z.ZodType> = { ...schemas.shape };
  delete shape.target;
  const issues: ConfigIssue[] = [];
  const parsed: Record<string, unknown> = { target };

  for (const [key, value] of Object.entries(raw)) {
    if (key !== "target" && !(key in shape)) {
      issues.push(
        flatKeyIssue(key, value, target) ??
          unknownKeyIssue([key], Object.keys(shape).concat("target"), target),
      );
    }
  }
  for (const [key, schema] of Object.entries(shape)) {
    const secretIssues = [
      ...secretsInPlainKeys(key, raw[key]),
      ...reservedCharacterIssues(key, raw[key]),
    ];
    issues.push(...secretIssues);
    const value = numbersAsText(schema as unknown as ZodLike, raw[key]);
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) parsed[key] = result.data;
    else {
      const reported = new Set(secretIssues.map((i) => i.key));
      issues.push(
        ...result.error.issues
          .flatMap((i) => formatZodIssue(key, i, target, schema as never))
          .filter((i) => !reported.has(i.key)),
      );
    }
  }
  // Cross-field rules need every section they read; each rule names its sections and runs
  // whenever those parsed, so one pass reports as much as possible.
  issues.push(...ruleIssues(configRules, parsed, target as TargetName, raw));
  if (!issues.length) return { ok: true, config: parsed as OrthancConfig };
  // Last line of defence: no message repeats a secret of this configuration, or anything shaped
  // like one, whichever rule wrote it.
  const root = schemas as unknown as ZodLike;
  const secrets = knownSecrets(raw, (path) => {
    const s = schemaAt(root, path);
    return !!s && !!secretKeyOf(s);
  });
  return {
    ok: false,
    issues: issues.map((i) => ({ ...i, message: redactText(i.message, secrets) })),
  };
}

/** Like `safeParseConfig`, but throws a `ConfigError` listing every problem. */
export function parseConfig(raw: Record<string, unknown>): OrthancConfig {
  const result = safeParseConfig(raw);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}
