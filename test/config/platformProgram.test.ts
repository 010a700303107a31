/**
 * The platform checks through the whole program: every configuration below runs through
 * `runPlan` (as `npm run plan` and `pulumi up` do) and must end in a `ConfigError` with no
 * resource registered (counted by the mocks, components included). `REJECTED` has the shape the
 * shared zero-resources test gathers from test/config: [description, shipped stack laid under
 * it (or none), raw config]. And what the checks allow still plans: a class the RDS table lacks,
 * given with its memory, sizes the server from it.
 */
import { ConfigError, safeParseConfig } from "../../infra/config";
import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";

export type RejectedConfig = [
  description: string,
  base: string | undefined,
  raw: Record<string, unknown>,
  /** The key the platform check reports. */
  key?: string,
];

/** One or more cases of each platform class, laid over the shipped stacks. */
export const REJECTED: RejectedConfig[] = [
  // AWS regions from @pulumi/aws's list
  [
    "an AWS region that does not exist",
    "aws-fargate-efs",
    { aws: { region: "eu-west-7" } },
    "orthanc:aws.region",
  ],
  ["a GovCloud region", "aws-ec2", { aws: { region: "us-gov-east-1" } }, "orthanc:aws.region"],
  [
    "the VM in a misspelt region",
    "docker-vm",
    { docker: { vm: { region: "eu-wset-1" } } },
    "orthanc:docker.vm.region",
  ],
  [
    "S3 in a region AWS lacks",
    "k8s-ha",
    { storage: { s3: { region: "eu-west-9" } } },
    "orthanc:storage.s3.region",
  ],
  // RDS classes: the table, or the class's memory
  [
    "an RDS class the table lacks, without its memory",
    "aws-fargate-efs",
    { database: { instanceClass: "db.m9q.large" } },
    "orthanc:database.instanceClass",
  ],
  [
    "an RDS size its family lacks",
    "aws-fargate-s3",
    { database: { instanceClass: "db.r7g.micro" } },
    "orthanc:database.instanceClass",
  ],
  // The VPC range
  [
    "a VPC range with host bits",
    "aws-fargate-efs",
    { aws: { vpcCidr: "10.0.0.5/16" } },
    "orthanc:aws.vpcCidr",
  ],
  [
    "a VPC range too large",
    "aws-fargate-s3",
    { aws: { vpcCidr: "10.0.0.0/12" } },
    "orthanc:aws.vpcCidr",
  ],
  // Fargate and EC2 sizes
  [
    "a Fargate pair AWS lacks",
    "aws-fargate-s3",
    { aws: { cpu: 2048, memoryMiB: 2048 } },
    "orthanc:aws.memoryMiB",
  ],
  [
    "a Fargate CPU AWS lacks",
    "aws-fargate-efs",
    { aws: { cpu: 3072, memoryMiB: 8192 } },
    "orthanc:aws.cpu",
  ],
  [
    "a Graviton ECS host",
    "aws-ec2",
    { aws: { instanceType: "m7g.large" } },
    "orthanc:aws.instanceType",
  ],
  [
    "a Graviton Docker VM",
    "docker-vm",
    { docker: { vm: { instanceType: "t4g.large" } } },
    "orthanc:docker.vm.instanceType",
  ],
  // Kubernetes quantities and names
  [
    "memory without a unit",
    "k8s-basic",
    { kubernetes: { memory: "512" } },
    "orthanc:kubernetes.memory",
  ],
  [
    "CPU in cores for millicores",
    "k8s-ha",
    { kubernetes: { cpu: "250" } },
    "orthanc:kubernetes.cpu",
  ],
  [
    "memory in gigabytes written GB",
    "k8s-basic",
    { kubernetes: { memory: "2GB" } },
    "orthanc:kubernetes.memory",
  ],
  [
    "a storage class with capitals",
    "k8s-ha",
    { kubernetes: { storageClass: "Fast_SSD" } },
    "orthanc:kubernetes.storageClass",
  ],
  [
    "a namespace with a dot",
    "k8s-basic",
    { kubernetes: { namespace: "pacs.prod" } },
    "orthanc:kubernetes.namespace",
  ],
  // Ports
  [
    "DICOM on the HTTP port",
    "aws-fargate-efs",
    { orthanc: { dicom: { port: 8042 } } },
    "orthanc:orthanc.dicom.port",
  ],
  [
    "DICOM on the HTTPS proxy's 443",
    "docker-vm",
    { orthanc: { dicom: { port: 443 } } },
    "orthanc:orthanc.dicom.port",
  ],
  [
    "DICOM on the published HTTP port",
    "local",
    { docker: { httpPort: 4242 }, orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32"] } } },
    "orthanc:orthanc.dicom.port",
  ],
  // Sizes that must agree
  [
    "RDS storage ceiling under the storage",
    "aws-fargate-efs",
    { database: { allocatedStorageGiB: 300, maxAllocatedStorageGiB: 300 } },
    "orthanc:database.maxAllocatedStorageGiB",
  ],
  [
    "an HPA maximum under the replicas",
    "k8s-ha",
    { kubernetes: { autoscaling: { enabled: true, maxReplicas: 2 } } },
    "orthanc:kubernetes.autoscaling.maxReplicas",
  ],
  [
    "ECS autoscaling under the replicas",
    "aws-fargate-s3",
    { aws: { autoscaling: { maxReplicas: 2 } }, orthanc: { replicas: 3 } },
    "orthanc:aws.autoscaling.maxReplicas",
  ],
  [
    "a PostgreSQL image of another major",
    "local",
    { docker: { images: { postgres: "17.6" } } },
    "orthanc:docker.images.postgres",
  ],
  [
    "a pool over a small RDS class",
    "aws-fargate-s3",
    { database: { instanceClass: "db.t4g.micro", connectionsPerReplica: 60 } },
    "orthanc:database.connectionsPerReplica",
  ],
  [
    "a pool over the own PostgreSQL at the HPA's maximum",
    "k8s-ha",
    {
      kubernetes: { autoscaling: { enabled: true, maxReplicas: 10 } },
      database: { connectionsPerReplica: 10 },
    },
    "orthanc:database.connectionsPerReplica",
  ],
  [
    "an external server smaller than the replicas",
    "local",
    {
      orthanc: { replicas: 3 },
      database: { external: { host: "db.example.org", password: "x", maxConnections: 12 } },
    },
    "orthanc:database.external.maxConnections",
  ],
];

type Raw = Record<string, unknown>;

/** `over` laid on `base`: maps merged key by key, anything else replaced. */
function merge(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Raw => !!v && typeof v === "object" && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

const laid = (base: string | undefined, raw: Raw): Raw =>
  base ? (merge(readStackFile(stackFilePath(base)), raw) as Raw) : raw;

describe("platform checks: ConfigError and zero resources, through the whole program", () => {
  test.each(REJECTED)("%s", async (_description, base, raw, key) => {
    const parsed = safeParseConfig(laid(base, raw));
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.key)).toContain(key);
    let count = 0;
    let error: unknown;
    try {
      await runPlan(laid(base, raw), base ?? "platform", () => count++);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(count).toBe(0);
  });
});

describe("what the checks allow plans", () => {
  const alarmThreshold = async (raw: Raw) => {
    const plan = await runPlan(raw, "platform");
    const alarm = plan.resources.find((r) => r.name.endsWith("-db-connections"));
    return alarm?.inputs.threshold;
  };

  test("a class the table lacks, given with its memory, sizes max_connections from it", async () => {
    const raw = laid("aws-fargate-efs", {
      database: { instanceClass: "db.m9q.large", instanceMemoryGiB: 16 },
    });
    // 16 GiB: max_connections 1622, alarmed at 80%.
    expect(await alarmThreshold(raw)).toBe(Math.floor(1622 * 0.8));
  });

  test("a current memory-optimized class is sized by its own memory (16 GiB, not 8)", async () => {
    const raw = laid("aws-fargate-s3", { database: { instanceClass: "db.r7g.large" } });
    expect(await alarmThreshold(raw)).toBe(Math.floor(1622 * 0.8));
  });

  test("a Kubernetes stack with quantities written as numbers and a subdomain storage class", async () => {
    const raw = laid("k8s-basic", {
      kubernetes: { cpu: 2, memory: "2Gi", storageClass: "ebs.csi.aws.com" },
    });
    const plan = await runPlan(raw, "platform");
    expect(plan.resources.length).toBeGreaterThan(0);
  });
});
