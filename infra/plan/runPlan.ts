import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../config";
import { planMocks } from "./mocks";
import { maskedInputs, PlannedResource, recordRegistrations, SECRET_MARK } from "./record";

export const PROJECT = "orthanc";

export interface Plan {
  stack: string;
  target: string;
  resources: PlannedResource[];
  /** Stack outputs; secrets shown as `[secret]`. */
  outputs: Record<string, unknown>;
}

async function resolve(value: pulumi.Output<unknown>): Promise<unknown> {
  // `isSecret` is internal to Output but stable across 3.x.
  const secret = await (value as unknown as { isSecret: Promise<boolean> }).isSecret;
  const plain = await new Promise((r) => value.apply((v) => r(v)));
  return secret ? SECRET_MARK : maskedInputs(plain);
}

/**
 * Runs `build` under mocks and records every resource it registers. `build` returns the outputs
 * to resolve; it is called after the mocks are in place.
 */
export async function planOf(
  stack: string,
  target: string,
  build: () =>
    Promise<Record<string, pulumi.Output<unknown>>> | Record<string, pulumi.Output<unknown>>,
  /** Sees every resource's inputs as the provider would, secrets revealed (tests only). */
  observe?: (args: pulumi.runtime.MockResourceArgs) => void,
): Promise<Plan> {
  const mocks: pulumi.runtime.Mocks = observe
    ? { ...planMocks, newResource: (args) => (observe(args), planMocks.newResource(args)) }
    : planMocks;
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, false, "organization");
  const recorder = recordRegistrations(PROJECT, stack);
  const outputs = await build();
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) resolved[key] = await resolve(value);
  await recorder.settled();
  return { stack, target, resources: recorder.resources, outputs: resolved };
}

/**
 * Runs the real program for one stack configuration under mocks (no cloud, no CLI) and returns
 * every resource it registers. Throws `ConfigError` for an invalid configuration before any
 * resource is registered.
 */
export async function runPlan(
  raw: Record<string, unknown>,
  stack: string,
  observe?: (args: pulumi.runtime.MockResourceArgs) => void,
): Promise<Plan> {
  const config = parseConfig(raw);
  return planOf(
    stack,
    config.target,
    async () => {
      // Import here, after the mocks: modules that touch the runtime must see the mock monitor.
      const { orthancProgram } = await import("../program");
      return orthancProgram(config);
    },
    observe,
  );
}
