/**
 * The offline plan `npm run deploy` runs before it looks for the Pulumi CLI: the same checks and
 * the same program under mocks as `npm run plan`, reduced to what the deploy needs (how many
 * resources, which ones a destroy leaves behind). Run in a child process
 * (`node -r @swc-node/register infra/deployPlan.ts <stack file> <stack>`): the mocks replace the
 * Pulumi runtime of the process they run in, and the deploy needs the real one.
 */
import { ConfigError } from "./config";
import { redactText } from "./config/redact";
import type { PlannedResource } from "./plan/record";
import { inspectStackFile, stackFileIssues } from "./stackFiles";

export interface DeployPlan {
  /** Resources the engine will count, the stack itself included. */
  resources: number;
  /** `protect`ed: a destroy leaves them, and the stack keeps them. */
  protected: string[];
  /** `retainOnDelete` only: a destroy removes them from the stack but not from the cloud. */
  retained: string[];
}

export type PlanResult = { ok: true; plan: DeployPlan } | { ok: false; message: string };

const label = (r: Pick<PlannedResource, "type" | "name">) => `${r.name} (${r.type})`;

/** What a destroy with `excludeProtected` leaves behind, from the plan's resources. */
export function leftBehind(
  resources: Pick<PlannedResource, "type" | "name" | "protect" | "retainOnDelete">[],
): Pick<DeployPlan, "protected" | "retained"> {
  return {
    protected: resources.filter((r) => r.protect).map(label),
    retained: resources.filter((r) => !r.protect && r.retainOnDelete).map(label),
  };
}

/** The checks `npm run plan` makes before it runs the program; `undefined` when there is nothing to say. */
export function checkStackFile(file: string): string | undefined {
  const issues = stackFileIssues(inspectStackFile(file));
  return issues.length ? `${file}: ${new ConfigError(issues).message}` : undefined;
}

async function planStackFile(file: string, stack: string): Promise<PlanResult> {
  const problem = checkStackFile(file);
  if (problem) return { ok: false, message: problem };
  const { runPlan } = await import("./plan/runPlan");
  try {
    const plan = await runPlan(inspectStackFile(file).raw, stack);
    return {
      ok: true,
      plan: { resources: plan.resources.length + 1, ...leftBehind(plan.resources) },
    };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, message: `${file}: ${e.message}` };
    throw e;
  }
}

if (require.main === module) {
  const [file, stack] = process.argv.slice(2);
  planStackFile(file, stack).then(
    // Written in full before the exit: the mocked runtime may keep handles open.
    (result) => process.stdout.write(JSON.stringify(result), () => process.exit(0)),
    (e) => {
      process.stdout.write(
        JSON.stringify({
          ok: false,
          message: `plan failed: ${redactText(String((e as Error)?.message ?? e))}`,
        }),
        () => process.exit(1),
      );
    },
  );
}
