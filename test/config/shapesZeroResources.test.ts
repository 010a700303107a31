/**
 * Every configuration `shapeCases.ts` refuses, through the whole program: a `ConfigError` naming
 * the key, and not one resource registered. (`SHAPES_REJECTED` is the list to add to the shared
 * `REJECTED` of `zeroResources.test.ts`.)
 */
import { ConfigError } from "../../infra/config";
import { runPlan } from "../../infra/plan/runPlan";
import { OPT_INS, SHAPES_REJECTED } from "./exposureCases";

test.each(SHAPES_REJECTED)("%s: refused before any resource", async (_name, raw, key) => {
  let registered = 0;
  const plan = runPlan(raw, "rejected", () => void registered++);
  await expect(plan).rejects.toThrow(ConfigError);
  await expect(plan).rejects.toThrow(key);
  expect(registered).toBe(0);
});

// The explicit yes plans: the opt-ins are wired through to a whole program.
test.each(OPT_INS)("accepted: %s plans", async (_name, raw) => {
  const plan = await runPlan(raw, "optin");
  expect(plan.resources.length).toBeGreaterThan(0);
});

test("allowPublicAcmeChallenge opens port 80 alone to the internet; 443 keeps the allowlist", async () => {
  const [, raw] = OPT_INS.find(([name]) => name.includes("Let's Encrypt"))!;
  const plan = await runPlan(raw, "acme");
  const groups = plan.resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
  const ingress = groups.flatMap(
    (g) => (g.inputs.ingress ?? []) as { fromPort: number; cidrBlocks: string[] }[],
  );
  expect(ingress.filter((r) => r.fromPort === 80).map((r) => r.cidrBlocks)).toEqual([
    ["0.0.0.0/0"],
  ]);
  expect(ingress.filter((r) => r.fromPort === 443).map((r) => r.cidrBlocks)).toEqual([
    ["10.0.0.0/8"],
  ]);
});
