/**
 * Decisions a component used to make by throwing, after resources were registered (the program
 * crashed halfway), now made by the schema. The audit of every `throw new Error` in components/
 * and infra/targets/ is in the README ("Configuration": what the program never throws on).
 */
import { testRejections } from "./helpers";

describe("what a component used to throw on is a schema error", () => {
  testRejections([
    [
      "U+E024 (the program's stand-in for `$`) in the instance name",
      { target: "docker", orthanc: { name: "PACS \uE024 1" } },
      "orthanc:orthanc.name",
      /contains the private-use character U\+E024.*Fix: remove that character/,
    ],
    [
      "U+E024 in a user's password (not shown)",
      { target: "docker", orthanc: { users: { bob: { password: "pa\uE024ss" } } } },
      "orthanc:orthanc.users.bob.password",
      /U\+E024.*\(value not shown\)/,
    ],
    [
      "an external server with fewer connections than replicas (sizing.ts threw)",
      {
        target: "docker",
        orthanc: { replicas: 2 },
        database: { external: { host: "db.internal", password: "pw", maxConnections: 11 } },
      },
      "orthanc:database.external.maxConnections",
      /11 leaves 1 connection\(s\) after the 10 reserved, fewer than the 2 Orthanc replicas of `orthanc:orthanc.replicas`.*at least 12/,
    ],
    [
      "the same with the AWS autoscaling maximum",
      {
        target: "aws",
        aws: { region: "eu-west-1", autoscaling: { maxReplicas: 8 } },
        database: { external: { host: "db.internal", password: "pw", maxConnections: 15 } },
      },
      "orthanc:database.external.maxConnections",
      /fewer than the 8 Orthanc replicas of `orthanc:aws.autoscaling.maxReplicas`/,
    ],
    [
      "the same with the Kubernetes HPA maximum",
      {
        target: "kubernetes",
        storage: { accessMode: "ReadWriteMany" },
        kubernetes: { autoscaling: { enabled: true, maxReplicas: 6 } },
        database: { external: { host: "db.internal", password: "pw", maxConnections: 12 } },
      },
      "orthanc:database.external.maxConnections",
      /fewer than the 6 Orthanc replicas of `orthanc:kubernetes.autoscaling.maxReplicas`/,
    ],
  ]);
});
