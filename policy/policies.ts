/**
 * The security rules this project enforces, as `@pulumi/policy` policies for
 * `pulumi preview --policy-pack policy` on any stack. Plain data: `new PolicyPack(...)` (which
 * starts the analyzer's server) lives in `index.ts` only, so tests import this file offline.
 * Only types come from `@pulumi/policy`: loading its runtime would load the gRPC server's code.
 *
 * Each check reads a resource's inputs as the program registers them (the names of the
 * providers' input properties). A value still unknown in a preview (an id not yet created)
 * makes the engine report the policy as not runnable for that resource, never as passed.
 */
import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/* eslint-disable @typescript-eslint/no-explicit-any -- resource inputs are untyped JSON */
type Props = Record<string, any>;
type Check = (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void;

/** One validation for several resource types: the engine runs every policy on every resource. */
function on(checks: [type: string | RegExp, check: Check][]): ResourceValidation {
  return (args, report) => {
    for (const [type, check] of checks) {
      if (typeof type === "string" ? args.type === type : type.test(args.type)) {
        check(args.props, args, report);
      }
    }
  };
}

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
/** Launch templates take booleans as strings ("true"). */
const isTrue = (value: unknown) => value === true || value === "true";

/** Kubernetes workload kinds whose pod template holds containers. */
const K8S_WORKLOAD =
  /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:(Job|CronJob)|core\/v1:Pod)$/;
const K8S_SERVICE = "kubernetes:core/v1:Service";
const DOCKER_CONTAINER = "docker:index/container:Container";
const ECS_TASK = "aws:ecs/taskDefinition:TaskDefinition";
const LISTENER = /^aws:(lb|alb)\/listener:Listener$/;

/** Every container (and init container) of a Kubernetes workload or pod, at any depth. */
function k8sContainers(spec: unknown): Props[] {
  const found: Props[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (["containers", "initContainers", "ephemeralContainers"].includes(key))
          found.push(...list(child));
        else walk(child);
      }
    }
  };
  walk(spec);
  return found;
}

// ---------------------------------------------------------------------------------------------
// 1. Encryption at rest

const needsKey = (what: string, props: Props, report: ReportViolation, fix: string) => {
  if (!props.kmsKeyId) report(`${what} has no KMS key: set \`kmsKeyId\` (${fix}).`);
};

export const encryptionAtRest: ResourceValidationPolicy = {
  name: "encryption-at-rest",
  description:
    "Databases, file systems, volumes, bucket encryption rules, secrets and log groups are encrypted at rest.",
  enforcementLevel: "mandatory",
  validateResource: on([
    [
      /^aws:rds\/(instance:Instance|cluster:Cluster)$/,
      (p, _a, report) => {
        if (!isTrue(p.storageEncrypted))
          report(
            "RDS storage is not encrypted: set `storageEncrypted: true` and `kmsKeyId` to a customer-managed key (encryption cannot be added to an existing instance: restore an encrypted snapshot copy).",
          );
      },
    ],
    [
      "aws:efs/fileSystem:FileSystem",
      (p, _a, report) => {
        if (!isTrue(p.encrypted))
          report(
            "EFS file system is not encrypted: set `encrypted: true` and `kmsKeyId` (a new file system; copy the data across with AWS DataSync or AWS Backup).",
          );
      },
    ],
    [
      "aws:ebs/volume:Volume",
      (p, _a, report) => {
        if (!isTrue(p.encrypted))
          report("EBS volume is not encrypted: set `encrypted: true` and `kmsKeyId`.");
      },
    ],
    [
      "aws:ec2/instance:Instance",
      (p, _a, report) => {
        const devices = [p.rootBlockDevice, ...list(p.ebsBlockDevices)].filter(Boolean);
        if (!p.rootBlockDevice || devices.some((d) => !isTrue(d.encrypted)))
          report(
            "EC2 instance disk is not encrypted: set `rootBlockDevice.encrypted: true` (and `encrypted: true` on every `ebsBlockDevices` entry) with `kmsKeyId`.",
          );
      },
    ],
    [
      "aws:ec2/launchTemplate:LaunchTemplate",
      (p, _a, report) => {
        if (list(p.blockDeviceMappings).some((m) => m.ebs && !isTrue(m.ebs.encrypted)))
          report(
            'Launch template disk is not encrypted: set `blockDeviceMappings[].ebs.encrypted: "true"` with `kmsKeyId`.',
          );
      },
    ],
    [
      /^aws:s3\/bucketServerSideEncryptionConfiguration(V2)?:BucketServerSideEncryptionConfiguration(V2)?$/,
      (p, _a, report) => {
        const rules = list(p.rules);
        if (
          rules.length === 0 ||
          rules.some((r) => !r.applyServerSideEncryptionByDefault?.sseAlgorithm)
        )
          report(
            'S3 encryption configuration has a rule without a default algorithm: set `rules[].applyServerSideEncryptionByDefault.sseAlgorithm` to "aws:kms" (with `kmsMasterKeyId`) or "AES256".',
          );
      },
    ],
    [
      "aws:secretsmanager/secret:Secret",
      (p, _a, report) =>
        needsKey(
          "Secrets Manager secret",
          p,
          report,
          "a customer-managed key, so that reading it takes kms:Decrypt on that key too",
        ),
    ],
    [
      "aws:cloudwatch/logGroup:LogGroup",
      (p, _a, report) =>
        needsKey(
          "CloudWatch log group",
          p,
          report,
          "a customer-managed key whose policy lets logs.<region>.amazonaws.com use it",
        ),
    ],
  ]),
};

