/**
 * The shipped aws-ec2 stack under mocks (ECS on EC2 capacity in an existing VPC): hardened hosts,
 * the capacity provider the service uses, HTTPS only from the given network, DICOM closed.
 */
import { Plan } from "../../infra/plan/runPlan";
import { only, ofType, planStack } from "../helpers/plan";
import { iamProblems } from "../helpers/iam";

describe("stack aws-ec2", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await planStack("aws-ec2"));
  });

  test("EC2 hosts: ECS-optimized image, IMDSv2 with tasks blocked from it, encrypted disk, no inbound traffic", () => {
    const template = only(plan, "aws:ec2/launchTemplate:LaunchTemplate").inputs;
    expect(template).toMatchObject({
      imageId: "ami-0ecs0optimized0al2023",
      instanceType: "m6i.large",
      metadataOptions: {
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: {
            encrypted: "true",
            kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/orthanc-aws-ec2-key",
          },
        },
      ],
    });
    const userData = Buffer.from(template.userData, "base64").toString();
    expect(userData).toContain("ECS_CLUSTER=orthanc-aws-ec2-app");
    expect(userData).toContain("ECS_AWSVPC_BLOCK_IMDS=true");
    const hosts = ofType(plan, "aws:ec2/securityGroup:SecurityGroup").find((g) =>
      g.name.endsWith("-hosts"),
    )!;
    expect(hosts.inputs.ingress ?? []).toEqual([]);
  });

  test("the group lives in the given private subnets, scaled by a protecting capacity provider the service uses", () => {
    expect(only(plan, "aws:autoscaling/group:Group").inputs).toMatchObject({
      vpcZoneIdentifiers: ["subnet-0aaa1111bbbb2222c", "subnet-0ddd3333eeee4444f"],
      minSize: 0,
      maxSize: 2,
      protectFromScaleIn: true,
    });
    expect(
      only(plan, "aws:ecs/capacityProvider:CapacityProvider").inputs.autoScalingGroupProvider,
    ).toMatchObject({
      managedTerminationProtection: "ENABLED",
      managedScaling: { status: "ENABLED", targetCapacity: 100 },
    });
    const service = only(plan, "aws:ecs/service:Service");
    expect(service.inputs).not.toHaveProperty("launchType");
    expect(service.inputs.capacityProviderStrategies).toEqual([
      { capacityProvider: "orthanc-aws-ec2-app-capacity-provider", weight: 1 },
    ]);
    expect(service.dependencies).toContain(
      only(plan, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").urn,
    );
    expect(
      only(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.requiresCompatibilities,
    ).toEqual(["EC2"]);
  });

  test("an existing VPC is used as it is, HTTPS only from the given network, DICOM closed", () => {
    expect(
      plan.resources.filter((r) => /ec2\/(vpc|subnet|natGateway|internetGateway):/.test(r.type)),
    ).toEqual([]);
    const ingress = ofType(
      plan,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ).filter((r) => r.inputs.cidrIpv4);
    expect(ingress.map((r) => [r.inputs.fromPort, r.inputs.cidrIpv4]).sort()).toEqual([
      [443, "203.0.113.0/24"],
      [80, "203.0.113.0/24"],
    ]);
    expect(ofType(plan, "aws:lb/loadBalancer:LoadBalancer")).toHaveLength(1);
    expect(plan.outputs.dicomEndpoint).toBeUndefined();
  });

  test("every IAM document is valid and scoped", () => {
    expect(iamProblems(plan)).toEqual([]);
  });
});
