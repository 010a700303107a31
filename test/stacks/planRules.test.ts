/**
 * Rules every plan must keep, checked over every shipped stack and the variants that change what
 * they create: what a real deployment would refuse although each resource alone is valid.
 */
import { Plan } from "../../infra/plan/runPlan";
import { shippedStacks } from "../../infra/stackFiles";
import { launchTypeViolations } from "../../components/aws/containerDefinitions";
import { Config, ofType, planStack } from "../helpers/plan";

const variants: [string, string, Config][] = [
  ...shippedStacks().map((s): [string, string, Config] => [s, s, {}]),
  // Kubernetes creates records only with a zone, and the DICOM one only with dicomName.
  [
    "k8s-ha with DNS records",
    "k8s-ha",
    { dns: { name: "pacs.example.org", dicomName: "dicom.pacs.example.org", zoneId: "Z0123" } },
  ],
];

describe.each(variants)("%s", (_, stack, change) => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await planStack(stack, change));
  });

  test("no two DNS records share a zone, name and type (Route 53 refuses the second)", () => {
    const keys = ofType(plan, "aws:route53/record:Record").map((r) =>
      [r.inputs.zoneId, r.inputs.name, r.inputs.type].join(" "),
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test("every ECS container definition is one its launch type accepts", () => {
    for (const task of ofType(plan, "aws:ecs/taskDefinition:TaskDefinition")) {
      const launchType = task.inputs.requiresCompatibilities[0];
      expect(
        launchTypeViolations(JSON.parse(task.inputs.containerDefinitions), launchType),
      ).toEqual([]);
    }
  });
});
