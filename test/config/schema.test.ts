import * as pulumi from "@pulumi/pulumi";
import {
  parseConfig,
  safeParseConfig,
  ConfigError,
  rawConfigFrom,
  DEFAULT_ORTHANC_TAG,
} from "../../infra/config";

const issuesOf = (raw: Record<string, unknown>) => {
  const r = safeParseConfig(raw);
  if (r.ok) throw new Error("expected the configuration to be rejected");
  return r.issues;
};

describe("stack configuration defaults", () => {
  test("a config with only a target gets secure, documented defaults", () => {
    const cfg = parseConfig({ target: "docker" });
    expect(cfg.orthanc.image).toEqual({
      repository: "orthancteam/orthanc",
      tag: DEFAULT_ORTHANC_TAG,
    });
    expect(cfg.orthanc.replicas).toBe(1);
    expect(cfg.orthanc.dicom).toEqual({
      enabled: true,
      aet: "ORTHANC",
      port: 4242,
      checkCalledAet: true,
      modalities: {},
      allowedCidrs: [],
    });
    expect(cfg.orthanc.adminUser).toBe("admin");
    expect(cfg.orthanc.verboseLogs).toBe(false);
    expect(cfg.database.engine).toBe("postgresql");
    expect(cfg.storage).toEqual({ kind: "volume", encryption: false });
    expect(cfg.protectData).toBe(true);
    expect(cfg.tls.enabled).toBeUndefined(); // on exactly when a domain is set
  });

  test.each([
    ["docker", "volume"],
    ["aws", "efs"],
    ["kubernetes", "pvc"],
  ])("target %s stores DICOM files on %s by default", (target, kind) => {
    const extra = target === "aws" ? { aws: { region: "eu-west-1" } } : {};
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
        aws: { region: "eu-west-1" },
        storage: { kind: "s3", s3: { prefix: given } },
      });
      expect(cfg.storage.s3?.prefix).toBe(folder);
    },
  );

  test("values read from Pulumi's flat config map are decoded (JSON objects, numbers, plain strings)", () => {
    const raw = rawConfigFrom({
      "orthanc:target": "docker",
      "orthanc:orthanc": JSON.stringify({ replicas: 2 }),
      "orthanc:protectData": "false",
      "aws:region": "eu-west-1",
    });
    expect(raw).toEqual({ target: "docker", orthanc: { replicas: 2 }, protectData: false });
  });
});

