import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Destination } from "../shared/remoteServers";
import { serviceRole } from "./iam";
import { subnetCidrs } from "./subnets";

export interface NetworkArgs {
  /** Create a VPC (`cidr`, `azCount`), or use an existing one with its subnets. */
  readonly vpc:
    | { create: { cidr: string; azCount: number } }
    | { existing: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] } };
  /** Networks that may reach HTTPS on the load balancer. */
  readonly webAllowedCidrs: string[];
  /** Networks that may reach DICOM; empty: no DICOM ingress at all. */
  readonly dicomAllowedCidrs: string[];
  readonly httpPort: number;
  readonly dicomPort: number;
  /**
   * Orthanc's peers and DICOMweb servers beyond HTTPS to any address (which the tasks have
   * already): their ports, and addresses when given as such.
   */
  readonly remoteDestinations?: Destination[];
  /** Encrypts the flow-log group. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
}

export interface SecurityGroups {
  loadBalancer: aws.ec2.SecurityGroup;
  dicomLoadBalancer: aws.ec2.SecurityGroup;
  tasks: aws.ec2.SecurityGroup;
  database: aws.ec2.SecurityGroup;
  fileSystem: aws.ec2.SecurityGroup;
}

/**
 * The network of the AWS target: private subnets for tasks and data, public subnets only for the
 * load balancers and the NAT gateway, an S3 gateway endpoint on the private route tables, VPC
 * flow logs, and security groups that refer to each other (load balancer -> tasks -> database and
 * file system), so no data port is open to an address range.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly securityGroups: SecurityGroups;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:Network", name, {}, opts);
    const net =
      "create" in args.vpc
        ? createVpc(name, this, args.vpc.create, args)
        : adoptVpc(this, args.vpc.existing);
    this.vpcId = net.vpcId;
    this.vpcCidr = net.vpcCidr;
    this.privateSubnetIds = net.privateSubnetIds;
    this.publicSubnetIds = net.publicSubnetIds;
    this.securityGroups = createSecurityGroups(name, this, net.vpcId, net.vpcCidr, args);
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
    });
  }
}

interface Vpc {
  vpcId: pulumi.Output<string>;
  vpcCidr: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string>[];
  publicSubnetIds: pulumi.Output<string>[];
}

function adoptVpc(
  parent: pulumi.Resource,
  e: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] },
): Vpc {
  const vpc = aws.ec2.getVpcOutput({ id: e.vpcId }, { parent });
  return {
    vpcId: pulumi.output(e.vpcId),
    vpcCidr: vpc.cidrBlock,
    privateSubnetIds: e.privateSubnetIds.map((s) => pulumi.output(s)),
    publicSubnetIds: e.publicSubnetIds.map((s) => pulumi.output(s)),
  };
}

function createVpc(
  name: string,
  parent: pulumi.Resource,
  c: { cidr: string; azCount: number },
  args: NetworkArgs,
): Vpc {
  const child = { parent };
  const cidrs = subnetCidrs(c.cidr, c.azCount);
  const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child).names;
  const vpc = new aws.ec2.Vpc(
    name,
    { cidrBlock: c.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
    child,
  );
  // The default security group allows all traffic between its members: close it.
  new aws.ec2.DefaultSecurityGroup(
    `${name}-default-sg`,
    { vpcId: vpc.id, ingress: [], egress: [] },
    child,
  );
  const igw = new aws.ec2.InternetGateway(
    `${name}-igw`,
    { vpcId: vpc.id, tags: { Name: name } },
    child,
  );
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${name}-public` },
    },
    child,
  );

  const publicSubnets = cidrs.public.map((cidr, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-public-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: zones[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-public-${i}` },
      },
      child,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-public-${i}`,
      { subnetId: subnet.id, routeTableId: publicRoutes.id },
      child,
    );
    return subnet;
  });
  // One NAT gateway: tasks reach ECR, Secrets Manager and CloudWatch through it. Per-AZ NAT
  // gateways would survive an AZ outage at triple the fixed cost.
  const natIp = new aws.ec2.Eip(
    `${name}-nat`,
    { domain: "vpc", tags: { Name: `${name}-nat` } },
    child,
  );
  const nat = new aws.ec2.NatGateway(
    `${name}-nat`,
    { subnetId: publicSubnets[0].id, allocationId: natIp.id, tags: { Name: name } },
    { ...child, dependsOn: [igw] },
  );

  const privateRouteTables: aws.ec2.RouteTable[] = [];
  const privateSubnets = cidrs.private.map((cidr, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: cidr,
        availabilityZone: zones[i],
        tags: { Name: `${name}-private-${i}` },
      },
      child,
    );
    const routes = new aws.ec2.RouteTable(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: { Name: `${name}-private-${i}` },
      },
      child,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-private-${i}`,
      { subnetId: subnet.id, routeTableId: routes.id },
      child,
    );
    privateRouteTables.push(routes);
    return subnet;
  });
  // S3 traffic (DICOM objects) stays on the AWS network and costs no NAT processing.
  const region = aws.getRegionOutput({}, child).region;
  new aws.ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRouteTables.map((t) => t.id),
    },
    child,
  );
  createFlowLogs(name, parent, vpc.id, args);
  return {
    vpcId: vpc.id,
    vpcCidr: vpc.cidrBlock,
    privateSubnetIds: privateSubnets.map((s) => s.id),
    publicSubnetIds: publicSubnets.map((s) => s.id),
  };
}

/**
 * Flow logs of all the VPC's traffic to a log group under the key, kept `logRetentionDays`, written
 * by a role only the flow-logs service can assume, allowed to write to that group alone. The key
 * must let `logs.<region>.amazonaws.com` use it (`KmsKeyArgs.servicePrincipals`).
 */
