import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  Node,
  parseDocument,
  Scalar,
  visit,
  YAMLMap,
} from "yaml";
import { ConfigError, ConfigIssue, NAMESPACE, safeParseConfig } from "./config";
import { ConfigEntry, inspectConfig } from "./config/input";
import { redactText } from "./config/redact";

export const STACKS_DIR = join(__dirname, "..", "stacks");

/**
 * Marks a value that was `secure:` in a stack file and cannot be decrypted offline. Without
 * spaces, quotes or `${`: it must pass every rule a real secret passes (an external database
 * password may not contain spaces), so that a stack with encrypted values still plans.
 */
export const UNDECRYPTED_SECRET = "[secret:encrypted-in-the-stack-file]";

/** The top-level keys of a `Pulumi.<stack>.yaml` (Pulumi's `ProjectStack`). */
const STACK_FILE_KEYS = [
  "config",
  "secretsprovider",
  "encryptedkey",
  "encryptionsalt",
  "environment",
];

function isSecure(value: unknown): value is { secure: string } {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const obj = value as Record<string, unknown>;
  return Object.keys(obj).length === 1 && typeof obj.secure === "string";
}

function replaceSecure(value: unknown): unknown {
  if (isSecure(value)) return UNDECRYPTED_SECRET;
  if (Array.isArray(value)) return value.map(replaceSecure);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v)]));
  }
  return value;
}

const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * Plain scalars that the Pulumi CLI (Go's YAML, 1.1 rules for numbers: `0755` is octal, `1_000`
 * is 1000, `yes` is true) and this plan (YAML 1.2) read differently, or that lose what was written
 * (`2.0` is the number 2). Refused, so that plan and deploy never disagree.
 */
function ambiguity(source: string, value: unknown): string | undefined {
  const text = `or quote it ("${source}") if it is text`;
  if (YAML11_BOOL.test(source)) {
    const yes = /^(y|yes|on)$/i.test(source);
    return `\`${source}\` is the boolean ${yes} to the Pulumi CLI's YAML (1.1 rules) but text to this plan's (YAML 1.2). Fix: write ${yes}, ${text}.`;
  }
  if (/^[-+]?0[0-9_]+$/.test(source)) {
    const digits = source.replace(/[-+_]/g, "");
    const cli = /^[0-7]+$/.test(digits) ? `octal, ${parseInt(digits, 8)}` : "a float";
    return `\`${source}\` has a leading zero: the Pulumi CLI reads it as ${cli}, this plan as ${String(value)}. Fix: write ${String(value)} if it is a number, ${text} (an AE title, a name).`;
  }
  if (/^[-+]?0b[01_]+$/.test(source))
    return `\`${source}\` is a binary number to the Pulumi CLI but text to this plan. Fix: write it in decimal, ${text}.`;
  if (/^[-+]?[0-9][0-9_]*$/.test(source) && source.includes("_"))
    return `\`${source}\` is the number ${source.replace(/_/g, "")} to the Pulumi CLI but text to this plan. Fix: write ${source.replace(/_/g, "")}, ${text}.`;
  if (
    typeof value === "number" &&
    Number.isInteger(value) &&
    FLOAT.test(source) &&
    /[.eE]/.test(source)
  )
    return `\`${source}\` is the number ${value} to YAML: what follows the point is lost (read as text it would be "${value}"). Fix: write ${value}, ${text} (a version, a tag).`;
  return undefined;
}

/** The node at `path` inside `node`, aliases followed. */
function nodeAt(doc: Document, node: unknown, path: readonly PropertyKey[]): unknown {
  let cur = node;
  for (const seg of path) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur))
      cur = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg))?.value;
    else if (isSeq(cur) && typeof seg === "number") cur = cur.items[seg];
    else return undefined;
  }
  return isAlias(cur) ? cur.resolve(doc) : cur;
}