const BUCKET = /^aws:s3\/bucket(V2)?:Bucket(V2)?$/;

/**
 * A value, or undefined while a preview does not know it: the engine's proxy throws its
 * UnknownValueError on reading one, which would turn the whole stack's check into "can't run".
 * (Matched by name: importing `@pulumi/policy`'s runtime would load its server.)
 */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof Error && e.constructor.name === "UnknownValueError") return undefined;
    throw e;
  }
}
const BUCKET_SSE =
  /^aws:s3\/bucketServerSideEncryptionConfiguration(V2)?:BucketServerSideEncryptionConfiguration(V2)?$/;

/**
 * A bucket's encryption is a resource of its own: only the whole stack shows whether every
 * bucket has one. An encryption configuration belongs to the bucket its `bucket` input depends
 * on (known in a preview, when the bucket's name is not yet) or names.
 */
export const bucketEncryption: StackValidationPolicy = {
  name: "s3-bucket-encryption",
  description: "Every S3 bucket has a server-side encryption configuration.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const configs = args.resources.filter((r) => BUCKET_SSE.test(r.type));
    const covers = (config: PolicyResource, bucket: PolicyResource) =>
      (config.propertyDependencies?.bucket ?? config.dependencies ?? []).some(
        (d) => d.urn === bucket.urn,
      ) ||
      (typeof known(() => config.props.bucket) === "string" &&
        known(() => config.props.bucket) === known(() => bucket.props.bucket));
    for (const bucket of args.resources.filter((r) => BUCKET.test(r.type))) {
      if (known(() => bucket.props.serverSideEncryptionConfiguration)) continue;
      if (!configs.some((c) => covers(c, bucket)))
        report(
          `S3 bucket ${bucket.name} has no server-side encryption configuration: add an aws.s3.BucketServerSideEncryptionConfiguration with \`bucket: ${bucket.name}.id\` and a rule applying "aws:kms" with your key (or "AES256" for a bucket that receives load balancer access logs).`,
          bucket.urn,
        );
    }
  },
};

// ---------------------------------------------------------------------------------------------
// 2. No public database

const isPostgresContainer = (p: Props) =>
  /postgres/i.test(String(p.name ?? "")) ||
  list(p.envs).some((e) => /^(POSTGRES_[A-Z_]+|PGDATA)=/.test(String(e))) ||
  list(p.ports).some((port) => port.internal === 5432);

const selectsPostgres = (spec: Props) =>
  Object.values(spec.selector ?? {}).some((v) => /postgres|cnpg/i.test(String(v))) ||
  list(spec.ports).some(
    (port) => port.port === 5432 || port.targetPort === 5432 || port.targetPort === "postgres",
  );

