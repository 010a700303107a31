/**
 * The EfsStorage component on its own, under mocks: an encrypted, backed-up, protected file system,
 * its mount targets, its non-root access point and its TLS-only policy.
 */
import { validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { only } from "../../helpers/plan";
import { KEY } from "./helpers";

describe("EfsStorage", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { EfsStorage } = await import("../../../components/aws/efsStorage");
      const fs = new EfsStorage("pacs-files", {
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-efs"],
        kmsKeyArn: KEY,
        posixUid: 999,
        protect: true,
        automaticBackups: true,
      });
      return { fileSystemId: fs.fileSystemId, accessPointId: fs.accessPointId };
    });
  });

  test("is encrypted with the key, tiers to IA, is backed up and protected", () => {
    const fs = only(plan, "aws:efs/fileSystem:FileSystem");
    expect(fs.inputs).toMatchObject({
      encrypted: true,
      kmsKeyId: KEY,
      lifecyclePolicies: [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
    });
    expect(fs).toMatchObject({ protect: true, retainOnDelete: true });
    expect(only(plan, "aws:efs/backupPolicy:BackupPolicy").inputs.backupPolicy).toEqual({
      status: "ENABLED",
    });
  });

  test("one mount target per subnet behind the given security group", () => {
    const mounts = plan.resources.filter((r) => r.type === "aws:efs/mountTarget:MountTarget");
    expect(mounts.map((m) => [m.inputs.subnetId, m.inputs.securityGroups])).toEqual([
      ["subnet-a", ["sg-efs"]],
      ["subnet-b", ["sg-efs"]],
    ]);
  });

  test("the access point is non-root with its own directory", () => {
    expect(only(plan, "aws:efs/accessPoint:AccessPoint").inputs).toMatchObject({
      posixUser: { uid: 999, gid: 999 },
      rootDirectory: {
        path: "/orthanc",
        creationInfo: { ownerUid: 999, ownerGid: 999, permissions: "750" },
      },
    });
  });

  test("its policy refuses NFS without TLS and is a valid resource policy", () => {
    const policy = JSON.parse(
      only(plan, "aws:efs/fileSystemPolicy:FileSystemPolicy").inputs.policy,
    );
    expect(validateResourcePolicy(policy)).toEqual([]);
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});
