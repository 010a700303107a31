import type { z } from "zod";
import { SECRET_FIELD } from "./primitives";
import { containsSecretShape, CREDENTIAL_FIELD, secretShape } from "./redact";
import { configSchemas, TargetName, TARGETS } from "./schema";
import { editDistance } from "./distance";

export interface ConfigIssue {
  /** The full config key, e.g. `orthanc:database.instanceClass`. */
  key: string;
  /** What is wrong, what was given, what is allowed, and how to fix it. */
  message: string;
  /** Where the key was written, when known: `stacks/Pulumi.dev.yaml:12:5`. */
  where?: string;
}

type Segment = PropertyKey;

/** `orthanc:orthanc.dicom.modalities.ct1.port`, with `[i]` for array elements. */
export function fullKey(path: readonly Segment[]): string {
  let key = "orthanc:";
  path.forEach((seg, i) => {
    if (typeof seg === "number") key += `[${seg}]`;
    else key += (i === 0 ? "" : ".") + String(seg);
  });
  return key;
}

function kindOf(input: unknown): string {
  if (typeof input === "string") return "a value";
  if (Array.isArray(input)) return "a list";
  if (input === null) return "null";
  if (typeof input === "object") return "a map";
  return `a ${typeof input}`;
}

/** Why a given value must not be echoed, if it must not. */
function hiddenBecause(
  path: readonly Segment[],
  input: unknown,
  expected?: ZodLike,
): string | undefined {
  const names = path.filter((s): s is string => typeof s === "string");
  if (names.some((s) => SECRET_FIELD.test(s))) return "secret";
  if (expected && secretKeyOf(expected)) return "it may be a secret";
  if (typeof input === "string" && secretShape(input)) return `it looks like ${secretShape(input)}`;
  if (containsSecretShape(input)) return "it may hold a secret";
  if (names.some((s) => CREDENTIAL_FIELD.test(s)))
    return "a credential field, where secrets get pasted by mistake";
  return undefined;
}

/**
 * What was given, for a message: the value itself, or only its kind when it is (or may be) a
 * secret. `expected` is the schema at the key, to know an object that holds a secret.
 */
export function describeGiven(
  path: readonly Segment[],
  input: unknown,
  expected?: ZodLike,
): string {
  if (input === undefined) return "nothing";
  const hidden = hiddenBecause(path, input, expected);
  if (hidden) return `${kindOf(input)} (hidden: ${hidden})`;
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function setCommand(key: string, example: string): string {
  const path = key.includes(".") || key.includes("[") ? "--path " : "";
  const secret = SECRET_FIELD.test(key) ? "--secret " : "";
  return `\`pulumi config set ${secret}${path}'${key}' ${example}\``;
}

/** The secret key directly inside an object schema (`password` of a user), if any. */
export function secretKeyOf(schema: ZodLike): string | undefined {
  const d = unwrap(schema)._zod.def;
  if (d.type !== "object" || !d.shape) return undefined;
  return Object.keys(d.shape).find((k) => SECRET_FIELD.test(k));
}

/** The allowed name nearest to `key`, for "did you mean"; none when nothing is near. */
export function closest(key: string, allowed: string[]): string | undefined {
  const lower = key.toLowerCase();
  const scored = allowed
    .map((a) => {
      const al = a.toLowerCase();
      // `replicaCount` -> `replicas`: a shared stem counts as close.
      const stem = lower.startsWith(al.replace(/s$/, "")) || al.startsWith(lower) ? 0 : 99;
      return { a, d: Math.min(editDistance(lower, al), stem) };
    })
    .sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= Math.max(2, Math.floor(key.length / 3))
    ? scored[0].a
    : undefined;
}

/** Which other targets accept `key` in a section that the current target also has. */
function otherTargetsWith(path: readonly Segment[], current: string): TargetName[] {
  if (path.length === 1) return TARGETS.filter((t) => t === path[0] && t !== current);
  if (path.length !== 2) return [];
  const [section, key] = path;
  return TARGETS.filter(
    (t) =>
      t !== current &&
      allowedKeysAt(configSchemas[t] as unknown as ZodLike, [section]).includes(String(key)),
  );
}

/** The keys named `name` (any case) inside a target's sections: `region` -> `aws.region`. */
function nestedKeysNamed(target: string, name: string): string[] {
  const found: string[] = [];
  const walk = (schema: ZodLike, at: string, depth: number) => {
    const d = unwrap(schema)._zod.def;
    if (d.type !== "object" || !d.shape || depth > 3) return;
    for (const [k, v] of Object.entries(d.shape)) {
      const here = at ? `${at}.${k}` : k;
      if (at && k.toLowerCase() === name.toLowerCase()) found.push(here);
      walk(v, here, depth + 1);
    }
  };
  const schema = configSchemas[target as TargetName];
  if (schema) walk(schema as unknown as ZodLike, "", 0);
  return found.sort((a, b) => a.split(".").length - b.split(".").length);
}

/** Where the settings of another target's section live on this one. */
const SECTION_ON_TARGET: Record<string, Record<string, string>> = {
  docker: { aws: "the VM's region, instance type and networks are under `orthanc:docker.vm`" },
};

export function unknownKeyIssue(
  path: readonly Segment[],
  allowed: string[],
  target: string,
): ConfigIssue {
  const key = fullKey(path);
  const name = String(path[path.length - 1]);
  const elsewhere = otherTargetsWith(path, target);
  const nested = path.length === 1 ? nestedKeysNamed(target, name) : [];
  const onThisTarget = path.length === 1 ? SECTION_ON_TARGET[target]?.[name] : undefined;
  const hint = elsewhere.length
    ? ` It applies only to target ${elsewhere.join(", ")}; this stack's target is ${target}` +
      (onThisTarget ? ` (on ${target}, ${onThisTarget}).` : ".")
    : nested.length
      ? ` It is a key of a section: did you mean ${nested.map((n) => `\`orthanc:${n}\``).join(" or ")}? ` +
        `Set it with \`pulumi config set --path 'orthanc:${nested[0]}' <value>\`.`
      : (() => {
          const guess = closest(name, allowed);
          return guess ? ` Did you mean \`${guess}\`?` : "";
        })();
  return {
    key,
    message:
      `unknown key.${hint} Allowed keys here: ${[...allowed].sort().join(", ")}. ` +
      `Fix: rename or remove it (\`pulumi config rm ${path.length > 1 ? "--path " : ""}'${key}'\`).`,
  };
}

