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

/** Inputs the move changed on purpose, by stack and `type::name`, with why. */
const changedInputs: Record<string, Record<string, string>> = {
  local: boundedContainers("local", ["orthanc", "postgres", "backup", "proxy"]),
  "k8s-ha": {
    // Plan-only: the offline stand-in for an encrypted value lost its spaces (issue 10), and the
    // pods' checksum over the credentials holding it changed with it. A deployment sees the
    // decrypted value, which did not change.
    "kubernetes:apps/v1:Deployment::orthanc-k8s-ha-orthanc":
      "offline placeholder of a secure value; issue 12: sizeLimit on its emptyDirs (pods roll)",
  },
  // Issue 12 (bounded): a sizeLimit on every emptyDir; in-place updates that roll the pods (the
  // StatefulSet keeps its PVC).
  "k8s-basic": {
    "kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc": "sizeLimit on its emptyDirs",
    "kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres": "sizeLimit on its emptyDirs",
  },
  // Issue 12 (bounded): Orthanc's root read-only with task volumes for /tmp and the plugin folder;
  // a new task definition revision, rolled out by the service (no data store is touched).
  ...Object.fromEntries(
    ["aws-ec2", "aws-fargate-efs", "aws-fargate-s3"].map((stack) => [
      stack,
      {
        [`aws:ecs/taskDefinition:TaskDefinition::orthanc-${stack}-app-task`]:
          "read-only root, task volumes for /tmp and the plugin folder (new revision)",
      },
    ]),
  ),
  "docker-vm": {
    // Issue 12: the key policy lets CloudWatch Logs use the key for the VPC's flow-log group
    // (an in-place policy update; the key and what it encrypted stay).
    "aws:kms/key:Key::orthanc-docker-vm-key": "CloudWatch Logs may encrypt flow logs with it",
    ...boundedContainers("docker-vm", ["orthanc", "postgres", "backup", "proxy", "dicom-gate"]),
  },
};

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
  // Issue 12 (bounded): Docker refuses uploads into a read-only root, so Orthanc's files go into
  // the volumes of a container that is created and never started; it holds no data.
  local: {
    "docker:index/container:Container::orthanc-local-orthanc-files":
      "Orthanc's configuration files for its read-only root",
  },
  "docker-vm": {
    "docker:index/container:Container::orthanc-docker-vm-orthanc-files":
      "Orthanc's configuration files for its read-only root",
    ...Object.fromEntries(
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
  },
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
