/** What the AWS component tests share. */

/** The KMS key every component under test is given. */
export const KEY = "arn:aws:kms:eu-west-1:123456789012:key/test";

/** Registration order follows when inputs resolve: compare as lists sorted by their JSON. */
export const byJson = (a: unknown, b: unknown) =>
  JSON.stringify(a).localeCompare(JSON.stringify(b));