export const noPublicDatabase: ResourceValidationPolicy = {
  name: "no-public-database",
  description:
    "No database is reachable from outside its network: RDS not publicly accessible, no published PostgreSQL port, no external Kubernetes Service to PostgreSQL.",
  enforcementLevel: "mandatory",
  validateResource: on([
    [
      /^aws:rds\/(instance:Instance|clusterInstance:ClusterInstance)$/,
      (p, _a, report) => {
        if (isTrue(p.publiclyAccessible))
          report(
            "RDS instance is publicly accessible: set `publiclyAccessible: false`, keep it in private subnets and reach it through its security group from the application only.",
          );
      },
    ],
    [
      DOCKER_CONTAINER,
      (p, _a, report) => {
        if (isPostgresContainer(p) && list(p.ports).length > 0)
          report(
            "PostgreSQL container publishes ports on the host: remove `ports` and reach it over a Docker network shared with the application only (an internal network for the database).",
          );
      },
    ],
    [
      K8S_SERVICE,
      (p, _a, report) => {
        const spec = p.spec ?? {};
        if ((spec.type === "LoadBalancer" || spec.type === "NodePort") && selectsPostgres(spec))
          report(
            `Service of type ${spec.type} exposes PostgreSQL outside the cluster: use \`type: ClusterIP\` and a NetworkPolicy that admits the application's pods only.`,
          );
      },
    ],
  ]),
};

// ---------------------------------------------------------------------------------------------
// 3. No plaintext secret in the environment

/**
 * A name that says it holds a credential. Names ending in _FILE, _PATH or _DIR point to a file
 * holding it, which is the safe way (Docker secrets, mounted Kubernetes Secrets).
 */
export function looksSecret(name: string): boolean {
  if (/_(FILE|PATH|DIR)$/i.test(name)) return false;
  return /PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|(^|_)PASS$|(^|_)(API|ACCESS|PRIVATE)?_?KEY$/i.test(
    name,
  );
}

export const noPlaintextSecretEnv: ResourceValidationPolicy = {
  name: "no-plaintext-secret-env",
  description:
    "No password, secret, key or token in a plain environment variable: Secrets Manager (ECS `secrets`), Kubernetes `valueFrom`, or a file.",
  enforcementLevel: "mandatory",
  validateResource: on([
    [
      ECS_TASK,
      (p, _a, report) => {
        const defs =
          typeof p.containerDefinitions === "string"
            ? JSON.parse(p.containerDefinitions)
            : p.containerDefinitions;
        for (const def of list(defs))
          for (const env of list(def.environment))
            if (looksSecret(String(env.name)))
              report(
                `Container ${def.name} has ${env.name} in \`environment\`, readable by anyone who can describe the task definition: move it to \`secrets\` ({ name: "${env.name}", valueFrom: <Secrets Manager secret ARN> }) and let the execution role read that secret.`,
              );
      },
    ],
    [
      K8S_WORKLOAD,
      (p, _a, report) => {
        for (const container of k8sContainers(p.spec))
          for (const env of list(container.env))
            if (looksSecret(String(env.name)) && env.value !== undefined)
              report(
                `Container ${container.name} sets ${env.name} as a plain \`value\`: store it in a Secret and use \`valueFrom: { secretKeyRef: { name, key } }\` (or mount the Secret as a file).`,
              );
      },
    ],
    [
      DOCKER_CONTAINER,
      (p, _a, report) => {
        for (const env of list(p.envs)) {
          const name = String(env).split("=")[0];
          if (looksSecret(name))
            report(
              `Container ${p.name ?? ""} sets ${name} in \`envs\`, visible in \`docker inspect\`: upload the value as a file readable by the container's user only and pass its path (e.g. ${name}_FILE=/run/secrets/...).`,
            );
        }
      },
    ],
  ]),
};

// ---------------------------------------------------------------------------------------------
// 4. DICOM restricted

/** DICOM's registered ports (104, 11112) and Orthanc's default (4242); configurable. */
export const DEFAULT_DICOM_PORTS = [104, 4242, 11112];
const dicomPorts = (args: ResourceValidationArgs) =>
  args.getConfig<{ dicomPorts?: number[] }>().dicomPorts ?? DEFAULT_DICOM_PORTS;

const ANYWHERE = ["0.0.0.0/0", "::/0"];
const ALL_ADDRESSES = [undefined, null, "", "0.0.0.0", "::", "[::]"];

/** A port range (`-1`/all protocols: every port) that includes one of `ports`. */
const coversPort = (from: unknown, to: unknown, protocol: unknown, ports: number[]) =>
  String(protocol) === "-1" ||
  String(protocol).toLowerCase() === "all" ||
  ports.some((port) => Number(from) <= port && port <= Number(to));

const dicomFix =
  "list the modalities' networks instead (`orthanc.dicom.allowedCidrs` in this program)";

