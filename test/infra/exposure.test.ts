/**
 * The exposure summary of the shipped stacks, line by line: what a security officer reads before
 * approving a deployment. Derived from the plan's resources (`exposureOf` is pure), so a change
 * of what the program registers (a port, a CIDR, a TLS policy, a protection) shows here.
 */
import { exposureOf, exposureText } from "../../infra/plan/exposure";
import { previewJson } from "../../infra/plan/format";
import { Plan, runPlan } from "../../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";

const planOf = (stack: string): Promise<Plan> =>
  runPlan(readStackFile(stackFilePath(stack)), stack);

const cases: [stack: string, lines: string[]][] = [
  [
    "local",
    [
      "Exposure (derived from the resources above):",
      "  Ways in:",
      "    127.0.0.1:4242  DICOM",
      "        published port orthanc-local-orthanc (orthancteam/orthanc:26.8.1)",
      "        TLS: none",
      "        from: this host only (bound to 127.0.0.1); any AE title may store",
      "    127.0.0.1:8042  HTTP",
      "        published port orthanc-local-proxy (caddy:2.10.2-alpine)",
      "        TLS: none",
      "        from: this host only (bound to 127.0.0.1)",
      "  Data stores:",
      "    Docker volume orthanc-local-pgdata (used by orthanc-local-postgres)",
      "        encryption: the Docker host's disk (not set by this stack)",
      "        backup: pg_dump by orthanc-local-backup into orthanc-local-backups (on the same host)",
      "        protection: protect, retainOnDelete",
      "    Docker volume orthanc-local-backups (used by orthanc-local-backup)",
      "        encryption: the Docker host's disk (not set by this stack)",
      "        backup: holds the database dumps (on the same host; copy them off it)",
      "        protection: protect, retainOnDelete",
      "    Docker volume orthanc-local-dicom (used by orthanc-local-orthanc)",
      "        encryption: the Docker host's disk (not set by this stack)",
      "        backup: none by this stack (snapshot the host's disk)",
      "        protection: protect, retainOnDelete",
      "    Docker volume orthanc-local-proxy-data (used by orthanc-local-proxy)",
      "        encryption: the Docker host's disk (not set by this stack)",
      "        backup: none by this stack (snapshot the host's disk)",
      "        protection: protect, retainOnDelete",
    ],
  ],
  [
    "aws-fargate-s3",
    [
      "Exposure (derived from the resources above):",
      "  Ways in:",
      "    research-pacs.example.org:80  HTTP (redirects to HTTPS)",
      "        load balancer listener (ALB orthanc-aws-fargate-s3-edge-web, internet-facing)",
      "            orthanc-aws-fargate-s3-edge-http -> redirect only",
      "        TLS: none",
      "        from: 0.0.0.0/0 (security group orthanc-aws-fargate-s3-net-web-lb)",
      "    dicom.research-pacs.example.org:4242  DICOM over TLS",
      "        load balancer listener (NLB orthanc-aws-fargate-s3-edge-dicom, internet-facing)",
      "            orthanc-aws-fargate-s3-edge-dicom -> orthanc-aws-fargate-s3-app",
      "        TLS: ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ACM certificate for research-pacs.example.org,",
      "            dicom.research-pacs.example.org",
      "        from: 198.51.100.0/24 (security group orthanc-aws-fargate-s3-net-dicom-lb); any AE title may",
      "            store",
      "    research-pacs.example.org:443  HTTPS",
      "        load balancer listener (ALB orthanc-aws-fargate-s3-edge-web, internet-facing)",
      "            orthanc-aws-fargate-s3-edge-https -> orthanc-aws-fargate-s3-app",
      "        TLS: ELBSecurityPolicy-TLS13-1-2-Res-2021-06, ACM certificate for research-pacs.example.org,",
      "            dicom.research-pacs.example.org",
      "        from: 0.0.0.0/0 (security group orthanc-aws-fargate-s3-net-web-lb)",
      "  Data stores:",
      "    RDS postgres 16 orthanc-aws-fargate-s3-db (used by orthanc-aws-fargate-s3-app)",
      "        encryption: KMS key orthanc-aws-fargate-s3-key (rotated yearly)",
      "        backup: automated backups 7 days (kept on delete); AWS Backup plan",
      "            orthanc-aws-fargate-s3-ops-plan (cron(0 3 * * ? *), kept 35 days); final snapshot",
      "            orthanc-aws-fargate-s3-db-final",
      "        protection: protect, retainOnDelete, deletionProtection",
      "    S3 bucket orthanc-aws-fargate-s3-access-logs (used by orthanc-aws-fargate-s3-edge-dicom (access",
      "        logs), orthanc-aws-fargate-s3-edge-web (access logs))",
      "        encryption: SSE-S3 (AES256)",
      "        backup: versioning (old versions kept 30 days)",
      "        protection: protect, retainOnDelete, no forceDestroy",
      "    S3 bucket orthanc-aws-fargate-s3-dicom (used by orthanc-aws-fargate-s3-app)",
      "        encryption: SSE-KMS with KMS key orthanc-aws-fargate-s3-key (rotated yearly), Bucket Key;",
      "            and Orthanc's storage encryption (each file encrypted before upload)",
      "        backup: versioning (old versions kept 30 days)",
      "        protection: protect, retainOnDelete, no forceDestroy",
    ],
  ],
];

