import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import { PlanResource, planSpecs, TYPES } from "./engineSpec";

/** Every resource a shipped stack registers, as the provider would see its inputs. */
export async function observedResources(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<PlanResource[]> {
  const resources: PlanResource[] = [];
  await runPlan({ ...readStackFile(stackFilePath(stack)), ...overrides }, stack, (args) =>
    resources.push({ type: args.type, name: args.name, inputs: args.inputs }),
  );
  return resources;
}

/** Every Container, Network and Volume of the plan maps to the Engine API without error. */
export function expectEverythingMapped(resources: PlanResource[]): void {
  const specs = planSpecs(resources, { runId: "mapped", localImage: (ref) => ref });
  const count = (type: string) => resources.filter((r) => r.type === type).length;
  expect(count(TYPES.container)).toBeGreaterThan(0);
  expect(specs.containers).toHaveLength(count(TYPES.container));
  expect(specs.networks).toHaveLength(count(TYPES.network));
  expect(specs.volumes).toHaveLength(count(TYPES.volume));
}
