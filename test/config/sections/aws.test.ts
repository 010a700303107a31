import { parseConfig } from "../../../infra/config";
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

describe("orthanc:aws, checked against the platform", () => {
  // Plain HTTP accepted explicitly: these stacks have no domain for HTTPS.
  const aws = (section: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    target: "aws",
    aws: { region: "eu-west-1", ...section },
    tls: { allowPlainHttp: true },
    ...extra,
  });

  describe("the region is one @pulumi/aws ships", () => {
    testRejections([
      [
        "a region that does not exist",
        aws({ region: "eu-west-7" }),
        "orthanc:aws.region",
        /must be an AWS region that @pulumi\/aws knows \(did you mean eu-west-1\?\): af-south-1, .*us-west-2; got "eu-west-7"\. Fix: `pulumi config set --path 'orthanc:aws.region' eu-west-1`/,
      ],
      [
        "a misspelt region",
        aws({ region: "us-esat-1" }),
        "orthanc:aws.region",
        /did you mean us-east-1\?.*Fix: `pulumi config set --path 'orthanc:aws.region' us-east-1`/,
      ],
      [
        "an availability zone given as the region",
        aws({ region: "eu-west-1a" }),
        "orthanc:aws.region",
        /did you mean eu-west-1\?/,
      ],
      [
        "a region outside the commercial partition",
        aws({ region: "us-gov-west-1" }),
        "orthanc:aws.region",
        /is a region of the aws-us-gov partition; this program deploys to the commercial partition \(aws\) only/,
      ],
    ]);
  });

  describe("a VPC this program creates: a network address of /16 to /24", () => {
    testRejections([
      [
        "host bits set",
        aws({ vpcCidr: "10.0.0.5/16" }),
        "orthanc:aws.vpcCidr",
        /has host bits set.*10\.0\.0\.0\/16.*Fix: `pulumi config set --path 'orthanc:aws.vpcCidr' 10\.0\.0\.0\/16`/,
      ],
      [
        "larger than AWS allows",
        aws({ vpcCidr: "10.0.0.0/8" }),
        "orthanc:aws.vpcCidr",
        /must be a \/16 to \/24 block.*Fix: .* 10\.0\.0\.0\/16`/,
      ],
      [
        "too small to split into the subnets",
        aws({ vpcCidr: "10.0.0.0/26" }),
        "orthanc:aws.vpcCidr",
        /must be a \/16 to \/24 block.*Fix: .* 10\.0\.0\.0\/24`/,
      ],
    ]);
  });

  describe("Fargate runs AWS's CPU/memory pairs only", () => {
    testRejections([
      [
        "too little memory for the CPU",
        aws({ cpu: 1024, memoryMiB: 1024 }),
        "orthanc:aws.memoryMiB",
        /got 1024, which Fargate does not run with `orthanc:aws.cpu` 1024\. Allowed with cpu 1024: 2048-8192 in steps of 1024 MiB; 1024 MiB runs with cpu 256 or 512\. Fix: `pulumi config set --path 'orthanc:aws.memoryMiB' 2048`, or `pulumi config set --path 'orthanc:aws.cpu' 256`\./,
      ],
      [
        "memory off the 1024 steps",
        aws({ cpu: 2048, memoryMiB: 5000 }),
        "orthanc:aws.memoryMiB",
        /Allowed with cpu 2048: 4096-16384 in steps of 1024 MiB\. Fix: .* 5120`/,
      ],
      [
        "8 vCPU memory off the 4096 steps",
        aws({ cpu: 8192, memoryMiB: 18432 }),
        "orthanc:aws.memoryMiB",
        /16384-61440 in steps of 4096/,
      ],
      [
        "a CPU value Fargate does not have",
        aws({ cpu: 1000, memoryMiB: 2048 }),
        "orthanc:aws.cpu",
        /got 1000, which Fargate does not run\. Allowed with `orthanc:aws.compute` fargate: 256, 512, 1024, 2048, 4096, 8192, 16384.*Fix: `pulumi config set --path 'orthanc:aws.cpu' 1024`/,
      ],
    ]);

    test.each([
      [256, 512],
      [512, 4096],
      [4096, 30720],
      [16384, 122880],
    ])("fargate with cpu %i and memory %i is accepted", (cpu, memoryMiB) => {
      expect(() => parseConfig(aws({ cpu, memoryMiB }))).not.toThrow();
    });

    test("EC2 capacity is not held to Fargate's pairs", () => {
      expect(() =>
        parseConfig(
          aws({ compute: "ec2", instanceType: "m6i.xlarge", cpu: 1000, memoryMiB: 3000 }),
        ),
      ).not.toThrow();
    });
  });

  describe("EC2 capacity: an x86 instance type", () => {
    testRejections([
      [
        "a Graviton type for the x86 hosts",
        aws({ compute: "ec2", instanceType: "m7g.large" }),
        "orthanc:aws.instanceType",
        /is a Graviton \(arm64\) type.*Fix: `pulumi config set --path 'orthanc:aws.instanceType' m7i.large`/,
      ],
      [
        "not an instance type",
        aws({ compute: "ec2", instanceType: "large" }),
        "orthanc:aws.instanceType",
        /must be an EC2 instance type `<family>.<size>`/,
      ],
      [
        "an RDS class as the instance type",
        aws({ compute: "ec2", instanceType: "db.m6i.large" }),
        "orthanc:aws.instanceType",
        /must be an EC2 instance type/,
      ],
      [
        "upper case",
        aws({ compute: "ec2", instanceType: "M6I.Large" }),
        "orthanc:aws.instanceType",
        /lower case.*Fix: .* m6i.large`/,
      ],
    ]);

    test.each(["m6i.large", "c7i-flex.2xlarge", "m7i.metal-24xl", "t3a.medium", "r7iz.xlarge"])(
      "%s is accepted",
      (instanceType) => {
        expect(() => parseConfig(aws({ compute: "ec2", instanceType }))).not.toThrow();
      },
    );
  });
});

describe("orthanc:aws.accessLogRetentionDays", () => {
  const aws = (accessLogRetentionDays?: number) => ({
    target: "aws",
    aws: { region: "eu-west-1", accessLogRetentionDays },
    tls: { allowPlainHttp: true },
  });
  test("keeps the access trail a year by default, or the days given within 30 to 3653", () => {
    const days = (n?: number) =>
      (parseConfig(aws(n)) as { aws: { accessLogRetentionDays: number } }).aws
        .accessLogRetentionDays;
    expect(days()).toBe(365);
    expect(days(30)).toBe(30);
    expect(days(2192)).toBe(2192);
    expect(days(3653)).toBe(3653);
  });
  testRejections([
    [
      "a trail shorter than a month",
      aws(7),
      "orthanc:aws.accessLogRetentionDays",
      /must be at least 30, got 7\. Fix: `pulumi config set --path 'orthanc:aws.accessLogRetentionDays' 30`/,
    ],
    [
      "more than ten years",
      aws(4000),
      "orthanc:aws.accessLogRetentionDays",
      /must be at most 3653, got 4000\. Fix: `pulumi config set --path 'orthanc:aws.accessLogRetentionDays' 3653`/,
    ],
    ["part of a day", aws(90.5), "orthanc:aws.accessLogRetentionDays", /expected int, got 90\.5/],
  ]);
});
