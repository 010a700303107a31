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
import { FIXTURE, inputsDigest, urnsOf, UrnFixture } from "./urnHistory";

const before = JSON.parse(readFileSync(FIXTURE, "utf8")) as UrnFixture;

/** Inputs the move changed on purpose, by stack and `type::name`, with why. */
const changedInputs: Record<string, Record<string, string>> = {
  "k8s-ha": {
    // Plan-only: the offline stand-in for an encrypted value lost its spaces (issue 10), and the
    // pods' checksum over the credentials holding it changed with it. A deployment sees the
    // decrypted value, which did not change.
    "kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc":
      "offline placeholder of a secure value",
  },
  "docker-vm": {
    // Issue 12: the key policy lets CloudWatch Logs use the key for the VPC's flow-log group
    // (an in-place policy update; the key and what it encrypted stay).
    "aws:kms/key:Key::orthanc-docker-vm-key": "CloudWatch Logs may encrypt flow logs with it",
    ...dockerDatabaseRole("docker-vm"),
  },
  local: dockerDatabaseRole("local"),
  "aws-ec2": awsDatabaseRole("aws-ec2"),
  "aws-fargate-efs": awsDatabaseRole("aws-fargate-efs"),
  "aws-fargate-s3": awsDatabaseRole("aws-fargate-s3"),
  "k8s-basic": {
    // Issue 12 (database role): the StatefulSet's pod runs the role script at every start (its
    // entrypoint wrapped, the scripts and the role's password mounted): a rolling restart of the
    // pod, the PVC (volumeClaimTemplates) unchanged. The dumps log in as orthanc_app; Orthanc's
    // pods roll on the checksum of credentials that now name orthanc_app.
    "kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres": "database role script at start",
    "kubernetes:batch/v1:CronJob::orthanc-k8s-basic-postgres-backup": "dumps as orthanc_app",
    "kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc": "credentials name orthanc_app",
  },
};

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

/** Resources the move added (components that group what existed), by stack. */
const added: Record<string, string[]> = {
  // The AWS target's root component (issue 9): what was created at the top level now lives in it.
  "aws-ec2": ["orthanc:aws:OrthancAws::orthanc-aws-ec2"],
  "aws-fargate-efs": ["orthanc:aws:OrthancAws::orthanc-aws-fargate-efs"],
  "aws-fargate-s3": ["orthanc:aws:OrthancAws::orthanc-aws-fargate-s3"],
};

/**
 * Resources a later issue creates on purpose, by stack and `type::name`, with why: new resources
 * that hold no data of the earlier plan's (backups, logs), so creating them replaces nothing.
 */
const created: Record<string, Record<string, string>> = {
  "docker-vm": Object.fromEntries(
    [
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
      // Issue 12: daily snapshots of the VM's data volume; flow logs of the VPC it creates.
      name.includes("snapshots") ? "data volume snapshots" : "VPC flow logs",
    ]),
  ),
};
// Issue 12 (database role): the role's generated password, and where each target keeps it or the
// role script. New resources holding no earlier data.
for (const stack of ["local", "docker-vm"])
  created[stack] = {
    ...created[stack],
    [`random:index/randomPassword:RandomPassword::orthanc-${stack}-credentials-database-app`]:
      "the database role's password",
  };
for (const stack of ["aws-ec2", "aws-fargate-efs", "aws-fargate-s3"])
  created[stack] = {
    [`random:index/randomPassword:RandomPassword::orthanc-${stack}-credentials-database-app`]:
      "the database role's password",
    [`aws:secretsmanager/secret:Secret::orthanc-${stack}-app-db-app-password`]:
      "the database role's password",
    [`aws:secretsmanager/secretVersion:SecretVersion::orthanc-${stack}-app-db-app-password`]:
      "the database role's password",
  };
created["k8s-basic"] = {
  "random:index/randomPassword:RandomPassword::orthanc-k8s-basic-credentials-database-app":
    "the database role's password",
  "kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-app-password":
    "the database role's password",
  "kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-postgres-scripts": "the database role script",
};

describe.each(Object.keys(before))("%s", (stack) => {
  test("every resource of the earlier plan keeps its identity (same URN or an alias) and its inputs", async () => {
    const plan = await runPlan(readStackFile(stackFilePath(stack)), stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const claims = new Map<string, string>();
    for (const r of plan.resources)
      for (const urn of urnsOf(r, byUrn, stack)) if (before[stack][urn]) claims.set(urn, r.urn);

    const lost = Object.keys(before[stack]).filter((urn) => !claims.has(urn));
    expect(lost).toEqual([]);

    const changed = Object.entries(before[stack])
      .filter(([urn, digest]) => inputsDigest(byUrn.get(claims.get(urn)!)!) !== digest)
      .map(([urn]) => urn.split("::").slice(2).join("::"))
      .map((tail) => `${tail.split("$").pop()}`);
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
