import { parseConfig } from "../../../infra/config";
import { AWS_HTTPS, testRejections } from "../helpers";

describe("orthanc:storage", () => {
  test.each([
    ["docker", "volume"],
    ["aws", "efs"],
    ["kubernetes", "pvc"],
  ])("target %s stores DICOM files on %s by default", (target, kind) => {
    const extra = target === "aws" ? AWS_HTTPS : {};
    expect(parseConfig({ target, ...extra }).storage.kind).toBe(kind);
  });

  test.each([
    ["", ""],
    ["orthanc", "orthanc/"],
    ["orthanc/", "orthanc/"],
    ["site-a/orthanc", "site-a/orthanc/"],
  ])(
    "the S3 prefix %j is the folder %j (Orthanc's objects and the backups agree)",
    (given, folder) => {
      const cfg = parseConfig({
        target: "aws",
        ...AWS_HTTPS,
        storage: { kind: "s3", s3: { prefix: given } },
      });
      expect(cfg.storage.s3?.prefix).toBe(folder);
    },
  );

  describe("fields", () => {
    testRejections([
      [
        "an S3 prefix with a leading slash (the S3 plugin refuses to load)",
        {
          target: "aws",
          aws: { region: "eu-west-1" },
          storage: { kind: "s3", s3: { prefix: "/orthanc/" } },
        },
        "orthanc:storage.s3.prefix",
        /no leading `\/` \(the S3 plugin refuses to load with one\).*got "\/orthanc\/"/,
      ],
    ]);
  });

  describe("cross-field rules", () => {
    testRejections([
      [
        "several replicas need shared storage on Kubernetes",
        { target: "kubernetes", orthanc: { replicas: 3 } },
        "orthanc:storage.accessMode",
        /3 replicas need shared storage, got a ReadWriteOnce PVC/,
      ],
      [
        "storage encryption needs object storage",
        { target: "docker", storage: { encryption: true } },
        "orthanc:storage.encryption",
        /works only with object storage/,
      ],
      [
        "S3 outside AWS needs a bucket",
        { target: "docker", storage: { kind: "s3" } },
        "orthanc:storage.s3.bucket",
        /is required when `orthanc:storage.kind` is s3/,
      ],
      [
        "S3 on a host outside AWS needs keys",
        { target: "docker", storage: { kind: "s3", s3: { bucket: "pacs" } } },
        "orthanc:storage.s3.accessKeyId",
        /is required for S3 on a Docker host outside AWS/,
      ],
      [
        "S3 keys come in pairs",
        {
          target: "docker",
          storage: { kind: "s3", s3: { bucket: "pacs", accessKeyId: "AKIAEXAMPLEEXAMPLE12" } },
        },
        "orthanc:storage.s3.secretAccessKey",
        /come in pairs/,
      ],
      [
        "Glacier transitions only for a bucket this stack creates",
        {
          target: "aws",
          aws: { region: "eu-west-1" },
          storage: { glacierInstantRetrievalAfterDays: 90 },
        },
        "orthanc:storage.glacierInstantRetrievalAfterDays",
        /applies to a bucket this stack creates/,
      ],
    ]);
  });
});

describe("orthanc:storage.s3.region: AWS's, unless an endpoint names another server", () => {
  const s3 = (over: Record<string, unknown>) => ({
    target: "kubernetes",
    storage: {
      kind: "s3",
      s3: {
        bucket: "pacs-dicom",
        accessKeyId: "AKIAEXAMPLEKEY000001",
        secretAccessKey: "example-secret-value",
        ...over,
      },
    },
  });

  testRejections([
    [
      "a misspelt AWS region",
      s3({ region: "eu-cental-1" }),
      "orthanc:storage.s3.region",
      /must be an AWS region that @pulumi\/aws knows \(did you mean eu-central-1\?\).*\(without `orthanc:storage.s3.endpoint` the bucket is in AWS S3\); got "eu-cental-1"\. Fix: `pulumi config set --path 'orthanc:storage.s3.region' eu-central-1`/,
    ],
    [
      "a city for a region",
      s3({ region: "frankfurt" }),
      "orthanc:storage.s3.region",
      /must be an AWS region that @pulumi\/aws knows/,
    ],
  ]);

  test.each([
    [{ region: "eu-central-1" }],
    [{ region: "cn-north-1" }], // static keys: any partition
    [{ region: "garage", endpoint: "https://s3.example.org" }],
    [{ region: "us-east-1", endpoint: "https://minio.example.org:9000" }],
  ])("%j is accepted", (over) => {
    expect(() => parseConfig(s3(over))).not.toThrow();
  });
});
