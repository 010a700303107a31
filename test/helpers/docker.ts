/** Picking containers and their uploaded files out of a plan of the Docker target. */
import { Plan } from "../../infra/plan/runPlan";
import { ofType, R } from "./plan";

export type Container = R;

export const containers = (plan: Plan) =>
  ofType(plan, "docker:index/container:Container") as Container[];

/** The single container whose name ends in `-<suffix>` (fails the test if there are none or several). */
export const container = (plan: Plan, suffix: string) => {
  const found = containers(plan).filter((c) => c.name.endsWith(`-${suffix}`));
  expect(found).toHaveLength(1);
  return found[0];
};

/** A file the provider copies into the container, by its path. */
export const upload = (c: Container, file: string) =>
  (
    c.inputs.uploads as { file: string; content: string; permissions: string; owner?: string }[]
  ).find((u) => u.file === file);
