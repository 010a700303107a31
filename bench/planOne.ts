// One stack's plan in a fresh process, so time and memory are the program's alone.
import { runPlan } from "../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../infra/stackFiles";

const stack = process.argv[2];
const t0 = process.hrtime.bigint();
const rss0 = process.memoryUsage().rss;
runPlan(readStackFile(stackFilePath(stack)), stack).then((plan) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const mem = process.memoryUsage();
  console.log(
    JSON.stringify({
      stack,
      resources: plan.resources.length,
      ms,
      rssMiB: mem.rss / 2 ** 20,
      rssDeltaMiB: (mem.rss - rss0) / 2 ** 20,
      heapMiB: mem.heapUsed / 2 ** 20,
    }),
  );
  process.exit(0);
});
