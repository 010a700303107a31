/**
 * The Docker VM's security group: HTTP(S) always, DICOM only with an allowlist, SSH only from
 * the admin networks; under mocks, the daily snapshots of its data volume and the flow logs of
 * the VPC it creates (none in an existing one).
 */
import { securityGroupRules } from "../../../components/docker/dockerVm";
import { planOf } from "../../../infra/plan/runPlan";
import { iamProblems } from "../../helpers/iam";
import { only } from "../../helpers/plan";

describe("Docker VM", () => {
  test.each([
    ["closed DICOM, no SSH", { webAllowedCidrs: ["0.0.0.0/0"], sshAllowedCidrs: [] }, [80, 443]],
    [
      "DICOM allowlist and admin SSH",
      {
        webAllowedCidrs: ["0.0.0.0/0"],
        sshAllowedCidrs: ["198.51.100.1/32"],
        dicom: { port: 104, allowedCidrs: ["10.0.0.0/8"] },
      },
      [80, 443, 104, 22],
    ],
    [
      "DICOM enabled without an allowlist stays closed",
      {
        webAllowedCidrs: ["10.0.0.0/8"],
        sshAllowedCidrs: [],
        dicom: { port: 4242, allowedCidrs: [] },
      },
      [80, 443],
    ],
  ])("security group: %s", (_name, args, ports) => {
    const rules = securityGroupRules(args);
    expect(rules.ingress.map((r) => r.fromPort)).toEqual(ports);
    expect(rules.ingress.every((r) => r.fromPort === r.toPort && r.protocol === "tcp")).toBe(true);
    expect(
      rules.ingress
        .filter((r) => r.fromPort === 22 || r.fromPort === 104)
        .every((r) => !r.cidrBlocks.includes("0.0.0.0/0")),
    ).toBe(true);
  });
});

describe("DockerVm under mocks", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/test";
  const plan = (network: { vpcId?: string; subnetId?: string }) =>
    planOf("test", "docker-part", async () => {
      const { DockerVm } = await import("../../../components/docker/dockerVm");
      const vm = new DockerVm("pacs", {
        instanceType: "t3.large",
        rootVolumeGiB: 30,
        dataVolumeGiB: 200,
        ...network,
        sshUser: "admin",
        sshAllowedCidrs: [],
        webAllowedCidrs: ["0.0.0.0/0"],
        kmsKeyArn: KEY,
        backupRetentionDays: 90,
        logRetentionDays: 30,
        protectData: true,
      });
      return { vault: vm.backupVaultName };
    });

  test("a created VPC: the data volume is snapshotted daily into a vault under the key; the VPC is flow-logged", async () => {
    const p = await plan({});
    expect(only(p, "aws:backup/vault:Vault").inputs).toEqual({ kmsKeyArn: KEY });
    expect(only(p, "aws:backup/plan:Plan").inputs.rules).toEqual([
      {
        ruleName: "daily",
        targetVaultName: "pacs-snapshots-vault",
        schedule: "cron(0 3 * * ? *)",
        startWindow: 60,
        completionWindow: 360,
        lifecycle: { deleteAfter: 90 },
      },
    ]);
    expect(only(p, "aws:backup/selection:Selection").inputs).toEqual({
      planId: "pacs-snapshots-plan-id",
      iamRoleArn: "arn:aws:iam:eu-west-1:123456789012:pacs-snapshots-backup",
      resources: ["arn:aws:ebs:eu-west-1:123456789012:pacs-data"],
    });
    expect(
      p.resources
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((a) => [a.name, a.inputs.role, a.inputs.policyArn]),
    ).toContainEqual([
      "pacs-snapshots-backup",
      "pacs-snapshots-backup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    ]);
    expect(only(p, "aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({
      retentionInDays: 30,
      kmsKeyId: KEY,
    });
    expect(only(p, "aws:ec2/flowLog:FlowLog").inputs).toEqual({
      vpcId: "pacs-vpc-id",
      trafficType: "ALL",
      logDestination: "arn:aws:cloudwatch:eu-west-1:123456789012:pacs-flow-logs",
      iamRoleArn: "arn:aws:iam:eu-west-1:123456789012:pacs-flow-logs",
    });
    expect(p.outputs).toEqual({ vault: "pacs-snapshots-vault" });
    expect(iamProblems(p)).toEqual([]);
  });

  test("an existing VPC: snapshots still, but no VPC and no flow logs (the VPC owner's)", async () => {
    const p = await plan({ vpcId: "vpc-0123", subnetId: "subnet-0123" });
    for (const type of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/flowLog:FlowLog",
      "aws:cloudwatch/logGroup:LogGroup",
    ])
      expect(p.resources.filter((r) => r.type === type)).toEqual([]);
    expect(only(p, "aws:backup/selection:Selection").inputs.resources).toEqual([
      "arn:aws:ebs:eu-west-1:123456789012:pacs-data",
    ]);
    expect(only(p, "aws:ebs/volume:Volume").inputs.availabilityZone).toBe("eu-west-1b"); // the subnet's (mocked) zone
  });
});
