/**
 * Bounded everywhere, in every shipped stack (and every stack added later): each Docker container
 * has a memory limit with no swap beyond it, and each emptyDir of every Kubernetes object (pod
 * specs of Deployments, StatefulSets, CronJobs, whatever renders one) has a sizeLimit.
 */
import { shippedStacks } from "../../infra/stackFiles";
import { containers } from "../helpers/docker";
import { planStack } from "../helpers/plan";

const STACKS = shippedStacks().sort();

/** Every `emptyDir` under `value`, with the path it was found at. */
function emptyDirs(value: unknown, path: string): { path: string; emptyDir: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => emptyDirs(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === "emptyDir" ? [{ path: `${path}.${k}`, emptyDir: v }] : emptyDirs(v, `${path}.${k}`),
  );
}

test("the shipped stacks are all walked", () => {
  expect(STACKS).toEqual([
    "aws-ec2",
    "aws-fargate-efs",
    "aws-fargate-s3",
    "docker-access",
    "docker-vm",
    "k8s-basic",
    "k8s-ha",
    "k8s-ingress",
    "local",
  ]);
});

describe.each(STACKS)("%s", (stack) => {
  test("every Docker container has a memory limit and no swap beyond it", async () => {
    const { plan } = await planStack(stack);
    const unbounded = containers(plan)
      .filter((c) => !(c.inputs.memory > 0) || c.inputs.memorySwap !== c.inputs.memory)
      .map((c) => `${c.name}: memory ${c.inputs.memory}, memorySwap ${c.inputs.memorySwap}`);
    expect(unbounded).toEqual([]);
    if (stack === "local" || stack.startsWith("docker"))
      expect(containers(plan).length).toBeGreaterThan(3);
  });

  test("every Kubernetes emptyDir has a sizeLimit", async () => {
    const { plan } = await planStack(stack);
    const found = plan.resources
      .filter((r) => r.type.startsWith("kubernetes:"))
      .flatMap((r) => emptyDirs(r.inputs, r.name));
    const unbounded = found
      .filter(({ emptyDir }) => !(emptyDir as { sizeLimit?: string } | null)?.sizeLimit)
      .map(({ path }) => path);
    expect(unbounded).toEqual([]);
    // The walk finds the pod specs: a Kubernetes stack has Orthanc's four or five emptyDirs.
    if (stack.startsWith("k8s")) expect(found.length).toBeGreaterThanOrEqual(4);
  });
});
