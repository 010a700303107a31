/**
 * The Ingress component on its own, under mocks: HTTPS and DICOM load balancers, the certificate
 * and its validation records, target groups and aliases; plain HTTP without a domain.
 */
import * as pulumi from "@pulumi/pulumi";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { only } from "../../helpers/plan";
import { byJson } from "./helpers";

describe("Ingress", () => {
  const base = {
    vpcId: "vpc-0123",
    publicSubnetIds: ["subnet-u1", "subnet-u2"],
    webSecurityGroupId: "sg-web-lb",
    dicomSecurityGroupId: "sg-dicom-lb",
    httpPort: 8042,
  };
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { Ingress } = await import("../../../components/aws/ingress");
      const i = new Ingress("pacs", {
        ...base,
        dicom: { port: 4242, tls: true },
        dns: {
          zoneId: "Z0123456789ABC",
          webName: "pacs.example.org",
          dicomName: "dicom.example.org",
        },
        accessLogBucket: "pacs-access-logs-a1b2c3d",
      });
      return {
        webUrl: i.webUrl,
        dicomHost: i.dicomHost!,
        targets: pulumi.all(i.targetGroups.map((t) => t.arn)),
      };
    });
  });
  const listeners = () =>
    plan.resources
      .filter((r) => r.type === "aws:lb/listener:Listener")
      .sort((a, b) => a.name.localeCompare(b.name));

  test("HTTPS with the validated certificate and an explicit TLS 1.3/1.2 policy; HTTP only redirects", () => {
    const [dicom, http, https] = listeners();
    expect(https.inputs).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:pacs-certificate",
      defaultActions: [
        {
          type: "forward",
          targetGroupArn: "arn:aws:lb:eu-west-1:123456789012:pacs-web",
        },
      ],
    });
    expect(http.inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
    expect(dicom.inputs).toMatchObject({
      port: 4242,
      protocol: "TLS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    });
  });

  test("the certificate covers both names and is validated by records in the zone", () => {
    expect(only(plan, "aws:acm/certificate:Certificate").inputs).toMatchObject({
      domainName: "pacs.example.org",
      subjectAlternativeNames: ["dicom.example.org"],
      validationMethod: "DNS",
    });
    const validation = plan.resources.filter((r) =>
      r.name.startsWith("pacs-certificate-validation"),
    );
    expect(
      validation.map((r) => [r.inputs.name, r.inputs.type, r.inputs.zoneId]).sort(byJson),
    ).toEqual([
      ["_0a1b2c.dicom.example.org.", "CNAME", "Z0123456789ABC"],
      ["_0a1b2c.pacs.example.org.", "CNAME", "Z0123456789ABC"],
    ]);
  });

  test("the web load balancer: public subnets, its own security group, a long idle timeout, invalid headers dropped", () => {
    const web = plan.resources.find(
      (r) => r.name === "pacs-web" && r.type === "aws:lb/loadBalancer:LoadBalancer",
    )!;
    expect(web.inputs).toMatchObject({
      loadBalancerType: "application",
      internal: false,
      subnets: base.publicSubnetIds,
      securityGroups: ["sg-web-lb"],
      idleTimeout: 1800,
      dropInvalidHeaderFields: true,
    });
  });

  test("target groups: the web one healthy only on Orthanc's 401 (auth on), the DICOM one keeps the client IP", () => {
    const groups = Object.fromEntries(
      plan.resources
        .filter((r) => r.type === "aws:lb/targetGroup:TargetGroup")
        .map((r) => [r.name, r.inputs]),
    );
    expect(groups["pacs-web"]).toMatchObject({
      targetType: "ip",
      protocol: "HTTP",
      port: 8042,
      healthCheck: { path: "/system", matcher: "401" },
    });
    expect(groups["pacs-dicom"]).toMatchObject({
      targetType: "ip",
      protocol: "TCP",
      port: 4242,
      preserveClientIp: "true",
      healthCheck: { protocol: "TCP" },
    });
    const nlb = plan.resources.find(
      (r) => r.name === "pacs-dicom" && r.type === "aws:lb/loadBalancer:LoadBalancer",
    )!;
    expect(nlb.inputs).toMatchObject({
      loadBalancerType: "network",
      securityGroups: ["sg-dicom-lb"],
    });
  });

  test("aliases: the web name to the ALB, the DICOM name to the NLB", () => {
    const records = plan.resources.filter(
      (r) => r.type === "aws:route53/record:Record" && r.inputs.aliases,
    );
    expect(
      records
        .map((r) => [r.inputs.name, (r.inputs.aliases as { name: string; zoneId: string }[])[0]])
        .sort(byJson),
    ).toEqual([
      [
        "dicom.example.org",
        {
          name: "pacs-dicom-1234567890.eu-west-1.elb.amazonaws.com",
          zoneId: "Z2IFOLAFXWLO4F",
          evaluateTargetHealth: true,
        },
      ],
      [
        "pacs.example.org",
        {
          name: "pacs-web-1234567890.eu-west-1.elb.amazonaws.com",
          zoneId: "Z32O12XQLNTSW2",
          evaluateTargetHealth: true,
        },
      ],
    ]);
    expect(plan.outputs).toMatchObject({
      webUrl: "https://pacs.example.org/",
      dicomHost: "dicom.example.org",
    });
  });

  test("access logs: the web balancer's under web/, the DICOM balancer's (a TLS listener) under dicom/", () => {
    const logs = plan.resources
      .filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")
      .map((r) => [r.name, r.inputs.accessLogs])
      .sort(byJson);
    expect(logs).toEqual([
      ["pacs-dicom", { bucket: "pacs-access-logs-a1b2c3d", prefix: "dicom", enabled: true }],
      ["pacs-web", { bucket: "pacs-access-logs-a1b2c3d", prefix: "web", enabled: true }],
    ]);
  });

  test("a DICOM balancer with a plain TCP listener writes no access log (NLBs log TLS only)", async () => {
    const p = await planOf("test", "aws-part", async () => {
      const { Ingress } = await import("../../../components/aws/ingress");
      const i = new Ingress("pacs", {
        ...base,
        dicom: { port: 4242, tls: false },
        dns: {
          zoneId: "Z0123456789ABC",
          webName: "pacs.example.org",
          dicomName: "dicom.example.org",
        },
        accessLogBucket: "pacs-access-logs-a1b2c3d",
      });
      return { webUrl: i.webUrl };
    });
    const logs = p.resources
      .filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")
      .map((r) => [r.name, r.inputs.accessLogs])
      .sort(byJson);
    expect(logs).toEqual([
      ["pacs-dicom", undefined],
      ["pacs-web", { bucket: "pacs-access-logs-a1b2c3d", prefix: "web", enabled: true }],
    ]);
  });

  test("without a domain: plain HTTP forwarded (with a warning), no certificate, no records; no DICOM balancer unless asked", async () => {
    const p = await planOf("test", "aws-part", async () => {
      const { Ingress } = await import("../../../components/aws/ingress");
      const i = new Ingress("pacs", base);
      return { webUrl: i.webUrl };
    });
    expect(p.outputs.webUrl).toBe("http://pacs-web-1234567890.eu-west-1.elb.amazonaws.com/");
    expect(p.resources.filter((r) => /acm|route53/.test(r.type))).toEqual([]);
    expect(p.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")).toHaveLength(
      1,
    );
    const listener = p.resources.find((r) => r.type === "aws:lb/listener:Listener")!;
    expect(listener.inputs).toMatchObject({
      port: 80,
      protocol: "HTTP",
      defaultActions: [{ type: "forward" }],
    });
  });
});
