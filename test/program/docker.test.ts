/**
 * The real program under mocks, for the shipped Docker stacks and variants: exact
 * security-relevant inputs, the wiring between containers, secrets staying secret, and which
 * resources exist.
 */
import { Plan } from "../../infra/plan/runPlan";
import { previewJson } from "../../infra/plan/format";
import { PlannedResource } from "../../infra/plan/record";
import { iamDocumentCount, iamProblems } from "../helpers/iam";
import { planConfig, planStack } from "../helpers/plan";

type Container = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const containers = (plan: Plan) => ofType(plan, "docker:index/container:Container") as Container[];
const container = (plan: Plan, suffix: string) => {
  const found = containers(plan).filter((c) => c.name.endsWith(`-${suffix}`));
  expect(found).toHaveLength(1);
  return found[0];
};
const upload = (c: Container, file: string) =>
  (
    c.inputs.uploads as { file: string; content: string; permissions: string; owner?: string }[]
  ).find((u) => u.file === file);

describe("stack local (the embedded default)", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await planStack("local"));
  });

  test("creates exactly the Docker graph and nothing of another target", () => {
    const counts: Record<string, number> = {};
    for (const r of plan.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "orthanc:docker:OrthancDocker": 1,
      "orthanc:shared:Credentials": 1,
      "random:index/randomPassword:RandomPassword": 3,
      "pulumi:providers:docker": 1,
      "docker:index/network:Network": 2,
      "docker:index/volume:Volume": 4,
      "docker:index/remoteImage:RemoteImage": 3,
      "docker:index/container:Container": 4,
    });
    expect(plan.resources.some((r) => /^(aws|kubernetes):/.test(r.type))).toBe(false);
  });

  test("only the proxy and the allowlisted DICOM port are published, both on loopback", () => {
    const published = containers(plan).flatMap((c) =>
      (c.inputs.ports ?? []).map((p: object) => ({ container: c.name, ...p })),
    );
    // Sorted by container name: registration order is not part of the contract.
    published.sort((a, b) => a.container.localeCompare(b.container));
    expect(published).toEqual([
      {
        container: "orthanc-local-orthanc",
        internal: 4242,
        external: 4242,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
      {
        container: "orthanc-local-proxy",
        internal: 80,
        external: 8042,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
    ]);
  });

  test("the database is on an internal network only, with password auth and no published port", () => {
    const backend = ofType(plan, "docker:index/network:Network").find((n) =>
      n.name.endsWith("-backend"),
    )!;
    expect(backend.inputs.internal).toBe(true);
    // No address for the host on the backend bridge: the database cannot reach host services.
    expect(backend.inputs.options).toEqual({ "com.docker.network.bridge.inhibit_ipv4": "true" });
    const pg = container(plan, "postgres");
    expect(pg.inputs.ports ?? []).toEqual([]);
    expect(pg.inputs.networksAdvanced).toEqual([
      { name: "orthanc-local-backend", aliases: ["postgres"] },
    ]);
    expect(pg.inputs.envs).toContain("POSTGRES_HOST_AUTH_METHOD=scram-sha-256");
    expect(pg.inputs.envs.some((e: string) => /trust|POSTGRES_PASSWORD=/.test(e))).toBe(false);
    expect(upload(pg, "/run/secrets/postgres-password")).toEqual({
      file: "/run/secrets/postgres-password",
      content: "[secret]",
      permissions: "0400",
      owner: "999",
      group: "999",
    });
    expect(pg.inputs.healthcheck.tests).toEqual([
      "CMD",
      "pg_isready",
      "-h",
      "127.0.0.1",
      "-U",
      "orthanc",
      "-d",
      "orthanc",
    ]);
    expect(pg.inputs.wait).toBe(true);
    expect(pg.inputs).toMatchObject({ stopTimeout: 60, destroyGraceSeconds: 60 });
  });

  test("PostgreSQL runs the image's entrypoint with the measured server settings, durability untouched", () => {
    const pg = container(plan, "postgres");
    // The command, not the entrypoint: the image's entrypoint initialises PGDATA, then runs it.
    expect(pg.inputs.entrypoints).toBeUndefined();
    expect(pg.inputs.command).toEqual([
      "postgres",
      "-c",
      "max_connections=100",
      "-c",
      "shared_buffers=256MB",
    ]);
    expect(pg.inputs.command.join(" ")).not.toMatch(/fsync|synchronous_commit|full_page_writes/);
  });

  test("Orthanc runs non-root, hardened, with its configuration as files and secrets only in a secret file", () => {
    const o = container(plan, "orthanc");
    expect(o.inputs.image).toMatch(/^sha256:/);
    expect(o.inputs).toMatchObject({
      user: "999:999",
      restart: "unless-stopped",
      securityOpts: ["no-new-privileges:true"],
      capabilities: { drops: ["ALL"] },
      logDriver: "json-file",
      logOpts: { "max-size": "20m", "max-file": "5" },
      // A clean shutdown on every stop, not only on Pulumi's replace and destroy.
      stopTimeout: 60,
      destroyGraceSeconds: 60,
    });
    expect(o.inputs.healthcheck.tests).toEqual([
      "CMD",
      "/probes/test-aliveness.py",
      "--user=healthcheck",
    ]);
    expect(upload(o, "/run/secrets/orthanc-credentials.json")).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    const config = JSON.parse(upload(o, "/etc/orthanc/orthanc.json")!.content);
    expect(config).toMatchObject({
      Name: "Local PACS",
      AuthenticationEnabled: true,
      DicomAet: "ORTHANC",
      DatabaseServerIdentifier: "orthanc-local-orthanc",
    });
    expect(o.inputs.envs).toContain("TCP_NODELAY=1");
    expect(o.inputs.envs).toContain("VERBOSE_STARTUP=false");
    expect(o.inputs.volumes).toEqual([
      { volumeName: "orthanc-local-dicom", containerPath: "/var/lib/orthanc/db" },
    ]);
  });

  test("no container has a secret in its environment, and no secret reaches a plain input", () => {
    const generated = /generated-orthanc-local-credentials/;
    for (const r of plan.resources) expect(JSON.stringify(r.inputs)).not.toMatch(generated);
    for (const c of containers(plan)) {
      expect(c.inputs.envs ?? []).not.toContainEqual(
        expect.stringMatching(/PASSWORD=|SECRET=|_KEY=/),
      );
    }
  });

  test("wiring: Orthanc reaches PostgreSQL by its alias on the backend, the proxy reaches Orthanc on the frontend", () => {
    const o = container(plan, "orthanc");
    const pg = container(plan, "postgres");
    const proxy = container(plan, "proxy");
    expect(o.inputs.networksAdvanced).toEqual([
      { name: "orthanc-local-backend", aliases: ["orthanc"] },
      { name: "orthanc-local-frontend", aliases: ["orthanc"] },
    ]);
    expect(proxy.inputs.networksAdvanced).toEqual([{ name: "orthanc-local-frontend" }]);
    expect(upload(proxy, "/etc/caddy/Caddyfile")!.content).toContain(
      "reverse_proxy orthanc-local-orthanc:8042 {",
    );
    // Orthanc is created after the database is healthy; the proxy after Orthanc.
    expect(o.dependencies).toContain(pg.urn);
    expect(proxy.dependencies).toContain(o.urn);
  });

  test("every volume is protected and retained; nothing else is", () => {
    const protectedNames = plan.resources
      .filter((r) => r.protect)
      .map((r) => r.name)
      .sort();
    expect(protectedNames).toEqual([
      "orthanc-local-backups",
      "orthanc-local-dicom",
      "orthanc-local-pgdata",
      "orthanc-local-proxy-data",
    ]);
    expect(
      plan.resources
        .filter((r) => r.retainOnDelete)
        .map((r) => r.name)
        .sort(),
    ).toEqual(protectedNames);
  });

  test("backups: a pg_dump loop with its own password file, on the backend only", () => {
    const b = container(plan, "backup");
    expect(b.inputs.networksAdvanced).toEqual([{ name: "orthanc-local-backend" }]);
    expect(b.inputs.user).toBeUndefined(); // starts as root only to chown the volume, then drops to postgres
    expect(b.inputs.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["CHOWN", "FOWNER", "SETUID", "SETGID"],
    });
    expect(b.inputs.envs).toContain("PGHOST=postgres");
    expect(b.inputs.volumes).toEqual([
      { volumeName: "orthanc-local-backups", containerPath: "/backups" },
    ]);
    expect(upload(b, "/run/secrets/pgpass")).toMatchObject({
      content: "[secret]",
      permissions: "0600",
    });
    expect(upload(b, "/usr/local/bin/orthanc-backup.sh")!.content).toContain(
      "-mtime +14 -print -delete",
    );
  });

  test("outputs: URL, DICOM endpoint, admin user, the password only as a secret, and the no-TLS note", () => {
    expect(plan.outputs).toEqual({
      target: "docker",
      url: "http://127.0.0.1:8042/",
      dicomEndpoint: "ORTHANC@127.0.0.1:4242",
      adminUser: "admin",
      adminPassword: "[secret]",
      host: "localhost",
      note: "Plain HTTP without TLS on 127.0.0.1:8042: set orthanc:dns.name to serve HTTPS with a Let's Encrypt certificate.",
    });
  });

  test("--json has the shape of `pulumi preview --json`", () => {
    const json = previewJson(plan);
    expect(json.steps[0]).toMatchObject({ op: "create", type: "pulumi:pulumi:Stack" });
    expect(json.steps).toHaveLength(plan.resources.length + 1);
    const volume = json.steps.find((s) => s.newState.urn.endsWith("::orthanc-local-pgdata"))!;
    expect(volume.newState).toMatchObject({
      type: "docker:index/volume:Volume",
      protect: true,
      retainOnDelete: true,
    });
    expect(volume.newState.parent).toMatch(/orthanc:docker:OrthancDocker::orthanc-local$/);
    expect(json.changeSummary).toEqual({ create: plan.resources.length + 1 });
  });
});

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
      upload(container(plan, "orthanc"), "/etc/orthanc/orthanc.json")!.content,
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
      (c) => JSON.parse(upload(c, "/etc/orthanc/orthanc.json")!.content).DatabaseServerIdentifier,
    );
    expect(new Set(ids).size).toBe(2);
    expect(upload(container(plan, "proxy"), "/etc/caddy/Caddyfile")!.content).toContain(
      "reverse_proxy orthanc-ha-orthanc:8042 orthanc-ha-2-orthanc:8042 {",
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

describe("stack docker-vm (EC2 VM + Route 53 + Let's Encrypt)", () => {
  let plan: Plan;
  const one = (type: string) => {
    const found = ofType(plan, type);
    expect(found).toHaveLength(1);
    return found[0] as Container;
  };
  beforeAll(async () => {
    ({ plan } = await planStack("docker-vm"));
  });

  test("creates only the VM's AWS resources, and no Kubernetes ones", () => {
    const awsTypes = plan.resources
      .filter((r) => r.type.startsWith("aws:"))
      .map((r) => r.type)
      .sort();
    expect(awsTypes).toEqual(
      [
        "aws:ebs/volume:Volume",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/eip:Eip",
        "aws:ec2/instance:Instance",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/volumeAttachment:VolumeAttachment",
        "aws:ec2/vpc:Vpc",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/role:Role",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:kms/alias:Alias",
        "aws:kms/key:Key",
        "aws:route53/record:Record",
      ].sort(),
    );
    expect(plan.resources.some((r) => r.type.startsWith("kubernetes:"))).toBe(false);
  });

  test("the security group lets in only HTTP(S), allowlisted DICOM and admin SSH", () => {
    const sg = one("aws:ec2/securityGroup:SecurityGroup");
    const ingress = (
      sg.inputs.ingress as {
        fromPort: number;
        toPort: number;
        cidrBlocks: string[];
        protocol: string;
      }[]
    ).map(({ fromPort, toPort, cidrBlocks, protocol }) => ({
      fromPort,
      toPort,
      cidrBlocks,
      protocol,
    }));
    expect(ingress).toEqual([
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      {
        protocol: "tcp",
        fromPort: 4242,
        toPort: 4242,
        cidrBlocks: ["10.20.0.0/16", "192.0.2.0/24"],
      },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/28"] },
    ]);
    expect(one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs).toMatchObject({
      ingress: [],
      egress: [],
    });
  });

  test("disks are encrypted with the stack's rotating KMS key; the data volume and key are protected", () => {
    const key = one("aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(key.protect && key.retainOnDelete).toBe(true);
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/orthanc-docker-vm-key";
    const data = one("aws:ebs/volume:Volume");
    expect(data.inputs).toMatchObject({
      encrypted: true,
      kmsKeyId: keyArn,
      size: 500,
      type: "gp3",
      availabilityZone: "eu-west-1a",
    });
    expect(data.protect && data.retainOnDelete).toBe(true);
    const vm = one("aws:ec2/instance:Instance");
    expect(vm.inputs.rootBlockDevice).toMatchObject({ encrypted: true, kmsKeyId: keyArn });
    expect(vm.inputs.metadataOptions).toEqual({
      httpTokens: "required",
      httpEndpoint: "enabled",
      httpPutResponseHopLimit: 1,
    });
    expect(vm.ignoreChanges).toEqual(["ami"]);
    expect(vm.protect).toBe(false); // the host is cattle; the data volume is not
  });

  test("cloud-init mounts the data volume under Docker, installs Debian's Docker and keeps SSH key-only", () => {
    const userData = one("aws:ec2/instance:Instance").inputs.userData as string;
    expect(userData).toContain(
      "dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0a1b2c3d4e5f60789",
    );
    expect(userData).toContain("mountpoint -q /var/lib/docker || mount /var/lib/docker");
    expect(userData).toContain("[apt-get, install, -y, docker.io, unattended-upgrades, chrony]");
    expect(userData).toContain("PasswordAuthentication no");
    expect(userData).toContain(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnPublicKeyReplaceWithYour operator@example.org",
    );
  });

  test("wiring: the record points at the Elastic IP; the Docker engine is the VM over SSH, once it is ready", () => {
    expect(one("aws:route53/record:Record").inputs).toEqual({
      zoneId: "Z0123456789EXAMPLE",
      name: "pacs.example.org",
      type: "A",
      ttl: 300,
      records: ["203.0.113.20"],
    });
    const engine = one("pulumi:providers:docker");
    expect(engine.inputs.host).toBe("ssh://admin@203.0.113.20");
    const ready = one("command:local:Command");
    expect(engine.dependencies).toContain(ready.urn);
    expect(ready.inputs.environment).toEqual({ HOST: "203.0.113.20", SSH_USER: "admin" });
    expect(ready.dependencies).toContain(one("aws:ec2/volumeAttachment:VolumeAttachment").urn);
  });

  test("DICOM is published by the gate, which enforces the allowlist as the security group does, and only the listed modality may store", () => {
    const o = container(plan, "orthanc");
    expect(o.inputs.ports).toEqual([]);
    const gate = container(plan, "dicom-gate");
    // The image's own unprivileged user, no capability: it listens on an unprivileged port.
    expect(gate.inputs.user).toBeUndefined();
    expect(gate.inputs).toMatchObject({
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      ports: [{ internal: 11112, external: 4242, ip: "0.0.0.0", protocol: "tcp" }],
      networksAdvanced: [{ name: "orthanc-docker-vm-frontend" }],
    });
    const haproxy = upload(gate, "/usr/local/etc/haproxy/haproxy.cfg")!.content;
    expect(haproxy).toContain(
      "tcp-request content reject unless { src 10.20.0.0/16 192.0.2.0/24 }",
    );
    expect(
      ofType(plan, "docker:index/remoteImage:RemoteImage").find((r) =>
        r.name.endsWith("-dicom-gate-image"),
      )?.inputs.name,
    ).toBe("haproxy:3.2.4-alpine");
    expect(haproxy).toContain("server orthanc-1 orthanc-docker-vm-orthanc:4242 resolvers docker");
    const config = JSON.parse(upload(o, "/etc/orthanc/orthanc.json")!.content);
    expect(config).toMatchObject({
      DicomAet: "RESEARCHPACS",
      DicomAlwaysAllowStore: false,
      DicomAlwaysAllowEcho: false,
      // Behind the gate every association comes from the gate's address: no host check.
      DicomCheckModalityHost: false,
    });
    expect(Object.keys(config.DicomModalities)).toEqual(["ct-scanner"]);
    expect(config.DicomWeb).toMatchObject({ Host: "pacs.example.org", Ssl: true });
  });

  test("the instance role can only be assumed by EC2 and carries SSM, nothing else", () => {
    const role = one("aws:iam/role:Role");
    expect(JSON.parse(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect(
      ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map(
        (a) => a.inputs.policyArn,
      ),
    ).toEqual(["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]);
    expect(ofType(plan, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });

  test("every IAM document is valid and scoped (offline IAM policy checker)", () => {
    expect(iamDocumentCount(plan)).toBe(2); // the instance role's trust policy, the key policy
    expect(iamProblems(plan)).toEqual([]);
  });

  test("outputs: the HTTPS URL, the DICOM endpoint by name, and the VM's address", () => {
    expect(plan.outputs).toMatchObject({
      url: "https://pacs.example.org/",
      dicomEndpoint: "RESEARCHPACS@pacs.example.org:4242",
      adminPassword: "[secret]",
      vmPublicIp: "203.0.113.20",
    });
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
      (ofType(plan, "aws:iam/rolePolicy:RolePolicy")[0] as Container).inputs.policy,
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
    expect(iamDocumentCount(plan)).toBe(3);
    expect(iamProblems(plan)).toEqual([]);
    const o = container(plan, "orthanc");
    const config = JSON.parse(upload(o, "/etc/orthanc/orthanc.json")!.content);
    expect(config.AwsS3Storage).toEqual({
      BucketName: "research-pacs",
      Region: "eu-west-1",
      RootPath: "orthanc/",
      VirtualAddressing: true,
    });
    expect(o.inputs.volumes).toEqual([]);
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
    const o = container(plan, "orthanc");
    expect(upload(o, "/run/secrets/orthanc-storage-master-key")).toMatchObject({
      content: "[secret]",
      permissions: "0400",
      owner: "999",
    });
    // Static keys go to the secret credentials file, so orthanc.json has no S3 section at all.
    expect(JSON.parse(upload(o, "/etc/orthanc/orthanc.json")!.content)).not.toHaveProperty(
      "AwsS3Storage",
    );
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

describe("data survives configuration changes", () => {
  /** The inputs of every resource that holds data, by name: these must not change, or Pulumi would replace them. */
  const dataInputs = (plan: Plan) =>
    Object.fromEntries(
      plan.resources
        .filter((r) =>
          [
            "docker:index/volume:Volume",
            "aws:ebs/volume:Volume",
            "aws:kms/key:Key",
            "random:index/randomBytes:RandomBytes",
          ].includes(r.type),
        )
        .map((r) => [
          r.name,
          { inputs: r.inputs, protect: r.protect, retainOnDelete: r.retainOnDelete },
        ]),
    );

  test.each<[string, Record<string, unknown>]>([
    ["a new Orthanc image tag", { orthanc: { image: { tag: "26.9.0" } } }],
    ["more replicas", { orthanc: { replicas: 3 } }],
    ["a bigger VM", { docker: { vm: { instanceType: "m6i.xlarge" } } }],
    ["another PostgreSQL image tag", { docker: { images: { postgres: "16.11-bookworm" } } }],
    ["DICOM opened to another network", { orthanc: { dicom: { allowedCidrs: ["10.99.0.0/16"] } } }],
  ])("%s leaves every volume, disk and key as it was", async (_name, change) => {
    const before = dataInputs((await planStack("docker-vm")).plan);
    const after = dataInputs((await planStack("docker-vm", change)).plan);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(6);
    expect(after).toEqual(before);
  });
});

test("with registry.mirror every image is pulled through the mirror, official ones under library/", async () => {
  const { plan } = await planStack("local", {
    registry: { mirror: "harbor.example.org/dockerhub" },
  });
  expect(
    plan.resources
      .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
      .map((r) => r.inputs.name)
      .sort(),
  ).toEqual([
    "harbor.example.org/dockerhub/library/caddy:2.10.2-alpine",
    "harbor.example.org/dockerhub/library/postgres:16.10-bookworm",
    "harbor.example.org/dockerhub/orthancteam/orthanc:26.8.1",
  ]);
});
