/**
 * Reading the Docker provider's inputs strictly, for engineSpec.ts: checked values that fail with
 * the resource and input path, Pulumi's wire format (secrets unwrapped, unknowns and references
 * refused), and values with their own syntax (Go durations, file modes, numeric ids).
 */
// ---------------------------------------------------------------------------------------------
// Reading inputs strictly.

export type Obj = Record<string, unknown>;

/** Where a value sits, for error messages. */
export interface At {
  resource: string;
  path: string;
}

const MAP_IT = "is not mapped to the Engine API: map it in test/docker-engine/engineSpec.ts";

export function fail(at: At, message: string): never {
  throw new Error(`${at.resource}: input \`${at.path}\` ${message}`);
}

export const child = (at: At, key: string | number): At => ({
  resource: at.resource,
  path: typeof key === "number" ? `${at.path}[${key}]` : at.path ? `${at.path}.${key}` : key,
});

const shown = (v: unknown) => (Array.isArray(v) ? "an array" : (JSON.stringify(v) ?? String(v)));

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** An object whose keys are all `known`; `refused` keys fail with their own reason. */
export function object(
  value: unknown,
  at: At,
  known: readonly string[],
  refused: Record<string, string> = {},
): Obj {
  if (!isObject(value)) fail(at, `must be an object, got ${shown(value)}`);
  for (const key of Object.keys(value)) {
    if (key in refused) fail(child(at, key), refused[key]);
    if (!known.includes(key)) fail(child(at, key), MAP_IT);
  }
  return value;
}

export function optional<T>(
  o: Obj,
  key: string,
  at: At,
  check: (v: unknown, at: At) => T,
): T | undefined {
  return o[key] === undefined || o[key] === null ? undefined : check(o[key], child(at, key));
}

export function str(v: unknown, at: At): string {
  if (typeof v !== "string") fail(at, `must be a string, got ${shown(v)}`);
  return v;
}

export function bool(v: unknown, at: At): boolean {
  if (typeof v !== "boolean") fail(at, `must be a boolean, got ${shown(v)}`);
  return v;
}

export function int(v: unknown, at: At, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    fail(at, `must be an integer in [${min}, ${max}], got ${shown(v)}`);
  return v;
}

export function list(v: unknown, at: At): unknown[] {
  if (!Array.isArray(v)) fail(at, `must be a list, got ${shown(v)}`);
  return v;
}

export function strings(v: unknown, at: At): string[] {
  return list(v, at).map((s, i) => str(s, child(at, i)));
}

export function stringMap(v: unknown, at: At): Record<string, string> {
  if (!isObject(v)) fail(at, `must be a map of strings, got ${shown(v)}`);
  return Object.fromEntries(Object.entries(v).map(([k, s]) => [k, str(s, child(at, k))]));
}

// ---------------------------------------------------------------------------------------------
// Pulumi's wire format.

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function unwrap(value: unknown, at: At): unknown {
  if (value === UNKNOWN) fail(at, "is unknown (computed during preview): cannot be applied");
  if (Array.isArray(value)) return value.map((v, i) => unwrap(v, child(at, i)));
  if (isObject(value)) {
    if (SIG_KEY in value) {
      if (value[SIG_KEY] === SECRET_SIG) return unwrap(value.value, at);
      fail(at, `is a Pulumi wire value (signature ${shown(value[SIG_KEY])}), not a plain value`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, child(at, k))]));
  }
  return value;
}

/**
 * Inputs as plain values: secrets unwrapped. An unknown value or a resource reference cannot be
 * sent to an engine, so it throws, naming `resource`.
 */
export function plainInputs(value: unknown, resource = "inputs"): unknown {
  return unwrap(value, { resource, path: "" });
}

// ---------------------------------------------------------------------------------------------
// Values with their own syntax.

const NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A Go `time.ParseDuration` string ("1h30m", "1.5s", "0") in nanoseconds; negative refused. */
export function goDurationNs(text: string): number {
  if (text === "0") return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    part.lastIndex = pos;
    const m = part.exec(text);
    if (!m) throw new Error(`invalid Go duration "${text}" (e.g. "30s", "1m30s", "500ms")`);
    total += Number(m[1]) * NS[m[2]];
    pos = part.lastIndex;
  }
  if (pos === 0) throw new Error(`invalid Go duration "${text}" (e.g. "30s", "1m30s", "500ms")`);
  return Math.round(total);
}

export function duration(v: unknown, at: At): number {
  const text = str(v, at);
  let ns: number;
  try {
    ns = goDurationNs(text);
  } catch (e) {
    fail(at, (e as Error).message);
  }
  // Engine API 1.41: "0 or at least 1000000 (1 ms)"; 0 inherits the image's value.
  if (ns !== 0 && ns < 1e6) fail(at, `must be 0 or at least 1ms, got "${text}"`);
  return ns;
}

/** `permissions` as the provider parses it: an octal string ("0400", "644"). */
export function fileMode(v: unknown, at: At): number {
  const text = str(v, at);
  if (!/^0?[0-7]{3,4}$/.test(text)) fail(at, `must be an octal mode such as "0400", got "${text}"`);
  return parseInt(text, 8);
}

/**
 * `owner`/`group`: the provider resolves names in the *deploying machine's* user database, which
 * says nothing about the image's; only numeric ids mean the same everywhere.
 */
export function numericId(v: unknown, at: At): number {
  const text = str(v, at);
  if (!/^\d+$/.test(text))
    fail(at, `must be a numeric id: a name is resolved on the deploying machine, got "${text}"`);
  return Number(text);
}
