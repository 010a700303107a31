import { testRejections } from "../helpers";

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
