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

describe("orthanc:database, checked against the server", () => {
  const rds = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    target: "aws",
    tls: { allowPlainHttp: true },
    aws: { region: "eu-west-1", ...((extra.aws as object) ?? {}) },
    database,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "aws")),
  });

  describe("RDS classes: the table, or their memory", () => {
    testRejections([
      [
        "a size its family does not have",
        rds({ instanceClass: "db.m6i.micro" }),
        "orthanc:database.instanceClass",
        /got "db.m6i.micro", which the class table .* does not know: db.m6i comes in large, xlarge, .*32xlarge\. Fix: pick a known class \(`pulumi config set --path 'orthanc:database.instanceClass' db.m6i.large`\), or, for a class RDS offers .* `pulumi config set --path 'orthanc:database.instanceMemoryGiB' 16`/,
      ],
      [
        "a family the table does not know",
        rds({ instanceClass: "db.m9q.large" }),
        "orthanc:database.instanceClass",
        /the families it knows are db.t3, db.t4g, .*db.m7g.*db.r7g/,
      ],
      [
        "a misspelt size",
        rds({ instanceClass: "db.r7g.lage" }),
        "orthanc:database.instanceClass",
        /must be an RDS instance class `db.<family>.<size>`.*Fix: `pulumi config set --path 'orthanc:database.instanceClass' db.r7g.large`/,
      ],
      [
        "an EC2 type without `db.`",
        rds({ instanceClass: "t4g.medium" }),
        "orthanc:database.instanceClass",
        /must be an RDS instance class.*Fix: .* db.t4g.medium`/,
      ],
    ]);

    test.each(["db.m6i.large", "db.m7g.xlarge", "db.r7g.2xlarge", "db.r6i.large", "db.t3.micro"])(
      "%s is known",
      (instanceClass) => {
        expect(() => parseConfig(rds({ instanceClass }))).not.toThrow();
      },
    );

    test("a class the table lacks, with its memory, is accepted", () => {
      const cfg = parseConfig(rds({ instanceClass: "db.m9q.4xlarge", instanceMemoryGiB: 64 }));
      expect(cfg.target === "aws" && cfg.database).toMatchObject({
        instanceClass: "db.m9q.4xlarge",
        instanceMemoryGiB: 64,
      });
    });
  });

  describe("RDS storage autoscaling above the storage", () => {
    testRejections([
      [
        "a ceiling equal to the storage",
        rds({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 }),
        "orthanc:database.maxAllocatedStorageGiB",
        /got 100, with `orthanc:database.allocatedStorageGiB` 100: RDS storage autoscaling needs its ceiling at least 10% above.*so 110 or more\. Fix: `pulumi config set --path 'orthanc:database.maxAllocatedStorageGiB' 200`/,
      ],
      [
        "a ceiling below the storage (the default 200 under 500)",
        rds({ allocatedStorageGiB: 500 }),
        "orthanc:database.maxAllocatedStorageGiB",
        /got 200, with `orthanc:database.allocatedStorageGiB` 500.*550 or more/,
      ],
      [
        "a ceiling only 5% above",
        rds({ allocatedStorageGiB: 200, maxAllocatedStorageGiB: 210 }),
        "orthanc:database.maxAllocatedStorageGiB",
        /220 or more/,
      ],
    ]);
  });

  describe("connection budgets fit the server's max_connections", () => {
    testRejections([
      [
        "an explicit pool over a small RDS class",
        rds(
          { instanceClass: "db.t4g.micro", connectionsPerReplica: 20 },
          { orthanc: { replicas: 5 } },
        ),
        "orthanc:database.connectionsPerReplica",
        /5 replicas x 20 connections = 100, over the max_connections of RDS db.t4g.micro \(1 GiB\) of 101 minus 10 reserved.*at most 18/,
      ],
      [
        "an explicit pool at the autoscaling maximum",
        rds(
          { instanceClass: "db.t4g.small", connectionsPerReplica: 20 },
          { aws: { autoscaling: { maxReplicas: 10 } }, orthanc: { replicas: 2 } },
        ),
        "orthanc:database.connectionsPerReplica",
        /10 replicas x 20 connections = 200, over .* of 202 minus 10 reserved, for 10 Orthanc processes \(`orthanc:aws.autoscaling.maxReplicas`\)/,
      ],
      [
        "an explicit pool over the PostgreSQL container",
        { target: "docker", orthanc: { replicas: 3 }, database: { connectionsPerReplica: 40 } },
        "orthanc:database.connectionsPerReplica",
        /3 replicas x 40 connections = 120, over the max_connections of the PostgreSQL this program runs of 100 minus 10 reserved.*at most 30/,
      ],
      [
        "an explicit pool over the StatefulSet, at the HPA's maximum",
        {
          target: "kubernetes",
          orthanc: { replicas: 2 },
          storage: { accessMode: "ReadWriteMany" },
          kubernetes: { autoscaling: { enabled: true, maxReplicas: 10 } },
          database: { connectionsPerReplica: 10 },
        },
        "orthanc:database.connectionsPerReplica",
        /10 replicas x 10 connections = 100.*`orthanc:kubernetes.autoscaling.maxReplicas`/,
      ],
      [
        "an external server too small for one connection each",
        {
          target: "docker",
          orthanc: { replicas: 4 },
          database: { external: { host: "db.example.org", password: "x", maxConnections: 12 } },
        },
        "orthanc:database.external.maxConnections",
        /12 leaves 2 connection\(s\) after the 10 reserved, fewer than the 4 Orthanc replicas of `orthanc:orthanc.replicas` \(each needs one\)\. Fix: give the server's real max_connections if it is higher \(at least 14: `pulumi config set --path 'orthanc:database.external.maxConnections' 14`\), or lower `orthanc:orthanc.replicas`\./,
      ],
    ]);

    test("a class the table lacks sizes its budget from the memory given", () => {
      const raw = rds(
        { instanceClass: "db.m9q.large", instanceMemoryGiB: 1, connectionsPerReplica: 50 },
        { orthanc: { replicas: 2 } },
      );
      expect(
        issuesOf(raw).find((i) => i.key === "orthanc:database.connectionsPerReplica")?.message,
      ).toMatch(/over the max_connections of RDS db.m9q.large \(1 GiB\) of 101/);
    });

    test("pools sized automatically fit: 20 replicas on the smallest RDS class", () => {
      expect(() =>
        parseConfig(rds({ instanceClass: "db.t4g.micro" }, { orthanc: { replicas: 20 } })),
      ).not.toThrow();
    });
  });
});
