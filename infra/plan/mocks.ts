import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** A PEM block whose body names the resource (base64 of it). */
const mockPem = (label: string, name: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(`mock ${name}`).toString("base64")}\n-----END ${label}-----\n`;

/**
 * Mock provider behaviour for offline plans and tests: each resource's state is its inputs plus
 * the attributes the program reads back (ids, ARNs, endpoints, generated values), made up but
 * shaped like the real ones.
 */
export const planMocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const state: Record<string, unknown> = { ...args.inputs };
    let id = `${args.name}-id`;
    switch (args.type) {
      case "random:index/randomPassword:RandomPassword":
        state.result = `generated-${args.name}`.padEnd(args.inputs.length ?? 32, "x");
        break;
      case "random:index/randomBytes:RandomBytes":
        state.base64 = Buffer.alloc(args.inputs.length ?? 32, 7).toString("base64");
        state.hex = Buffer.alloc(args.inputs.length ?? 32, 7).toString("hex");
        break;
      case "random:index/randomId:RandomId":
        state.hex = "0123456789abcdef".slice(0, (args.inputs.byteLength ?? 8) * 2);
        break;
      case "docker:index/remoteImage:RemoteImage":
        // Distinct per image, as real ids are: the engine harness maps containers back by it.
        state.imageId = `sha256:${createHash("sha256").update(args.name).digest("hex")}`;
        state.repoDigest = `${args.inputs.name}@sha256:${"a".repeat(64)}`;
        break;
      case "docker:index/container:Container":
      case "docker:index/network:Network":
      case "docker:index/volume:Volume":
        state.name = args.inputs.name ?? args.name;
        break;
      case "aws:ec2/instance:Instance":
        state.publicIp = "203.0.113.10";
        state.privateIp = "10.0.1.10";
        state.availabilityZone = args.inputs.availabilityZone ?? "eu-west-1a";
        break;
      case "aws:ec2/eip:Eip":
        state.publicIp = "203.0.113.20";
        break;
      case "aws:s3/bucket:Bucket":
        // The provider auto-names buckets; the mock gives a stable stand-in.
        state.bucket = args.inputs.bucket ?? `${args.name}-a1b2c3d`;
        state.arn = `arn:aws:s3:::${state.bucket}`;
        break;
      case "aws:acm/certificate:Certificate": {
        const names = [args.inputs.domainName, ...(args.inputs.subjectAlternativeNames ?? [])];
        state.domainValidationOptions = names.map((domainName: string) => ({
          domainName,
          resourceRecordName: `_0a1b2c.${domainName}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_3d4e5f.${domainName.replace(/\./g, "-")}.acm-validations.aws.`,
        }));
        break;
      }
      case "aws:acm/certificateValidation:CertificateValidation":
        state.certificateArn = args.inputs.certificateArn;
        break;
      case "aws:lb/targetGroup:TargetGroup":
        state.arnSuffix = `${args.name}-arnSuffix`;
        break;
      case "aws:rds/instance:Instance":
        state.identifier = args.name;
        state.address = `${args.name}.c0abcdefghij.eu-west-1.rds.amazonaws.com`;
        state.port = 5432;
        break;
      case "aws:lb/loadBalancer:LoadBalancer":
        state.arnSuffix = `${args.name}-arnSuffix`;
        state.dnsName = `${args.name}-1234567890.eu-west-1.elb.amazonaws.com`;
        state.zoneId =
          args.inputs.loadBalancerType === "network" ? "Z2IFOLAFXWLO4F" : "Z32O12XQLNTSW2";
        break;
      case "aws:route53/zone:Zone":
        state.zoneId = "Z0NEWZONE0000000";
        state.nameServers = [
          "ns-1.awsdns-01.org",
          "ns-2.awsdns-02.com",
          "ns-3.awsdns-03.net",
          "ns-4.awsdns-04.co.uk",
        ];
        break;
      case "aws:route53/record:Record":
        state.fqdn = String(args.inputs.name).replace(/\.$/, "");
        break;
      case "kubernetes:networking.k8s.io/v1:Ingress":
        // The ingress controller's load balancer, as a cluster on AWS would report it.
        state.status = {
          loadBalancer: { ingress: [{ hostname: "a1b2c3-ingress.elb.eu-west-1.amazonaws.com" }] },
        };
        break;
      case "kubernetes:gateway.networking.k8s.io/v1:Gateway":
        // The Gateway's load balancer (the stack's own, or an existing one read by its id).
        state.status = {
          addresses: [{ type: "Hostname", value: "a1b2c3-gateway.elb.eu-west-1.amazonaws.com" }],
        };
        break;
      case "kubernetes:core/v1:Service":
        if (args.inputs.spec?.type === "LoadBalancer")
          state.status = { loadBalancer: { ingress: [{ ip: "198.51.100.40" }] } };
        break;
      case "aws:ebs/volume:Volume":
        // Real EBS ids: cloud-init derives the NVMe device path from them.
        id = "vol-0a1b2c3d4e5f60789";
        break;
      // PEM-shaped stand-ins (not real keys): the program only passes them on as files.
      case "tls:index/privateKey:PrivateKey":
        state.privateKeyPem = mockPem("PRIVATE KEY", args.name);
        state.publicKeyPem = mockPem("PUBLIC KEY", args.name);
        break;
      case "tls:index/certRequest:CertRequest":
        state.certRequestPem = mockPem("CERTIFICATE REQUEST", args.name);
        break;
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert":
        state.certPem = mockPem("CERTIFICATE", args.name);
        break;
      case "aws:kms/key:Key":
        state.arn = `arn:aws:kms:eu-west-1:123456789012:key/${args.name}`;
        state.keyId = args.name;
        break;
    }
    // The AWS provider auto-names most resources from their logical name.
    if (args.type.startsWith("aws:") && state.name === undefined) state.name = args.name;
    if (args.type.startsWith("aws:") && state.arn === undefined) {
      state.arn = `arn:aws:${args.type.split(":")[1].split("/")[0]}:eu-west-1:123456789012:${args.name}`;
    }
    return { id, state };
  },
  call(args) {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: "123456789012",
          arn: "arn:aws:iam::123456789012:user/plan",
          userId: "plan",
        };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "aws:ssm/getParameter:getParameter":
        return { name: args.inputs.name, value: "ami-0ecs0optimized0al2023", type: "String" };
      case "aws:ec2/getVpc:getVpc":
        return { id: args.inputs.id, cidrBlock: "10.0.0.0/16" };
      case "aws:ec2/getSubnet:getSubnet":
        return {
          id: args.inputs.id,
          vpcId: "vpc-0123456789abcdef0",
          availabilityZone: "eu-west-1b",
          cidrBlock: "10.0.1.0/24",
        };
      case "aws:index/getRegion:getRegion":
        return { name: "eu-west-1", region: "eu-west-1" };
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {
          names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
          zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3"],
        };
      case "aws:ec2/getAmi:getAmi":
        return { id: "ami-0123456789abcdef0", name: "debian-12-amd64" };
      default:
        // An invoke the program starts to use must get a canned answer here, not silence.
        throw new Error(`Mock not implemented: ${args.token}`);
    }
  },
};
