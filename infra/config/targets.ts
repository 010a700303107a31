import { z } from "zod";
import { cidr, pinnedTag, secretString } from "./primitives";
import { databaseBase, storageBase } from "./shared";

// ---------------------------------------------------------------- docker

const dockerVm = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as `eu-west-1`" }),
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/)
    .default("t3.large"),
  rootVolumeGiB: z.number().int().min(20).default(30),
  /** Separate encrypted EBS volume that holds every Docker volume (DICOM files, database, backups). */
  dataVolumeGiB: z.number().int().min(10).default(200),
  /** Place the VM in this VPC/subnet; a small VPC with one public subnet is created otherwise. */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/)
    .optional(),
  subnetId: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/)
    .optional(),
  /**
   * Networks allowed to SSH in. The Docker provider deploys over SSH, so the deploying machine's
   * network must be here; administrators can also use SSM Session Manager (no SSH needed).
   */
  sshAllowedCidrs: z.array(cidr).default([]),
  /** Networks allowed to reach HTTP/HTTPS. Let's Encrypt's HTTP-01 check needs port 80 open to all. */
  webAllowedCidrs: z.array(cidr).default(["0.0.0.0/0"]),
  sshPublicKey: z.string().startsWith("ssh-").optional(),
  /** SSH user the Docker provider connects as (the AMI's default user). */
  sshUser: z.string().default("admin"),
});

const dockerSection = z.strictObject({
  /**
   * Where the containers run: `local` (this machine's engine), `ssh://user@host`,
   * `tcp://host:2376` (with `tlsCa`/`tlsCert`/`tlsKey`), or `aws-vm` (a VM this stack creates).
   */
  host: z
    .string()
    .regex(/^(local|aws-vm|ssh:\/\/[^\s]+|tcp:\/\/[^\s]+)$/, {
      error: "must be `local`, `aws-vm`, `ssh://user@host` or `tcp://host:port`",
    })
    .default("local"),
  tlsCa: secretString.optional(),
  tlsCert: secretString.optional(),
  tlsKey: secretString.optional(),
  vm: dockerVm.optional(),
  /** Host address the proxy's plain-HTTP port binds to when there is no domain. */
  bindAddress: z.ipv4().default("127.0.0.1"),
  /** Published plain-HTTP port when there is no domain (with a domain: 80 and 443). */
  httpPort: z.number().int().min(1).max(65535).default(8042),
  images: z
    .strictObject({
      postgres: pinnedTag.optional(),
      caddy: pinnedTag.default("2.10.2-alpine"),
      awsCli: pinnedTag.default("2.22.0"),
      /** HAProxy: the DICOM gate that enforces `orthanc.dicom.allowedCidrs` beyond loopback. */
      haproxy: pinnedTag.default("3.2.4-alpine"),
    })
    .prefault({}),
  backup: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Hours between `pg_dump` runs. */
      intervalHours: z.number().int().min(1).max(168).default(24),
      retentionDays: z.number().int().min(1).max(3650).default(14),
      /**
       * Also copy every dump to the S3 bucket of `storage.s3` (under `<prefix>backups/`), off the
       * host. Give that prefix a lifecycle rule for retention there.
       */
      copyToS3: z.boolean().default(false),
    })
    .prefault({}),
});

// ---------------------------------------------------------------- aws

const awsSection = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as `eu-west-1`" }),
  /** Use an existing VPC: its id and at least two private subnets in different AZs. */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/)
    .optional(),
  privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
  /** CIDR of a VPC this program creates. */
  vpcCidr: cidr.default("10.40.0.0/16"),
  availabilityZones: z.number().int().min(2).max(3).default(2),
  compute: z.enum(["fargate", "ec2"]).default("fargate"),
  /** EC2 instance type of the cluster's hosts (compute ec2 only; m6i.large when omitted). */
  instanceType: z
    .string()
    .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
      error: "must be an EC2 instance type such as `m6i.large`",
    })
    .optional(),
  cpu: z.number().int().default(1024),
  memoryMiB: z.number().int().default(2048),
  /** Networks allowed to reach HTTPS. */
  webAllowedCidrs: z.array(cidr).default(["0.0.0.0/0"]),
  ecsExec: z.boolean().default(false),
  /**
   * Target tracking on CPU between `orthanc.replicas` and `maxReplicas` tasks. Orthanc is then
   * configured for several writers (no database lock) and its pool sized for the maximum.
   */
  autoscaling: z
    .strictObject({
      maxReplicas: z.number().int().min(2).max(20),
      targetCpuPercent: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
  /** TLS on the DICOM load balancer's listener (the certificate of `dns.dicomName`). */
  dicomTls: z.boolean().default(false),
  /** Days CloudWatch keeps container and flow logs. */
  logRetentionDays: z
    .literal([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
      3288, 3653,
    ])
    .default(365),
  alarmEmail: z.email().optional(),
});

