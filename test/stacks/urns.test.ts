/**
 * A refactor must not move a resource of an existing stack to a new identity: the engine would
 * delete the old one and create a new one (a database, a volume, a key). The fixture holds every
 * shipped stack's URNs and input digests as they were before issue 9's move (`urnHistory.ts`
 * records it); every one must still be answered, by the same URN or by an alias, with the same
 * inputs unless listed below with the reason.
 */
import { readFileSync } from "node:fs";
import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import {
  FIXTURE,
  inputsDigest,
  K8S_POSTGRES_TLS_CHANGED,
  K8S_EDGE_CREATED,
  K8S_EDGE_REMOVED,
  K8S_POSTGRES_TLS_CREATED,
  tail,
  urnsOf,
  UrnFixture,
} from "./urnHistory";

const before = JSON.parse(readFileSync(FIXTURE, "utf8")) as UrnFixture;

/**
 * Issue 12 (database role), Docker: the PostgreSQL container gets the wrapper entrypoint, the role
 * script and the role's password file (the container is recreated; its pgdata volume, protected,
 * stays and is converted in place); the backup container dumps as orthanc_app. Orthanc's
 * credentials file changes too, inside a secret the digest does not see.
 */
function dockerDatabaseRole(stack: string): Record<string, string> {
  return {
    [`docker:index/container:Container::orthanc-${stack}-postgres`]:
      "database role script at start",
    [`docker:index/container:Container::orthanc-${stack}-backup`]: "dumps as orthanc_app",
  };
}

/**
 * Issue 12 (database role), AWS: a new task definition revision with the db-role container that
 * Orthanc waits for; the execution role also reads the RDS connection secret (for that container)
 * and the role's password secret. The RDS instance and its inputs are untouched.
 */
function awsDatabaseRole(stack: string): Record<string, string> {
  return {
    [`aws:ecs/taskDefinition:TaskDefinition::orthanc-${stack}-app-task`]: "db-role container",
    [`aws:iam/rolePolicy:RolePolicy::orthanc-${stack}-app-execution-secrets`]:
      "reads the connection and role secrets",
  };
}

type ByStack = Record<string, Record<string, string>>;

/** One map of several issues' changes: a resource changed by two keeps both reasons. */
const merged = (...maps: ByStack[]): ByStack => {
  const out: ByStack = {};
  for (const map of maps)
    for (const [stack, entries] of Object.entries(map))
      for (const [key, why] of Object.entries(entries)) {
        out[stack] ??= {};
        out[stack][key] = out[stack][key] ? `${out[stack][key]}; ${why}` : why;
      }
  return out;
};

const ACCESS_LOG_PROXY = "the proxy writes a JSON access log";
const ACCESS_LOG_LB = "access logs into the access-log bucket";

/** Issue 12's access-log bucket of an AWS stack: new resources, which replace nothing. */
const accessLogBucket = (stack: string, s3Sources: string[] = []) =>
  Object.fromEntries(
    [
      ["orthanc:aws:AccessLogBucket", ""],
      ["aws:s3/bucket:Bucket", ""],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-public-access"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-ownership"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "-encryption",
      ],
      ["aws:s3/bucketVersioning:BucketVersioning", "-versioning"],
      ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "-lifecycle"],
      ["aws:s3/bucketPolicy:BucketPolicy", "-policy"],
      ...s3Sources.map((source) => ["aws:s3/bucketLogging:BucketLogging", `-${source}`]),
    ].map(([type, suffix]) => [
      `${type}::orthanc-${stack}-access-logs${suffix}`,
      "the access trail: load balancer and DICOM bucket access logs",
    ]),
  );

/**
 * Issue 12 (bounded): every container gets a memory limit, Orthanc's a read-only root with tmpfs
 * folders and anonymous volumes for its uploaded files. Docker replaces each container (a restart
 * with the same volumes: no data is touched); no volume, network or image changes.
 */
const boundedContainers = (stack: string, parts: string[]) =>
  Object.fromEntries(
    parts.map((part) => [
      `docker:index/container:Container::orthanc-${stack}-${part}`,
      part === "orthanc"
        ? "read-only root, tmpfs folders, files from the files container, memory limit (replaced)"
        : "memory limit (container replaced)",
    ]),
  );

const K8S_EDGE = "the Gateway API edge (issue 13)";

