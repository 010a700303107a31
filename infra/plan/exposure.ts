/**
 * What a security officer reads before approving a deployment: every way in (published port,
 * load balancer listener, HTTPRoute/Gateway/Ingress, DICOM service) with its protocol, TLS and
 * the networks that may reach it, and every data store with its encryption, backup and
 * protection. Derived from the plan's resources alone (a pure function over `Plan`), so it says
 * what the program registers, not what the configuration meant.
 *
 * Resources refer to each other by id or ARN. Under the plan's mocks (`mocks.ts`) both carry the
 * referenced resource's name (`<name>-id`, `arn:...:<name>`), so a reference is resolved to the
 * resource it names; a bucket's name is its resource name plus the 7 characters Pulumi's auto-naming
 * appends (`dicom-a1b2c3d`).
 */
import { PlannedResource } from "./record";
import { Plan } from "./runPlan";

export interface WayIn {
  /** What opens it: `published port`, `load balancer listener`, `HTTPRoute`, ... */
  kind: string;
  /** Where clients connect: `127.0.0.1:8042`, `pacs.example.org:443`. */
  address: string;
  /** `HTTP`, `HTTPS`, `DICOM`, `DICOM over TLS`, `SSH`, ... */
  protocol: string;
  /** The TLS that protects it (policy, certificate), or `none`. */
  tls: string;
  /** Which networks may reach it, and what enforces that. */
  from: string;
  /** The resource clients reach through it (container, service, Deployment), by name. */
  reaches: string;
  /** The resource that opens it. */
  resource: string;
  /** The load balancer in between, by name. */
  via?: string;
}

export interface DataStore {
  /** `RDS PostgreSQL`, `EFS file system`, `S3 bucket`, `Docker volume`, `PVC`, ... */
  kind: string;
  name: string;
  encryption: string;
  backup: string;
  /** `protect`, `retainOnDelete` and the store's own deletion guards, or `none`. */
  protection: string;
  /** The resources that read or write it (services, containers, workloads), by name. */
  usedBy: string[];
}