test.each(cases)(
  "%s: every way in and every data store, exactly",
  async (stack, lines) => {
    expect(exposureText(exposureOf(await planOf(stack)))).toEqual(lines);
  },
  60_000,
);

test("--json carries the same exposure", async () => {
  const plan = await planOf("local");
  expect(previewJson(plan).exposure).toEqual(exposureOf(plan));
}, 60_000);

/** The other shipped stacks: the facts that matter, one a line. */
test("docker-vm: the gate's and the security group's allowlists, SSH, the encrypted EBS volume", async () => {
  const e = exposureOf(await planOf("docker-vm"));
  const dicom = e.waysIn.find((w) => w.address === "0.0.0.0:4242")!;
  expect(dicom.protocol).toBe("DICOM over TLS");
  expect(dicom.from).toContain(
    "security group orthanc-docker-vm-vm-sg admits 10.20.0.0/16, 192.0.2.0/24",
  );
  expect(dicom.from).toContain("closes connections from outside 10.20.0.0/16, 192.0.2.0/24");
  expect(e.waysIn.find((w) => w.protocol === "SSH")!.from).toMatch(/^198\.51\.100\.0\/28 /);
  expect(e.dataStores.find((d) => d.kind === "EBS volume")!.encryption).toBe(
    "KMS key orthanc-docker-vm-key (rotated yearly)",
  );
}, 60_000);

test("k8s-ha: the DICOM LoadBalancer's source ranges, the Gateway's TLS, CloudNativePG's backups", async () => {
  const e = exposureOf(await planOf("k8s-ha"));
  expect(e.waysIn.map((w) => `${w.address} ${w.protocol}`)).toEqual([
    "ha-pacs.example.org:443 HTTPS",
    "ha-pacs.example.org:80 HTTP (routes here only redirect to HTTPS)",
    "the load balancer's address:4242 DICOM",
  ]);
  expect(e.waysIn[2].from).toBe(
    "10.30.0.0/16 (loadBalancerSourceRanges, and a NetworkPolicy); any AE title may store",
  );
  expect(e.waysIn[0].tls).toBe(
    "terminated at the Gateway, certificate in Secret orthanc-tls issued by cert-manager (letsencrypt)",
  );
  expect(e.dataStores.map((d) => [d.kind, d.backup])).toEqual([
    [
      "CloudNativePG cluster (3 instances, 50Gi)",
      "base backups and WAL to s3://ha-pacs-dicom/orthanc/postgres/ (kept 30d, schedule 0 0 3 * * *)",
    ],
  ]);
}, 60_000);

test("k8s-basic and k8s-ingress: the route's and the Ingress's TLS, the claims and their dumps", async () => {
  const basic = exposureOf(await planOf("k8s-basic"));
  expect(basic.waysIn.map((w) => [w.address, w.tls])).toEqual([
    [
      "pacs.example.org:443",
      "terminated by Gateway gateway-system/shared-gateway listener https (not in this stack)",
    ],
  ]);
  expect(basic.dataStores.map((d) => `${d.kind} ${d.name}: ${d.backup}; ${d.protection}`)).toEqual([
    "PVC 100Gi orthanc/orthanc-dicom: none by this stack (the storage's snapshots); protect, retainOnDelete",
    "PVC 40Gi orthanc/orthanc-postgres-backups: holds the database dumps of orthanc-k8s-basic-postgres-backup (schedule 0 3 * * *); protect, retainOnDelete",
    "StatefulSet claim 20Gi data of orthanc/orthanc-postgres: pg_dump by CronJob orthanc-k8s-basic-postgres-backup (0 3 * * *); protect, retainOnDelete, claims retained when deleted or scaled",
  ]);
  const ingress = exposureOf(await planOf("k8s-ingress"));
  expect(ingress.waysIn.map((w) => `${w.kind} ${w.address}: ${w.tls}`)).toEqual([
    "Ingress (pacs/orthanc, class traefik) pacs.example.org:443: terminated by the Ingress controller, certificate in Secret orthanc-tls issued by cert-manager (letsencrypt)",
  ]);
}, 60_000);

test("aws-ec2 and aws-fargate-efs: the web allowlist, EFS under the key and AWS Backup", async () => {
  const ec2 = exposureOf(await planOf("aws-ec2"));
  expect(ec2.waysIn.map((w) => `${w.address} ${w.from}`)).toEqual([
    "imaging.example.org:80 203.0.113.0/24 (security group orthanc-aws-ec2-net-web-lb)",
    "imaging.example.org:443 203.0.113.0/24 (security group orthanc-aws-ec2-net-web-lb)",
  ]);
  const efs = exposureOf(await planOf("aws-fargate-efs"));
  expect(efs.waysIn.find((w) => w.protocol === "DICOM over TLS")!.from).toBe(
    "10.20.0.0/16, 192.0.2.0/24 (security group orthanc-aws-fargate-efs-net-dicom-lb); only CT01@10.20.1.15 may store",
  );
  expect(efs.dataStores.find((d) => d.kind === "EFS file system")).toEqual({
    kind: "EFS file system",
    name: "orthanc-aws-fargate-efs-files",
    encryption: "KMS key orthanc-aws-fargate-efs-key (rotated yearly)",
    backup: "AWS Backup plan orthanc-aws-fargate-efs-ops-plan (cron(0 3 * * ? *), kept 35 days)",
    protection: "protect, retainOnDelete",
    usedBy: ["orthanc-aws-fargate-efs-app"],
  });
}, 60_000);
