import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createDnsRecords } from "../dns/records";
import { renderCloudInit } from "./cloudInit";
import { s3PrefixPolicy, serviceRole } from "../aws/iam";
import { createBackupPlan } from "../aws/backup";
import { createFlowLogs } from "../aws/network";

export interface DockerVmArgs {
  readonly instanceType: string;
  readonly rootVolumeGiB: number;
  readonly dataVolumeGiB: number;
  /** Existing VPC and subnet (public, with a route to an internet gateway); created otherwise. */
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly sshUser: string;
  readonly sshPublicKey?: string;
  readonly sshAllowedCidrs: string[];
  readonly webAllowedCidrs: string[];
  /**
   * Networks allowed to reach port 80 (the ACME HTTP-01 challenge and the redirect to HTTPS)
   * when they differ from `webAllowedCidrs`: Let's Encrypt validates from the internet.
   */
  readonly acmeAllowedCidrs?: string[];
  /** DICOM port and the networks that may reach it; undefined: closed. */
  readonly dicom?: { port: number; allowedCidrs: string[] };
  /**
   * Encrypts the root and data volumes, the backup vault and the flow-log group (so it must let
   * `logs.<region>.amazonaws.com` use it when this component creates the VPC).
   */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Days each daily AWS Backup snapshot of the data volume is kept. */
  readonly backupRetentionDays: number;
  /** Days CloudWatch keeps the flow logs of the VPC this component creates. */
  readonly logRetentionDays: number;
  /** A-records for the VM's Elastic IP in this Route 53 zone. */
  readonly dns?: { zoneId: string; names: string[] };
  /** Object storage Orthanc reaches through the instance role. */
  readonly s3?: { bucket: string; prefix: string };
  readonly protectData: boolean;
}

const DEBIAN_OWNER = "136693071363";

/**
 * An EC2 VM that runs Docker for the Orthanc containers: encrypted root volume, a separate
 * encrypted EBS data volume for every Docker volume (protected) snapshotted daily by AWS Backup
 * into a vault of its own, IMDSv2 only, SSM for shell access, a security group with only HTTP(S),
 * the DICOM allowlist and SSH from admin networks, an Elastic IP and DNS records, and flow logs
 * of the VPC when it creates one. `ready` completes once cloud-init has Docker running.
 */
export class DockerVm extends pulumi.ComponentResource {
  public readonly publicIp: pulumi.Output<string>;
  public readonly instanceId: pulumi.Output<string>;
  /** `ssh://user@ip`, for the Docker provider. */
  public readonly dockerHost: pulumi.Output<string>;
  /** Depend on this before talking to the Docker engine. */
  public readonly ready: command.local.Command;
  /** The AWS Backup vault that holds the data volume's snapshots. */
  public readonly backupVaultName: pulumi.Output<string>;

  constructor(name: string, args: DockerVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:docker:DockerVm", name, {}, opts);
    const child = { parent: this };
    const net =
      args.vpcId && args.subnetId
        ? existingNetwork(name, this, args.vpcId, args.subnetId)
        : createNetwork(name, this, args);
    const sg = createSecurityGroup(name, this, net.vpcId, args);
    const profile = createInstanceProfile(name, this, args.s3);

    const data = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: net.availabilityZone,
        size: args.dataVolumeGiB,
        type: "gp3",
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        tags: { Name: `${name}-data` },
      },
      { ...child, protect: args.protectData, retainOnDelete: args.protectData },
    );
    // Every Docker volume (DICOM files, database, its dumps) is on this one disk: one
    // crash-consistent snapshot a day holds them all, off the disk, under the stack's key.
    const backup = createBackupPlan(`${name}-snapshots`, this, {
      kmsKeyArn: args.kmsKeyArn,
      resourceArns: [data.arn],
      retentionDays: args.backupRetentionDays,
    });
    const ami = aws.ec2.getAmiOutput(
      {
        owners: [DEBIAN_OWNER],
        mostRecent: true,
        filters: [
          { name: "name", values: ["debian-12-amd64-*"] },
          { name: "architecture", values: ["x86_64"] },
        ],
      },
      child,
    );
    const instance = new aws.ec2.Instance(
      `${name}-host`,
      {
        ami: ami.id,
        instanceType: args.instanceType,
        subnetId: net.subnetId,
        vpcSecurityGroupIds: [sg.id],
        iamInstanceProfile: profile.name,
        // IMDSv2 only; a hop limit of 2 lets containers use the instance role (S3 storage).
        metadataOptions: {
          httpTokens: "required",
          httpEndpoint: "enabled",
          httpPutResponseHopLimit: args.s3 ? 2 : 1,
        },
        rootBlockDevice: {
          encrypted: true,
          kmsKeyId: args.kmsKeyArn,
          volumeType: "gp3",
          volumeSize: args.rootVolumeGiB,
          deleteOnTermination: true,
        },
        userData: data.id.apply((dataVolumeId) =>
          renderCloudInit({ user: args.sshUser, sshPublicKey: args.sshPublicKey, dataVolumeId }),
        ),
        tags: { Name: name },
      },
      // A newer Debian image must not replace the running host.
      { ...child, ignoreChanges: ["ami"] },
    );
    const attachment = new aws.ec2.VolumeAttachment(
      `${name}-data-attachment`,
      {
        deviceName: "/dev/sdf",
        volumeId: data.id,
        instanceId: instance.id,
        stopInstanceBeforeDetaching: true,
      },
      child,
    );
    const eip = new aws.ec2.Eip(
      `${name}-ip`,
      { domain: "vpc", instance: instance.id, tags: { Name: name } },
      child,
    );
    if (args.dns)
      createDnsRecords(name, this, {
        zoneId: args.dns.zoneId,
        records: Object.fromEntries(
          args.dns.names.map((n) => [n, { name: n, target: { address: eip.publicIp } }]),
        ),
      });

    this.publicIp = eip.publicIp;
    this.instanceId = instance.id;
    this.dockerHost = pulumi.interpolate`ssh://${args.sshUser}@${eip.publicIp}`;
    this.backupVaultName = backup.vault.name;
    // The deploying machine's own ssh (its agent and known_hosts) waits until cloud-init has
    // finished and Docker answers; the Docker provider connects the same way.
    this.ready = new command.local.Command(
      `${name}-ready`,
      {
        create:
          'for i in $(seq 1 120); do ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=5 "$SSH_USER@$HOST" ' +
          "'cloud-init status --wait >/dev/null; docker info >/dev/null' && exit 0; sleep 5; done; echo \"Docker on $HOST never answered over SSH\" >&2; exit 1",
        environment: { HOST: eip.publicIp, SSH_USER: args.sshUser },
        triggers: [instance.id],
      },
      { ...child, dependsOn: [attachment] },
    );
    this.registerOutputs({
      publicIp: this.publicIp,
      instanceId: this.instanceId,
      dockerHost: this.dockerHost,
      backupVaultName: this.backupVaultName,
    });
  }
}