/** The key node of the last segment of `path` inside `node` (for its line). */
function keyNodeAt(doc: Document, node: unknown, path: readonly PropertyKey[]): Node | undefined {
  if (!path.length) return undefined;
  const parent = nodeAt(doc, node, path.slice(0, -1));
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const key = parent.items.find(
      (p) => isScalar(p.key) && String(p.key.value) === String(last),
    )?.key;
    return isScalar(key) ? key : undefined;
  }
  if (isSeq(parent) && typeof last === "number") {
    const item = parent.items[last];
    return item && typeof item === "object" && "range" in (item as object)
      ? (item as Node)
      : undefined;
  }
  return undefined;
}

/** What a stack file holds, and every problem found before the schema. */
export interface StackFile {
  path: string;
  /** The `orthanc:*` keys, prefix stripped, `secure:` values replaced by `UNDECRYPTED_SECRET`. */
  raw: Record<string, unknown>;
  /** Problems of the file itself: YAML, shape, keys, ambiguous values, plain-text secrets. */
  issues: ConfigIssue[];
  /** `file:line:column` where a full key (`orthanc:orthanc.dicom.port`) or its nearest parent is written. */
  whereIs(key: string): string | undefined;
  /** The YAML itself could not be read (a syntax error, a duplicated key): `raw` is empty. */
  unreadable?: boolean;
}

function issue(key: string, where: string | undefined, message: string): ConfigIssue {
  return { key, where, message };
}

/**
 * Reads a `Pulumi.<stack>.yaml` as the Pulumi CLI would, reporting what the CLI would refuse or
 * read otherwise, and what it would silently ignore: YAML errors and duplicated keys (with their
 * line), a file not shaped like a stack file, keys outside `config:`, other namespaces, flat
 * dotted keys, values YAML 1.1 and 1.2 read differently, and secrets in plain text.
 */