// ---------------------------------------------------------------- kubernetes

const kubernetesSection = z.strictObject({
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    .default("orthanc"),
  createNamespace: z.boolean().default(true),
  ingressClassName: z.string().default("nginx"),
  /** Namespace of the ingress controller: the only source allowed to reach Orthanc's HTTP port. */
  ingressControllerNamespace: z.string().default("ingress-nginx"),
  certManagerIssuer: z.string().default("letsencrypt"),
  storageClass: z.string().optional(),
  cpu: z.string().default("500m"),
  memory: z.string().default("1Gi"),
  /**
   * Annotations of Orthanc's service account: a pod role for S3 instead of static keys, e.g.
   * `eks.amazonaws.com/role-arn` (IRSA). EKS Pod Identity needs none (its association is made
   * outside the cluster objects).
   */
  serviceAccountAnnotations: z
    .record(
      z
        .string()
        .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
          error: "must be an annotation key such as `eks.amazonaws.com/role-arn`",
        }),
      z.string(),
    )
    .default({}),
  autoscaling: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxReplicas: z.number().int().min(2).max(20).default(4),
      targetCpuPercent: z.number().int().min(10).max(95).default(70),
    })
    .optional(),
});

// ---------------------------------------------------------------- per-target sections

export const targetSections = {
  docker: {
    database: z.strictObject({ ...databaseBase }),
    storage: z.strictObject({ kind: z.enum(["volume", "s3"]).default("volume"), ...storageBase }),
    section: dockerSection,
  },
  aws: {
    database: z.strictObject({
      ...databaseBase,
      instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, {
          error: "must be an RDS instance class such as `db.t4g.medium`",
        })
        .default("db.t4g.small"),
      allocatedStorageGiB: z.number().int().min(20).default(20),
      maxAllocatedStorageGiB: z.number().int().min(20).default(200),
      multiAz: z.boolean().default(false),
      backupRetentionDays: z.number().int().min(7).max(35).default(7),
    }),
    storage: z.strictObject({
      kind: z.enum(["efs", "s3"]).default("efs"),
      ...storageBase,
      /** Move DICOM objects to S3 Glacier Instant Retrieval after this many days (a bucket this stack creates). */
      glacierInstantRetrievalAfterDays: z.number().int().min(30).optional(),
    }),
    section: awsSection,
  },
  kubernetes: {
    database: z.strictObject({
      ...databaseBase,
      /** `statefulset` (plain PostgreSQL) or `cloudnativepg` (needs the operator). */
      kind: z.enum(["statefulset", "cloudnativepg"]).default("statefulset"),
      instances: z.number().int().min(1).max(5).default(1),
      storageGiB: z.number().int().min(1).default(20),
    }),
    storage: z.strictObject({
      kind: z.enum(["pvc", "s3"]).default("pvc"),
      ...storageBase,
      /** Size of the PVC this program creates for DICOM files. */
      sizeGiB: z.number().int().min(1).default(100),
      /** ReadWriteMany (a storage class that supports it) is needed for more than one replica. */
      accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).default("ReadWriteOnce"),
    }),
    section: kubernetesSection,
  },
} as const;

export type TargetName = keyof typeof targetSections;
export const TARGETS = Object.keys(targetSections) as TargetName[];

export type DockerSection = z.output<typeof dockerSection>;
export type AwsSection = z.output<typeof awsSection>;
export type KubernetesSection = z.output<typeof kubernetesSection>;
