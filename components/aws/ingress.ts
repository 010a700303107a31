import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDnsRecords } from "../dns/records";
import { ACCESS_LOG_PREFIXES } from "./accessLogBucket";

export interface IngressArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly publicSubnetIds: pulumi.Input<string>[];
  readonly webSecurityGroupId: pulumi.Input<string>;
  readonly dicomSecurityGroupId: pulumi.Input<string>;
  readonly httpPort: number;
  /** DICOM (DIMSE) through its own load balancer; undefined: no DICOM from outside. */
  readonly dicom?: { port: number; tls: boolean };
  /**
   * Public names in a Route 53 zone; without them the web endpoint is plain HTTP. `dicomName`
   * (needed when DICOM is published) must differ from `webName`: each aliases its own balancer.
   */
  readonly dns?: DnsNames;
  /**
   * The bucket for access logs (`AccessLogBucket`, its policy in place): the web balancer's always,
   * the DICOM balancer's when its listener is TLS (NLBs log TLS connections only).
   */
  readonly accessLogBucket?: pulumi.Input<string>;
}

export interface DnsNames {
  zoneId: pulumi.Input<string>;
  webName: string;
  dicomName?: string;
}

export interface TargetMetrics {
  namespace: "AWS/ApplicationELB" | "AWS/NetworkELB";
  loadBalancer: pulumi.Output<string>;
  targetGroup: pulumi.Output<string>;
}

/** TLS 1.3 and 1.2 with forward-secret ciphers only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
/** Long enough for a multi-GB ZIP download or STOW upload on a slow link. */
export const IDLE_TIMEOUT_SECONDS = 1800;

/**
 * The way in: HTTPS on an application load balancer with an ACM certificate (DNS-validated in
 * the zone), an explicit modern TLS policy and HTTP -> HTTPS redirect; DICOM on a separate
 * network load balancer that keeps the client's address, optionally with TLS; Route 53 aliases
 * for both names.
 */
export class Ingress extends pulumi.ComponentResource {
  public readonly webUrl: pulumi.Output<string>;
  public readonly dicomHost?: pulumi.Output<string>;
  /** Target groups for the ECS service: the web one, then the DICOM one if any. */
  public readonly targetGroups: { arn: pulumi.Output<string>; port: number }[];
  /** CloudWatch dimensions (ARN suffixes): the ALB, and each target group with its balancer. */
  public readonly metrics: { loadBalancer: pulumi.Output<string>; targets: TargetMetrics[] };

  constructor(name: string, args: IngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:aws:Ingress", name, {}, opts);
    const child = { parent: this };
    const certificate = args.dns ? createCertificate(name, this, args.dns) : undefined;

    const alb = new aws.lb.LoadBalancer(
      `${name}-web`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [args.webSecurityGroupId],
        idleTimeout: IDLE_TIMEOUT_SECONDS,
        dropInvalidHeaderFields: true,
        enableHttp2: true,
        ...accessLogs(args, ACCESS_LOG_PREFIXES.web),
      },
      child,
    );
    const web = new aws.lb.TargetGroup(
      `${name}-web`,
      {
        vpcId: args.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port: args.httpPort,
        deregistrationDelay: 60,
        // An unauthenticated request to a healthy Orthanc with authentication on gets exactly 401;
        // a 200 would mean authentication is off, which is not healthy for a PACS.
        healthCheck: {
          path: "/system",
          matcher: "401",
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      child,
    );
    if (certificate) {
      new aws.lb.Listener(
        `${name}-https`,
        {
          loadBalancerArn: alb.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: TLS_POLICY,
          certificateArn: certificate,
          defaultActions: [{ type: "forward", targetGroupArn: web.arn }],
        },
        child,
      );
      new aws.lb.Listener(
        `${name}-http`,
        {
          loadBalancerArn: alb.arn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [
            {
              type: "redirect",
              redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
            },
          ],
        },
        child,
      );
    } else {
      pulumi.log.warn("No DNS names: the web endpoint is plain HTTP, without TLS.", this);
      new aws.lb.Listener(
        `${name}-http`,
        {
          loadBalancerArn: alb.arn,
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "forward", targetGroupArn: web.arn }],
        },
        child,
      );
    }
    this.targetGroups = [{ arn: web.arn, port: args.httpPort }];
    this.metrics = {
      loadBalancer: alb.arnSuffix,
      targets: [
        {
          namespace: "AWS/ApplicationELB",
          loadBalancer: alb.arnSuffix,
          targetGroup: web.arnSuffix,
        },
      ],
    };
    this.webUrl = args.dns
      ? pulumi.output(`https://${args.dns.webName}/`)
      : pulumi.interpolate`http://${alb.dnsName}/`;

