/**
 * The KMS key policy: the account's root, and services bound to this account.
 */
import { keyPolicy } from "../../../components/aws/kmsKey";

test.each([
  [[], 1],
  [["logs.eu-west-1.amazonaws.com"], 2],
])(
  "KMS key policy with services %j has %i statements, services bound to this account",
  (services, n) => {
    const doc = keyPolicy("123456789012", "aws", services);
    expect(doc.Statement).toHaveLength(n);
    expect(doc.Statement[0]).toMatchObject({
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
    });
    if (n === 2)
      expect(doc.Statement[1]).toMatchObject({
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      });
  },
);
