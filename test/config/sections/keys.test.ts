import { testRejections } from "../helpers";

describe("orthanc:keys", () => {
  testRejections([
    [
      "a KMS key given by another service's ARN",
      { target: "aws", aws: { region: "eu-west-1" }, keys: { kmsKeyArn: "arn:aws:s3:::x" } },
      "orthanc:keys.kmsKeyArn",
      /^must be a KMS key or alias ARN; got "arn:aws:s3:::x"\. Fix:/,
    ],
    [
      "a deletion window shorter than KMS allows",
      { target: "aws", aws: { region: "eu-west-1" }, keys: { deletionWindowDays: 3 } },
      "orthanc:keys.deletionWindowDays",
      /^must be at least 7, got 3\. Fix: `pulumi config set --path 'orthanc:keys.deletionWindowDays' 7`/,
    ],
  ]);
});