export interface Exposure {
  waysIn: WayIn[];
  dataStores: DataStore[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- provider inputs are untyped JSON */
type R = PlannedResource & { inputs: Record<string, any> };

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The resource among `candidates` whose name the reference (an id or ARN) contains. */
function refTo(value: unknown, candidates: R[]): R | undefined {
  const text = str(value);
  if (!text) return undefined;
  const bucket = (name: string) => new RegExp(`^(arn:aws:s3:::)?${name}-[0-9a-z]{7}$`);
  return candidates.find(
    (c) =>
      text === c.name ||
      text === `${c.name}-id` ||
      text.endsWith(`:${c.name}`) ||
      text.endsWith(`/${c.name}`) ||
      bucket(c.name).test(text),
  );
}

function protection(r: R, own: string[] = []): string {
  const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retainOnDelete" : "", ...own];
  const shown = flags.filter(Boolean);
  return shown.length ? shown.join(", ") : "none (deleted with the stack)";
}

const cidrList = (cidrs: string[]) => (cidrs.length ? cidrs.join(", ") : "nothing");

class Resources {
  constructor(readonly all: R[]) {}
  of(...types: string[]): R[] {
    return this.all.filter((r) => types.includes(r.type));
  }
  byUrn(urn: string): R | undefined {
    return this.all.find((r) => r.urn === urn);
  }
}

// ---------------------------------------------------------------------------------------------
// Docker

function uploadOf(c: R, file: string): string | undefined {
  const u = (c.inputs.uploads ?? []).find((x: any) => x.file === file);
  return u ? str(u.content) : undefined;
}

/** Orthanc's orthanc.json as the plan registers it: an uploaded file, a ConfigMap, an ECS env. */
function orthancJson(rs: Resources): Record<string, any> {
  const texts: unknown[] = [
    ...rs.all.flatMap((r) =>
      (r.inputs.uploads ?? [])
        .filter((u: any) => str(u.file).endsWith("/orthanc.json"))
        .map((u: any) => u.content),
    ),
    ...rs.of("kubernetes:core/v1:ConfigMap").map((r) => r.inputs.data?.["orthanc.json"]),
    ...rs.of("aws:ecs/taskDefinition:TaskDefinition").flatMap((td) => {
      try {
        return (JSON.parse(str(td.inputs.containerDefinitions)) as any[]).flatMap((c) =>
          (c.environment ?? [])
            .filter((e: any) => e.name === "ORTHANC_CONFIG_JSON")
            .map((e: any) => e.value),
        );
      } catch {
        return [];
      }
    }),
  ];
  const text = texts.find((t) => typeof t === "string" && t.startsWith("{"));
  return text ? JSON.parse(text as string) : {};
}

/** The image a container runs: the RemoteImage it depends on (its id is the mock's). */
export function imageOf(plan: { resources: PlannedResource[] }, c: PlannedResource): string {
  const images = plan.resources.filter(
    (r) => r.type === "docker:index/remoteImage:RemoteImage" && c.dependencies.includes(r.urn),
  );
  return images.length === 1 ? str(images[0].inputs.name) : str(c.inputs.image);
}

/** Which calling AE titles Orthanc serves (`orthanc.dicom.modalities`). */
function aeTitles(orthanc: Record<string, any>): string {
  const known = Object.values(orthanc.DicomModalities ?? {}).map((m: any) => `${m.AET}@${m.Host}`);
  if (orthanc.DicomAlwaysAllowStore === true) return "any AE title may store";
  return known.length ? `only ${known.join(", ")} may store` : "no AE title may store";
}

/** Site addresses of a Caddyfile: the top-level blocks other than the global options. */
function caddySites(caddyfile: string): string[] {
  return caddyfile
    .split("\n")
    .map((l) => /^(\S+) \{$/.exec(l)?.[1])
    .filter((s): s is string => !!s);
}

function dockerWaysIn(plan: Plan, rs: Resources): WayIn[] {
  const orthanc = orthancJson(rs);
  const dicomTls = orthanc.DicomTlsEnabled === true;
  const dicomProtocol = dicomTls ? "DICOM over TLS" : "DICOM";
  const dicomTlsText = dicomTls
    ? "terminated by Orthanc (DicomTlsEnabled, the stack's certificate)"
    : "none";
  const aets = aeTitles(orthanc);
  // The VM's security group, when the stack creates the Docker host (`docker.host: aws-vm`).
  const hostGroups = rs
    .of("aws:ec2/instance:Instance")
    .flatMap((i) =>
      (i.inputs.vpcSecurityGroupIds ?? []).map((id: unknown) =>
        refTo(id, rs.of("aws:ec2/securityGroup:SecurityGroup")),
      ),
    )
    .filter((g): g is R => !!g);
  const groupRules = hostGroups.flatMap((g) =>
    (g.inputs.ingress ?? []).map((rule: any) => ({ group: g, rule })),
  );
  const usedRules = new Set<unknown>();
  const groupFor = (port: number) => {
    const rules = groupRules.filter(({ rule }) => rule.fromPort <= port && port <= rule.toPort);
    rules.forEach(({ rule }) => usedRules.add(rule));
    return rules.length
      ? `; security group ${rules[0].group.name} admits ${cidrList(rules.flatMap(({ rule }) => rule.cidrBlocks ?? []))}`
      : "";
  };
  const ways: WayIn[] = [];
  for (const c of rs.of("docker:index/container:Container")) {
    const caddyfile = uploadOf(c, "/etc/caddy/Caddyfile");
    const haproxy = uploadOf(c, "/usr/local/etc/haproxy/haproxy.cfg");
    const domains = caddyfile
      ? caddySites(caddyfile).filter((s) => !s.startsWith(":") && !s.includes("://"))
      : [];
    for (const p of c.inputs.ports ?? []) {
      const ip = str(p.ip) || "0.0.0.0";
      const loopback = ip.startsWith("127.") || ip === "::1";
      let protocol = "TCP";
      let tls = "none";
      let extra = "";
      if (caddyfile) {
        if (domains.length && p.internal === 443) {
          protocol = "HTTPS";
          tls = `Let's Encrypt certificate for ${domains.join(", ")} (Caddy, automatic), HSTS`;
        } else if (domains.length && p.internal === 80) {
          protocol = "HTTP (ACME challenges; redirects to HTTPS)";
        } else protocol = "HTTP";
      } else if (haproxy) {
        protocol = dicomProtocol;
        tls = dicomTlsText;
        const allow = /reject unless \{ src ([^}]*) \}/.exec(haproxy)?.[1]?.trim().split(/\s+/);
        extra = `; DICOM gate ${c.name} closes connections from outside ${cidrList(allow ?? [])}; ${aets}`;
      } else if (p.internal === orthanc.DicomPort) {
        protocol = dicomProtocol;
        tls = dicomTlsText;
        extra = `; ${aets}`;
      } else if (p.internal === orthanc.HttpPort) protocol = "HTTP";
      const bound = loopback
        ? `this host only (bound to ${ip})`
        : `any network that reaches the host (bound to ${ip})`;
      ways.push({
        kind: "published port",
        address: `${ip}:${p.external}`,
        protocol,
        tls,
        from: `${bound}${loopback ? "" : groupFor(p.external)}${extra}`,
        reaches: c.name,
        resource: `${c.name} (${imageOf(plan, c)})`,
      });
    }
  }
  // What else the VM's security group opens (SSH for the Docker provider).
  for (const { group, rule } of groupRules) {
    if (usedRules.has(rule)) continue;
    const port =
      rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
    ways.push({
      kind: "security group rule",
      address: `the VM:${port}`,
      protocol: rule.fromPort === 22 ? "SSH" : `${str(rule.protocol).toUpperCase()}`,
      tls: rule.fromPort === 22 ? "SSH's own encryption" : "none",
      from: `${cidrList(rule.cidrBlocks ?? [])} (security group ${group.name}: ${str(rule.description)})`,
      reaches: rs
        .of("aws:ec2/instance:Instance")
        .map((i) => i.name)
        .join(", "),
      resource: group.name,
    });
  }
  return ways;
}

function dockerStores(rs: Resources): DataStore[] {
  const containers = rs.of("docker:index/container:Container");
  const mounting = (volume: string) =>
    containers.filter((c) => (c.inputs.volumes ?? []).some((v: any) => v.volumeName === volume));
  const aliasesOf = (c: R) =>
    (c.inputs.networksAdvanced ?? []).flatMap((n: any) => n.aliases ?? []) as string[];
  return rs.of("docker:index/volume:Volume").map((v) => {
    const name = str(v.inputs.name) || v.name;
    const users = mounting(name);
    // A container that dumps a database (PGHOST, in its environment or its uploaded script) into
    // another volume backs this one up when the database's container mounts it.
    const dumps = containers.filter((b) => {
      const hosts = [
        ...(b.inputs.envs ?? []).filter((e: string) => e.startsWith("PGHOST=")),
        ...(b.inputs.uploads ?? []).flatMap(
          (u: any) => str(u.content).match(/\bPGHOST=[A-Za-z0-9.-]+/g) ?? [],
        ),
      ].map((e: string) => e.slice(7));
      return users.some((u) => u !== b && aliasesOf(u).some((a) => hosts.includes(a)));
    });
    const intoVolumes = dumps.flatMap((b) =>
      (b.inputs.volumes ?? []).map((m: any) => m.volumeName).filter(Boolean),
    );
    const holdsDumps = users.some((u) =>
      (u.inputs.envs ?? []).some((e: string) => e.startsWith("PGHOST=")),
    );
    return {
      kind: "Docker volume",
      name,
      encryption: "the Docker host's disk (not set by this stack)",
      backup: dumps.length
        ? `pg_dump by ${dumps.map((b) => b.name).join(", ")} into ${intoVolumes.join(", ")} (on the same host)`
        : holdsDumps
          ? "holds the database dumps (on the same host; copy them off it)"
          : "none by this stack (snapshot the host's disk)",
      protection: protection(v),
      usedBy: users.map((u) => u.name),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// AWS

function awsWaysIn(rs: Resources): WayIn[] {
  const aets = aeTitles(orthancJson(rs));
  const lbs = rs.of("aws:lb/loadBalancer:LoadBalancer");
  const groups = rs.of("aws:ec2/securityGroup:SecurityGroup");
  const rules = rs.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
  const certs = rs.of("aws:acm/certificate:Certificate");
  const records = rs.of("aws:route53/record:Record");
  const targetGroups = rs.of("aws:lb/targetGroup:TargetGroup");
  const services = rs.of("aws:ecs/service:Service");
  return rs.of("aws:lb/listener:Listener").map((l) => {
    const lb = refTo(l.inputs.loadBalancerArn, lbs);
    const name =
      records.find((d) =>
        (d.inputs.aliases ?? []).some((a: any) => lb && str(a.name).includes(lb.name)),
      )?.inputs.name ?? `${lb?.name ?? "?"} (its AWS name)`;
    const cert = refTo(l.inputs.certificateArn, certs);
    const certNames = cert
      ? [cert.inputs.domainName, ...(cert.inputs.subjectAlternativeNames ?? [])].join(", ")
      : "";
    const protocol = str(l.inputs.protocol);
    const tls = l.inputs.sslPolicy
      ? `${l.inputs.sslPolicy}, ${cert ? `ACM certificate for ${certNames}` : "certificate not in this stack"}`
      : "none";
    const sgs = (lb?.inputs.securityGroups ?? [])
      .map((id: unknown) => refTo(id, groups))
      .filter((g: R | undefined): g is R => !!g) as R[];
    const port = Number(l.inputs.port);
    const admitted = rules.filter(
      (r) =>
        sgs.includes(refTo(r.inputs.securityGroupId, groups) as R) &&
        r.inputs.fromPort <= port &&
        port <= r.inputs.toPort &&
        r.inputs.cidrIpv4,
    );
    const redirect = (l.inputs.defaultActions ?? []).find((a: any) => a.type === "redirect");
    const forward = (l.inputs.defaultActions ?? []).find((a: any) => a.type === "forward");
    const tg = refTo(forward?.targetGroupArn, targetGroups);
    const service = services.find((s) =>
      (s.inputs.loadBalancers ?? []).some(
        (b: any) => tg && refTo(b.targetGroupArn, targetGroups) === tg,
      ),
    );
    const kind = lb?.inputs.loadBalancerType === "network" ? "NLB" : "ALB";
    const scheme = lb?.inputs.internal ? "internal" : "internet-facing";
    const dicom = tg?.inputs.port === 4242 || kind === "NLB";
    return {
      kind: `load balancer listener (${kind} ${lb?.name ?? "?"}, ${scheme})`,
      address: `${name}:${port}`,
      protocol:
        dicom && protocol === "TLS"
          ? "DICOM over TLS"
          : dicom
            ? `DICOM (${protocol})`
            : redirect
              ? `${protocol} (redirects to ${str(redirect.redirect?.protocol)})`
              : protocol,
      tls,
      from: `${cidrList(admitted.map((r) => str(r.inputs.cidrIpv4)))} (security group ${sgs.map((g) => g.name).join(", ") || "none"})${dicom ? `; ${aets}` : ""}`,
      reaches: redirect ? "redirect only" : (service?.name ?? tg?.name ?? "?"),
      resource: l.name,
      via: lb?.name,
    };
  });
}

function awsStores(rs: Resources): DataStore[] {
  const s3Plugin = orthancJson(rs).AwsS3Storage ?? {};
  const keys = rs.of("aws:kms/key:Key");
  const keyName = (arn: unknown) => {
    const key = refTo(arn, keys);
    return key
      ? `KMS key ${key.name}${key.inputs.enableKeyRotation ? " (rotated yearly)" : ""}`
      : str(arn)
        ? `KMS key ${str(arn)}`
        : "the AWS-managed key";
  };
  const selections = rs.of("aws:backup/selection:Selection");
  const plans = rs.of("aws:backup/plan:Plan");
  const awsBackup = (r: R) => {
    const sel = selections.find((s) =>
      (s.inputs.resources ?? []).some((arn: unknown) => refTo(arn, [r]) === r),
    );
    if (!sel) return "";
    const plan = refTo(sel.inputs.planId, plans);
    const rule = plan?.inputs.rules?.[0];
    return rule
      ? `AWS Backup plan ${plan!.name} (${rule.schedule}, kept ${rule.lifecycle?.deleteAfter} days)`
      : `AWS Backup selection ${sel.name}`;
  };
  // Who uses a store: ECS services whose security groups the store's group admits, or whose
  // task roles' policies name it; load balancers that write their access logs to it.
  const groups = rs.of("aws:ec2/securityGroup:SecurityGroup");
  const rules = rs.of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
  const services = rs.of("aws:ecs/service:Service");
  const taskDefs = rs.of("aws:ecs/taskDefinition:TaskDefinition");
  const roles = rs.of("aws:iam/role:Role");
  const rolePolicies = rs.of("aws:iam/rolePolicy:RolePolicy");
  const admittedBy = (storeGroups: unknown[]) => {
    const own = storeGroups.map((g) => refTo(g, groups)).filter(Boolean);
    const fromGroups = rules
      .filter((r) => own.includes(refTo(r.inputs.securityGroupId, groups)))
      .map((r) => refTo(r.inputs.referencedSecurityGroupId, groups))
      .filter(Boolean);
    return services
      .filter((s) =>
        (s.inputs.networkConfiguration?.securityGroups ?? []).some((g: unknown) =>
          fromGroups.includes(refTo(g, groups)),
        ),
      )
      .map((s) => s.name);
  };
  const namedByPolicy = (bucket: string) =>
    services
      .filter((s) => {
        const td = refTo(s.inputs.taskDefinition, taskDefs);
        const role = td && refTo(td.inputs.taskRoleArn, roles);
        return rolePolicies.some(
          (p) =>
            role && refTo(p.inputs.role, roles) === role && str(p.inputs.policy).includes(bucket),
        );
      })
      .map((s) => s.name);
  const stores: DataStore[] = [];
  for (const db of rs.of("aws:rds/instance:Instance")) {
    const i = db.inputs;
    stores.push({
      kind: `RDS ${str(i.engine)} ${str(i.engineVersion)}`.trim(),
      name: db.name,
      encryption: i.storageEncrypted ? keyName(i.kmsKeyId) : "none",
      backup: [
        `automated backups ${i.backupRetentionPeriod ?? 0} days${i.deleteAutomatedBackups === false ? " (kept on delete)" : ""}`,
        awsBackup(db),
        i.skipFinalSnapshot === false ? `final snapshot ${str(i.finalSnapshotIdentifier)}` : "",
      ]
        .filter(Boolean)
        .join("; "),
      protection: protection(db, [i.deletionProtection ? "deletionProtection" : ""]),
      usedBy: admittedBy(i.vpcSecurityGroupIds ?? []),
    });
  }
  const mountTargets = rs.of("aws:efs/mountTarget:MountTarget");
  for (const fs of rs.of("aws:efs/fileSystem:FileSystem")) {
    const mt = mountTargets.filter((m) => refTo(m.inputs.fileSystemId, [fs]) === fs);
    stores.push({
      kind: "EFS file system",
      name: fs.name,
      encryption: fs.inputs.encrypted ? keyName(fs.inputs.kmsKeyId) : "none",
      backup: awsBackup(fs) || "none by this stack",
      protection: protection(fs),
      usedBy: admittedBy(mt.flatMap((m) => m.inputs.securityGroups ?? [])),
    });
  }
  const sse = rs.of(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  );
  const versioning = rs.of("aws:s3/bucketVersioning:BucketVersioning");
  const lifecycles = rs.of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
  const lbs = rs.of("aws:lb/loadBalancer:LoadBalancer");
  const buckets = rs.of("aws:s3/bucket:Bucket");
  for (const b of buckets) {
    const of = (list: R[]) => list.find((x) => refTo(x.inputs.bucket, buckets) === b);
    const rule = of(sse)?.inputs.rules?.[0];
    const by = rule?.applyServerSideEncryptionByDefault;
    const encryption = !by
      ? "S3's default (SSE-S3)"
      : by.sseAlgorithm === "aws:kms"
        ? `SSE-KMS with ${keyName(by.kmsMasterKeyId)}${rule.bucketKeyEnabled ? ", Bucket Key" : ""}`
        : `SSE-S3 (${str(by.sseAlgorithm)})`;
    // Orthanc's own encryption of each file before it is stored (`storage.encryption`).
    const clientSide =
      refTo(s3Plugin.BucketName, [b]) === b && s3Plugin.StorageEncryption?.Enable === true
        ? "; and Orthanc's storage encryption (each file encrypted before upload)"
        : "";
    const versioned = of(versioning)?.inputs.versioningConfiguration?.status === "Enabled";
    const expiry = (of(lifecycles)?.inputs.rules ?? [])
      .map((r: any) => r.noncurrentVersionExpiration?.noncurrentDays)
      .find((d: unknown) => d !== undefined);
    stores.push({
      kind: "S3 bucket",
      name: b.name,
      encryption: `${encryption}${clientSide}`,
      backup: versioned
        ? `versioning${expiry !== undefined ? ` (old versions kept ${expiry} days)` : ""}`
        : "none",
      protection: protection(b, [b.inputs.forceDestroy === false ? "no forceDestroy" : ""]),
      usedBy: [
        ...namedByPolicy(b.name),
        ...lbs
          .filter((l) => refTo(l.inputs.accessLogs?.bucket, [b]) === b)
          .map((l) => `${l.name} (access logs)`),
      ],
    });
  }
  for (const v of rs.of("aws:ebs/volume:Volume")) {
    stores.push({
      kind: "EBS volume",
      name: v.name,
      encryption: v.inputs.encrypted ? keyName(v.inputs.kmsKeyId) : "none",
      backup: awsBackup(v) || "none by this stack",
      protection: protection(v),
      usedBy: rs
        .of("aws:ec2/volumeAttachment:VolumeAttachment")
        .filter((a) => refTo(a.inputs.volumeId, [v]) === v)
        .map((a) => str(refTo(a.inputs.instanceId, rs.of("aws:ec2/instance:Instance"))?.name)),
    });
  }
  return stores;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

const WORKLOADS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:batch/v1:CronJob",
];

function podSpec(w: R): any {
  return w.type === "kubernetes:batch/v1:CronJob"
    ? w.inputs.spec?.jobTemplate?.spec?.template?.spec
    : w.inputs.spec?.template?.spec;
}

const qualified = (r: R) => `${str(r.inputs.metadata?.namespace)}/${str(r.inputs.metadata?.name)}`;

function k8sWaysIn(rs: Resources): WayIn[] {
  const orthanc = orthancJson(rs);
  const dicomTls = orthanc.DicomTlsEnabled === true;
  const gateways = rs.of("kubernetes:gateway.networking.k8s.io/v1:Gateway");
  const ways: WayIn[] = [];
  const issuer = (r: R) => {
    const a = r.inputs.metadata?.annotations ?? {};
    const name = a["cert-manager.io/cluster-issuer"] ?? a["cert-manager.io/issuer"];
    return name ? ` issued by cert-manager (${name})` : "";
  };
  const deployment = rs.of("kubernetes:apps/v1:Deployment")[0]?.name ?? "?";
  for (const g of gateways) {
    for (const l of g.inputs.spec?.listeners ?? []) {
      const secret = (l.tls?.certificateRefs ?? []).map((c: any) => c.name).join(", ");
      ways.push({
        kind: `Gateway listener (${qualified(g)}, class ${str(g.inputs.spec?.gatewayClassName)})`,
        address: `${str(l.hostname) || "*"}:${l.port}`,
        protocol:
          l.protocol === "HTTP" ? "HTTP (routes here only redirect to HTTPS)" : str(l.protocol),
        tls: l.tls
          ? `terminated at the Gateway, certificate in Secret ${secret}${issuer(g)}`
          : "none",
        from: "whatever reaches the Gateway's load balancer (not restricted by this stack)",
        reaches: l.protocol === "HTTP" ? "redirect only" : deployment,
        resource: g.name,
      });
    }
  }
  for (const route of rs.of("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")) {
    const backends = (route.inputs.spec?.rules ?? []).flatMap((r: any) => r.backendRefs ?? []);
    if (!backends.length) continue; // a redirect-only route, shown with its Gateway's listener
    for (const ref of route.inputs.spec?.parentRefs ?? []) {
      const own = gateways.find(
        (g) =>
          g.inputs.metadata?.name === ref.name &&
          g.inputs.metadata?.namespace === (ref.namespace ?? route.inputs.metadata?.namespace),
      );
      // A route on this stack's own Gateway is shown with the Gateway's listener.
      if (own) continue;
      ways.push({
        kind: `HTTPRoute (${qualified(route)})`,
        address: `${(route.inputs.spec?.hostnames ?? []).join(", ")}:443`,
        protocol: "HTTPS (the Gateway's listener)",
        tls: `terminated by Gateway ${ref.namespace}/${ref.name} listener ${ref.sectionName ?? "(any)"} (not in this stack)`,
        from: `whatever reaches Gateway ${ref.namespace}/${ref.name} (not in this stack)`,
        reaches: deployment,
        resource: route.name,
      });
    }
  }
  for (const ing of rs.of("kubernetes:networking.k8s.io/v1:Ingress")) {
    const hosts = (ing.inputs.spec?.rules ?? []).map((r: any) => r.host);
    const tls = ing.inputs.spec?.tls ?? [];
    ways.push({
      kind: `Ingress (${qualified(ing)}, class ${str(ing.inputs.spec?.ingressClassName)})`,
      address: `${hosts.join(", ")}:${tls.length ? 443 : 80}`,
      protocol: tls.length ? "HTTPS" : "HTTP",
      tls: tls.length
        ? `terminated by the Ingress controller, certificate in Secret ${tls.map((t: any) => t.secretName).join(", ")}${issuer(ing)}`
        : "none",
      from: "whatever reaches the Ingress controller (not restricted by this stack)",
      reaches: deployment,
      resource: ing.name,
    });
  }
  for (const svc of rs.of("kubernetes:core/v1:Service")) {
    if (svc.inputs.spec?.type !== "LoadBalancer" && svc.inputs.spec?.type !== "NodePort") continue;
    for (const p of svc.inputs.spec?.ports ?? []) {
      const dicom = p.name === "dicom" || p.port === orthanc.DicomPort;
      const ranges = svc.inputs.spec?.loadBalancerSourceRanges ?? [];
      ways.push({
        kind: `${str(svc.inputs.spec?.type)} Service (${qualified(svc)})`,
        address: `the load balancer's address:${p.port}`,
        protocol: dicom ? (dicomTls ? "DICOM over TLS" : "DICOM") : str(p.protocol),
        tls: dicom && dicomTls ? "terminated by Orthanc (DicomTlsEnabled)" : "none",
        from: `${
          ranges.length
            ? `${cidrList(ranges)} (loadBalancerSourceRanges, and a NetworkPolicy)`
            : "any address (no loadBalancerSourceRanges)"
        }${dicom ? `; ${aeTitles(orthanc)}` : ""}`,
        reaches: deployment,
        resource: svc.name,
      });
    }
  }
  return ways;
}

function k8sStores(rs: Resources): DataStore[] {
  const workloads = rs.of(...WORKLOADS);
  const claimUsers = (claim: string) =>
    workloads
      .filter((w) =>
        (podSpec(w)?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim),
      )
      .map((w) => w.name);
  const storageClass = (spec: any) =>
    `the storage class's (${str(spec?.storageClassName) || "cluster default"}; not set by this stack)`;
  const dumpJobs = rs.of("kubernetes:batch/v1:CronJob");
  const stores: DataStore[] = [];
  for (const pvc of rs.of("kubernetes:core/v1:PersistentVolumeClaim")) {
    const users = claimUsers(str(pvc.inputs.metadata?.name));
    const isDumps = users.some((u) => dumpJobs.some((j) => j.name === u));
    stores.push({
      kind: `PVC ${str(pvc.inputs.spec?.resources?.requests?.storage)}`,
      name: qualified(pvc),
      encryption: storageClass(pvc.inputs.spec),
      backup: isDumps
        ? `holds the database dumps of ${users.join(", ")} (schedule ${dumpJobs.map((j) => str(j.inputs.spec?.schedule)).join(", ")})`
        : "none by this stack (the storage's snapshots)",
      protection: protection(pvc),
      usedBy: users,
    });
  }
  for (const ss of rs.of("kubernetes:apps/v1:StatefulSet")) {
    const service = str(ss.inputs.spec?.serviceName);
    const dumps = dumpJobs.filter((j) =>
      (j.inputs.spec?.jobTemplate?.spec?.template?.spec?.containers ?? []).some((c: any) =>
        (c.env ?? []).some((e: any) => e.name === "PGHOST" && str(e.value).startsWith(service)),
      ),
    );
    for (const t of ss.inputs.spec?.volumeClaimTemplates ?? []) {
      stores.push({
        kind: `StatefulSet claim ${str(t.spec?.resources?.requests?.storage)}`,
        name: `${str(t.metadata?.name)} of ${qualified(ss)}`,
        encryption: storageClass(t.spec),
        backup: dumps.length
          ? `pg_dump by CronJob ${dumps.map((j) => `${j.name} (${str(j.inputs.spec?.schedule)})`).join(", ")}`
          : "none by this stack",
        protection: protection(ss, [
          ss.inputs.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Retain"
            ? "claims retained when deleted or scaled"
            : "",
        ]),
        usedBy: [ss.name],
      });
    }
  }
  const scheduled = rs.of("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup");
  for (const c of rs.of("kubernetes:postgresql.cnpg.io/v1:Cluster")) {
    const s = c.inputs.spec ?? {};
    const store = s.backup?.barmanObjectStore;
    const sched = scheduled.filter((b) => b.inputs.spec?.cluster?.name === c.inputs.metadata?.name);
    stores.push({
      kind: `CloudNativePG cluster (${s.instances ?? 1} instances, ${str(s.storage?.size)})`,
      name: qualified(c),
      encryption: storageClass(s.storage),
      backup: store
        ? `base backups and WAL to ${str(store.destinationPath)} (kept ${str(s.backup?.retentionPolicy)}${sched.length ? `, schedule ${sched.map((b) => str(b.inputs.spec?.schedule)).join(", ")}` : ""})`
        : "none by this stack",
      protection: protection(c),
      usedBy: [c.name],
    });
  }
  return stores;
}

/** Every way in and every data store the plan registers. */
export function exposureOf(plan: Plan): Exposure {
  const rs = new Resources(plan.resources as R[]);
  return {
    waysIn: [...dockerWaysIn(plan, rs), ...awsWaysIn(rs), ...k8sWaysIn(rs)],
    dataStores: [...dockerStores(rs), ...awsStores(rs), ...k8sStores(rs)],
  };
}

/** Lines longer than this are wrapped at spaces, continued 4 columns further in. */
const WIDTH = 100;

function wrap(line: string): string[] {
  const indent = `${/^ */.exec(line)![0]}    `;
  const out: string[] = [];
  let rest = line;
  while (rest.length > WIDTH) {
    const cut = rest.lastIndexOf(" ", WIDTH);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut));
    rest = `${indent}${rest.slice(cut + 1)}`;
  }
  return [...out, rest];
}

/** The summary printed at the end of every text plan. */
export function exposureText(e: Exposure): string[] {
  const lines = ["Exposure (derived from the resources above):", "  Ways in:"];
  if (!e.waysIn.length) lines.push("    none: nothing is published outside the host or cluster");
  for (const w of e.waysIn) {
    lines.push(`    ${w.address}  ${w.protocol}`);
    const to = w.resource.startsWith(w.reaches) ? "" : ` -> ${w.reaches}`;
    lines.push(`        ${w.kind} ${w.resource}${to}`);
    lines.push(`        TLS: ${w.tls}`);
    lines.push(`        from: ${w.from}`);
  }
  lines.push("  Data stores:");
  if (!e.dataStores.length) lines.push("    none created by this stack");
  for (const d of e.dataStores) {
    lines.push(
      `    ${d.kind} ${d.name}${d.usedBy.length ? ` (used by ${d.usedBy.join(", ")})` : ""}`,
    );
    lines.push(`        encryption: ${d.encryption}`);
    lines.push(`        backup: ${d.backup}`);
    lines.push(`        protection: ${d.protection}`);
  }
  return lines.flatMap(wrap);
}
/* eslint-enable @typescript-eslint/no-explicit-any */