// zod 4 keeps a schema's structure in `_zod.def`; walk it to list the keys allowed at a path.
export interface Def {
  type: string;
  innerType?: ZodLike;
  shape?: Record<string, ZodLike>;
  valueType?: ZodLike;
  element?: ZodLike;
  in?: ZodLike;
}
export type ZodLike = { _zod: { def: Def } };

export function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (;;) {
    const d = cur._zod.def;
    if ((d.type === "default" || d.type === "optional" || d.type === "prefault") && d.innerType)
      cur = d.innerType;
    else if (d.type === "pipe" && d.in) cur = d.in;
    else return cur;
  }
}

/** The first key an object schema requires (no default, not optional), if any. */
function firstRequiredKey(schema: ZodLike): string | undefined {
  const d = unwrap(schema)._zod.def;
  if (d.type !== "object" || !d.shape) return undefined;
  return Object.entries(d.shape).find(([, field]) => {
    const t = field._zod.def.type;
    return t !== "optional" && t !== "default" && t !== "prefault";
  })?.[0];
}

/** The schema at `path` inside `schema` (wrappers removed), if the path exists in it. */
export function schemaAt(schema: ZodLike, path: readonly Segment[]): ZodLike | undefined {
  let cur = unwrap(schema);
  for (const seg of path) {
    const d = cur._zod.def;
    const next =
      d.type === "object"
        ? d.shape?.[String(seg)]
        : d.type === "record"
          ? d.valueType
          : d.type === "array"
            ? d.element
            : undefined;
    if (!next) return undefined;
    cur = unwrap(next);
  }
  return cur;
}

export function allowedKeysAt(schema: ZodLike, path: readonly Segment[]): string[] {
  const d = schemaAt(schema, path)?._zod.def;
  return d?.type === "object" && d.shape ? Object.keys(d.shape) : [];
}

/** What a refinement may tell the formatter, in its issue's `params`. */
export interface RefinementParams {
  /** The value that fixes it, for a `pulumi config set` of the key. */
  example?: string;
  /** The whole fix, when one value of this key is not enough (it names every key). */
  fix?: string;
  /** The value may hold a secret: do not echo it. */
  hideInput?: boolean;
}

/**
 * A list given as a map (YAML `name: value` lines) or as a single value: say it is a list, and
 * give the entries as list items (`--path 'key[0]'`, or YAML `- value`).
 */
