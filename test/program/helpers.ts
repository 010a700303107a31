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

/** The plan, plus every resource's inputs as the provider sees them (secrets revealed), by `type::name`. */
export async function planWithSecrets(stack: string, raw = readStackFile(stackFilePath(stack))) {
  const plain: Record<string, Record<string, any>> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  const plan = await runPlan(raw, stack, (args: pulumi.runtime.MockResourceArgs) => {
    plain[`${args.type}::${args.name}`] = reveal(args.inputs) as Record<string, unknown>;
  });
  return { plan, plain };
}
