import { ConfigError, parseConfig } from "../../infra/config";
import { issuesOf, testRejections } from "./helpers";

describe("the target selects the schema", () => {
  testRejections([
    [
      "missing target",
      {},
      "orthanc:target",
      /is required\. Allowed: docker, aws, kubernetes\. Fix:/,
    ],
    [
      "unknown target",
      { target: "ecs" },
      "orthanc:target",
      /got "ecs"\. Allowed: docker, aws, kubernetes/,
    ],
  ]);
});

describe("every problem of a configuration at once", () => {
  test("every problem of a configuration is reported at once", () => {
    const issues = issuesOf({
      target: "docker",
      orthanc: { replicaCount: 2, dicom: { port: 0 } },
      database: { instanceClass: "db.t4g.micro" },
      storage: { encryption: true },
      tls: { enabled: true },
      bogus: true,
    });
    expect(issues.map((i) => i.key).sort()).toEqual([
      "orthanc:bogus",
      "orthanc:database.instanceClass",
      "orthanc:orthanc.dicom.port",
      "orthanc:orthanc.replicaCount",
      "orthanc:storage.encryption",
      "orthanc:tls.enabled",
    ]);
  });

  test("parseConfig throws one ConfigError listing each key on its own line", () => {
    expect.assertions(3);
    try {
      parseConfig({ target: "docker", orthanc: { replicas: 0 }, storage: { kind: "tape" } });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toMatch(/^Invalid stack configuration \(2 problems\):\n/);
      expect((e as ConfigError).message).toMatch(
        /\n {2}- orthanc:orthanc.replicas: .*\n {2}- orthanc:storage.kind: /,
      );
    }
  });
});
