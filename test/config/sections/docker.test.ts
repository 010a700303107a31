import { parseConfig } from "../../../infra/config";
import { issuesOf, testRejections } from "../helpers";

describe("orthanc:docker cross-field rules", () => {
  testRejections([
    [
      "an aws-vm host needs its vm section",
      { target: "docker", docker: { host: "aws-vm" } },
      "orthanc:docker.vm",
      /is required when `orthanc:docker.host` is aws-vm/,
    ],
    [
      "an aws-vm host needs the deployer's SSH network",
      {
        target: "docker",
        dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
        docker: { host: "aws-vm", vm: { region: "eu-west-1" } },
      },
      "orthanc:docker.vm.sshAllowedCidrs",
      /deploys onto the VM over SSH/,
    ],
    [
      "flow-log retention with an existing VPC (its flow logs are its owner's)",
      {
        target: "docker",
        dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
        docker: {
          host: "aws-vm",
          vm: {
            region: "eu-west-1",
            sshAllowedCidrs: ["198.51.100.0/28"],
            sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample operator@example.org",
            vpcId: "vpc-0abc",
            subnetId: "subnet-0abc",
            logRetentionDays: 30,
          },
        },
      },
      "orthanc:docker.vm.logRetentionDays",
      /existing vpc-0abc \(`orthanc:docker.vm.vpcId`\), whose flow logs are its owner's.*Fix: `pulumi config rm --path 'orthanc:docker.vm.logRetentionDays'`\./,
    ],
    [
      "backup copies need an S3 bucket",
      { target: "docker", docker: { backup: { copyToS3: true } } },
      "orthanc:docker.backup.copyToS3",
      /copies dumps to the bucket of `orthanc:storage.s3`, but storage.kind is volume/,
    ],
  ]);
});

describe("orthanc:docker, checked against the host", () => {
  const vm = (over: Record<string, unknown>) => ({
    target: "docker",
    dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
    docker: {
      host: "aws-vm",
      vm: {
        region: "eu-west-1",
        sshAllowedCidrs: ["198.51.100.0/28"],
        sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample operator@example.org",
        ...over,
      },
    },
  });

  describe("published host ports are distinct on one address", () => {
    testRejections([
      [
        "DICOM on the plain-HTTP port, both on loopback",
        {
          target: "docker",
          docker: { httpPort: 4242 },
          orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32"] } },
        },
        "orthanc:orthanc.dicom.port",
        /the DICOM port \(published on 127\.0\.0\.1\) is 4242, the same host port as the plain-HTTP port on 127\.0\.0\.1 \(`orthanc:docker.httpPort`\): Docker cannot publish both\. Fix: `pulumi config set --path 'orthanc:orthanc.dicom.port' 11112`/,
      ],
      [
        "DICOM for networks (all addresses) on the plain-HTTP port of loopback",
        {
          target: "docker",
          docker: { httpPort: 11112 },
          orthanc: { dicom: { port: 11112, allowedCidrs: ["10.20.0.0/16"] } },
        },
        "orthanc:orthanc.dicom.port",
        /published on 0\.0\.0\.0\) is 11112, the same host port as the plain-HTTP port on 127\.0\.0\.1/,
      ],
      [
        "DICOM on 443 with a domain (the HTTPS proxy's port)",
        {
          target: "docker",
          dns: { name: "pacs.example.org" },
          orthanc: { dicom: { port: 443, allowedCidrs: ["10.20.0.0/16"] } },
        },
        "orthanc:orthanc.dicom.port",
        /is 443, the same host port as the HTTPS proxy's port 443 \(published on every address with a domain\) \(`orthanc:dns.name`\)/,
      ],
    ]);

    test("the same port on two different addresses is fine, and an unpublished DICOM port too", () => {
      expect(() =>
        parseConfig({
          target: "docker",
          docker: { bindAddress: "192.0.2.10", httpPort: 4242 },
          tls: { allowPlainHttp: true },
          orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32"] } },
        }),
      ).not.toThrow();
      expect(() =>
        parseConfig({
          target: "docker",
          dns: { name: "pacs.example.org" },
          orthanc: { dicom: { port: 443 } },
        }),
      ).not.toThrow();
    });
  });

  describe("the PostgreSQL image is of database.version's major", () => {
    testRejections([
      [
        "a tag of another major",
        { target: "docker", docker: { images: { postgres: "17.6-bookworm" } } },
        "orthanc:docker.images.postgres",
        /got "17.6-bookworm", PostgreSQL 17, but `orthanc:database.version` is 16: a PostgreSQL data directory only opens with the major that created it\..*Fix: `pulumi config set --path 'orthanc:docker.images.postgres' 16.10-bookworm`, or for a new database `pulumi config set --path 'orthanc:database.version' 17`\./,
      ],
      [
        "a bare major of another version",
        {
          target: "docker",
          database: { version: "15" },
          docker: { images: { postgres: "16-alpine" } },
        },
        "orthanc:docker.images.postgres",
        /PostgreSQL 16, but `orthanc:database.version` is 15.*15.14-bookworm/,
      ],
      [
        "a tag that names no major",
        { target: "docker", docker: { images: { postgres: "bookworm" } } },
        "orthanc:docker.images.postgres",
        /got "bookworm", which names no PostgreSQL major version/,
      ],
    ]);

    test.each(["16", "16.4", "16.10-bookworm", "16-alpine3.20", `sha256:${"a".repeat(64)}`])(
      "%s is accepted with version 16",
      (postgres) => {
        expect(() =>
          parseConfig({ target: "docker", docker: { images: { postgres } } }),
        ).not.toThrow();
      },
    );
  });

  describe("the VM: an AWS region and an x86 type", () => {
    testRejections([
      [
        "a region that does not exist",
        vm({ region: "eu-north-2" }),
        "orthanc:docker.vm.region",
        /must be an AWS region that @pulumi\/aws knows \(did you mean eu-north-1\?\)/,
      ],
      [
        "a region of China",
        vm({ region: "cn-northwest-1" }),
        "orthanc:docker.vm.region",
        /aws-cn partition/,
      ],
      [
        "a Graviton type for the x86 Debian AMI",
        vm({ instanceType: "t4g.large" }),
        "orthanc:docker.vm.instanceType",
        /Graviton \(arm64\).*Fix: `pulumi config set --path 'orthanc:docker.vm.instanceType' t3.large`/,
      ],
      [
        "a type with a made-up size",
        vm({ instanceType: "t3.huge" }),
        "orthanc:docker.vm.instanceType",
        /must be an EC2 instance type/,
      ],
    ]);
  });

  test("the plain-HTTP port is a port", () => {
    expect(issuesOf({ target: "docker", docker: { httpPort: 70000 } })).toEqual([
      {
        key: "orthanc:docker.httpPort",
        message: expect.stringMatching(/must be at most 65535, got 70000/),
      },
    ]);
  });
});