    let nlb: aws.lb.LoadBalancer | undefined;
    if (args.dicom) {
      const tls = args.dicom.tls && certificate;
      nlb = new aws.lb.LoadBalancer(
        `${name}-dicom`,
        {
          loadBalancerType: "network",
          internal: false,
          subnets: args.publicSubnetIds,
          securityGroups: [args.dicomSecurityGroupId],
          enableCrossZoneLoadBalancing: true,
          ...(tls ? accessLogs(args, ACCESS_LOG_PREFIXES.dicom) : {}),
        },
        child,
      );
      const dicom = new aws.lb.TargetGroup(
        `${name}-dicom`,
        {
          vpcId: args.vpcId,
          targetType: "ip",
          protocol: "TCP",
          port: args.dicom.port,
          // Orthanc sees the modality's own address.
          preserveClientIp: "true",
          deregistrationDelay: 60,
          healthCheck: {
            protocol: "TCP",
            interval: 15,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
        },
        child,
      );
      new aws.lb.Listener(
        `${name}-dicom`,
        {
          loadBalancerArn: nlb.arn,
          port: args.dicom.port,
          protocol: tls ? "TLS" : "TCP",
          ...(tls ? { sslPolicy: TLS_POLICY, certificateArn: certificate } : {}),
          defaultActions: [{ type: "forward", targetGroupArn: dicom.arn }],
        },
        child,
      );
      this.targetGroups.push({ arn: dicom.arn, port: args.dicom.port });
      this.metrics.targets.push({
        namespace: "AWS/NetworkELB",
        loadBalancer: nlb.arnSuffix,
        targetGroup: dicom.arnSuffix,
      });
      this.dicomHost = args.dns?.dicomName ? pulumi.output(args.dns.dicomName) : nlb.dnsName;
    }

    if (args.dns) {
      createDnsRecords(name, this, {
        zoneId: args.dns.zoneId,
        records: {
          "web-record": { name: args.dns.webName, target: { loadBalancer: alb } },
          ...(nlb && args.dns.dicomName
            ? { "dicom-record": { name: args.dns.dicomName, target: { loadBalancer: nlb } } }
            : {}),
        },
      });
    }
    this.registerOutputs({ webUrl: this.webUrl, dicomHost: this.dicomHost });
  }
}

/** Access logs into the bucket under `prefix`, when there is a bucket. */
function accessLogs(args: IngressArgs, prefix: string) {
  return args.accessLogBucket
    ? { accessLogs: { bucket: args.accessLogBucket, prefix, enabled: true } }
    : {};
}

/** An ACM certificate for the web and DICOM names, validated through records in the zone. */
function createCertificate(name: string, parent: pulumi.Resource, dns: DnsNames) {
  const child = { parent };
  const alternatives = dns.dicomName && dns.dicomName !== dns.webName ? [dns.dicomName] : [];
  const cert = new aws.acm.Certificate(
    `${name}-certificate`,
    { domainName: dns.webName, subjectAlternativeNames: alternatives, validationMethod: "DNS" },
    { ...child, deleteBeforeReplace: false },
  );
  const records = [dns.webName, ...alternatives].map(
    (_, i) =>
      new aws.route53.Record(
        `${name}-certificate-validation-${i}`,
        {
          zoneId: dns.zoneId,
          name: cert.domainValidationOptions[i].resourceRecordName,
          type: cert.domainValidationOptions[i].resourceRecordType,
          records: [cert.domainValidationOptions[i].resourceRecordValue],
          ttl: 300,
          allowOverwrite: true,
        },
        child,
      ),
  );
  const validation = new aws.acm.CertificateValidation(
    `${name}-certificate`,
    { certificateArn: cert.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
    child,
  );
  return validation.certificateArn;
}