/** HAProxy's `tcp-request content reject unless { src ... }`: the gate's allow-list, if any. */
function gateAllowList(p: Props): string[] | undefined {
  for (const upload of list(p.uploads)) {
    const match =
      /tcp-request\s+(?:content|connection)\s+reject\s+unless\s+\{\s*src\s+([^}]*)\}/.exec(
        String(upload.content ?? ""),
      );
    if (match) return match[1].trim().split(/\s+/);
  }
  return undefined;
}

export const dicomRestricted: ResourceValidationPolicy = {
  name: "dicom-restricted",
  description:
    "The DICOM port is never open to the whole internet: security groups, LoadBalancer source ranges and published Docker ports admit listed networks only.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      dicomPorts: {
        type: "array",
        items: { type: "integer" },
        default: DEFAULT_DICOM_PORTS,
        description: "The ports that carry DICOM (Orthanc's `orthanc.dicom.port`).",
      },
    },
  },
  validateResource: on([
    [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      (p, args, report) => {
        const cidr = p.cidrIpv4 ?? p.cidrIpv6;
        if (
          ANYWHERE.includes(cidr) &&
          coversPort(p.fromPort, p.toPort, p.ipProtocol, dicomPorts(args))
        )
          report(`Security group rule opens DICOM to ${cidr}: ${dicomFix}, one rule per network.`);
      },
    ],
    [
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      (p, args, report) => {
        const cidrs = [...list(p.cidrBlocks), ...list(p.ipv6CidrBlocks)];
        if (
          p.type === "ingress" &&
          cidrs.some((c) => ANYWHERE.includes(c)) &&
          coversPort(p.fromPort, p.toPort, p.protocol, dicomPorts(args))
        )
          report(`Security group rule opens DICOM to the internet: ${dicomFix}.`);
      },
    ],
    [
      "aws:ec2/securityGroup:SecurityGroup",
      (p, args, report) => {
        for (const rule of list(p.ingress)) {
          const cidrs = [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)];
          if (
            cidrs.some((c) => ANYWHERE.includes(c)) &&
            coversPort(rule.fromPort, rule.toPort, rule.protocol, dicomPorts(args))
          )
            report(`Security group's ingress opens DICOM to the internet: ${dicomFix}.`);
        }
      },
    ],
    [
      K8S_SERVICE,
      (p, args, report) => {
        const spec = p.spec ?? {};
        const ports = dicomPorts(args);
        const dicom = list(spec.ports).some(
          (port) =>
            ports.includes(port.port) ||
            ports.includes(port.targetPort) ||
            port.targetPort === "dicom" ||
            port.name === "dicom",
        );
        if (!dicom) return;
        if (spec.type === "NodePort")
          report(
            `Service of type NodePort publishes DICOM on every node, with no source restriction: use \`type: LoadBalancer\` with \`loadBalancerSourceRanges\` (${dicomFix}).`,
          );
        if (spec.type === "LoadBalancer") {
          const ranges = list(spec.loadBalancerSourceRanges);
          if (ranges.length === 0 || ranges.some((r) => ANYWHERE.includes(r)))
            report(
              `LoadBalancer Service publishes DICOM to the internet: set \`loadBalancerSourceRanges\` to the modalities' networks (${dicomFix}) and \`externalTrafficPolicy: Local\` so the pods see the client's address.`,
            );
        }
      },
    ],
    [
      DOCKER_CONTAINER,
      (p, args, report) => {
        const ports = dicomPorts(args);
        const open = list(p.ports).filter(
          (port) =>
            (ports.includes(port.internal) || ports.includes(port.external)) &&
            ALL_ADDRESSES.includes(port.ip),
        );
        if (open.length === 0) return;
        const allowed = gateAllowList(p);
        if (!allowed)
          report(
            `Container ${p.name ?? ""} publishes DICOM on every host address with no allow-list: bind it to one address (\`ports[].ip\`, e.g. 127.0.0.1) or put it behind a gate that admits listed networks only (${dicomFix}).`,
          );
        else if (allowed.some((cidr) => ANYWHERE.includes(cidr)))
          report(
            `DICOM gate admits ${allowed.join(" ")}, which includes the whole internet: ${dicomFix}.`,
          );
      },
    ],
  ]),
};

// ---------------------------------------------------------------------------------------------
// 5. Protected data resources

