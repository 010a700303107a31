/**
 * Orthanc's own settings, peers and DICOMweb servers on every target, under mocks: the extra
 * setting reaches orthanc.json; the peers' and servers' passwords and a proxy URL reach only the
 * credentials document (a Docker file, a Kubernetes Secret, a Secrets Manager secret), never a
 * plain input; egress follows the destinations where the target restricts it.
 */
import { ofType, planStack } from "../helpers/plan";

const PEER_PASSWORD = "peer-pw-7f3a";
const SERVER_PASSWORD = "archive-pw-91c2";
const PROXY = "http://squid:proxy-pw-55e1@proxy.example.org:3128";
const CHANGE = {
  orthanc: {
    settings: { StableAge: 120, HttpProxy: PROXY },
    peers: {
      "site-b": { url: "https://pacs-b.example.org/", username: "sync", password: PEER_PASSWORD },
      lab: { url: "https://10.40.0.7:8042/", username: "lab", password: PEER_PASSWORD },
    },
    dicomWebServers: {
      archive: {
        url: "https://archive.example.org/dicom-web/",
        username: "pacs",
        password: SERVER_PASSWORD,
      },
    },
  },
};
const SECRETS = [PEER_PASSWORD, SERVER_PASSWORD, "proxy-pw-55e1"];

type Plain = Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where each target carries orthanc.json (its text, revealed) and the credentials document. */
const CARRIERS: Record<string, { orthancJson: (p: Plain) => string; credentials: string }> = {
  local: {
    orthancJson: (p) =>
      (
        p["docker:index/container:Container::orthanc-local-orthanc-files"].uploads as {
          file: string;
          content: string;
        }[]
      ).find((u) => u.file === "/etc/orthanc/orthanc.json")!.content,
    credentials: "docker:index/container:Container::orthanc-local-orthanc-files",
  },
  "aws-fargate-s3": {
    orthancJson: (p) =>
      (
        JSON.parse(
          p["aws:ecs/taskDefinition:TaskDefinition::orthanc-aws-fargate-s3-app-task"]
            .containerDefinitions,
        ) as { environment?: { name: string; value: string }[] }[]
      )
        .flatMap((c) => c.environment ?? [])
        .find((e) => e.name === "ORTHANC_CONFIG_JSON")!.value,
    credentials:
      "aws:secretsmanager/secretVersion:SecretVersion::orthanc-aws-fargate-s3-app-credentials",
  },
  "k8s-basic": {
    orthancJson: (p) =>
      p["kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-config"].data["orthanc.json"],
    credentials: "kubernetes:core/v1:Secret::orthanc-k8s-basic-credentials",
  },
};

describe.each(Object.keys(CARRIERS))("%s", (stack) => {
  test("the setting in orthanc.json; passwords and the proxy URL only in the credentials, never in a plain input", async () => {
    const { plan, plain } = await planStack(stack, CHANGE);
    for (const r of plan.resources)
      for (const secret of SECRETS) expect(JSON.stringify(r.inputs)).not.toContain(secret);
    const { orthancJson, credentials } = CARRIERS[stack];
    for (const secret of SECRETS) expect(JSON.stringify(plain[credentials])).toContain(secret);
    const json = JSON.parse(orthancJson(plain));
    expect(json.StableAge).toBe(120);
    for (const key of ["OrthancPeers", "HttpProxy", "DicomWeb"])
      expect(json).not.toHaveProperty(key);
    for (const secret of SECRETS) expect(JSON.stringify(json)).not.toContain(secret);
  });
});

test("Kubernetes: Orthanc's egress to each destination's port, to its address when given as one", async () => {
  const { plan } = await planStack("k8s-basic", CHANGE);
  const policy = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
    (r) => r.inputs.metadata.name === "orthanc-orthanc",
  )!;
  const egress = policy.inputs.spec.egress;
  expect(egress.slice(-2)).toEqual([
    { ports: [{ protocol: "TCP", port: 443 }] },
    { to: [{ ipBlock: { cidr: "10.40.0.7/32" } }], ports: [{ protocol: "TCP", port: 8042 }] },
  ]);
});

test("AWS: the tasks may reach a peer off 443 on its own address and port only", async () => {
  const { plan } = await planStack("aws-fargate-s3", CHANGE);
  const rules = ofType(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
    (r) => r.name.includes("remote"),
  );
  expect(rules.map((r) => [r.name, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).toEqual(
    [["orthanc-aws-fargate-s3-net-tasks-remote-8042-10-40-0-7-32", 8042, 8042, "10.40.0.7/32"]],
  );
});
