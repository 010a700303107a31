import { ConfigError, parseConfig } from "../../../infra/config";
import { AWS_HTTPS, issuesOf, testRejections } from "../helpers";

describe("orthanc:database", () => {
  describe("fields", () => {
    testRejections([
      [
        "an external database password with a space and a backslash (libpq would read another one)",
        {
          target: "docker",
          database: { external: { host: "db.example.org", password: "two words\\x" } },
        },
        "orthanc:database.external.password",
        /must not contain spaces or backslashes.*got a value \(hidden: secret\)\. Fix: `pulumi config set --secret --path/,
      ],
      [
        "RDS backups shorter than a week",
        { target: "aws", aws: { region: "eu-west-1" }, database: { backupRetentionDays: 1 } },
        "orthanc:database.backupRetentionDays",
        /at least 7/,
      ],
    ]);
  });

  // Only the Docker target keeps an SQLite index; aws and kubernetes refuse it in the schema,
  // with every other problem, before any resource is created.
  describe("sqlite only on the docker target", () => {
    test.each([
      [
        "aws",
        AWS_HTTPS,
        "sqlite cannot live on ECS's ephemeral disks. Allowed on aws: postgresql. Fix: set `orthanc:database.engine` to postgresql (RDS is created for it) or give database.external.",
      ],
      [
        "kubernetes",
        {},
        "sqlite is not offered on Kubernetes. Allowed: postgresql (statefulset, cloudnativepg or external). Fix: set `orthanc:database.engine` to postgresql.",
      ],
    ])("target %s refuses engine sqlite", (target, extra, message) => {
      expect(issuesOf({ target, ...extra, database: { engine: "sqlite" } })).toEqual([
        { key: "orthanc:database.engine", message },
      ]);
    });

    test("it is reported with the other problems, even beside a broken section", () => {
      expect.assertions(2);
      try {
        parseConfig({
          target: "kubernetes",
          orthanc: { replicas: 2, dicom: { port: 0 } },
          database: { engine: "sqlite" },
          storage: { accessMode: "ReadWriteMany" },
        });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).issues.map((i) => i.key).sort()).toEqual([
          "orthanc:database.engine",
          "orthanc:orthanc.dicom.port",
        ]);
      }
    });

    test("the docker target keeps it", () => {
      expect(
        parseConfig({ target: "docker", database: { engine: "sqlite" } }).database.engine,
      ).toBe("sqlite");
    });
  });

  describe("cross-field rules", () => {
    testRejections([
      [
        "the pool must fit the server",
        {
          target: "docker",
          orthanc: { replicas: 4 },
          database: {
            connectionsPerReplica: 30,
            external: { host: "db", password: "x", maxConnections: 100 },
          },
        },
        "orthanc:database.connectionsPerReplica",
        /4 replicas x 30 connections = 120.*at most 22/,
      ],
    ]);
  });
});
