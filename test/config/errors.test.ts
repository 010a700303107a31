import { issuesOf, testRejections } from "./helpers";

describe("configuration errors name the full key, what was given, what is allowed and the fix", () => {
  describe("unknown keys", () => {
    testRejections([
      [
        "a typo of replicas",
        { target: "docker", orthanc: { replicaCount: 2 } },
        "orthanc:orthanc.replicaCount",
        /unknown key\. Did you mean `replicas`\?.*Fix: rename or remove/,
      ],
      [
        "an AWS key on the docker target",
        { target: "docker", database: { instanceClass: "db.t4g.micro" } },
        "orthanc:database.instanceClass",
        /applies only to target aws; this stack's target is docker/,
      ],
      [
        "an unknown top-level key",
        { target: "docker", replicas: 2 },
        "orthanc:replicas",
        /unknown key\. It is a key of a section: did you mean `orthanc:orthanc\.replicas`\?.*Allowed keys here: .*orthanc/,
      ],
    ]);
  });

  describe("values", () => {
    testRejections([
      [
        "a wrong type",
        { target: "docker", orthanc: { replicas: "two" } },
        "orthanc:orthanc.replicas",
        /expected number, got "two"/,
      ],
      [
        "a number out of range",
        { target: "docker", orthanc: { dicom: { port: 70000 } } },
        "orthanc:orthanc.dicom.port",
        /must be at most 65535, got 70000\. Fix: `pulumi config set --path .orthanc:orthanc.dicom.port. 65535`/,
      ],
      [
        "an enum value",
        { target: "docker", database: { engine: "mysql" } },
        "orthanc:database.engine",
        /got "mysql"\. Allowed: "postgresql", "sqlite"/,
      ],
    ]);
  });

  test("an error about a secret field never prints the value", () => {
    const issues = issuesOf({
      target: "docker",
      orthanc: { users: { bob: { password: { value: 12345 } } } },
    });
    expect(issues.map((i) => i.key)).toEqual(["orthanc:orthanc.users.bob.password"]);
    expect(issues[0].message).not.toContain("12345");
  });
});
