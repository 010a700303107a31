import {
  RDS_CLASS_MEMORY_GIB,
  rdsClassMemoryGiB,
  rdsFamilies,
  rdsMaxConnectionsForMemory,
} from "../../../components/aws/rdsClasses";
import { parseConfig } from "../../../infra/config";

describe("the RDS class table (one source: validation and max_connections)", () => {
  test("has the current families, with the sizes each has", () => {
    const families = rdsFamilies();
    for (const f of [
      "db.t3",
      "db.t4g",
      "db.m5",
      "db.m6i",
      "db.m6g",
      "db.m7g",
      "db.m7i",
      "db.r5",
      "db.r6i",
      "db.r6g",
      "db.r7g",
      "db.r7i",
    ])
      expect(families.has(f)).toBe(true);
    expect(families.get("db.t4g")).toEqual([
      "micro",
      "small",
      "medium",
      "large",
      "xlarge",
      "2xlarge",
    ]);
    expect(families.get("db.m6i")).toContain("32xlarge");
    expect(families.get("db.m7g")).not.toContain("24xlarge");
    expect(families.get("db.r7i")).toContain("48xlarge");
    expect(families.get("db.m5")).not.toContain("micro");
  });

  test.each([
    ["db.t4g.micro", 1],
    ["db.t3.medium", 4],
    ["db.m6i.large", 8],
    ["db.m7g.2xlarge", 32],
    ["db.r6g.large", 16], // memory optimized: 8 GiB per vCPU
    ["db.r7g.4xlarge", 128],
    ["db.x2g.large", 32],
    ["db.m5.24xlarge", 384],
  ])("%s has %i GiB", (cls, gib) => {
    expect(rdsClassMemoryGiB(cls)).toBe(gib);
  });

  test("a class it lacks has no memory (and no inherited key answers)", () => {
    expect(rdsClassMemoryGiB("db.m9z.large")).toBeUndefined();
    expect(rdsClassMemoryGiB("toString")).toBeUndefined();
  });

  test.each([
    [1, 101],
    [2, 202],
    [4, 405],
    [16, 1622],
    [64, 5000], // ~6489 by memory: capped at 5000
  ])("max_connections with %i GiB is %i", (gib, max) => {
    expect(rdsMaxConnectionsForMemory(gib)).toBe(max);
  });

  test("every class of the table passes the schema, and sizes a pool", () => {
    for (const cls of Object.keys(RDS_CLASS_MEMORY_GIB)) {
      const cfg = parseConfig({
        target: "aws",
        aws: { region: "eu-west-1" },
        tls: { allowPlainHttp: true },
        database: { instanceClass: cls },
      });
      expect(cfg.target === "aws" && cfg.database.instanceClass).toBe(cls);
    }
  });
});
