/**
 * The Docker target with what no shipped stack sets, under mocks: a domain (TLS), replicas, the
 * protectData opt-out, an invalid configuration, S3 storage and off-host backup copies.
 */
import { iamDocumentCount, iamProblems } from "../helpers/iam";
import { Container, container, containers, upload } from "../helpers/docker";
import { ofType, planConfig, planStack } from "../helpers/plan";

describe("docker variants", () => {
  test("a domain gets TLS: 80 and 443 published, HSTS, DICOMweb links with the public name", async () => {
    const { plan } = await planConfig(
      {
        target: "docker",
        dns: { name: "pacs.example.org" },
        tls: { acmeEmail: "ops@example.org" },
        docker: { host: "ssh://admin@pacs.example.org" },
      },
      "tls",
    );
    const proxy = container(plan, "proxy");
    expect(proxy.inputs.ports).toEqual([
      { internal: 80, external: 80, ip: "0.0.0.0", protocol: "tcp" },
      { internal: 443, external: 443, ip: "0.0.0.0", protocol: "tcp" },
    ]);
    const caddyfile = upload(proxy, "/etc/caddy/Caddyfile")!.content;
    expect(caddyfile).toContain("pacs.example.org {");
    expect(caddyfile).toContain("Strict-Transport-Security");
    expect(caddyfile).not.toContain("auto_https off");
    const config = JSON.parse(
      upload(container(plan, "orthanc-files"), "/etc/orthanc/orthanc.json")!.content,
    );
    expect(config.DicomWeb).toMatchObject({ Host: "pacs.example.org", Ssl: true });
    expect(container(plan, "orthanc").inputs.ports).toEqual([]); // DICOM closed: no allowlist
    expect(ofType(plan, "pulumi:providers:docker")[0].inputs.host).toBe(
      "ssh://admin@pacs.example.org",
    );
    expect(plan.outputs.url).toBe("https://pacs.example.org/");
    expect(plan.outputs.note).toBeUndefined();
  });

  test("two replicas get distinct server identifiers and the proxy balances over both", async () => {
    const { plan } = await planConfig({ target: "docker", orthanc: { replicas: 2 } }, "ha");
    const orthancs = containers(plan).filter((c) => c.name.endsWith("-orthanc"));
    expect(orthancs.map((c) => c.name).sort()).toEqual([
      "orthanc-ha-2-orthanc",
      "orthanc-ha-orthanc",
    ]);
    const ids = orthancs.map(
      (c) =>
        JSON.parse(
          upload(
            containers(plan).find((f) => f.name === `${c.name}-files`)!,
            "/etc/orthanc/orthanc.json",
          )!.content,
        ).DatabaseServerIdentifier,
    );
    expect(new Set(ids).size).toBe(2);
    expect(upload(container(plan, "proxy"), "/etc/caddy/Caddyfile")!.content).toContain(
      "reverse_proxy orthanc-ha-orthanc:8042 orthanc-ha-2-orthanc:8042 {",
    );
  });

  test("the proxy's access log goes to its data volume, rolled files kept docker.accessLogRetentionDays", async () => {
    const caddyfileOf = async (docker: Record<string, unknown>) => {
      const { plan } = await planConfig({ target: "docker", docker }, "trail");
      const proxy = container(plan, "proxy");
      expect(proxy.inputs.volumes).toEqual([
        { volumeName: "orthanc-trail-proxy-data", containerPath: "/data" },
      ]);
      return upload(proxy, "/etc/caddy/Caddyfile")!.content;
    };
    const byDefault = await caddyfileOf({});
    expect(byDefault).toContain("\t\toutput file /data/access.log {\n");
    expect(byDefault).toContain("\t\t\troll_keep_for 8760h\n");
    expect(await caddyfileOf({ accessLogRetentionDays: 90 })).toContain(
      "\t\t\troll_keep_for 2160h\n",
    );
  });

  test("protectData false is the explicit opt-out", async () => {
    const { plan } = await planConfig({ target: "docker", protectData: false }, "scratch");
    expect(plan.resources.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  test("an invalid configuration is rejected with every key before the program runs", async () => {
    await expect(
      planConfig({ target: "docker", orthanc: { replicaCount: 2 }, tls: { enabled: true } }, "bad"),
    ).rejects.toThrow(/orthanc:orthanc.replicaCount[\s\S]*orthanc:tls.enabled/);
  });
});

describe("S3 storage on Docker", () => {
  test("on an aws-vm host: the instance role gets this bucket and prefix only; no keys anywhere", async () => {
    const { plan } = await planStack("docker-vm", {
      storage: {
        kind: "s3",
        s3: { bucket: "research-pacs", region: "eu-west-1", prefix: "orthanc/" },
      },
    });
    const policy = JSON.parse(
      (
        ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) =>
          p.name.endsWith("-s3"),
        ) as Container
      ).inputs.policy,
    );
    expect(policy.Statement).toEqual([
      {
        Sid: "Objects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: "arn:aws:s3:::research-pacs/orthanc/*",
      },
      {
        Sid: "List",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::research-pacs",
        Condition: { StringLike: { "s3:prefix": ["orthanc/*"] } },
      },
    ]);
    const vm = ofType(plan, "aws:ec2/instance:Instance")[0] as Container;
    expect(vm.inputs.metadataOptions.httpPutResponseHopLimit).toBe(2); // containers reach the role
    // The instance role's trust and S3 policy, the key policy, the backup and flow-log roles' trust
    // and the flow-log role's policy.
    expect(iamDocumentCount(plan)).toBe(6);
    expect(iamProblems(plan)).toEqual([]);
    const o = container(plan, "orthanc");
    const config = JSON.parse(
      upload(container(plan, "orthanc-files"), "/etc/orthanc/orthanc.json")!.content,
    );
    expect(config.AwsS3Storage).toEqual({
      BucketName: "research-pacs",
      Region: "eu-west-1",
      RootPath: "orthanc/",
      VirtualAddressing: true,
    });
    // Only the files container's volumes: no storage volume.
    expect(o.inputs.volumes).toEqual([{ fromContainer: "orthanc-docker-vm-orthanc-files-id" }]);
    expect(o.inputs.envs).toContain("AWS_S3_STORAGE_PLUGIN_ENABLED=true");
  });

  test("with encryption: a generated, protected master key delivered as a secret file", async () => {
    const { plan } = await planConfig(
      {
        target: "docker",
        storage: {
          kind: "s3",
          encryption: true,
          s3: {
            bucket: "pacs",
            endpoint: "https://minio.example.org",
            accessKeyId: "MINIOACCESSKEY0001",
            secretAccessKey: "minio-secret",
          },
        },
      },
      "minio",
    );
    const key = ofType(plan, "random:index/randomBytes:RandomBytes");
    expect(key).toHaveLength(1);
    expect(key[0]).toMatchObject({ protect: true, retainOnDelete: true, inputs: { length: 32 } });
    expect(
      upload(container(plan, "orthanc-files"), "/run/secrets/orthanc-storage-master-key"),
    ).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    // Static keys go to the secret credentials file, so orthanc.json has no S3 section at all.
    expect(
      JSON.parse(upload(container(plan, "orthanc-files"), "/etc/orthanc/orthanc.json")!.content),
    ).not.toHaveProperty("AwsS3Storage");
    expect(JSON.stringify(plan.resources.map((r) => r.inputs))).not.toContain("minio-secret");
  });

  test("with SQLite: the index (in Orthanc's storage directory) lives on a protected volume, never in the container", async () => {
    const { plan } = await planConfig(
      {
        target: "docker",
        database: { engine: "sqlite" },
        storage: {
          kind: "s3",
          s3: {
            bucket: "pacs",
            endpoint: "https://minio.example.org",
            accessKeyId: "MINIOACCESSKEY0001",
            secretAccessKey: "minio-secret",
          },
        },
      },
      "sqlite-s3",
    );
    const o = container(plan, "orthanc");
    expect(o.inputs.volumes).toEqual([
      { fromContainer: "orthanc-sqlite-s3-orthanc-files-id" },
      { volumeName: "orthanc-sqlite-s3-index", containerPath: "/var/lib/orthanc/db" },
    ]);
    const index = ofType(plan, "docker:index/volume:Volume").find((v) => v.name.endsWith("-index"));
    expect(index).toMatchObject({ protect: true, retainOnDelete: true });
  });
});

describe("off-host backup copies", () => {
  test("on an aws-vm host: aws s3 sync of the read-only dump volume, through the instance role", async () => {
    const { plan } = await planStack("docker-vm", {
      storage: {
        kind: "s3",
        s3: { bucket: "research-pacs", region: "eu-west-1", prefix: "orthanc/" },
      },
      docker: { backup: { copyToS3: true } },
    });
    const sync = container(plan, "backup-sync");
    expect(sync.inputs).toMatchObject({
      user: "999:999",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
    });
    expect(sync.inputs.volumes).toEqual([
      { volumeName: "orthanc-docker-vm-backups", containerPath: "/backups", readOnly: true },
    ]);
    expect(sync.inputs.entrypoints[2]).toContain(
      "aws s3 sync /backups s3://research-pacs/orthanc/backups/",
    );
    expect(sync.inputs.envs).toEqual(["HOME=/tmp", "AWS_DEFAULT_REGION=eu-west-1"]);
    expect(sync.inputs.uploads).toEqual([]);
    // It needs a route out: the frontend, never the internal backend.
    expect(sync.inputs.networksAdvanced).toEqual([{ name: "orthanc-docker-vm-frontend" }]);
  });

  test("elsewhere: static keys as a secret credentials file, never in the environment", async () => {
    const { plan } = await planConfig(
      {
        target: "docker",
        storage: {
          kind: "s3",
          s3: {
            bucket: "pacs",
            endpoint: "https://minio.example.org",
            accessKeyId: "MINIOACCESSKEY0001",
            secretAccessKey: "minio-secret",
          },
        },
        docker: { backup: { copyToS3: true } },
      },
      "minio",
    );
    const sync = container(plan, "backup-sync");
    expect(upload(sync, "/run/secrets/aws-credentials")).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    expect(sync.inputs.envs).toContain("AWS_SHARED_CREDENTIALS_FILE=/run/secrets/aws-credentials");
    expect(sync.inputs.entrypoints[2]).toContain("--endpoint-url https://minio.example.org");
    expect(JSON.stringify(sync.inputs)).not.toContain("minio-secret");
  });

  test("no copy container unless asked", async () => {
    const { plan } = await planStack("local");
    expect(containers(plan).some((c) => c.name.endsWith("-backup-sync"))).toBe(false);
  });
});

describe("docker.resources: memory limits per part", () => {
  test("each key sets its containers' limits (memory and memorySwap alike), replicas each their own", async () => {
    const { plan } = await planConfig(
      {
        target: "docker",
        orthanc: { replicas: 2, dicom: { allowedCidrs: ["10.20.0.0/16"] } },
        storage: {
          kind: "s3",
          s3: { bucket: "pacs-bucket", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" },
        },
        docker: {
          backup: { copyToS3: true },
          resources: {
            orthancMemoryMiB: 3072,
            postgresMemoryMiB: 2048,
            proxyMemoryMiB: 128,
            dicomGateMemoryMiB: 64,
            backupMemoryMiB: 256,
          },
        },
      },
      "resources",
    );
    const limits = Object.fromEntries(
      containers(plan).map((c) => [c.name, [c.inputs.memory, c.inputs.memorySwap]]),
    );
    expect(limits).toEqual({
      "orthanc-resources-postgres": [2048, 2048],
      "orthanc-resources-backup": [256, 256],
      "orthanc-resources-backup-sync": [256, 256],
      "orthanc-resources-orthanc-files": [16, 16],
      "orthanc-resources-orthanc": [3072, 3072],
      "orthanc-resources-2-orthanc-files": [16, 16],
      "orthanc-resources-2-orthanc": [3072, 3072],
      "orthanc-resources-dicom-gate": [64, 64],
      "orthanc-resources-proxy": [128, 128],
    });
  });
});
