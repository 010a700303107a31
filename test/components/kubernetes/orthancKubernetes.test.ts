/**
 * OrthancKubernetes on its own, under mocks, with arguments no shipped stack gives it: an
 * external database, an existing namespace, DNS without an Ingress or published DICOM, and the
 * errors it raises in its own words.
 */
import * as pulumi from "@pulumi/pulumi";
import type { OrthancKubernetesArgs } from "../../../components/kubernetes";
import { Plan, planOf } from "../../../infra/plan/runPlan";
import { PlannedResource } from "../../../infra/plan/record";

type R = PlannedResource & { inputs: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type) as R[];

const base: OrthancKubernetesArgs = {
  namespace: { name: "pacs", create: false },
  orthanc: {
    name: "PACS",
    httpPort: 8042,
    replicas: 1,
    dicom: { enabled: true, aet: "PACS", port: 4242, checkCalledAet: true, modalities: {} },
    plugins: { dicomWeb: true, explorer2: true, viewer: "none" },
    verboseLogs: false,
    image: "orthancteam/orthanc:26.8.1",
    adminUser: "admin",
    users: {},
    dicomAllowedCidrs: [],
    corsOrigins: [],
    settings: {},
    peers: {},
    dicomWebServers: {},
  },
  resources: { cpu: "500m", memory: "1Gi" },
  serviceAccountAnnotations: {},
  database: {
    kind: "external",
    host: "db.example.org",
    port: 6432,
    database: "orthanc",
    username: "orthanc",
    ssl: true,
    password: pulumi.output("given"),
    maxConnections: 100,
  },
  storage: { kind: "pvc", sizeGiB: 10, readWriteMany: false },
  protectData: true,
};

const plan = (args: Partial<OrthancKubernetesArgs>) =>
  planOf("test", "kubernetes-part", async () => {
    const { OrthancKubernetes } = await import("../../../components/kubernetes");
    const orthanc = new OrthancKubernetes("pacs", { ...base, ...args });
    return { url: orthanc.url };
  });

