/**
 * The Mermaid diagrams drawn from the plan: well formed for every shipped stack, and the
 * README's per-target diagrams (each fenced ```mermaid block after `<!-- diagram: <stack> -->`)
 * are exactly what `npm run plan -- --stack <stack> --diagram` prints today.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mermaidDiagram } from "../../infra/plan/diagram";
import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, shippedStacks, stackFilePath } from "../../infra/stackFiles";

const diagramOf = async (stack: string) =>
  mermaidDiagram(await runPlan(readStackFile(stackFilePath(stack)), stack));

test.each(shippedStacks())(
  "%s: every edge joins declared nodes, every label quoted without a raw quote",
  async (stack) => {
    const lines = (await diagramOf(stack)).split("\n");
    expect(lines[0]).toBe("flowchart LR");
    const declared = new Set(
      lines
        .map((l) => /^\s+(\w+)(\(\[|\[\(|\[|\{\{)"/.exec(l)?.[1])
        .filter((id): id is string => !!id),
    );
    const edges = lines.filter((l) => /^\s+\w+ (-->|---|-\.->)/.test(l));
    expect(edges.length).toBeGreaterThan(0);
    for (const edge of edges) {
      const [from, , ...rest] = edge.trim().split(" ");
      const to = rest[rest.length - 1];
      expect(declared).toContain(from);
      expect(declared).toContain(to);
    }
    for (const l of lines.filter((x) => x.includes('"')))
      expect(l).toMatch(/^\s+(subgraph )?\w+(\["|\(\["|\[\("|\{\{")[^"]*("\]|"\]\)|"\)\]|"\}\})$/);
  },
  60_000,
);

test("local: ways in to the proxy and Orthanc, containers on their networks, volumes", async () => {
  const d = await diagramOf("local");
  expect(d).toContain(
    'w1(["127.0.0.1:8042<br/>HTTP<br/>TLS: none<br/>from: this host only (bound to 127.0.0.1)"])',
  );
  expect(d).toContain('n1{{"network orthanc-local-backend<br/>internal: no route out"}}');
  expect(d.split("\n").filter((l) => /^ {2}w\d --> /.test(l))).toEqual([
    "  w0 --> s3",
    "  w1 --> s4",
  ]);
}, 60_000);

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
const blocks = [
  ...readme.matchAll(/<!-- diagram: ([\w-]+) -->\n\n```mermaid\n([\s\S]*?)\n```/g),
].map((m) => [m[1], m[2]] as [string, string]);

test("the README has a generated diagram for local, aws-fargate-s3 and k8s-basic", () => {
  expect(blocks.map(([stack]) => stack)).toEqual(["local", "aws-fargate-s3", "k8s-basic"]);
  // Every fenced mermaid block is one of them: none drawn by hand.
  expect(readme.match(/```mermaid/g)).toHaveLength(blocks.length);
});

test.each(blocks)(
  "README diagram for %s is current (regenerate: npm run -s plan -- --stack <s> --diagram)",
  async (stack, block) => {
    expect(block).toBe(await diagramOf(stack));
  },
  60_000,
);
