/** Edit distance (as errors.ts has for keys, kept apart: errors.ts loads the schema). */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** The allowed value closest to `given` (case-insensitive edit distance), when one is close. */
export function closestValue(given: string, allowed: readonly string[]): string | undefined {
  const g = given.toLowerCase();
  const scored = allowed
    .map((a) => ({ a, d: distance(g, a.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= Math.max(2, Math.floor(given.length / 4))
    ? scored[0].a
    : undefined;
}
