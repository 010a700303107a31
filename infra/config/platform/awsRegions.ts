/**
 * AWS regions, from the list `@pulumi/aws` ships (its `Region` enum), not a pattern: a region
 * that does not exist, or that the installed SDK does not know yet, is refused before any
 * resource. Only the enums module is loaded (plain data, no provider): the schema loads it for
 * every stack, and a Docker or Kubernetes stack must not pay for the AWS SDK.
 */
import { Region } from "@pulumi/aws/types/enums";
import { z } from "zod";
import { refuse } from "./issue";
import { closestValue } from "./suggest";

/** Every region of the SDK, in its order. */
export const AWS_REGIONS: readonly string[] = Object.freeze(Object.values(Region));

/** The AWS partition a region belongs to (`aws` for the commercial regions). */
export function awsPartition(region: string): string {
  const partitions: [RegExp, string][] = [
    [/^cn-/, "aws-cn"],
    [/^us-gov-/, "aws-us-gov"],
    [/^us-isob-/, "aws-iso-b"],
    [/^us-isof-/, "aws-iso-f"],
    [/^us-iso-/, "aws-iso"],
    [/^eu-isoe-/, "aws-iso-e"],
    [/^eusc-/, "aws-eusc"],
  ];
  return partitions.find(([re]) => re.test(region))?.[1] ?? "aws";
}

/**
 * The regions this program deploys to: the commercial partition's. Its IAM policies and bucket
 * ARNs are written `arn:aws:...`, which the other partitions (China, GovCloud, ISO, the European
 * Sovereign Cloud) do not accept.
 */
export const COMMERCIAL_REGIONS: readonly string[] = AWS_REGIONS.filter(
  (r) => awsPartition(r) === "aws",
);

/**
 * What is wrong with `region` as an AWS region (what is allowed, and the region to set
 * instead), or `undefined` when it is one. Only the commercial partition unless `anyPartition`
 * (S3 storage read with static keys, where no ARN of this program is involved).
 */
export function regionProblem(
  region: string,
  options: { anyPartition?: boolean } = {},
): { message: string; example: string } | undefined {
  const allowed = options.anyPartition ? AWS_REGIONS : COMMERCIAL_REGIONS;
  if (allowed.includes(region)) return undefined;
  const partition = awsPartition(region);
  if (AWS_REGIONS.includes(region) && partition !== "aws") {
    return {
      message: `is a region of the ${partition} partition; this program deploys to the commercial partition (aws) only: its IAM policies and bucket ARNs are written \`arn:aws:...\``,
      example: "eu-west-1",
    };
  }
  const guess = closestValue(region.trim(), allowed);
  return {
    message: `must be an AWS region that @pulumi/aws knows${guess ? ` (did you mean ${guess}?)` : ""}: ${allowed.join(", ")}`,
    example: guess ?? "eu-west-1",
  };
}

/** An AWS region (see `regionProblem`). */
export function awsRegion(options: { anyPartition?: boolean } = {}) {
  return z.string().check((ctx) => {
    const problem = regionProblem(ctx.value, options);
    if (problem) refuse(ctx, problem.message, problem.example);
  });
}
