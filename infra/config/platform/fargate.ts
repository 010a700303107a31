/**
 * The task sizes Fargate runs (Linux): each CPU value with the memory values it allows, from
 * AWS's table of task CPU and memory. Any other pair is refused by ECS at deploy time, after the
 * network, database and storage exist.
 */
const range = (from: number, to: number, step: number): number[] =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** CPU units (1024 = 1 vCPU) -> the memory sizes in MiB Fargate allows with it. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = Object.freeze({
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
});

export const FARGATE_CPUS: readonly number[] = Object.keys(FARGATE_SIZES).map(Number);

/** `2048-16384 in steps of 1024`, or the list when it is short. */
export function describeMemory(cpu: number): string {
  const sizes = FARGATE_SIZES[cpu];
  if (sizes.length <= 3) return sizes.join(", ");
  return `${sizes[0]}-${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}`;
}

/** The CPU values with which Fargate runs `memoryMiB`, smallest first. */
export function fargateCpusFor(memoryMiB: number): number[] {
  return FARGATE_CPUS.filter((cpu) => FARGATE_SIZES[cpu].includes(memoryMiB));
}

/** The allowed memory size nearest `memoryMiB` for `cpu`. */
export function nearestFargateMemory(cpu: number, memoryMiB: number): number {
  return [...FARGATE_SIZES[cpu]].sort(
    (a, b) => Math.abs(a - memoryMiB) - Math.abs(b - memoryMiB),
  )[0];
}