export function createFlowLogs(
  name: string,
  parent: pulumi.Resource,
  vpcId: pulumi.Input<string>,
  args: Pick<NetworkArgs, "kmsKeyArn" | "logRetentionDays">,
) {
  const child = { parent };
  const group = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
    child,
  );
  const role = serviceRole(`${name}-flow-logs`, parent, "vpc-flow-logs.amazonaws.com", {
    inline: {
      [`${name}-flow-logs`]: group.arn.apply((arn) => ({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [arn, `${arn}:*`],
          },
        ],
      })),
    },
  });
  new aws.ec2.FlowLog(
    `${name}-flow-logs`,
    { vpcId, trafficType: "ALL", logDestination: group.arn, iamRoleArn: role.arn },
    child,
  );
}

/** Ingress rules, by security group; sources are CIDR lists or other groups. */
function createSecurityGroups(
  name: string,
  parent: pulumi.Resource,
  vpcId: pulumi.Input<string>,
  vpcCidr: pulumi.Input<string>,
  args: NetworkArgs,
): SecurityGroups {
  const child = { parent };
  const group = (suffix: string, description: string) =>
    new aws.ec2.SecurityGroup(
      `${name}-${suffix}`,
      { vpcId, description, tags: { Name: `${name}-${suffix}` } },
      child,
    );
  const sg: SecurityGroups = {
    loadBalancer: group("web-lb", "HTTPS load balancer: web clients in, Orthanc tasks out"),
    dicomLoadBalancer: group(
      "dicom-lb",
      "DICOM load balancer: allowlisted modalities in, Orthanc tasks out",
    ),
    tasks: group("tasks", "Orthanc tasks: only from the load balancers"),
    database: group("database", "PostgreSQL: only from Orthanc tasks"),
    fileSystem: group("file-system", "EFS: only from Orthanc tasks"),
  };
  const ingress = (
    id: string,
    to: aws.ec2.SecurityGroup,
    port: number,
    from: { group: aws.ec2.SecurityGroup } | { cidr: pulumi.Input<string> },
    description: string,
  ) =>
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-${id}`,
      {
        securityGroupId: to.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description,
        ...("group" in from
          ? { referencedSecurityGroupId: from.group.id }
          : { cidrIpv4: "cidr" in from ? from.cidr : undefined }),
      },
      child,
    );
  const egress = (
    id: string,
    from: aws.ec2.SecurityGroup,
    port: number,
    to: { group: aws.ec2.SecurityGroup } | { cidr: string },
    description: string,
  ) =>
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-${id}`,
      {
        securityGroupId: from.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description,
        ...("group" in to
          ? { referencedSecurityGroupId: to.group.id }
          : to.cidr.includes(":")
            ? { cidrIpv6: to.cidr }
            : { cidrIpv4: to.cidr }),
      },
      child,
    );

  args.webAllowedCidrs.forEach((cidr, i) => {
    ingress(`web-https-${i}`, sg.loadBalancer, 443, { cidr }, "HTTPS from web clients");
    ingress(`web-http-${i}`, sg.loadBalancer, 80, { cidr }, "HTTP, redirected to HTTPS");
  });
  egress(
    "web-lb-to-tasks",
    sg.loadBalancer,
    args.httpPort,
    { group: sg.tasks },
    "to Orthanc's HTTP port",
  );
  ingress(
    "tasks-from-web-lb",
    sg.tasks,
    args.httpPort,
    { group: sg.loadBalancer },
    "HTTP from the load balancer",
  );

  args.dicomAllowedCidrs.forEach((cidr, i) => {
    ingress(
      `dicom-${i}`,
      sg.dicomLoadBalancer,
      args.dicomPort,
      { cidr },
      "DICOM from an allowlisted network",
    );
    // The DICOM load balancer keeps the client's address, so the tasks see the modality itself.
    ingress(
      `tasks-dicom-${i}`,
      sg.tasks,
      args.dicomPort,
      { cidr },
      "DICOM from an allowlisted network (client IP preserved)",
    );
  });
  if (args.dicomAllowedCidrs.length) {
    egress(
      "dicom-lb-to-tasks",
      sg.dicomLoadBalancer,
      args.dicomPort,
      { group: sg.tasks },
      "to Orthanc's DICOM port",
    );
    // Health checks of the DICOM target group come from the load balancer's addresses in the VPC.
    ingress(
      "tasks-dicom-health",
      sg.tasks,
      args.dicomPort,
      { cidr: vpcCidr },
      "DICOM health checks from the load balancer",
    );
  }

  ingress("database-from-tasks", sg.database, 5432, { group: sg.tasks }, "PostgreSQL from Orthanc");
  egress("tasks-to-database", sg.tasks, 5432, { group: sg.database }, "to PostgreSQL");
  ingress("file-system-from-tasks", sg.fileSystem, 2049, { group: sg.tasks }, "NFS from Orthanc");
  egress("tasks-to-file-system", sg.tasks, 2049, { group: sg.fileSystem }, "to EFS");
  // Images, secrets, logs and S3 over HTTPS (through NAT or the S3 endpoint).
  egress(
    "tasks-https",
    sg.tasks,
    443,
    { cidr: "0.0.0.0/0" },
    "HTTPS to AWS APIs and the image registry",
  );
  // Peers and DICOMweb servers: HTTPS to any address is open already (above).
  for (const d of args.remoteDestinations ?? []) {
    if (d.port === 443 && !d.cidr) continue;
    const to = d.cidr ?? "0.0.0.0/0";
    egress(
      `tasks-remote-${d.port}${d.cidr ? `-${d.cidr.replace(/[^0-9a-f]+/gi, "-")}` : ""}`,
      sg.tasks,
      d.port,
      { cidr: to },
      "to an Orthanc peer or DICOMweb server",
    );
  }
  return sg;
}