function listExpected(
  key: string,
  path: readonly Segment[],
  input: unknown,
  given: string,
): ConfigIssue {
  const secret = path.some((s) => typeof s === "string" && SECRET_FIELD.test(s));
  const entries =
    input !== null && typeof input === "object"
      ? Object.values(input as Record<string, unknown>)
      : [input];
  const items = secret
    ? ["<value>"]
    : entries.map((v) => (typeof v === "string" || typeof v === "number" ? String(v) : "<value>"));
  const shape =
    input !== null && typeof input === "object" ? "a map (`name: value` entries)" : "one value";
  const commands = items
    .slice(0, 3)
    .map((v, i) => `\`pulumi config set --path '${key}[${i}]' ${v}\``)
    .join(", ");
  return {
    key,
    message:
      `must be a list, got ${shape}: ${given}. ` +
      `Fix: in the stack file write each entry as a list item (\`- ${items[0]}\`), or ` +
      `\`pulumi config rm --path '${key}'\`, then ${commands}.`,
  };
}

/** Turns one zod issue inside section `section` into messages naming the full key. */
export function formatZodIssue(
  section: string,
  issue: z.core.$ZodIssue,
  target: string,
  sectionSchema?: ZodLike,
): ConfigIssue[] {
  const path = [section, ...issue.path];
  const key = fullKey(path);
  const input = (issue as { input?: unknown }).input;
  const expected = sectionSchema ? schemaAt(sectionSchema, issue.path) : undefined;
  const given = describeGiven(path, input, expected);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = sectionSchema ? allowedKeysAt(sectionSchema, issue.path) : [];
      return issue.keys.map((k) => unknownKeyIssue([...path, k], allowed, target));
    }
    case "invalid_type":
      if (input === undefined) {
        // A missing section is set through the first key it requires (`orthanc:aws.region`).
        const leaf = expected && firstRequiredKey(expected);
        const fix = leaf ? setCommand(`${key}.${leaf}`, `<${leaf}>`) : setCommand(key, "<value>");
        return [{ key, message: `is required (expected ${issue.expected}). Fix: ${fix}.` }];
      }
      if (issue.expected === "array") return [listExpected(key, path, input, given)];
      {
        // `users.bob: hunter2`: the password, given in place of the user's map.
        const secretKey = expected && secretKeyOf(expected);
        const fix = secretKey
          ? setCommand(`${key}.${secretKey}`, `<${secretKey}>`)
          : setCommand(key, `<${issue.expected}>`);
        return [{ key, message: `expected ${issue.expected}, got ${given}. Fix: ${fix}.` }];
      }
    case "invalid_value": {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return [
        {
          key,
          message: `got ${given}. Allowed: ${allowed}. Fix: ${setCommand(key, String(issue.values[0]))}.`,
        },
      ];
    }
    case "too_small":
    case "too_big": {
      const bound =
        issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const what =
        issue.origin === "array" ? "entries" : issue.origin === "string" ? "characters" : "";
      const bounded = issue.code === "too_small" ? issue.minimum : issue.maximum;
      return [
        {
          key,
          message: `must be ${bound}${what ? ` ${what}` : ""}, got ${given}. Fix: ${setCommand(key, String(bounded))}.`,
        },
      ];
    }
    case "invalid_key": {
      const why = issue.issues.map((i) => i.message).join("; ");
      const name = path[path.length - 1];
      const hidden = hiddenBecause(path.slice(0, -1), name);
      // A name that may be a secret stays out of the key too.
      return hidden
        ? [
            {
              key: fullKey(path.slice(0, -1)),
              message: `has an entry whose name is invalid (hidden: ${hidden}): ${why}. Fix: rename the entry.`,
            },
          ]
        : [{ key, message: `has an invalid name ${given}: ${why}. Fix: rename the entry.` }];
    }
    default: {
      // Formats, regexes and refinements carry their own "must be ..." text. A refinement may
      // name the value that fixes it (`params.example`, never for a secret) or its whole fix
      // (`params.fix`), and keep a value that may hold a secret out of the message
      // (`params.hideInput`).
      const params = (issue as { params?: RefinementParams }).params ?? {};
      const value =
        typeof params.example === "string" && !path.some((s) => SECRET_FIELD.test(String(s)))
          ? params.example
          : "<value>";
      const got = params.hideInput ? "" : `; got ${given}`;
      const fix = typeof params.fix === "string" ? params.fix : setCommand(key, value);
      return [{ key, message: `${issue.message}${got}. Fix: ${fix}.` }];
    }
  }
}
