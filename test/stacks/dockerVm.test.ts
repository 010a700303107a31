/**
 * The shipped docker-vm stack under mocks (an EC2 VM this stack creates, Route 53, Let's Encrypt):
 * the VM's AWS resources, its security group, encrypted and protected disks, daily snapshots of
 * the data disk, VPC flow logs, cloud-init, the wiring to the engine over SSH, the DICOM gate,
 * IAM, outputs, and data surviving changes.
 */
import { Plan } from "../../infra/plan/runPlan";
import { Container, container, upload } from "../helpers/docker";
import { iamDocumentCount, iamProblems } from "../helpers/iam";
import { ofType, planStack } from "../helpers/plan";

describe("stack docker-vm (EC2 VM + Route 53 + Let's Encrypt)", () => {
  let plan: Plan;
  const one = (type: string) => {
    const found = ofType(plan, type);
    expect(found).toHaveLength(1);
    return found[0] as Container;
  };
  beforeAll(async () => {
    ({ plan } = await planStack("docker-vm"));
  });

  test("creates only the VM's AWS resources, and no Kubernetes ones", () => {
    const awsTypes = plan.resources
      .filter((r) => r.type.startsWith("aws:"))
      .map((r) => r.type)
      .sort();
    expect(awsTypes).toEqual(
      [
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:backup/vault:Vault",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ebs/volume:Volume",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/eip:Eip",
        "aws:ec2/instance:Instance",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/volumeAttachment:VolumeAttachment",
        "aws:ec2/vpc:Vpc",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/role:Role",
        "aws:iam/role:Role",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:kms/alias:Alias",
        "aws:kms/key:Key",
        "aws:route53/record:Record",
      ].sort(),
    );
    expect(plan.resources.some((r) => r.type.startsWith("kubernetes:"))).toBe(false);
  });

  test("the security group lets in only HTTP(S), allowlisted DICOM and admin SSH", () => {
    const sg = one("aws:ec2/securityGroup:SecurityGroup");
    const ingress = (
      sg.inputs.ingress as {
        fromPort: number;
        toPort: number;
        cidrBlocks: string[];
        protocol: string;
      }[]
    ).map(({ fromPort, toPort, cidrBlocks, protocol }) => ({
      fromPort,
      toPort,
      cidrBlocks,
      protocol,
    }));
    expect(ingress).toEqual([
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      {
        protocol: "tcp",
        fromPort: 4242,
        toPort: 4242,
        cidrBlocks: ["10.20.0.0/16", "192.0.2.0/24"],
      },
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/28"] },
    ]);
    expect(one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs).toMatchObject({
      ingress: [],
      egress: [],
    });
  });

  test("disks are encrypted with the stack's rotating KMS key; the data volume and key are protected", () => {
    const key = one("aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(key.protect && key.retainOnDelete).toBe(true);
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/orthanc-docker-vm-key";
    const data = one("aws:ebs/volume:Volume");
    expect(data.inputs).toMatchObject({
      encrypted: true,
      kmsKeyId: keyArn,
      size: 500,
      type: "gp3",
      availabilityZone: "eu-west-1a",
    });
    expect(data.protect && data.retainOnDelete).toBe(true);
    const vm = one("aws:ec2/instance:Instance");
    expect(vm.inputs.rootBlockDevice).toMatchObject({ encrypted: true, kmsKeyId: keyArn });
    expect(vm.inputs.metadataOptions).toEqual({
      httpTokens: "required",
      httpEndpoint: "enabled",
      httpPutResponseHopLimit: 1,
    });
    expect(vm.ignoreChanges).toEqual(["ami"]);
    expect(vm.protect).toBe(false); // the host is cattle; the data volume is not
  });

  test("AWS Backup snapshots the data volume daily into a vault under the stack's key, kept 35 days", () => {
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/orthanc-docker-vm-key";
    expect(one("aws:backup/vault:Vault").inputs).toEqual({ kmsKeyArn: keyArn });
    expect(one("aws:backup/plan:Plan").inputs.rules).toEqual([
      {
        ruleName: "daily",
        targetVaultName: "orthanc-docker-vm-vm-snapshots-vault",
        schedule: "cron(0 3 * * ? *)",
        startWindow: 60,
        completionWindow: 360,
        lifecycle: { deleteAfter: 35 },
      },
    ]);
    expect(one("aws:backup/selection:Selection").inputs).toMatchObject({
      planId: "orthanc-docker-vm-vm-snapshots-plan-id",
      iamRoleArn: "arn:aws:iam:eu-west-1:123456789012:orthanc-docker-vm-vm-snapshots-backup",
      // The data volume, and only it (the root disk holds nothing that is not rebuilt).
      resources: ["arn:aws:ebs:eu-west-1:123456789012:orthanc-docker-vm-vm-data"],
    });
  });

  test("flow logs of all the created VPC's traffic go to a log group under the stack's key, kept a year", () => {
    const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/orthanc-docker-vm-key";
    expect(one("aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({
      retentionInDays: 365,
      kmsKeyId: keyArn,
    });
    expect(one("aws:ec2/flowLog:FlowLog").inputs).toMatchObject({
      vpcId: "orthanc-docker-vm-vm-vpc-id",
      trafficType: "ALL",
      iamRoleArn: "arn:aws:iam:eu-west-1:123456789012:orthanc-docker-vm-vm-flow-logs",
    });
    // CloudWatch Logs may use the key, for this account only.
    expect(JSON.parse(one("aws:kms/key:Key").inputs.policy).Statement[1]).toEqual({
      Sid: "ServicesEncryptForThisAccount",
      Effect: "Allow",
      Principal: { Service: ["logs.eu-west-1.amazonaws.com"] },
      Action: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  test("cloud-init mounts the data volume under Docker, installs Debian's Docker and keeps SSH key-only", () => {
    const userData = one("aws:ec2/instance:Instance").inputs.userData as string;
    expect(userData).toContain(
      "dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0a1b2c3d4e5f60789",
    );
    expect(userData).toContain("mountpoint -q /var/lib/docker || mount /var/lib/docker");
    expect(userData).toContain("[apt-get, install, -y, docker.io, unattended-upgrades, chrony]");
    expect(userData).toContain("PasswordAuthentication no");
    expect(userData).toContain(
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnPublicKeyReplaceWithYour operator@example.org",
    );
  });

  test("wiring: the record points at the Elastic IP; the Docker engine is the VM over SSH, once it is ready", () => {
    expect(one("aws:route53/record:Record").inputs).toEqual({
      zoneId: "Z0123456789EXAMPLE",
      name: "pacs.example.org",
      type: "A",
      ttl: 300,
      records: ["203.0.113.20"],
    });
    const engine = one("pulumi:providers:docker");
    expect(engine.inputs.host).toBe("ssh://admin@203.0.113.20");
    const ready = one("command:local:Command");
    expect(engine.dependencies).toContain(ready.urn);
    expect(ready.inputs.environment).toEqual({ HOST: "203.0.113.20", SSH_USER: "admin" });
    expect(ready.dependencies).toContain(one("aws:ec2/volumeAttachment:VolumeAttachment").urn);
  });

  test("DICOM is published by the gate, which enforces the allowlist as the security group does, and only the listed modality may store", () => {
    const o = container(plan, "orthanc");
    expect(o.inputs.ports).toEqual([]);
    const gate = container(plan, "dicom-gate");
    // The image's own unprivileged user, no capability: it listens on an unprivileged port.
    expect(gate.inputs.user).toBeUndefined();
    expect(gate.inputs).toMatchObject({
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      ports: [{ internal: 11112, external: 4242, ip: "0.0.0.0", protocol: "tcp" }],
      networksAdvanced: [{ name: "orthanc-docker-vm-frontend" }],
    });
    const haproxy = upload(gate, "/usr/local/etc/haproxy/haproxy.cfg")!.content;
    expect(haproxy).toContain(
      "tcp-request content reject unless { src 10.20.0.0/16 192.0.2.0/24 }",
    );
    expect(
      ofType(plan, "docker:index/remoteImage:RemoteImage").find((r) =>
        r.name.endsWith("-dicom-gate-image"),
      )?.inputs.name,
    ).toBe("haproxy:3.2.4-alpine");
    expect(haproxy).toContain("server orthanc-1 orthanc-docker-vm-orthanc:4242 resolvers docker");
    const config = JSON.parse(
      upload(container(plan, "orthanc-files"), "/etc/orthanc/orthanc.json")!.content,
    );
    expect(config).toMatchObject({
      DicomAet: "RESEARCHPACS",
      DicomAlwaysAllowStore: false,
      DicomAlwaysAllowEcho: false,
      // Behind the gate every association comes from the gate's address: no host check.
      DicomCheckModalityHost: false,
    });
    expect(Object.keys(config.DicomModalities)).toEqual(["ct-scanner"]);
    expect(config.DicomWeb).toMatchObject({ Host: "pacs.example.org", Ssl: true });
  });

  test("DICOM over TLS by default (a public range, a domain): a CA of the stack's own signs a certificate for the DICOM name, delivered as files Orthanc alone reads", async () => {
    const { plain } = await planStack("docker-vm");
    const tls = (type: string, name: string) =>
      plain[`tls:index/${type}::orthanc-docker-vm-${name}`];
    const key = { algorithm: "RSA", rsaBits: 3072 };
    expect(tls("privateKey:PrivateKey", "dicom-ca-key")).toEqual(key);
    expect(tls("privateKey:PrivateKey", "dicom-key")).toEqual(key);
    const pem = (label: string, name: string) =>
      `-----BEGIN ${label}-----\n${Buffer.from(`mock orthanc-docker-vm-${name}`).toString("base64")}\n-----END ${label}-----\n`;
    expect(tls("selfSignedCert:SelfSignedCert", "dicom-ca")).toEqual({
      privateKeyPem: pem("PRIVATE KEY", "dicom-ca-key"),
      subject: { commonName: "pacs.example.org DICOM CA" },
      isCaCertificate: true,
      maxPathLength: 0,
      validityPeriodHours: 87600,
      earlyRenewalHours: 8760,
      allowedUses: ["cert_signing", "crl_signing"],
    });
    expect(tls("certRequest:CertRequest", "dicom-csr")).toEqual({
      privateKeyPem: pem("PRIVATE KEY", "dicom-key"),
      subject: { commonName: "pacs.example.org" },
      dnsNames: ["pacs.example.org"],
    });
    // A year, renewed by a `pulumi up` in its last 30 days.
    expect(tls("locallySignedCert:LocallySignedCert", "dicom-cert")).toEqual({
      certRequestPem: pem("CERTIFICATE REQUEST", "dicom-csr"),
      caPrivateKeyPem: pem("PRIVATE KEY", "dicom-ca-key"),
      caCertPem: pem("CERTIFICATE", "dicom-ca"),
      validityPeriodHours: 8760,
      earlyRenewalHours: 720,
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    });

    const o = plain["docker:index/container:Container::orthanc-docker-vm-orthanc"];
    // Orthanc's root is read-only: its files are uploaded into the files container's volumes.
    const files = plain["docker:index/container:Container::orthanc-docker-vm-orthanc-files"];
    const file = (path: string) => files.uploads.find((u: { file: string }) => u.file === path);
    const owned = { owner: "999", group: "999" };
    expect(file("/run/secrets/orthanc-dicom-tls.crt")).toEqual({
      file: "/run/secrets/orthanc-dicom-tls.crt",
      content: pem("CERTIFICATE", "dicom-cert"),
      permissions: "0444",
      ...owned,
    });
    expect(file("/run/secrets/orthanc-dicom-tls.key")).toEqual({
      file: "/run/secrets/orthanc-dicom-tls.key",
      content: pem("PRIVATE KEY", "dicom-key"),
      permissions: "0400",
      ...owned,
    });
    // Without client CAs, the trusted file is the server's own certificate (Orthanc needs one).
    expect(file("/run/secrets/orthanc-dicom-tls-trusted.crt")).toEqual({
      file: "/run/secrets/orthanc-dicom-tls-trusted.crt",
      content: pem("CERTIFICATE", "dicom-cert"),
      permissions: "0444",
      ...owned,
    });
    // The key is nowhere in the environment, and its upload is a Pulumi secret.
    expect(JSON.stringify(o.envs)).not.toContain("PRIVATE KEY");
    // As the plan shows it (secrets masked): the key is a Pulumi secret, the certificates are not.
    const shown = container(plan, "orthanc-files");
    expect(upload(shown, "/run/secrets/orthanc-dicom-tls.key")!.content).toBe("[secret]");
    expect(upload(shown, "/run/secrets/orthanc-dicom-tls.crt")!.content).toBe(
      pem("CERTIFICATE", "dicom-cert"),
    );

    expect(JSON.parse(file("/etc/orthanc/orthanc.json").content)).toMatchObject({
      DicomTlsEnabled: true,
      DicomTlsCertificate: "/run/secrets/orthanc-dicom-tls.crt",
      DicomTlsPrivateKey: "/run/secrets/orthanc-dicom-tls.key",
      DicomTlsTrustedCertificates: "/run/secrets/orthanc-dicom-tls-trusted.crt",
      DicomTlsRemoteCertificateRequired: false,
    });
    // The CA, not secret, for the modalities to trust.
    expect(plan.outputs.dicomCaCertificate).toBe(pem("CERTIFICATE", "dicom-ca"));
  });

  test("with client CAs, mutual TLS: the trusted file is theirs and a client certificate is required", async () => {
    const cas = "-----BEGIN CERTIFICATE-----\nTU9EQUxJVElFUw==\n-----END CERTIFICATE-----\n";
    const { plain } = await planStack("docker-vm", {
      orthanc: { dicom: { tls: { clientCertificates: cas } } },
    });
    // Orthanc's root is read-only: its files are uploaded into the files container's volumes.
    const files = plain["docker:index/container:Container::orthanc-docker-vm-orthanc-files"];
    const file = (path: string) => files.uploads.find((u: { file: string }) => u.file === path);
    expect(file("/run/secrets/orthanc-dicom-tls-trusted.crt").content).toBe(cas);
    expect(
      JSON.parse(file("/etc/orthanc/orthanc.json").content).DicomTlsRemoteCertificateRequired,
    ).toBe(true);
  });

  test("a given certificate replaces the stack's CA: no CA, no output, the files are the pair", async () => {
    const cert = "-----BEGIN CERTIFICATE-----\nR0lWRU4=\n-----END CERTIFICATE-----\n";
    const key = "-----BEGIN PRIVATE KEY-----\nR0lWRU5LRVk=\n-----END PRIVATE KEY-----\n";
    const { plan: given, plain } = await planStack("docker-vm", {
      orthanc: { dicom: { tls: { certificate: cert, privateKey: key } } },
    });
    expect(given.resources.filter((r) => r.type.startsWith("tls:"))).toEqual([]);
    expect(given.outputs.dicomCaCertificate).toBeUndefined();
    // Orthanc's root is read-only: its files are uploaded into the files container's volumes.
    const files = plain["docker:index/container:Container::orthanc-docker-vm-orthanc-files"];
    const file = (path: string) => files.uploads.find((u: { file: string }) => u.file === path);
    expect(file("/run/secrets/orthanc-dicom-tls.crt").content).toBe(cert);
    expect(file("/run/secrets/orthanc-dicom-tls.key").content).toBe(key);
    expect(file("/run/secrets/orthanc-dicom-tls-trusted.crt").content).toBe(cert);
  });

  test("three roles, each assumable by one service: the instance (SSM only), AWS Backup (its managed policy), flow logs (their group only)", () => {
    const trusted = Object.fromEntries(
      ofType(plan, "aws:iam/role:Role").map((r) => {
        const doc = JSON.parse(r.inputs.assumeRolePolicy);
        expect(doc.Statement).toHaveLength(1);
        expect(doc.Statement[0]).toMatchObject({ Effect: "Allow", Action: "sts:AssumeRole" });
        return [r.name, doc.Statement[0].Principal];
      }),
    );
    expect(trusted).toEqual({
      "orthanc-docker-vm-vm-role": { Service: "ec2.amazonaws.com" },
      "orthanc-docker-vm-vm-snapshots-backup": { Service: "backup.amazonaws.com" },
      "orthanc-docker-vm-vm-flow-logs": { Service: "vpc-flow-logs.amazonaws.com" },
    });
    expect(
      Object.fromEntries(
        ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) => [
          a.inputs.role,
          a.inputs.policyArn,
        ]),
      ),
    ).toEqual({
      "orthanc-docker-vm-vm-role": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "orthanc-docker-vm-vm-snapshots-backup":
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    });
    const inline = one("aws:iam/rolePolicy:RolePolicy");
    expect(inline.inputs.role).toBe("orthanc-docker-vm-vm-flow-logs-id");
    const group = "arn:aws:cloudwatch:eu-west-1:123456789012:orthanc-docker-vm-vm-flow-logs";
    expect(JSON.parse(inline.inputs.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [group, `${group}:*`],
        },
      ],
    });
  });

  test("every IAM document is valid and scoped (offline IAM policy checker)", () => {
    // Three roles' trust policies, the flow-log role's policy, the key policy.
    expect(iamDocumentCount(plan)).toBe(5);
    expect(iamProblems(plan)).toEqual([]);
  });

  test("outputs: the HTTPS URL, the DICOM endpoint by name, and the VM's address", () => {
    expect(plan.outputs).toMatchObject({
      url: "https://pacs.example.org/",
      dicomEndpoint: "RESEARCHPACS@pacs.example.org:4242",
      adminPassword: "[secret]",
      vmPublicIp: "203.0.113.20",
    });
  });
});

describe("data survives configuration changes", () => {
  /** The inputs of every resource that holds data, by name: these must not change, or Pulumi would replace them. */
  const dataInputs = (plan: Plan) =>
    Object.fromEntries(
      plan.resources
        .filter((r) =>
          [
            "docker:index/volume:Volume",
            "aws:ebs/volume:Volume",
            "aws:kms/key:Key",
            "random:index/randomBytes:RandomBytes",
          ].includes(r.type),
        )
        .map((r) => [
          r.name,
          { inputs: r.inputs, protect: r.protect, retainOnDelete: r.retainOnDelete },
        ]),
    );

  test.each<[string, Record<string, unknown>]>([
    ["a new Orthanc image tag", { orthanc: { image: { tag: "26.9.0" } } }],
    ["more replicas", { orthanc: { replicas: 3 } }],
    ["a bigger VM", { docker: { vm: { instanceType: "m6i.xlarge" } } }],
    ["another PostgreSQL image tag", { docker: { images: { postgres: "16.11-bookworm" } } }],
    ["DICOM opened to another network", { orthanc: { dicom: { allowedCidrs: ["10.99.0.0/16"] } } }],
    [
      "snapshots kept longer",
      { docker: { vm: { backupRetentionDays: 90, logRetentionDays: 30 } } },
    ],
  ])("%s leaves every volume, disk and key as it was", async (_name, change) => {
    const before = dataInputs((await planStack("docker-vm")).plan);
    const after = dataInputs((await planStack("docker-vm", change)).plan);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(6);
    expect(after).toEqual(before);
  });
});

describe("docker-vm: snapshots and flow logs as configured", () => {
  test("retention days of snapshots and flow logs are the keys'", async () => {
    const { plan } = await planStack("docker-vm", {
      docker: { vm: { backupRetentionDays: 90, logRetentionDays: 30 } },
    });
    expect(ofType(plan, "aws:backup/plan:Plan")[0].inputs.rules[0].lifecycle).toEqual({
      deleteAfter: 90,
    });
    expect(ofType(plan, "aws:cloudwatch/logGroup:LogGroup")[0].inputs.retentionInDays).toBe(30);
  });

  test("in an existing VPC: snapshots still, no flow logs, and the key is the VM's alone", async () => {
    const { plan } = await planStack("docker-vm", {
      docker: { vm: { vpcId: "vpc-0abc", subnetId: "subnet-0abc" } },
    });
    expect(ofType(plan, "aws:backup/selection:Selection")).toHaveLength(1);
    for (const type of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/flowLog:FlowLog",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:iam/rolePolicy:RolePolicy",
    ])
      expect(ofType(plan, type)).toEqual([]);
    const keyPolicy = JSON.parse(ofType(plan, "aws:kms/key:Key")[0].inputs.policy);
    expect(keyPolicy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "AccountAdministersThroughIam",
    ]);
    expect(iamProblems(plan)).toEqual([]);
  });
});