describe("OrthancKubernetes", () => {
  test("an external database: nothing of PostgreSQL created, no password generated, egress to its port", async () => {
    const p = await plan({});
    expect(p.resources.filter((r) => /postgres|cnpg/i.test(r.type + r.name))).toEqual([]);
    expect(ofType(p, "random:index/randomPassword:RandomPassword").map((r) => r.name)).toEqual([
      "pacs-credentials-user-admin",
      "pacs-credentials-probe",
    ]);
    const policy = ofType(p, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
      (r) => r.inputs.metadata.name === "orthanc-orthanc",
    )!;
    expect(policy.inputs.spec.egress).toContainEqual({ ports: [{ protocol: "TCP", port: 6432 }] });
    expect(p.outputs.url).toBe("http://orthanc.pacs.svc:8042/");
  });

  test("an existing namespace: not created, nothing waits for it", async () => {
    const p = await plan({});
    expect(ofType(p, "kubernetes:core/v1:Namespace")).toEqual([]);
    const account = ofType(p, "kubernetes:core/v1:ServiceAccount")[0];
    expect(account.inputs.metadata.namespace).toBe("pacs");
    expect(account.dependencies).toEqual([]);
  });

  test("a zone without an Ingress or published DICOM: the Route 53 provider, no record", async () => {
    const p = await plan({ dns: { zoneId: "Z0123", dicomName: "dicom.example.org" } });
    expect(ofType(p, "pulumi:providers:aws")).toHaveLength(1);
    expect(ofType(p, "aws:route53/record:Record")).toEqual([]);
  });

  test("published DICOM with a name: its record, a child of the component aliased to the stack", async () => {
    const p = await plan({
      orthanc: { ...base.orthanc, dicomAllowedCidrs: ["10.0.0.0/8"] },
      dns: { zoneId: "Z0123", dicomName: "dicom.example.org" },
    });
    const [record] = ofType(p, "aws:route53/record:Record");
    expect(record).toMatchObject({
      name: "pacs-dicom.example.org",
      inputs: { zoneId: "Z0123", name: "dicom.example.org", ttl: 300 },
      aliases: [{ noParent: true }],
    });
    expect(record.parent).toBe(ofType(p, "orthanc:kubernetes:OrthancKubernetes")[0].urn);
  });

  describe("DICOM TLS", () => {
    const published = { orthanc: { ...base.orthanc, dicomAllowedCidrs: ["192.0.2.0/24"] } };
    const custom = (p: Plan) =>
      Object.fromEntries(
        p.resources
          .filter((r) => r.type.startsWith("kubernetes:cert-manager.io/v1:"))
          .map((r) => [r.name, { kind: (r.inputs as R["inputs"]).kind, deps: r.dependencies }]),
      );
    const deployment = (p: Plan) => ofType(p, "kubernetes:apps/v1:Deployment")[0];
    const urn = (p: Plan, name: string) => p.resources.find((r) => r.name === name)!.urn;

    test("a CA of the namespace's own: self-signed Issuer -> CA Certificate -> CA Issuer -> DICOM Certificate, the pod mounts it and waits for it", async () => {
      const p = await plan({ ...published, dicomTls: { hostName: "dicom.example.org" } });
      expect(custom(p)).toEqual({
        "pacs-dicom-selfsigned": { kind: "Issuer", deps: [] },
        "pacs-dicom-ca": { kind: "Certificate", deps: [urn(p, "pacs-dicom-selfsigned")] },
        "pacs-dicom-ca-issuer": { kind: "Issuer", deps: [urn(p, "pacs-dicom-ca")] },
        "pacs-dicom-tls": { kind: "Certificate", deps: [urn(p, "pacs-dicom-ca-issuer")] },
      });
      const certificate = ofType(p, "kubernetes:cert-manager.io/v1:Certificate").find(
        (r) => r.name === "pacs-dicom-tls",
      )!;
      expect(certificate.inputs.spec.dnsNames).toEqual(["dicom.example.org"]);
      expect(certificate.inputs.spec.issuerRef).toEqual({
        name: "orthanc-dicom-ca",
        kind: "Issuer",
        group: "cert-manager.io",
      });
      const d = deployment(p);
      expect(d.dependencies).toContain(urn(p, "pacs-dicom-tls"));
      const pod = d.inputs.spec.template.spec;
      expect(pod.volumes.find((v: { name: string }) => v.name === "dicom-tls")).toEqual({
        name: "dicom-tls",
        projected: {
          defaultMode: 0o400,
          sources: [
            {
              secret: {
                name: "orthanc-dicom-tls",
                items: [
                  { key: "tls.crt", path: "orthanc-dicom-tls.crt" },
                  { key: "tls.key", path: "orthanc-dicom-tls.key" },
                  { key: "tls.crt", path: "orthanc-dicom-tls-trusted.crt" },
                ],
              },
            },
          ],
        },
      });
      const mounts = pod.containers[0].volumeMounts.filter(
        (m: { name: string }) => m.name === "dicom-tls",
      );
      expect(
        mounts.map((m: { mountPath: string; readOnly: boolean }) => [m.mountPath, m.readOnly]),
      ).toEqual([
        ["/run/secrets/orthanc-dicom-tls.crt", true],
        ["/run/secrets/orthanc-dicom-tls.key", true],
        ["/run/secrets/orthanc-dicom-tls-trusted.crt", true],
      ]);
      // The pod runs as uid 999 (restricted), so the 0400 files are Orthanc's alone.
      expect(pod.securityContext.runAsUser).toBe(999);
      const config = ofType(p, "kubernetes:core/v1:ConfigMap").find(
        (r) => r.inputs.metadata.name === "orthanc-config",
      )!;
      expect(JSON.parse(config.inputs.data["orthanc.json"])).toMatchObject({
        DicomTlsEnabled: true,
        DicomTlsRemoteCertificateRequired: false,
      });
    });

    test("the hospital's ClusterIssuer: only the DICOM Certificate, issued by it", async () => {
      const p = await plan({
        ...published,
        dicomTls: { hostName: "dicom.example.org", issuer: "hospital-ca" },
      });
      expect(custom(p)).toEqual({ "pacs-dicom-tls": { kind: "Certificate", deps: [] } });
      expect(
        ofType(p, "kubernetes:cert-manager.io/v1:Certificate")[0].inputs.spec.issuerRef,
      ).toEqual({ name: "hospital-ca", kind: "ClusterIssuer", group: "cert-manager.io" });
    });

    test("a given pair and client CAs: TLS Secrets of the program's own, mutual TLS, no cert-manager", async () => {
      const p = await plan({
        ...published,
        dicomTls: {
          provided: { certificate: "CERT", privateKey: pulumi.secret("KEY") },
          clientCertificates: "CAS",
        },
      });
      expect(custom(p)).toEqual({});
      const secrets = Object.fromEntries(
        ofType(p, "kubernetes:core/v1:Secret").map((r) => [r.inputs.metadata.name, r.inputs]),
      );
      expect(secrets["orthanc-dicom-tls"].type).toBe("kubernetes.io/tls");
      expect(secrets["orthanc-dicom-tls"].stringData).toBe("[secret]");
      // @pulumi/kubernetes keeps every Secret's data secret, the CA bundle too.
      expect(secrets["orthanc-dicom-clients"].stringData).toBe("[secret]");
      const volume = deployment(p).inputs.spec.template.spec.volumes.find(
        (v: { name: string }) => v.name === "dicom-tls",
      );
      expect(volume.projected.sources[1]).toEqual({
        secret: {
          name: "orthanc-dicom-clients",
          items: [{ key: "ca.crt", path: "orthanc-dicom-tls-trusted.crt" }],
        },
      });
      const config = ofType(p, "kubernetes:core/v1:ConfigMap").find(
        (r) => r.inputs.metadata.name === "orthanc-config",
      )!;
      expect(JSON.parse(config.inputs.data["orthanc.json"]).DicomTlsRemoteCertificateRequired).toBe(
        true,
      );
    });

    test("unpublished DICOM: no certificate, nothing mounted", async () => {
      const p = await plan({ dicomTls: { hostName: "dicom.example.org" } });
      expect(custom(p)).toEqual({});
      expect(JSON.stringify(deployment(p).inputs)).not.toContain("dicom-tls");
    });
  });

  test("half a pair of S3 keys is refused, in the component's words", async () => {
    await expect(
      plan({
        storage: {
          kind: "s3",
          bucket: "dicom",
          region: "eu-west-1",
          prefix: "",
          encryption: false,
          accessKeyId: "AKIAEXAMPLE",
        },
      }),
    ).rejects.toThrow(/S3 storage: static keys come in pairs/);
  });
});