interface Network {
  vpcId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  availabilityZone: pulumi.Input<string>;
}

function existingNetwork(
  _name: string,
  parent: pulumi.Resource,
  vpcId: string,
  subnetId: string,
): Network {
  const subnet = aws.ec2.getSubnetOutput({ id: subnetId }, { parent });
  return { vpcId, subnetId, availabilityZone: subnet.availabilityZone };
}

/**
 * A small VPC with one public subnet: the VM is the only thing in it; its traffic is flow-logged.
 * (In an existing VPC, flow logs are its owner's to set up.)
 */
function createNetwork(
  name: string,
  parent: pulumi.Resource,
  args: Pick<DockerVmArgs, "kmsKeyArn" | "logRetentionDays">,
): Network {
  const child = { parent };
  const az = aws.getAvailabilityZonesOutput({ state: "available" }, child).names[0];
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: "10.60.0.0/16",
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    },
    child,
  );
  const igw = new aws.ec2.InternetGateway(
    `${name}-igw`,
    { vpcId: vpc.id, tags: { Name: name } },
    child,
  );
  const subnet = new aws.ec2.Subnet(
    `${name}-public`,
    {
      vpcId: vpc.id,
      cidrBlock: "10.60.1.0/24",
      availabilityZone: az,
      tags: { Name: `${name}-public` },
    },
    child,
  );
  const routes = new aws.ec2.RouteTable(
    `${name}-routes`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: name },
    },
    child,
  );
  new aws.ec2.RouteTableAssociation(
    `${name}-public-routes`,
    { subnetId: subnet.id, routeTableId: routes.id },
    child,
  );
  // The default security group of a new VPC allows all traffic between its members: close it.
  new aws.ec2.DefaultSecurityGroup(
    `${name}-default-sg`,
    { vpcId: vpc.id, ingress: [], egress: [] },
    child,
  );
  createFlowLogs(name, parent, vpc.id, args);
  return { vpcId: vpc.id, subnetId: subnet.id, availabilityZone: az };
}

/** Only HTTP(S), allowlisted DICOM and admin SSH in; everything out (images, packages, ACME). */
export function securityGroupRules(
  args: Pick<DockerVmArgs, "webAllowedCidrs" | "acmeAllowedCidrs" | "dicom" | "sshAllowedCidrs">,
) {
  const rule = (port: number, cidrs: string[], description: string) => ({
    protocol: "tcp",
    fromPort: port,
    toPort: port,
    cidrBlocks: cidrs,
    description,
  });
  const ingress = [
    rule(
      80,
      args.acmeAllowedCidrs ?? args.webAllowedCidrs,
      "HTTP (ACME challenge, redirect to HTTPS)",
    ),
    rule(443, args.webAllowedCidrs, "HTTPS"),
  ];
  if (args.dicom?.allowedCidrs.length)
    ingress.push(
      rule(args.dicom.port, args.dicom.allowedCidrs, "DICOM from allowlisted modalities"),
    );
  if (args.sshAllowedCidrs.length)
    ingress.push(rule(22, args.sshAllowedCidrs, "SSH from admin networks"));
  return {
    ingress,
    egress: [
      {
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
        description: "all outbound",
      },
    ],
  };
}

function createSecurityGroup(
  name: string,
  parent: pulumi.Resource,
  vpcId: pulumi.Input<string>,
  args: DockerVmArgs,
) {
  return new aws.ec2.SecurityGroup(
    `${name}-sg`,
    { vpcId, description: `Orthanc Docker host ${name}`, ...securityGroupRules(args) },
    { parent },
  );
}

function createInstanceProfile(
  name: string,
  parent: pulumi.Resource,
  s3?: { bucket: string; prefix: string },
) {
  const role = serviceRole(`${name}-role`, parent, "ec2.amazonaws.com", {
    managed: { [`${name}-ssm`]: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
    inline: s3 ? { [`${name}-s3`]: s3PrefixPolicy(`arn:aws:s3:::${s3.bucket}`, s3.prefix) } : {},
  });
  return new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent });
}
