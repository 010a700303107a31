/**
 * The S3 policy a role gets: one bucket, one prefix and its key, never `*`.
 */
import { s3PrefixPolicy } from "../../../components/aws/iam";

test.each([
  [undefined, ["arn:aws:s3:::b/p/*", "arn:aws:s3:::b"]],
  [
    "arn:aws:kms:eu-west-1:1:key/k",
    ["arn:aws:s3:::b/p/*", "arn:aws:s3:::b", "arn:aws:kms:eu-west-1:1:key/k"],
  ],
])("S3 policy with key %s is scoped to one bucket, prefix and key", (key, resources) => {
  const doc = s3PrefixPolicy("arn:aws:s3:::b", "p/", key);
  expect(doc.Statement.map((st) => st.Resource)).toEqual(resources);
  expect(JSON.stringify(doc)).not.toContain('"*"');
});
