/**
 * The Network component on its own, under mocks: subnets, NAT, the S3 endpoint, flow logs, and
 * security group rules that open only what each group needs; an existing VPC used as it is.
 */
import * as pulumi from "@pulumi/pulumi";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { iamProblems } from "../../helpers/iam";
import { only } from "../../helpers/plan";
import { KEY, byJson } from "./helpers";

describe("Network", () => {
  const args = {
    webAllowedCidrs: ["0.0.0.0/0"],
    dicomAllowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"],
    httpPort: 8042,
    dicomPort: 4242,
    kmsKeyArn: KEY,
    logRetentionDays: 365,
  };
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { Network } = await import("../../../components/aws/network");
      const n = new Network("pacs-net", {
        ...args,
        vpc: { create: { cidr: "10.40.0.0/16", azCount: 2 } },
      });
      return { vpcId: n.vpcId };
    });
  });
  const rules = (type: string) =>
    plan.resources
      .filter((r) => r.type === type)
      .map((r) => ({
        group: r.inputs.securityGroupId,
        port: r.inputs.fromPort,
        from: r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId,
      }))
      // Registration order follows when inputs resolve: compare as sorted lists.
      .sort(byJson);

  test("private and public subnets in two AZs; tasks and data have no public addresses", () => {
    const subnets = plan.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet");
    expect(
      subnets.map((s) => [s.name, s.inputs.cidrBlock, s.inputs.availabilityZone]).sort(byJson),
    ).toEqual(
      [
        ["pacs-net-public-0", "10.40.0.0/20", "eu-west-1a"],
        ["pacs-net-public-1", "10.40.16.0/20", "eu-west-1b"],
        ["pacs-net-private-0", "10.40.128.0/20", "eu-west-1a"],
        ["pacs-net-private-1", "10.40.144.0/20", "eu-west-1b"],
      ].sort(byJson),
    );
    expect(subnets.every((s) => s.inputs.mapPublicIpOnLaunch !== true)).toBe(true);
  });

  test("private egress through one NAT gateway; S3 through a gateway endpoint on the private route tables", () => {
    const nat = only(plan, "aws:ec2/natGateway:NatGateway");
    expect(nat.inputs.subnetId).toBe("pacs-net-public-0-id");
    const privateTables = plan.resources.filter(
      (r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name.includes("private"),
    );
    expect(privateTables.map((t) => t.inputs.routes)).toEqual([
      [{ cidrBlock: "0.0.0.0/0", natGatewayId: "pacs-net-nat-id" }],
      [{ cidrBlock: "0.0.0.0/0", natGatewayId: "pacs-net-nat-id" }],
    ]);
    expect(only(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs).toEqual({
      vpcId: "pacs-net-id",
      serviceName: "com.amazonaws.eu-west-1.s3",
      vpcEndpointType: "Gateway",
      routeTableIds: ["pacs-net-private-0-id", "pacs-net-private-1-id"],
    });
    expect(only(plan, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs).toMatchObject({
      ingress: [],
      egress: [],
    });
  });

  test("flow logs of all traffic to a KMS-encrypted log group with retention", () => {
    expect(only(plan, "aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({
      retentionInDays: 365,
      kmsKeyId: KEY,
    });
    expect(only(plan, "aws:ec2/flowLog:FlowLog").inputs).toMatchObject({
      trafficType: "ALL",
      vpcId: "pacs-net-id",
    });
    expect(iamProblems(plan)).toEqual([]);
  });

  test("ingress: address ranges only on the load balancers' public ports and the allowlisted DICOM port", () => {
    const sg = (s: string) => `pacs-net-${s}-id`;
    expect(rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual(
      [
        { group: sg("web-lb"), port: 443, from: "0.0.0.0/0" },
        { group: sg("web-lb"), port: 80, from: "0.0.0.0/0" },
        { group: sg("tasks"), port: 8042, from: sg("web-lb") },
        { group: sg("dicom-lb"), port: 4242, from: "10.20.0.0/16" },
        { group: sg("tasks"), port: 4242, from: "10.20.0.0/16" },
        { group: sg("dicom-lb"), port: 4242, from: "192.0.2.0/24" },
        { group: sg("tasks"), port: 4242, from: "192.0.2.0/24" },
        { group: sg("tasks"), port: 4242, from: "10.40.0.0/16" },
        { group: sg("database"), port: 5432, from: sg("tasks") },
        { group: sg("file-system"), port: 2049, from: sg("tasks") },
      ].sort(byJson),
    );
  });

  test("egress: each group only where it must go", () => {
    const sg = (s: string) => `pacs-net-${s}-id`;
    expect(rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).toEqual(
      [
        { group: sg("web-lb"), port: 8042, from: sg("tasks") },
        { group: sg("dicom-lb"), port: 4242, from: sg("tasks") },
        { group: sg("tasks"), port: 5432, from: sg("database") },
        { group: sg("tasks"), port: 2049, from: sg("file-system") },
        { group: sg("tasks"), port: 443, from: "0.0.0.0/0" },
      ].sort(byJson),
    );
  });

  test("an existing VPC is used as it is: no VPC, subnet, gateway or route is created", async () => {
    const existing = await planOf("test", "aws-part", async () => {
      const { Network } = await import("../../../components/aws/network");
      const n = new Network("pacs-net", {
        ...args,
        dicomAllowedCidrs: [],
        vpc: {
          existing: {
            vpcId: "vpc-0123",
            privateSubnetIds: ["subnet-p1", "subnet-p2"],
            publicSubnetIds: ["subnet-u1", "subnet-u2"],
          },
        },
      });
      return { vpcId: n.vpcId, privateSubnets: pulumi.all(n.privateSubnetIds) };
    });
    expect(existing.outputs).toEqual({
      vpcId: "vpc-0123",
      privateSubnets: ["subnet-p1", "subnet-p2"],
    });
    expect(
      existing.resources.filter((r) =>
        /ec2\/(vpc|subnet|natGateway|internetGateway|routeTable|eip):/.test(r.type),
      ),
    ).toEqual([]);
    // Without a DICOM allowlist nothing opens the DICOM port.
    expect(existing.resources.filter((r) => r.inputs.fromPort === 4242)).toEqual([]);
  });
});
