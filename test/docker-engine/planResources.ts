import { planStack } from "../helpers/plan";
import { PlanResource, planSpecs, TYPES } from "./engineSpec";

/** Every resource a shipped stack registers, as the provider would see its inputs. */
export async function observedResources(stack: string): Promise<PlanResource[]> {
  return (await planStack(stack)).registrations;
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