const DATA_TYPES: [RegExp | string, string][] = [
  [/^aws:rds\/(instance:Instance|cluster:Cluster)$/, "RDS database"],
  ["aws:efs/fileSystem:FileSystem", "EFS file system"],
  [BUCKET, "S3 bucket"],
  ["aws:kms/key:Key", "KMS key"],
  ["aws:ebs/volume:Volume", "EBS volume"],
  ["docker:index/volume:Volume", "Docker volume"],
  ["kubernetes:core/v1:PersistentVolumeClaim", "PersistentVolumeClaim"],
  ["kubernetes:postgresql.cnpg.io/v1:Cluster", "CloudNativePG cluster"],
];

const needsProtect =
  (what: string): Check =>
  (_p, args, report) => {
    if (!args.opts.protect)
      report(
        `${what} ${args.name} is not protected: register it with \`{ protect: true }\` (and \`retainOnDelete: true\`) so that no update or destroy can delete its data; for a throwaway stack, set this policy's enforcement level to advisory.`,
      );
  };

export const protectedData: ResourceValidationPolicy = {
  name: "protected-data",
  description:
    "Databases, file systems, buckets, keys, volumes and volume claims are registered with `protect`.",
  enforcementLevel: "mandatory",
  validateResource: on([
    ...DATA_TYPES.map(([type, what]): [RegExp | string, Check] => [type, needsProtect(what)]),
    [
      "kubernetes:apps/v1:StatefulSet",
      (p, args, report) => {
        if (list(p.spec?.volumeClaimTemplates).length > 0)
          needsProtect("StatefulSet with volume claims")(p, args, report);
      },
    ],
  ]),
};

// ---------------------------------------------------------------------------------------------
// 6. TLS on public endpoints

/** ELB security policies that refuse TLS 1.0 and 1.1. */
const MODERN_TLS = /TLS13|TLS-1-2|TLS-1-3|FS-1-2/;
const redirectsToHttps = (actions: unknown) => {
  const all = list(actions);
  return (
    all.length > 0 &&
    all.every(
      (a) => a.type === "redirect" && String(a.redirect?.protocol).toUpperCase() === "HTTPS",
    )
  );
};

export const tlsOnPublicEndpoints: ResourceValidationPolicy = {
  name: "tls-on-public-endpoints",
  description:
    "Load balancer listeners, Ingresses and Gateways serve TLS 1.2 or later; plain HTTP only redirects to HTTPS.",
  enforcementLevel: "mandatory",
  validateResource: on([
    [
      LISTENER,
      (p, _a, report) => {
        const protocol = String(p.protocol ?? "").toUpperCase();
        if (protocol === "HTTP" && !redirectsToHttps(p.defaultActions))
          report(
            `Listener on port ${p.port} serves plain HTTP: make its only default action a redirect ({ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }) and serve on 443 with protocol HTTPS.`,
          );
        if (
          (protocol === "HTTPS" || protocol === "TLS") &&
          !MODERN_TLS.test(String(p.sslPolicy ?? ""))
        )
          report(
            `Listener on port ${p.port} allows TLS older than 1.2 (sslPolicy ${p.sslPolicy ?? "default"}): set \`sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"\`.`,
          );
        if (protocol === "HTTPS" && !p.certificateArn)
          report(
            `HTTPS listener on port ${p.port} has no certificate: set \`certificateArn\` (an ACM certificate).`,
          );
        if (protocol === "TCP" && p.certificateArn)
          report(
            `Listener on port ${p.port} has a certificate but forwards plain TCP: set \`protocol: "TLS"\` and \`sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"\`.`,
          );
        if (Number(p.port) === 443 && protocol !== "HTTPS" && protocol !== "TLS")
          report(
            `Listener on port 443 uses ${protocol || "no protocol"}: set \`protocol: "HTTPS"\` with a certificate.`,
          );
      },
    ],
    [
      "kubernetes:networking.k8s.io/v1:Ingress",
      (p, _a, report) => {
        const spec = p.spec ?? {};
        const tlsHosts = new Set(list(spec.tls).flatMap((t) => list(t.hosts)));
        const plain = list(spec.rules).filter((r) => !tlsHosts.has(r.host));
        if (list(spec.tls).length === 0 || plain.length > 0)
          report(
            `Ingress serves ${plain.map((r) => r.host ?? "*").join(", ") || "its rules"} without TLS: add \`spec.tls: [{ hosts: [<each rule's host>], secretName: <certificate Secret> }]\` (cert-manager can issue it).`,
          );
      },
    ],
    [
      /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:Gateway$/,
      (p, _a, report) => {
        for (const listener of list(p.spec?.listeners)) {
          const protocol = String(listener.protocol ?? "").toUpperCase();
          if (
            Number(listener.port) === 443 &&
            (protocol !== "HTTPS" || list(listener.tls?.certificateRefs).length === 0)
          )
            report(
              `Gateway listener ${listener.name} on port 443 is not HTTPS with a certificate: set \`protocol: HTTPS\` and \`tls: { mode: Terminate, certificateRefs: [{ name: <certificate Secret> }] }\`.`,
            );
          else if (protocol === "HTTP" && Number(listener.port) !== 80)
            report(
              `Gateway listener ${listener.name} serves plain HTTP on port ${listener.port}: serve HTTPS on 443, and keep plain HTTP on port 80 for redirects only.`,
            );
        }
      },
    ],
  ]),
};