export function inspectStackFile(path: string, text?: string): StackFile {
  const source = text ?? readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, merge: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  const atNode = (n: unknown) => at((n as Node | undefined)?.range?.[0]);
  const none: StackFile = { path, raw: {}, issues: [], whereIs: () => undefined };

  if (doc.errors.length) {
    const issues = doc.errors.map((e) => {
      if (e.code === "DUPLICATE_KEY") {
        // Name the key: the pair whose key starts where the error is, by its full key when it
        // is under `config:`.
        let dup = { key: "YAML", name: "a key" };
        const root = isMap(doc.contents) ? doc.contents : undefined;
        const configMap = root?.items.find(
          (p) => isScalar(p.key) && p.key.value === "config",
        )?.value;
        visit(doc, {
          Pair(_, pair, ancestors) {
            const k = pair.key as Node | null;
            if (!isScalar(k) || k.range?.[0] !== e.pos[0]) return undefined;
            const name = `\`${String(k.source ?? k.value)}\``;
            dup =
              isMap(configMap) && ancestors.includes(configMap)
                ? { key: keyPathOf(configMap, [...ancestors, pair], k), name }
                : { key: String(k.value), name };
            return visit.BREAK;
          },
        });
        return issue(
          dup.key,
          at(e.pos[0]),
          `${dup.key === "YAML" ? `${dup.name} ` : ""}is written twice in the same map (this is the second). The Pulumi CLI refuses the file; do not rely on either value. Fix: keep one of them.`,
        );
      }
      return issue(
        "YAML",
        at(e.pos[0]),
        `is not valid YAML: ${redactText(e.message)}. Fix: correct the file at that line (indent with spaces, nested keys under their parent; quote a value that holds \`: \`, \`#\` or starts with a special character).`,
      );
    });
    return { ...none, issues, unreadable: true };
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === undefined)))
    return none;
  if (!isMap(root)) {
    return {
      ...none,
      issues: [
        issue(
          "YAML",
          atNode(root),
          "is not a Pulumi stack file: it must be a map with the configuration under `config:`. Fix: start the file with `config:` and indent `orthanc:target: docker` (and the other keys) under it.",
        ),
      ],
    };
  }

  const issues: ConfigIssue[] = [];
  let config: YAMLMap | undefined;
  for (const pair of root.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (k === "config") {
      const v = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      if (isMap(v)) config = v;
      else if (!(isScalar(v) && (v.value === null || v.value === undefined)) && v !== null)
        issues.push(
          issue(
            "config",
            atNode(pair.key),
            "must be a map of `namespace:name` keys. Fix: indent `orthanc:target: docker` (and the other keys) under `config:`.",
          ),
        );
    } else if (!STACK_FILE_KEYS.includes(k)) {
      const looksConfig = k.includes(":") || /^config$/i.test(k) || /^configs?$/i.test(k);
      issues.push(
        issue(
          k,
          atNode(pair.key),
          /^configs?$/i.test(k)
            ? `is not a stack file key: Pulumi reads only \`config\` (lower case, singular) and ignores this one with everything under it. Fix: rename it to \`config:\`.`
            : `is outside \`config:\`: Pulumi reads a stack file's settings only under \`config:\` and ignores this key${looksConfig ? "" : " (a stack file holds config, secretsprovider, encryptedkey, encryptionsalt, environment)"}. ` +
                `Fix: indent it under \`config:\`${k.includes(":") ? "" : ` as \`${NAMESPACE}:${k}\``}.`,
        ),
      );
    }
  }

  // Ambiguous plain scalars, keys and values, anywhere under `config:`.
  if (config) {
    const scope = config;
    visit(scope, {
      Scalar(_, node: Scalar, ancestors) {
        if (node.type !== "PLAIN" || node.tag || node.source === undefined) return;
        const problem = ambiguity(node.source, node.value);
        if (!problem) return;
        const key = keyPathOf(scope, ancestors, node);
        issues.push(issue(key, atNode(node), `${problem}`));
      },
    });
  }

  const configItems = config?.items ?? [];
  const entries: ConfigEntry[] = [];
  for (const pair of configItems) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string") {
      const shown = isScalar(pair.key) ? String(pair.key.value) : "key";
      issues.push(
        issue(
          shown,
          atNode(pair.key),
          `is not a configuration key: keys are text, \`<namespace>:<name>\`. Fix: write it as \`${NAMESPACE}:<name>\`.`,
        ),
      );
      continue;
    }
    // Pulumi puts a key without a namespace in the project's, which is ours.
    const name = pair.key.value.includes(":") ? pair.key.value : `${NAMESPACE}:${pair.key.value}`;
    const valueNode = pair.value;
    let value: unknown;
    try {
      value = valueNode === null ? null : (valueNode as Node).toJS(doc);
    } catch (e) {
      issues.push(
        issue(
          pair.key.value,
          atNode(pair.key),
          `cannot be read: ${redactText((e as Error).message)}. Fix: correct its YAML (an alias needs its anchor first).`,
        ),
      );
      continue;
    }
    const keyNode = pair.key;
    entries.push({
      key: name,
      value: replaceSecure(value),
      encrypted: (p) => {
        const n = nodeAt(doc, valueNode, p);
        if (n === undefined) return undefined;
        return (
          isMap(n) &&
          n.items.length === 1 &&
          isScalar(n.items[0].key) &&
          n.items[0].key.value === "secure"
        );
      },
      where: (p) => (p.length ? atNode(keyNodeAt(doc, valueNode, p)) : atNode(keyNode)),
    });
  }

  const input = inspectConfig(entries);
  const whereIs = (key: string) => locate(doc, configItems, key, atNode);
  return { path, raw: input.raw, issues: [...issues, ...input.issues], whereIs };
}