describe("orthanc:docker.accessLogRetentionDays", () => {
  const docker = (accessLogRetentionDays?: number) => ({
    target: "docker",
    docker: { accessLogRetentionDays },
  });
  test("keeps the proxy's rolled access logs a year by default, or the days given within 30 to 3653", () => {
    const days = (n?: number) =>
      (parseConfig(docker(n)) as { docker: { accessLogRetentionDays: number } }).docker
        .accessLogRetentionDays;
    expect(days()).toBe(365);
    expect(days(30)).toBe(30);
    expect(days(3653)).toBe(3653);
  });
  testRejections([
    [
      "a trail shorter than a month",
      docker(1),
      "orthanc:docker.accessLogRetentionDays",
      /must be at least 30, got 1\. Fix: `pulumi config set --path 'orthanc:docker.accessLogRetentionDays' 30`/,
    ],
    [
      "more than ten years",
      docker(36500),
      "orthanc:docker.accessLogRetentionDays",
      /must be at most 3653, got 36500\./,
    ],
  ]);
});

describe("orthanc:docker.resources", () => {
  test("defaults: a memory limit for every part", () => {
    const cfg = parseConfig({ target: "docker" });
    if (cfg.target !== "docker") throw new Error("expected the docker target");
    expect(cfg.docker.resources).toEqual({
      orthancMemoryMiB: 2048,
      postgresMemoryMiB: 1024,
      proxyMemoryMiB: 256,
      dicomGateMemoryMiB: 128,
      backupMemoryMiB: 512,
    });
  });

  testRejections([
    [
      "Orthanc's limit under its tmpfs folders plus room for itself",
      { target: "docker", docker: { resources: { orthancMemoryMiB: 1024 } } },
      "orthanc:docker.resources.orthancMemoryMiB",
      /at least 1280/,
    ],
    [
      "a limit that is not a whole number of MiB",
      { target: "docker", docker: { resources: { proxyMemoryMiB: 128.5 } } },
      "orthanc:docker.resources.proxyMemoryMiB",
      /expected int, got 128\.5\. Fix: `pulumi config set --path .orthanc:docker\.resources\.proxyMemoryMiB. <int>`/,
    ],
    [
      "an unknown part",
      { target: "docker", docker: { resources: { caddyMemoryMiB: 128 } } },
      "orthanc:docker.resources.caddyMemoryMiB",
      /./,
    ],
    [
      "the PostgreSQL container's limit with SQLite (no such container)",
      {
        target: "docker",
        database: { engine: "sqlite" },
        docker: { resources: { postgresMemoryMiB: 2048 } },
      },
      "orthanc:docker.resources.postgresMemoryMiB",
      /would do nothing\. Fix: `pulumi config rm --path 'orthanc:docker\.resources\.postgresMemoryMiB'`/,
    ],
  ]);
});