// ---------------------------------------------------------------------------------------------
// 7. Least-privilege IAM

/** Actions that only read: allowed on `*` (some, like ecr:GetAuthorizationToken, require it). */
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe|Head|View|BatchGet)[A-Za-z]*$/;
const ADMIN_POLICIES = /:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

/** Findings in one policy document (a JSON string or an object). */
export function broadStatements(document: unknown): string[] {
  const doc = typeof document === "string" ? JSON.parse(document) : document;
  const findings: string[] = [];
  const statements = Array.isArray(doc?.Statement)
    ? doc.Statement
    : doc?.Statement
      ? [doc.Statement]
      : [];
  for (const s of statements) {
    if (s.Effect !== "Allow") continue;
    const actions = ([] as unknown[]).concat(s.Action ?? []).map(String);
    const resources = ([] as unknown[]).concat(s.Resource ?? []).map(String);
    const label = s.Sid ? `statement ${s.Sid}` : "a statement";
    if (s.NotAction !== undefined) findings.push(`${label} allows everything but NotAction`);
    if (actions.some((a) => a === "*" || a === "*:*"))
      findings.push(`${label} allows "Action": "*"`);
    else if (resources.includes("*") && actions.some((a) => !READ_ONLY.test(a)))
      findings.push(
        `${label} allows ${actions.filter((a) => !READ_ONLY.test(a)).join(", ")} on "Resource": "*"`,
      );
  }
  return findings;
}

const iamScope =
  "the exact actions and the ARNs they apply to (a bucket prefix, a secret, a key), with conditions where the service supports them";

const checkDocument =
  (field: string): Check =>
  (p, args, report) => {
    for (const finding of broadStatements(p[field]))
      report(`${args.name}: ${finding}: name ${iamScope}.`);
  };

const checkAttachment: Check = (p, _a, report) => {
  if (ADMIN_POLICIES.test(String(p.policyArn ?? "")))
    report(`Attaches ${p.policyArn}: detach it and grant a policy that names ${iamScope}.`);
};

export const leastPrivilegeIam: ResourceValidationPolicy = {
  name: "least-privilege-iam",
  description:
    'IAM policies name their actions and resources: no "Action": "*", no write action on "Resource": "*", no AdministratorAccess.',
  enforcementLevel: "mandatory",
  validateResource: on([
    [
      /^aws:iam\/(rolePolicy:RolePolicy|policy:Policy|userPolicy:UserPolicy|groupPolicy:GroupPolicy)$/,
      checkDocument("policy"),
    ],
    [
      /^aws:iam\/(rolePolicyAttachment:RolePolicyAttachment|policyAttachment:PolicyAttachment|userPolicyAttachment:UserPolicyAttachment|groupPolicyAttachment:GroupPolicyAttachment)$/,
      checkAttachment,
    ],
    [
      "aws:iam/role:Role",
      (p, args, report) => {
        for (const inline of list(p.inlinePolicies))
          if (inline.policy) checkDocument("policy")(inline, args, report);
        for (const arn of list(p.managedPolicyArns))
          checkAttachment({ policyArn: arn }, args, report);
      },
    ],
  ]),
};

/** The pack's policies, in the order of the README's list. */
export const policies: Policies = [
  encryptionAtRest,
  bucketEncryption,
  noPublicDatabase,
  noPlaintextSecretEnv,
  dicomRestricted,
  protectedData,
  tlsOnPublicEndpoints,
  leastPrivilegeIam,
];
