import { testRejections } from "../helpers";

describe("orthanc:aws", () => {
  testRejections([
    ["an AWS stack without region", { target: "aws" }, "orthanc:aws", /is required/],
    [
      "an instance type without EC2 capacity",
      { target: "aws", aws: { region: "eu-west-1", instanceType: "m6i.large" } },
      "orthanc:aws.instanceType",
      /is only used with `orthanc:aws.compute` ec2, got compute fargate/,
    ],
    [
      "autoscaling must reach above the replicas",
      {
        target: "aws",
        aws: { region: "eu-west-1", autoscaling: { maxReplicas: 2 } },
        orthanc: { replicas: 2 },
      },
      "orthanc:aws.autoscaling.maxReplicas",
      /must be above `orthanc:orthanc.replicas` \(2\), got 2/,
    ],
  ]);
});