describe("secrets", () => {
  test("passwords from config become Pulumi secrets the moment they are parsed", async () => {
    const cfg = parseConfig({
      target: "docker",
      orthanc: { users: { alice: { password: "correct horse" } } },
      database: { external: { host: "db.internal", password: "db-pw" } },
    });
    const alice = cfg.orthanc.users.alice.password!;
    const db = cfg.database.external!.password;
    expect(pulumi.Output.isInstance(alice)).toBe(true);
    expect(await (alice as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(await (db as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });

  test("an error about a secret field never prints the value", () => {
    const issues = issuesOf({ target: "docker", orthanc: { users: { bob: { password: 12345 } } } });
    expect(issues.map((i) => i.key)).toEqual(["orthanc:orthanc.users.bob.password"]);
    expect(issues[0].message).not.toContain("12345");
  });
});

describe("configuration errors name the full key, what was given, what is allowed and the fix", () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      "missing target",
      {},
      "orthanc:target",
      /is required\. Allowed: docker, aws, kubernetes\. Fix:/,
    ],
    [
      "unknown target",
      { target: "ecs" },
      "orthanc:target",
      /got "ecs"\. Allowed: docker, aws, kubernetes/,
    ],
    [
      "an external database password with a space and a backslash (libpq would read another one)",
      {
        target: "docker",
        database: { external: { host: "db.example.org", password: "two words\\x" } },
      },
      "orthanc:database.external.password",
      /must not contain spaces or backslashes.*got a value \(hidden: secret\)\. Fix: `pulumi config set --secret --path/,
    ],
    [
      "a user password with `${` (Orthanc would expand it as a variable)",
      { target: "docker", orthanc: { users: { reader: { password: "pa${HOME}ss" } } } },
      "orthanc:orthanc.users.reader.password",
      /must not contain `\$\{`.*a lone `\$` is fine\); got a value \(hidden: secret\)/,
    ],
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
    [
      "a modality by host name where Orthanc checks the client's address",
      {
        target: "kubernetes",
        orthanc: {
          dicom: {
            allowedCidrs: ["10.0.0.0/8"],
            modalities: { ct: { aet: "CT01", host: "ct01.hospital.example" } },
          },
        },
      },
      "orthanc:orthanc.dicom.modalities.ct.host",
      /"ct01.hospital.example" is not an IPv4 address.*checkModalityHost.*Fix: give the modality's IPv4 address, or set orthanc.dicom.checkModalityHost to false/,
    ],
    [
      "a modality address that only looks like IPv4",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        orthanc: {
          dicom: {
            allowedCidrs: ["10.0.0.0/8"],
            modalities: { ct: { aet: "CT01", host: "999.1.1.1" } },
          },
        },
      },
      "orthanc:orthanc.dicom.modalities.ct.host",
      /"999.1.1.1" is not an IPv4 address/,
    ],
    [
      "the modality host check on a Docker host (the gate hides client addresses)",
      {
        target: "docker",
        orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"], checkModalityHost: true } },
      },
      "orthanc:orthanc.dicom.checkModalityHost",
      /every association reaches Orthanc from the DICOM gate's.*Fix: `pulumi config set --path 'orthanc:orthanc.dicom.checkModalityHost' false`/,
    ],
    [
      "an ECR pull-through cache as the mirror on aws (no ECR permissions yet)",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        registry: { mirror: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub" },
      },
      "orthanc:registry.mirror",
      /is an ECR pull-through cache.*Fix: use an HTTPS mirror that allows anonymous pulls on port 443/,
    ],
    [
      "a mirror on another port than 443 on aws (the tasks reach only 443)",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        registry: { mirror: "nexus.example.org:8083" },
      },
      "orthanc:registry.mirror",
      /names port 8083, but ECS tasks may only reach port 443/,
    ],
    [
      "a registry mirror given as a URL",
      { target: "docker", registry: { mirror: "https://harbor.example.org/dockerhub/" } },
      "orthanc:registry.mirror",
      /without scheme or trailing slash, such as `harbor.example.org\/dockerhub`/,
    ],
    [
      "a typo of replicas",
      { target: "docker", orthanc: { replicaCount: 2 } },
      "orthanc:orthanc.replicaCount",
      /unknown key\. Did you mean `replicas`\?.*Fix: rename or remove/,
    ],
    [
      "an AWS key on the docker target",
      { target: "docker", database: { instanceClass: "db.t4g.micro" } },
      "orthanc:database.instanceClass",
      /applies only to target aws; this stack's target is docker/,
    ],
    [
      "an unknown top-level key",
      { target: "docker", replicas: 2 },
      "orthanc:replicas",
      /unknown key\. Allowed keys here: .*orthanc/,
    ],
    [
      "a wrong type",
      { target: "docker", orthanc: { replicas: "two" } },
      "orthanc:orthanc.replicas",
      /expected number, got "two"/,
    ],
    [
      "a number out of range",
      { target: "docker", orthanc: { dicom: { port: 70000 } } },
      "orthanc:orthanc.dicom.port",
      /must be at most 65535, got 70000\. Fix: `pulumi config set --path .orthanc:orthanc.dicom.port. 65535`/,
    ],
    [
      "an enum value",
      { target: "docker", database: { engine: "mysql" } },
      "orthanc:database.engine",
      /got "mysql"\. Allowed: "postgresql", "sqlite"/,
    ],
    [
      "an AE title too long",
      { target: "docker", orthanc: { dicom: { aet: "A_VERY_LONG_AE_TITLE" } } },
      "orthanc:orthanc.dicom.aet",
      /must be 1-16 characters/,
    ],
    [
      "an unpinned image",
      { target: "docker", orthanc: { image: { tag: "latest" } } },
      "orthanc:orthanc.image.tag",
      /must be a pinned release tag .*got "latest"/,
    ],
    [
      "a bad CIDR in a list",
      { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8", "everyone"] } } },
      "orthanc:orthanc.dicom.allowedCidrs[1]",
      /IPv4 CIDR/,
    ],
    ["an AWS stack without region", { target: "aws" }, "orthanc:aws", /is required/],
    [
      "RDS backups shorter than a week",
      { target: "aws", aws: { region: "eu-west-1" }, database: { backupRetentionDays: 1 } },
      "orthanc:database.backupRetentionDays",
      /at least 7/,
    ],
  ])("%s", (_name, raw, key, message) => {
    const issues = issuesOf(raw);
    const issue = issues.find((i) => i.key === key);
    expect(issue).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      "several replicas need PostgreSQL",
      { target: "docker", orthanc: { replicas: 2 }, database: { engine: "sqlite" } },
      "orthanc:orthanc.replicas",
      /need `orthanc:database.engine` postgresql/,
    ],
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
      "a DNS name on AWS needs a zone",
      { target: "aws", aws: { region: "eu-west-1" }, dns: { name: "pacs.example.org" } },
      "orthanc:dns.name",
      /needs the Route 53 zone/,
    ],
    [
      "one DNS name for the web and DICOM balancers on AWS",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"] } },
        dns: { name: "pacs.example.org", dicomName: "pacs.example.org", zoneId: "Z0123456789ABC" },
      },
      "orthanc:dns.dicomName",
      /is the web name "pacs.example.org", but on the aws target DICOM has a load balancer of its own.*Fix: .*dicom.pacs.example.org/,
    ],
    [
      "one DNS name for the ingress and the DICOM load balancer on Kubernetes",
      {
        target: "kubernetes",
        orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"] } },
        dns: { name: "pacs.example.org", dicomName: "pacs.example.org", zoneId: "Z0123456789ABC" },
      },
      "orthanc:dns.dicomName",
      /on the kubernetes target DICOM has a load balancer of its own/,
    ],
    [
      "a Docker DICOM allowlist mixing loopback and networks",
      {
        target: "docker",
        orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32", "10.20.0.0/16"] } },
      },
      "orthanc:orthanc.dicom.allowedCidrs",
      /mixes loopback \(127.0.0.1\/32\) with other networks.*Fix: remove 127.0.0.1\/32/,
    ],
    [
      "a zone without a name",
      { target: "docker", dns: { zoneId: "Z0123456789ABC" } },
      "orthanc:dns.zoneId",
      /no name to create/,
    ],
    [
      "a zone on a Docker host this stack does not create",
      {
        target: "docker",
        dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
        docker: { host: "ssh://admin@pacs.example.org" },
      },
      "orthanc:dns.zoneId",
      /records are created only for a VM this stack creates/,
    ],
    [
      "TLS needs a domain",
      { target: "docker", tls: { enabled: true } },
      "orthanc:tls.enabled",
      /TLS needs a domain/,
    ],
    [
      "the pool must fit the server",
      {
        target: "docker",
        orthanc: { replicas: 4 },
        database: {
          connectionsPerReplica: 30,
          external: { host: "db", password: "x", maxConnections: 100 },
        },
      },
      "orthanc:database.connectionsPerReplica",
      /4 replicas x 30 connections = 120.*at most 22/,
    ],
    [
      "the probe user name is reserved",
      { target: "docker", orthanc: { users: { healthcheck: {} } } },
      "orthanc:orthanc.users.healthcheck",
      /reserved for the health probe/,
    ],
    [
      "an aws-vm host needs its vm section",
      { target: "docker", docker: { host: "aws-vm" } },
      "orthanc:docker.vm",
      /is required when `orthanc:docker.host` is aws-vm/,
    ],
    [
      "an aws-vm host needs a domain (no plain HTTP on the internet)",
      {
        target: "docker",
        docker: {
          host: "aws-vm",
          vm: {
            region: "eu-west-1",
            sshAllowedCidrs: ["198.51.100.0/28"],
            sshPublicKey: "ssh-ed25519 AAAA x",
          },
        },
      },
      "orthanc:dns.name",
      /is required for an aws-vm host/,
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
      "backup copies need an S3 bucket",
      { target: "docker", docker: { backup: { copyToS3: true } } },
      "orthanc:docker.backup.copyToS3",
      /copies dumps to the bucket of `orthanc:storage.s3`, but storage.kind is volume/,
    ],
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
    [
      "createZone needs a name and no zone id",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        dns: { createZone: true, zoneId: "Z0123456789ABC", name: "pacs.example.org" },
      },
      "orthanc:dns.createZone",
      /needs dns.name, no dns.zoneId, and target aws/,
    ],
    [
      "a created zone holds only names under it",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        dns: { createZone: true, name: "pacs.example.org", dicomName: "dicom.example.org" },
      },
      "orthanc:dns.dicomName",
      /is outside the zone that dns.createZone makes/,
    ],
    [
      "CORS cannot be done by the AWS load balancer",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        orthanc: { corsOrigins: ["https://viewer.example.org"] },
      },
      "orthanc:orthanc.corsOrigins",
      /cannot add CORS headers/,
    ],
    [
      "a viewer needs DICOMweb",
      { target: "docker", orthanc: { plugins: { dicomWeb: false } } },
      "orthanc:orthanc.plugins.viewer",
      /reads images over DICOMweb/,
    ],
    [
      "DICOM allowlist with DICOM off",
      { target: "docker", orthanc: { dicom: { enabled: false, allowedCidrs: ["10.1.0.0/16"] } } },
      "orthanc:orthanc.dicom.allowedCidrs",
      /opens the DICOM port/,
    ],
  ])("cross-field rule: %s", (_name, raw, key, message) => {
    const issues = issuesOf(raw);
    expect(issues.map((i) => i.key)).toContain(key);
    expect(issues.find((i) => i.key === key)!.message).toMatch(message);
  });

  test("every problem of a configuration is reported at once", () => {
    const issues = issuesOf({
      target: "docker",
      orthanc: { replicaCount: 2, dicom: { port: 0 } },
      database: { instanceClass: "db.t4g.micro" },
      storage: { encryption: true },
      tls: { enabled: true },
      bogus: true,
    });
    expect(issues.map((i) => i.key).sort()).toEqual([
      "orthanc:bogus",
      "orthanc:database.instanceClass",
      "orthanc:orthanc.dicom.port",
      "orthanc:orthanc.replicaCount",
      "orthanc:storage.encryption",
      "orthanc:tls.enabled",
    ]);
  });

  test("parseConfig throws one ConfigError listing each key on its own line", () => {
    expect.assertions(3);
    try {
      parseConfig({ target: "docker", orthanc: { replicas: 0 }, storage: { kind: "tape" } });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toMatch(/^Invalid stack configuration \(2 problems\):\n/);
      expect((e as ConfigError).message).toMatch(
        /\n {2}- orthanc:orthanc.replicas: .*\n {2}- orthanc:storage.kind: /,
      );
    }
  });
});
