import { editDistance } from "../distance";

/** The allowed value closest to `given` (case-insensitive edit distance), when one is close. */
export function closestValue(given: string, allowed: readonly string[]): string | undefined {
  const g = given.toLowerCase();
  const scored = allowed
    .map((a) => ({ a, d: editDistance(g, a.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  return scored[0] && scored[0].d <= Math.max(2, Math.floor(given.length / 4))
    ? scored[0].a
    : undefined;
}