/** The full key of a scalar met while visiting `config`: `orthanc:orthanc.dicom.port`. */
function keyPathOf(config: YAMLMap, ancestors: readonly unknown[], node: Scalar): string {
  const segs: string[] = [];
  let parent: unknown = config;
  const chain = [...ancestors.slice(ancestors.indexOf(config) + 1), node];
  for (const step of chain) {
    if (isMap(parent) && step && typeof step === "object" && "key" in (step as object)) {
      const k = (step as { key: unknown }).key;
      // As written: a key `007` is the number 7 to YAML 1.2.
      segs.push(isScalar(k) ? (k.source ?? String(k.value)) : "?");
    } else if (isSeq(parent)) {
      const i = parent.items.indexOf(step as never);
      if (i >= 0) segs.push(`[${i}]`);
    }
    if (!(step && typeof step === "object" && "key" in (step as object))) parent = step;
  }
  const [first, ...rest] = segs;
  return (first ?? "config") + rest.map((s) => (s.startsWith("[") ? s : `.${s}`)).join("");
}

/** `file:line:col` of a full key's node, or of its nearest written parent. */
function locate(
  doc: Document,
  items: YAMLMap["items"],
  key: string,
  atNode: (n: unknown) => string | undefined,
): string | undefined {
  // The config map's key that `key` starts with, longest first (a flat dotted key is one key).
  const top = items
    .filter((p) => isScalar(p.key) && typeof p.key.value === "string")
    .map((p) => ({ name: String((p.key as Scalar).value), pair: p }))
    .filter(({ name }) => key === name || key.startsWith(`${name}.`) || key.startsWith(`${name}[`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!top) return undefined;
  let rest = key.slice(top.name.length);
  let node: unknown = top.pair.value;
  let found: unknown = top.pair.key;
  while (rest) {
    if (isAlias(node)) node = node.resolve(doc);
    const index = /^\[(\d+)\]/.exec(rest);
    if (index && isSeq(node)) {
      const item = node.items[Number(index[1])];
      if (!item) break;
      found = item;
      node = item;
      rest = rest.slice(index[0].length);
      continue;
    }
    if (!rest.startsWith(".") || !isMap(node)) break;
    const tail = rest.slice(1);
    const pair = node.items
      .filter((p) => isScalar(p.key))
      .map((p) => ({ name: String((p.key as Scalar).value), p }))
      .filter(
        ({ name }) => tail === name || tail.startsWith(`${name}.`) || tail.startsWith(`${name}[`),
      )
      .sort((a, b) => b.name.length - a.name.length)[0];
    if (!pair) break;
    found = pair.p.key;
    node = pair.p.value;
    rest = tail.slice(pair.name.length);
  }
  return atNode(found);
}

/**
 * Every problem of a stack file: its own (YAML, keys, plain-text secrets) and the schema's, each
 * with the line it is written on where it is written.
 */
export function stackFileIssues(file: StackFile): ConfigIssue[] {
  // An unreadable file has no keys to check: the schema would only report them all missing.
  const yamlBroken = file.unreadable || file.issues.some((i) => i.key === "YAML");
  const schema = yamlBroken ? undefined : safeParseConfig(file.raw);
  const placed = (schema && !schema.ok ? schema.issues : []).map((i) => ({
    ...i,
    where: i.where ?? file.whereIs(i.key),
  }));
  // A key already refused at its line before the schema (an ambiguous value, a plain secret) is
  // not repeated.
  const line = (i: ConfigIssue) => `${i.key}@${i.where?.split(":").slice(-2, -1)[0] ?? ""}`;
  const already = new Set(file.issues.map(line));
  return [...file.issues, ...placed.filter((i) => !already.has(line(i)))];
}

/**
 * The `orthanc:*` keys of a `Pulumi.<stack>.yaml`, prefix stripped. Encrypted (`secure:`) values
 * become a placeholder: only the Pulumi CLI can decrypt them. Throws a `ConfigError` (each
 * problem with its line) when the file has problems of its own.
 */
export function readStackFile(path: string): Record<string, unknown> {
  const file = inspectStackFile(path);
  if (file.issues.length) throw new ConfigError(stackFileIssues(file));
  return file.raw;
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
