/**
 * Planning the real program under mocks for tests: a shipped stack with a change (`planStack`), or
 * any configuration (`planConfig`), and helpers to pick resources out of the plan.
 */
import * as pulumi from "@pulumi/pulumi";
import { runPlan, Plan } from "../../infra/plan/runPlan";
import { PlannedResource } from "../../infra/plan/record";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";

export type R = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

export const ofType = (plan: Plan, type: string) =>
  plan.resources.filter((r) => r.type === type) as R[];

/** The single resource of a type (fails the test if there are none or several). */
export function only(plan: Plan, type: string): R {
  const found = ofType(plan, type);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The resource of a type and name (fails the test if there is none). */
export function named(plan: Plan, type: string, name: string): R {
  const found = ofType(plan, type).filter((r) => r.name === name);
  expect(found.map((r) => r.name)).toEqual([name]);
  return found[0];
}

/** Secret inputs reach the mock wrapped in Pulumi's secret signature: unwrap them. */
export function reveal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reveal);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270")
      return reveal(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** Stack configuration: the `orthanc:*` keys without the prefix, as `readStackFile` returns them. */
export type Config = Record<string, unknown>;

/** One resource as the provider receives it: inputs as registered, secrets still wrapped. */
export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface Planned {
  plan: Plan;
  /** Every resource's inputs as the provider sees them (secrets revealed), by `type::name`. */
  plain: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Every resource in registration order, inputs as registered (secrets wrapped). */
  registrations: Registration[];
  /** The configuration that was planned. */
  config: Config;
}

/** Plans any configuration under the stack name `stack` (which names the resources). */
export async function planConfig(config: Config, stack: string): Promise<Planned> {
  const plain: Planned["plain"] = {};
  const registrations: Registration[] = [];
  const plan = await runPlan(config, stack, (args: pulumi.runtime.MockResourceArgs) => {
    plain[`${args.type}::${args.name}`] = reveal(args.inputs) as Record<string, unknown>;
    registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
  });
  return { plan, plain, registrations, config };
}

/** Marks a value of a change that replaces the stack file's value instead of merging into it. */
class Replacement {
  constructor(readonly value: unknown) {}
}

/** In a `planStack` change: this value as it is, not merged with the stack file's (e.g. a section without a key the file sets). */
export const replaced = (value: unknown): unknown => new Replacement(value);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Replacement);

/** `change` over `base`: objects merged key by key, anything else (arrays too) replaced. */
export function mergeConfig(base: unknown, change: unknown): unknown {
  if (change instanceof Replacement) return change.value;
  if (!isPlainObject(base) || !isPlainObject(change)) return change;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(change)) out[key] = mergeConfig(base[key], value);
  return out;
}

/**
 * Plans a shipped stack (`stacks/Pulumi.<stack>.yaml`) with `change` deep-merged into its
 * configuration: `{ orthanc: { replicas: 3 } }` changes that key and keeps the section's others.
 * Wrap a value in `replaced(...)` to set it whole.
 */
export function planStack(stack: string, change: Config = {}): Promise<Planned> {
  const config = mergeConfig(readStackFile(stackFilePath(stack)), change) as Config;
  return planConfig(config, stack);
}
