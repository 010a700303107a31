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
  ingress: { className: "nginx", certManagerIssuer: "letsencrypt", controllerNamespace: "ingress" },
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
