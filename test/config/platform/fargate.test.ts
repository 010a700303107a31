import {
  describeMemory,
  FARGATE_CPUS,
  FARGATE_SIZES,
  fargateCpusFor,
  nearestFargateMemory,
} from "../../../infra/config/platform/fargate";
import { isGravitonFamily } from "../../../infra/config/platform/ec2";

describe("Fargate task sizes (AWS's table)", () => {
  test("each CPU with its memory range", () => {
    expect(FARGATE_CPUS).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
    expect(FARGATE_SIZES[256]).toEqual([512, 1024, 2048]);
    expect(FARGATE_SIZES[512]).toEqual([1024, 2048, 3072, 4096]);
    expect(FARGATE_SIZES[1024]).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(FARGATE_SIZES[2048].length).toBe(13); // 4096-16384 by 1024
    expect(FARGATE_SIZES[4096]).toContain(30720);
    expect(FARGATE_SIZES[4096]).not.toContain(31744);
    expect(FARGATE_SIZES[8192]).toEqual([
      16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440,
    ]);
    expect(FARGATE_SIZES[16384][0]).toBe(32768);
    expect(FARGATE_SIZES[16384][FARGATE_SIZES[16384].length - 1]).toBe(122880);
  });

  test("what runs a memory size, and the nearest allowed one", () => {
    expect(fargateCpusFor(2048)).toEqual([256, 512, 1024]);
    expect(fargateCpusFor(1000)).toEqual([]);
    expect(nearestFargateMemory(1024, 1024)).toBe(2048);
    expect(nearestFargateMemory(8192, 20000)).toBe(20480);
    expect(describeMemory(256)).toBe("512, 1024, 2048");
    expect(describeMemory(8192)).toBe("16384-61440 in steps of 4096");
  });
});

describe("EC2 families: Graviton (arm64) or x86", () => {
  test.each([
    "a1",
    "t4g",
    "m6g",
    "m7gd",
    "c6gn",
    "c7gn",
    "r8g",
    "x2gd",
    "im4gn",
    "is4gen",
    "g5g",
    "hpc7g",
  ])("%s is Graviton", (family) => expect(isGravitonFamily(family)).toBe(true));
  test.each([
    "t3",
    "t3a",
    "m6i",
    "m7i-flex",
    "c7a",
    "r7iz",
    "g4dn",
    "g6",
    "x2iedn",
    "inf2",
    "u-6tb1",
    "mac2-m2pro",
  ])("%s is x86", (family) => expect(isGravitonFamily(family)).toBe(false));
});