/** Inputs changed on purpose since the fixture, by stack and `type::name`, with why. */
const changedInputs: ByStack = merged(
  {
    "k8s-ha": {
      // Plan-only: the offline stand-in for an encrypted value lost its spaces (issue 10), and
      // the pods' checksum over the credentials holding it changed with it. A deployment sees
      // the decrypted value, which did not change.
      "kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc":
        "offline placeholder of a secure value",
    },
  },
  // Issue 12 (backups): the key policy lets CloudWatch Logs use the key for the VPC's flow-log
  // group (an in-place policy update; the key and what it encrypted stay).
  {
    "docker-vm": {
      "aws:kms/key:Key::orthanc-docker-vm-key": "CloudWatch Logs may encrypt flow logs with it",
    },
  },
  // Issue 12 (access trail): the Caddyfile gains the access log (the proxy container is
  // recreated; the proxy-data volume with its certificates stays); access logs on the load
  // balancers (an attribute changed in place; NLBs log TLS connections only).
  {
    local: { "docker:index/container:Container::orthanc-local-proxy": ACCESS_LOG_PROXY },
    "docker-vm": { "docker:index/container:Container::orthanc-docker-vm-proxy": ACCESS_LOG_PROXY },
    "aws-ec2": { "aws:lb/loadBalancer:LoadBalancer::orthanc-aws-ec2-edge-web": ACCESS_LOG_LB },
    "aws-fargate-efs": {
      "aws:lb/loadBalancer:LoadBalancer::orthanc-aws-fargate-efs-edge-web": ACCESS_LOG_LB,
      "aws:lb/loadBalancer:LoadBalancer::orthanc-aws-fargate-efs-edge-dicom": ACCESS_LOG_LB,
    },
    "aws-fargate-s3": {
      "aws:lb/loadBalancer:LoadBalancer::orthanc-aws-fargate-s3-edge-web": ACCESS_LOG_LB,
      "aws:lb/loadBalancer:LoadBalancer::orthanc-aws-fargate-s3-edge-dicom": ACCESS_LOG_LB,
    },
  },
  // Issue 12 (DICOM TLS): on by default with a public range and a domain. Docker: orthanc.json
  // gains the DicomTls* settings and the container the certificate, key and trusted CAs as files
  // (the volumes stay); AWS: the DICOM listener becomes TLS in place.
  {
    "docker-vm": {
      "docker:index/container:Container::orthanc-docker-vm-orthanc": "DICOM TLS files and settings",
    },
    "aws-fargate-efs": {
      "aws:lb/listener:Listener::orthanc-aws-fargate-efs-edge-dicom": "DICOM listener TLS",
    },
  },
  // Issue 12 (PostgreSQL TLS): the StatefulSet, its dumps and Orthanc's pods change in place.
  { "k8s-basic": K8S_POSTGRES_TLS_CHANGED },
  // Issue 12 (bounded): memory limits and Orthanc's read-only root on Docker (containers
  // replaced, volumes kept); a sizeLimit on every emptyDir (in-place updates that roll the pods;
  // the StatefulSet keeps its PVC); Orthanc's read-only root on ECS with task volumes for /tmp
  // and the plugin folder (a new task definition revision; no data store is touched).
  {
    local: boundedContainers("local", ["orthanc", "postgres", "backup", "proxy"]),
    "docker-vm": boundedContainers("docker-vm", [
      "orthanc",
      "postgres",
      "backup",
      "proxy",
      "dicom-gate",
    ]),
    "k8s-ha": {
      "kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc": "sizeLimit on its emptyDirs",
    },
    "k8s-basic": {
      "kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc": "sizeLimit on its emptyDirs",
      "kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres": "sizeLimit on its emptyDirs",
    },
    ...Object.fromEntries(
      ["aws-ec2", "aws-fargate-efs", "aws-fargate-s3"].map((stack) => [
        stack,
        {
          [`aws:ecs/taskDefinition:TaskDefinition::orthanc-${stack}-app-task`]:
            "read-only root, task volumes for /tmp and the plugin folder (new revision)",
        },
      ]),
    ),
  },
  // Issue 12 (database role): Docker's PostgreSQL container runs the role script at start and
  // the dumps log in as orthanc_app (containers recreated, pgdata kept and converted in place);
  // AWS: a db-role container before Orthanc, and the execution role reads its secrets; the
  // StatefulSet's pod runs the role script at every start (a rolling restart, the PVC kept), the
  // dumps log in as orthanc_app, Orthanc's pods roll on credentials naming orthanc_app.
  {
    local: dockerDatabaseRole("local"),
    "docker-vm": dockerDatabaseRole("docker-vm"),
    "aws-ec2": awsDatabaseRole("aws-ec2"),
    "aws-fargate-efs": awsDatabaseRole("aws-fargate-efs"),
    "aws-fargate-s3": awsDatabaseRole("aws-fargate-s3"),
    "k8s-basic": {
      "kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres": "database role script at start",
      "kubernetes:batch/v1:CronJob::orthanc-k8s-basic-postgres-backup": "dumps as orthanc_app",
      "kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc": "credentials name orthanc_app",
    },
  },
  // Issue 13: Orthanc's HTTP port admits the Gateway's proxies instead of ingress-nginx's
  // namespace (the policy is updated in place).
  {
    "k8s-basic": {
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::orthanc-k8s-basic-policy-1": K8S_EDGE,
    },
    "k8s-ha": {
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::orthanc-k8s-ha-policy-1": K8S_EDGE,
    },
  },
);

/** Resources the move added (components that group what existed), by stack. */
const added: Record<string, string[]> = {
  // The AWS target's root component (issue 9): what was created at the top level now lives in it.
  "aws-ec2": ["orthanc:aws:OrthancAws::orthanc-aws-ec2"],
  "aws-fargate-efs": ["orthanc:aws:OrthancAws::orthanc-aws-fargate-efs"],
  "aws-fargate-s3": ["orthanc:aws:OrthancAws::orthanc-aws-fargate-s3"],
};

