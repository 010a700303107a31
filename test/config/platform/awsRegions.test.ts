import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  AWS_REGIONS,
  awsPartition,
  COMMERCIAL_REGIONS,
  regionProblem,
} from "../../../infra/config/platform/awsRegions";

const ROOT = join(__dirname, "..", "..", "..");

describe("AWS regions, from the list @pulumi/aws ships", () => {
  test("the list is the SDK's Region enum, whole", () => {
    // The same module the provider's `aws.Region` re-exports (a check that it still is).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const enums = require("@pulumi/aws/types/enums") as { Region: Record<string, string> };
    expect(AWS_REGIONS).toEqual(Object.values(enums.Region));
    expect(AWS_REGIONS).toEqual(expect.arrayContaining(["eu-west-1", "us-east-1", "ap-south-2"]));
  });

  test.each([
    ["eu-west-1", "aws"],
    ["mx-central-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["eusc-de-east-1", "aws-eusc"],
  ])("%s is in partition %s", (region, partition) => {
    expect(awsPartition(region)).toBe(partition);
  });

  test("the commercial list has every region of partition aws and no other", () => {
    expect(COMMERCIAL_REGIONS.length).toBeGreaterThan(30);
    expect(COMMERCIAL_REGIONS.every((r) => awsPartition(r) === "aws")).toBe(true);
    expect(AWS_REGIONS.filter((r) => !COMMERCIAL_REGIONS.includes(r)).length).toBeGreaterThan(0);
  });

  test.each([
    [
      "eu-west-7",
      "eu-west-1",
      /must be an AWS region that @pulumi\/aws knows \(did you mean eu-west-1\?\)/,
    ],
    ["EU-WEST-1", "eu-west-1", /did you mean eu-west-1\?/],
    ["eu-west", "eu-west-1", /did you mean eu-west-1\?/],
    ["frankfurt", "eu-west-1", /must be an AWS region that @pulumi\/aws knows: af-south-1, /],
    ["cn-north-1", "eu-west-1", /the aws-cn partition.*commercial partition \(aws\) only/],
  ])("%s is refused, with %s to set instead", (given, example, message) => {
    const problem = regionProblem(given);
    expect(problem?.example).toBe(example);
    expect(problem?.message).toMatch(message);
  });

  test("S3 with static keys takes any partition's region", () => {
    expect(regionProblem("cn-north-1", { anyPartition: true })).toBeUndefined();
    expect(regionProblem("eu-west-7", { anyPartition: true })).toBeDefined();
  });

  // The schema is loaded for every stack: a Docker or Kubernetes stack must not load the AWS SDK
  // (most of a plan's start-up time). Only the enums module, plain data, is read.
  test("loading the configuration loads no part of @pulumi/aws but its enums", () => {
    const script = [
      "require('./infra/config');",
      "const loaded = Object.keys(require.cache).filter((f) => f.includes('@pulumi/aws/'));",
      "console.log(JSON.stringify(loaded));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["-r", "@swc-node/register", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const loaded = JSON.parse(out.trim().split("\n").pop()!) as string[];
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((f) => !/@pulumi\/aws\/types\/enums\//.test(f))).toEqual([]);
  });
});
