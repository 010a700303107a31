/**
 * The policy pack, offline: every shipped stack's resources pass every policy, and for each
 * policy a deliberately bad resource fails with a message that says how to fix it.
 */
import { readdirSync } from "fs";
import { join } from "path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  bucketEncryption,
  dicomRestricted,
  encryptionAtRest,
  leastPrivilegeIam,
  looksSecret,
  noPlaintextSecretEnv,
  noPublicDatabase,
  policies,
  protectedData,
  tlsOnPublicEndpoints,
} from "../../policy/policies";
import { planStack } from "../helpers/plan";
import { isStackPolicy, planResources, Resource, validate, validateStack } from "./engine";

const shipped = readdirSync(join(__dirname, "../../stacks")).map((f) =>
  f.replace(/^Pulumi\.(.*)\.yaml$/, "$1"),
);

describe("the pack", () => {
  it("has the project's rules, each mandatory", () => {
    expect(policies.map((p) => [p.name, p.enforcementLevel])).toEqual([
      ["encryption-at-rest", "mandatory"],
      ["s3-bucket-encryption", "mandatory"],
      ["no-public-database", "mandatory"],
      ["no-plaintext-secret-env", "mandatory"],
      ["dicom-restricted", "mandatory"],
      ["protected-data", "mandatory"],
      ["tls-on-public-endpoints", "mandatory"],
      ["least-privilege-iam", "mandatory"],
    ]);
  });
});