/**
 * Resources a later issue creates on purpose, by stack and `type::name`, with why: new resources
 * that hold no data of the earlier plan's (backups, logs, certificates), so creating them
 * replaces nothing.
 */
const created: ByStack = merged(
  {
    "aws-ec2": accessLogBucket("aws-ec2"),
    "aws-fargate-efs": accessLogBucket("aws-fargate-efs"),
    "aws-fargate-s3": accessLogBucket("aws-fargate-s3", ["dicom"]),
  },
  { "k8s-basic": K8S_POSTGRES_TLS_CREATED },
  {
    "docker-vm": Object.fromEntries(
      [
        ["tls:index/privateKey:PrivateKey", "dicom-ca-key"],
        ["tls:index/selfSignedCert:SelfSignedCert", "dicom-ca"],
        ["tls:index/privateKey:PrivateKey", "dicom-key"],
        ["tls:index/certRequest:CertRequest", "dicom-csr"],
        ["tls:index/locallySignedCert:LocallySignedCert", "dicom-cert"],
        ["aws:backup/vault:Vault", "vm-snapshots-vault"],
        ["aws:backup/plan:Plan", "vm-snapshots-plan"],
        ["aws:backup/selection:Selection", "vm-snapshots-selection"],
        ["aws:iam/role:Role", "vm-snapshots-backup"],
        ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "vm-snapshots-backup"],
        ["aws:cloudwatch/logGroup:LogGroup", "vm-flow-logs"],
        ["aws:iam/role:Role", "vm-flow-logs"],
        ["aws:iam/rolePolicy:RolePolicy", "vm-flow-logs"],
        ["aws:ec2/flowLog:FlowLog", "vm-flow-logs"],
      ].map(([type, name]) => [
        `${type}::orthanc-docker-vm-${name}`,
        // Issue 12: the private CA and server certificate of DICOM TLS; daily snapshots of the
        // VM's data volume; flow logs of the VPC it creates.
        name.startsWith("dicom")
          ? "DICOM TLS CA and certificate"
          : name.includes("snapshots")
            ? "data volume snapshots"
            : "VPC flow logs",
      ]),
    ),
  },
  // Issue 12 (bounded): Docker refuses uploads into a read-only root, so Orthanc's files go into
  // the volumes of a container that is created and never started; it holds no data.
  {
    local: {
      "docker:index/container:Container::orthanc-local-orthanc-files":
        "Orthanc's configuration files for its read-only root",
    },
    "docker-vm": {
      "docker:index/container:Container::orthanc-docker-vm-orthanc-files":
        "Orthanc's configuration files for its read-only root",
    },
  },
  // Issue 12 (database role): the role's generated password, and where each target keeps it or
  // the role script. New resources holding no earlier data.
  Object.fromEntries(
    ["local", "docker-vm", "aws-ec2", "aws-fargate-efs", "aws-fargate-s3", "k8s-basic"].map(
      (stack) => [
        stack,
        {
          [`random:index/randomPassword:RandomPassword::orthanc-${stack}-credentials-database-app`]:
            "the database role's password",
          ...(stack.startsWith("aws")
            ? {
                [`aws:secretsmanager/secret:Secret::orthanc-${stack}-app-db-app-password`]:
                  "the database role's password",
                [`aws:secretsmanager/secretVersion:SecretVersion::orthanc-${stack}-app-db-app-password`]:
                  "the database role's password",
              }
            : {}),
          ...(stack === "k8s-basic"
            ? {
                "kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-app-password":
                  "the database role's password",
                "kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-postgres-scripts":
                  "the database role script",
              }
            : {}),
        },
      ],
    ),
  ),
  K8S_EDGE_CREATED,
);

describe.each(Object.keys(before))("%s", (stack) => {
  test("every resource of the earlier plan keeps its identity (same URN or an alias) and its inputs", async () => {
    const plan = await runPlan(readStackFile(stackFilePath(stack)), stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const claims = new Map<string, string>();
    for (const r of plan.resources)
      for (const urn of urnsOf(r, byUrn, stack)) if (before[stack][urn]) claims.set(urn, r.urn);

    const lost = Object.keys(before[stack])
      .filter((urn) => !claims.has(urn))
      .map(tail);
    expect(lost.sort()).toEqual((K8S_EDGE_REMOVED[stack] ?? []).sort());

    const changed = Object.entries(before[stack])
      .filter(([urn]) => claims.has(urn))
      .filter(([urn, digest]) => inputsDigest(byUrn.get(claims.get(urn)!)!) !== digest)
      .map(([urn]) => tail(urn));
    expect(changed.sort()).toEqual(Object.keys(changedInputs[stack] ?? {}).sort());

    const claimed = new Set(claims.values());
    const fresh = plan.resources
      .filter((r) => !claimed.has(r.urn))
      .map((r) => `${r.type}::${r.name}`);
    expect(fresh.sort()).toEqual(
      [...(added[stack] ?? []), ...Object.keys(created[stack] ?? {})].sort(),
    );
  });
});
