/**
 * The RdsPostgres component on its own, under mocks: a private, encrypted, protected database that
 * forces TLS, its connection secret, and the max_connections its instance classes allow.
 */
import * as pulumi from "@pulumi/pulumi";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { rdsMaxConnections } from "../../../components/aws/rdsPostgres";
import { only } from "../../helpers/plan";
import { KEY } from "./helpers";

describe("RdsPostgres", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await planOf("test", "aws-part", async () => {
      const { RdsPostgres } = await import("../../../components/aws/rdsPostgres");
      const db = new RdsPostgres("pacs-db", {
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-db"],
        engineMajor: "16",
        instanceClass: "db.t4g.medium",
        allocatedStorageGiB: 20,
        maxAllocatedStorageGiB: 200,
        multiAz: true,
        backupRetentionDays: 7,
        kmsKeyArn: KEY,
        databaseName: "orthanc",
        username: "orthanc",
        password: pulumi.secret("generated-db-password"),
        protect: true,
      });
      return { address: db.address, secretArn: db.secretArn };
    });
  });

  test("is private, encrypted with the key, gp3, and gets its password only as a secret", () => {
    expect(only(plan, "aws:rds/instance:Instance").inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      allowMajorVersionUpgrade: false,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: KEY,
      publiclyAccessible: false,
      vpcSecurityGroupIds: ["sg-db"],
      password: "[secret]",
      performanceInsightsKmsKeyId: KEY,
      multiAz: true,
    });
    expect(only(plan, "aws:rds/instance:Instance").inputs).not.toHaveProperty(
      "manageMasterUserPassword",
    );
  });

  test("survives deletion: backups kept, a final snapshot, deletion protection in AWS and in Pulumi", () => {
    const db = only(plan, "aws:rds/instance:Instance");
    expect(db.inputs).toMatchObject({
      backupRetentionPeriod: 7,
      deleteAutomatedBackups: false,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "pacs-db-final",
      deletionProtection: true,
      copyTagsToSnapshot: true,
    });
    expect(db).toMatchObject({ protect: true, retainOnDelete: true });
  });

  test("forces TLS and never logs statement text (PHI)", () => {
    const params = only(plan, "aws:rds/parameterGroup:ParameterGroup").inputs;
    expect(params.family).toBe("postgres16");
    const byName = Object.fromEntries(
      (params.parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(byName).toMatchObject({
      "rds.force_ssl": "1",
      log_statement: "none",
      log_min_duration_statement: "-1",
    });
  });

  test("keeps the connection for the tasks in a Secrets Manager secret under the key", () => {
    expect(only(plan, "aws:secretsmanager/secret:Secret").inputs).toMatchObject({
      kmsKeyId: KEY,
      recoveryWindowInDays: 30,
    });
    expect(only(plan, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe(
      "[secret]",
    );
    expect(plan.outputs).toEqual({
      address: "pacs-db.c0abcdefghij.eu-west-1.rds.amazonaws.com",
      secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:pacs-db-connection",
    });
  });

  test.each([
    ["db.t4g.micro", 101],
    ["db.t4g.small", 202],
    ["db.t4g.medium", 405],
    ["db.r6g.large", 1622], // memory optimized: 16 GiB
    ["db.m7g.large", 811],
    ["db.r6g.4xlarge", 5000], // 128 GiB would allow ~12979: capped at 5000
  ])("max_connections of %s is about %i", (cls, expected) => {
    expect(rdsMaxConnections(cls)).toBe(expected);
  });

  test("a class the table lacks is sized from the memory given (database.instanceMemoryGiB)", () => {
    expect(rdsMaxConnections("db.m9q.large", 16)).toBe(1622);
    // The schema refuses such a class without its memory, so a stack never reaches this.
    expect(() => rdsMaxConnections("db.m9q.large")).toThrow(
      /Set orthanc:database.instanceMemoryGiB to its memory/,
    );
  });
});
