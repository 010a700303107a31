/**
 * The text form of the plan for every shipped stack: image names rather than the mocks' image
 * ids, long inputs cut with a pointer to `--json`, and one count of resources that matches the
 * lines listed (components, which only group resources, counted apart).
 */
import { inputLines, MAX_VALUE, planTree } from "../../infra/plan/format";
import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, shippedStacks, stackFilePath } from "../../infra/stackFiles";

const stacks = shippedStacks();

test.each(stacks)(
  "%s: counts match the lines, no line over 300 characters, no image id",
  async (stack) => {
    const plan = await runPlan(readStackFile(stackFilePath(stack)), stack);
    const text = planTree(plan, { file: `stacks/Pulumi.${stack}.yaml`, shipped: true });
    const lines = text.split("\n");
    const header = /: (\d+) resources to create \(\+\), in (\d+) components \(\*\)$/.exec(lines[0]);
    expect(header).not.toBeNull();
    expect(lines.filter((l) => /^\s+\+ /.test(l))).toHaveLength(Number(header![1]));
    expect(lines.filter((l) => /^\s+\* /.test(l))).toHaveLength(Number(header![2]));
    expect(Number(header![1]) + Number(header![2])).toBe(plan.resources.length);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(300);
    expect(text).not.toMatch(/sha256:[0-9a-f]{64}/);
  },
  60_000,
);

test("a container shows the image it runs, by name", async () => {
  const plan = await runPlan(readStackFile(stackFilePath("local")), "local");
  const lines = planTree(plan).split("\n");
  const at = lines.findIndex((l) =>
    l.endsWith("+ docker:index/container:Container orthanc-local-proxy"),
  );
  expect(lines[at + 1].trim()).toBe("image: caddy:2.10.2-alpine");
  const orthanc = lines.findIndex((l) =>
    l.endsWith("+ docker:index/container:Container orthanc-local-orthanc"),
  );
  expect(lines[orthanc + 1].trim()).toBe("image: orthancteam/orthanc:26.8.1");
}, 60_000);

test("long values are cut with a pointer to --json; nested values indented", () => {
  const long = "x".repeat(5000);
  expect(inputLines({ userData: long, tags: { Name: "a" } }, "  ")).toEqual([
    `  userData: ${"x".repeat(MAX_VALUE)}… (5000 characters; --json has all)`,
    '  tags: {"Name":"a"}',
  ]);
  expect(
    inputLines({ script: "line one\nline two", list: ["a".repeat(50), "b".repeat(50)] }, ""),
  ).toEqual([
    "script: line one… (2 lines; --json has all)",
    "list:",
    `  - ${"a".repeat(50)}`,
    `  - ${"b".repeat(50)}`,
  ]);
});