describe.each(shipped)("shipped stack %s", (stack) => {
  it("passes every policy", async () => {
    const resources = planResources(await planStack(stack));
    const violations: string[] = [];
    for (const policy of policies) {
      if (isStackPolicy(policy)) {
        for (const [urn, message] of await validateStack(policy, resources))
          violations.push(`${policy.name} ${urn}: ${message}`);
      } else {
        for (const r of resources)
          for (const message of await validate(policy, r))
            violations.push(`${policy.name} ${r.type}::${r.name}: ${message}`);
      }
    }
    expect(resources.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  });
});

/** A bad resource and the one violation it must raise (the fix the message must give). */
type Case = [what: string, resource: Resource, fix: RegExp, config?: object];

// Every row gets its config: jest takes a test function with more parameters than the row has
// values for one that waits for `done`.
const run = (policy: ResourceValidationPolicy, cases: Case[]) =>
  it.each(cases.map(([what, r, fix, config]) => [what, r, fix, config ?? {}] as const))(
    "%s",
    async (_what, resource, fix, config) => {
      expect(await validate(policy, resource, config)).toEqual([expect.stringMatching(fix)]);
    },
  );

const ok = (policy: ResourceValidationPolicy, cases: [string, Resource, object?][]) =>
  it.each(cases.map(([what, r, config]) => [what, r, config ?? {}] as const))(
    "passes %s",
    async (_what, resource, config) => {
      expect(await validate(policy, resource, config)).toEqual([]);
    },
  );

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
/** The engine's sentinel for a string a preview does not know yet (@pulumi/policy's proxy.js). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("encryption-at-rest", () => {
  run(encryptionAtRest, [
    [
      "an unencrypted RDS instance",
      { type: "aws:rds/instance:Instance", name: "db", props: { engine: "postgres" } },
      /^RDS storage is not encrypted: set `storageEncrypted: true` and `kmsKeyId`/,
    ],
    [
      "an unencrypted EFS file system",
      { type: "aws:efs/fileSystem:FileSystem", name: "fs", props: { encrypted: false } },
      /^EFS file system is not encrypted: set `encrypted: true` and `kmsKeyId`/,
    ],
    [
      "an unencrypted EBS volume",
      { type: "aws:ebs/volume:Volume", name: "v", props: { size: 10 } },
      /^EBS volume is not encrypted: set `encrypted: true` and `kmsKeyId`\.$/,
    ],
    [
      "an instance with an unencrypted extra disk",
      {
        type: "aws:ec2/instance:Instance",
        name: "vm",
        props: {
          rootBlockDevice: { encrypted: true, kmsKeyId: KEY },
          ebsBlockDevices: [{ deviceName: "/dev/sdf" }],
        },
      },
      /set `rootBlockDevice.encrypted: true` \(and `encrypted: true` on every `ebsBlockDevices` entry\)/,
    ],
    [
      "a launch template with an unencrypted disk",
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "lt",
        props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] },
      },
      /set `blockDeviceMappings\[\]\.ebs\.encrypted: "true"`/,
    ],
    [
      "a bucket encryption rule without an algorithm",
      {
        type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        name: "sse",
        props: { bucket: "b", rules: [{ bucketKeyEnabled: true }] },
      },
      /set `rules\[\]\.applyServerSideEncryptionByDefault\.sseAlgorithm` to "aws:kms"/,
    ],
    [
      "a secret under AWS's default key",
      { type: "aws:secretsmanager/secret:Secret", name: "s", props: { description: "x" } },
      /^Secrets Manager secret has no KMS key: set `kmsKeyId` \(a customer-managed key/,
    ],
    [
      "a log group without a key",
      { type: "aws:cloudwatch/logGroup:LogGroup", name: "l", props: { retentionInDays: 30 } },
      /^CloudWatch log group has no KMS key: set `kmsKeyId`/,
    ],
  ]);
  ok(encryptionAtRest, [
    [
      "an encrypted launch template (booleans as strings)",
      {
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "lt",
        props: { blockDeviceMappings: [{ ebs: { encrypted: "true", kmsKeyId: KEY } }] },
      },
    ],
  ]);
});

describe("s3-bucket-encryption", () => {
  const bucket: Resource = { type: "aws:s3/bucket:Bucket", name: "dicom", props: {} };
  const sse = (dependencies: string[]): Resource => ({
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name: "dicom-encryption",
    props: {
      bucket: "other-id",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
    dependencies,
  });
  it("fails a bucket without an encryption configuration", async () => {
    expect(await validateStack(bucketEncryption, [bucket, sse([])])).toEqual([
      [
        "urn:pulumi:test::orthanc::aws:s3/bucket:Bucket::dicom",
        expect.stringMatching(
          /^S3 bucket dicom has no server-side encryption configuration: add an aws\.s3\.BucketServerSideEncryptionConfiguration with `bucket: dicom\.id`/,
        ),
      ],
    ]);
  });
  it("reads a preview's unknown bucket names as unknown, not as a failure", async () => {
    const urn = "urn:pulumi:test::orthanc::aws:s3/bucket:Bucket::dicom";
    const unknownBucket = { ...bucket, props: { serverSideEncryptionConfiguration: UNKNOWN } };
    const unknownConfig = { ...sse([urn]), props: { bucket: UNKNOWN, rules: [] } };
    expect(await validateStack(bucketEncryption, [unknownBucket, unknownConfig])).toEqual([]);
    expect(
      await validateStack(bucketEncryption, [
        unknownBucket,
        { ...unknownConfig, dependencies: [] },
      ]),
    ).toEqual([
      [urn, expect.stringMatching(/^S3 bucket dicom has no server-side encryption configuration/)],
    ]);
  });
  it("passes a bucket whose configuration depends on it", async () => {
    const urn = "urn:pulumi:test::orthanc::aws:s3/bucket:Bucket::dicom";
    expect(await validateStack(bucketEncryption, [bucket, sse([urn])])).toEqual([]);
  });
});

describe("no-public-database", () => {
  run(noPublicDatabase, [
    [
      "a publicly accessible RDS instance",
      {
        type: "aws:rds/instance:Instance",
        name: "db",
        props: { storageEncrypted: true, publiclyAccessible: true },
      },
      /^RDS instance is publicly accessible: set `publiclyAccessible: false`/,
    ],
    [
      "a PostgreSQL container publishing 5432",
      {
        type: "docker:index/container:Container",
        name: "db",
        props: {
          name: "db",
          image: "postgres:16",
          envs: ["POSTGRES_DB=orthanc"],
          ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }],
        },
      },
      /^PostgreSQL container publishes ports on the host: remove `ports`/,
    ],
    [
      "a LoadBalancer Service to PostgreSQL",
      {
        type: "kubernetes:core/v1:Service",
        name: "pg",
        props: {
          spec: {
            type: "LoadBalancer",
            selector: { app: "db" },
            ports: [{ port: 5432, targetPort: 5432 }],
          },
        },
      },
      /^Service of type LoadBalancer exposes PostgreSQL outside the cluster: use `type: ClusterIP`/,
    ],
  ]);
});

describe("no-plaintext-secret-env", () => {
  run(noPlaintextSecretEnv, [
    [
      "a password in an ECS container's environment",
      {
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "app",
        props: {
          containerDefinitions: JSON.stringify([
            { name: "db-role", environment: [{ name: "PGPASSWORD", value: "hunter2" }] },
          ]),
        },
      },
      /^Container db-role has PGPASSWORD in `environment`.*: move it to `secrets` \(\{ name: "PGPASSWORD", valueFrom: <Secrets Manager secret ARN> \}\)/,
    ],
    [
      "a token as a plain value in a Kubernetes container",
      {
        type: "kubernetes:apps/v1:Deployment",
        name: "app",
        props: {
          spec: {
            template: {
              spec: {
                initContainers: [{ name: "init", env: [{ name: "API_TOKEN", value: "t" }] }],
              },
            },
          },
        },
      },
      /^Container init sets API_TOKEN as a plain `value`: .*`valueFrom: \{ secretKeyRef: \{ name, key \} \}`/,
    ],
    [
      "a password in a Docker container's envs",
      {
        type: "docker:index/container:Container",
        name: "db",
        props: { name: "orthanc-db", envs: ["POSTGRES_USER=orthanc", "POSTGRES_PASSWORD=x"] },
      },
      /^Container orthanc-db sets POSTGRES_PASSWORD in `envs`.*pass its path \(e\.g\. POSTGRES_PASSWORD_FILE=/,
    ],
  ]);
  ok(noPlaintextSecretEnv, [
    [
      "a Kubernetes secret from valueFrom",
      {
        type: "kubernetes:apps/v1:StatefulSet",
        name: "db",
        props: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "pg",
                    env: [
                      {
                        name: "POSTGRES_PASSWORD",
                        valueFrom: { secretKeyRef: { name: "s", key: "k" } },
                      },
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    ],
  ]);
  it("reads names the way the rule means them", () => {
    expect(
      [
        "PGPASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "API_KEY",
        "KEY",
        "GITHUB_TOKEN",
        "DB_PASS",
        "CREDENTIALS",
      ].filter((n) => !looksSecret(n)),
    ).toEqual([]);
    expect(
      [
        "POSTGRES_PASSWORD_FILE",
        "PGPASSFILE",
        "TLS_DIR",
        "KEYCLOAK_URL",
        "PGUSER",
        "TCP_NODELAY",
      ].filter(looksSecret),
    ).toEqual([]);
  });
});

describe("dicom-restricted", () => {
  run(dicomRestricted, [
    [
      "a security group rule opening 4242 to 0.0.0.0/0",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "dicom",
        props: { cidrIpv4: "0.0.0.0/0", fromPort: 4242, toPort: 4242, ipProtocol: "tcp" },
      },
      /^Security group rule opens DICOM to 0\.0\.0\.0\/0: list the modalities' networks instead \(`orthanc\.dicom\.allowedCidrs`/,
    ],
    [
      "a security group opening every port to ::/0",
      {
        type: "aws:ec2/securityGroup:SecurityGroup",
        name: "sg",
        props: { ingress: [{ ipv6CidrBlocks: ["::/0"], fromPort: 0, toPort: 0, protocol: "-1" }] },
      },
      /^Security group's ingress opens DICOM to the internet: list the modalities' networks/,
    ],
    [
      "a rule on a configured DICOM port",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "dicom",
        props: { cidrIpv4: "0.0.0.0/0", fromPort: 11000, toPort: 12000, ipProtocol: "tcp" },
      },
      /^Security group rule opens DICOM/,
      { dicomPorts: [11113] },
    ],
    [
      "a DICOM LoadBalancer Service without source ranges",
      {
        type: "kubernetes:core/v1:Service",
        name: "dicom",
        props: {
          spec: {
            type: "LoadBalancer",
            ports: [{ name: "dicom", port: 4242, targetPort: "dicom" }],
          },
        },
      },
      /^LoadBalancer Service publishes DICOM to the internet: set `loadBalancerSourceRanges` to the modalities' networks/,
    ],
    [
      "a DICOM NodePort Service",
      {
        type: "kubernetes:core/v1:Service",
        name: "dicom",
        props: { spec: { type: "NodePort", ports: [{ port: 104, targetPort: 4242 }] } },
      },
      /^Service of type NodePort publishes DICOM on every node.*use `type: LoadBalancer` with `loadBalancerSourceRanges`/,
    ],
    [
      "Orthanc publishing DICOM on every host address",
      {
        type: "docker:index/container:Container",
        name: "orthanc",
        props: { name: "orthanc", ports: [{ internal: 4242, external: 4242, ip: "0.0.0.0" }] },
      },
      /^Container orthanc publishes DICOM on every host address with no allow-list: bind it to one address \(`ports\[\]\.ip`/,
    ],
    [
      "a DICOM gate that admits everyone",
      {
        type: "docker:index/container:Container",
        name: "gate",
        props: {
          name: "gate",
          ports: [{ internal: 11112, external: 4242, ip: "0.0.0.0" }],
          uploads: [
            {
              file: "/usr/local/etc/haproxy/haproxy.cfg",
              content:
                "frontend dicom\n\tbind :11112\n\ttcp-request content reject unless { src 10.0.0.0/8 0.0.0.0/0 }\n",
            },
          ],
        },
      },
      /^DICOM gate admits 10\.0\.0\.0\/8 0\.0\.0\.0\/0, which includes the whole internet: list the modalities' networks/,
    ],
  ]);
  ok(dicomRestricted, [
    [
      "a rule outside the configured DICOM ports",
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "dicom",
        props: { cidrIpv4: "0.0.0.0/0", fromPort: 4242, toPort: 4242, ipProtocol: "tcp" },
      },
      { dicomPorts: [11113] },
    ],
  ]);
});

describe("protected-data", () => {
  run(protectedData, [
    [
      "an unprotected RDS instance",
      { type: "aws:rds/instance:Instance", name: "db", props: {}, protect: false },
      /^RDS database db is not protected: register it with `\{ protect: true \}`/,
    ],
    [
      "an unprotected PVC",
      { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "data", props: {} },
      /^PersistentVolumeClaim data is not protected/,
    ],
    [
      "an unprotected StatefulSet with volume claims",
      {
        type: "kubernetes:apps/v1:StatefulSet",
        name: "pg",
        props: { spec: { volumeClaimTemplates: [{ metadata: { name: "data" } }] } },
      },
      /^StatefulSet with volume claims pg is not protected/,
    ],
    [
      "an unprotected Docker volume",
      { type: "docker:index/volume:Volume", name: "dicom", props: { name: "dicom" } },
      /^Docker volume dicom is not protected/,
    ],
  ]);
  ok(protectedData, [
    ["a protected KMS key", { type: "aws:kms/key:Key", name: "k", props: {}, protect: true }],
  ]);
});

describe("tls-on-public-endpoints", () => {
  run(tlsOnPublicEndpoints, [
    [
      "an HTTP listener that forwards",
      {
        type: "aws:lb/listener:Listener",
        name: "http",
        props: {
          port: 80,
          protocol: "HTTP",
          defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
        },
      },
      /^Listener on port 80 serves plain HTTP: make its only default action a redirect/,
    ],
    [
      "an HTTPS listener allowing TLS 1.0",
      {
        type: "aws:lb/listener:Listener",
        name: "https",
        props: {
          port: 443,
          protocol: "HTTPS",
          certificateArn: "c",
          sslPolicy: "ELBSecurityPolicy-2016-08",
        },
      },
      /^Listener on port 443 allows TLS older than 1\.2 \(sslPolicy ELBSecurityPolicy-2016-08\): set `sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"`/,
    ],
    [
      "a DICOM listener with a certificate forwarding TCP",
      {
        type: "aws:lb/listener:Listener",
        name: "dicom",
        props: { port: 4242, protocol: "TCP", certificateArn: "c" },
      },
      /^Listener on port 4242 has a certificate but forwards plain TCP: set `protocol: "TLS"`/,
    ],
    [
      "an Ingress without TLS for one host",
      {
        type: "kubernetes:networking.k8s.io/v1:Ingress",
        name: "web",
        props: {
          spec: {
            rules: [{ host: "pacs.example.org" }, { host: "viewer.example.org" }],
            tls: [{ hosts: ["pacs.example.org"], secretName: "t" }],
          },
        },
      },
      /^Ingress serves viewer\.example\.org without TLS: add `spec\.tls/,
    ],
    [
      "a Gateway serving HTTP on 443",
      {
        type: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        name: "gw",
        props: { spec: { listeners: [{ name: "web", port: 443, protocol: "HTTP" }] } },
      },
      /^Gateway listener web on port 443 is not HTTPS with a certificate: set `protocol: HTTPS`/,
    ],
  ]);
});

describe("least-privilege-iam", () => {
  run(leastPrivilegeIam, [
    [
      'a role policy with "Action": "*"',
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "task",
        props: {
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }],
          }),
        },
      },
      /^task: statement All allows "Action": "\*": name the exact actions and the ARNs they apply to/,
    ],
    [
      'a write action on "Resource": "*"',
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "task",
        props: {
          policy: {
            Statement: [
              { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" },
            ],
          },
        },
      },
      /^task: a statement allows s3:PutObject on "Resource": "\*": name the exact actions/,
    ],
    [
      "an AdministratorAccess attachment",
      {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "admin",
        props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      },
      /^Attaches arn:aws:iam::aws:policy\/AdministratorAccess: detach it and grant a policy that names the exact actions/,
    ],
    [
      "a role with AdministratorAccess in managedPolicyArns",
      {
        type: "aws:iam/role:Role",
        name: "r",
        props: { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
      },
      /^Attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
    ],
  ]);
  ok(leastPrivilegeIam, [
    [
      'read-only actions on "*" and a Deny',
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "task",
        props: {
          policy: JSON.stringify({
            Statement: [
              { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
              { Effect: "Deny", Action: "*", Resource: "*" },
            ],
          }),
        },
      },
    ],
  ]);
});
