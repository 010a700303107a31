// One stack's plan in a fresh process, so time, memory and loaded SDKs are the program's alone.
import { runPlan } from "../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../infra/stackFiles";

const stack = process.argv[2];
const t0 = process.hrtime.bigint();
runPlan(readStackFile(stackFilePath(stack)), stack).then((plan) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const mem = process.memoryUsage();
  // The Pulumi SDKs this plan loaded (a target's SDKs load only when it is selected). An SDK
  // counts once its entry module is loaded: the schema reads one data file of @pulumi/aws (its
  // region list) without loading the SDK.
  const sdks = new Set(
    Object.keys(require.cache)
      .map((path) => /node_modules\/@pulumi\/([a-z]+)\/index\.js$/.exec(path)?.[1])
      .filter((sdk): sdk is string => !!sdk && sdk !== "pulumi"),
  );
  console.log(
    JSON.stringify({
      stack,
      resources: plan.resources.length,
      ms,
      // From the process's start: Node, the SDKs and the program, as `pulumi up` pays it.
      totalMs: process.uptime() * 1000,
      rssMiB: mem.rss / 2 ** 20,
      heapMiB: mem.heapUsed / 2 ** 20,
      sdks: [...sdks].sort(),
    }),
  );
  process.exit(0);
});
