/** PostgreSQL as a StatefulSet and its dumps, validated against the Kubernetes schema. */
import { StatefulSet } from "kubernetes-models/apps/v1";
import { CronJob } from "kubernetes-models/batch/v1";
import { PersistentVolumeClaim, Service } from "kubernetes-models/v1";
import {
  postgresBackupClaim,
  postgresBackupCronJob,
  postgresService,
  postgresStatefulSet,
} from "../../../../components/kubernetes/manifests/postgres";
import { Any, validate } from "./helpers";

describe("PostgreSQL StatefulSet", () => {
  const ss = postgresStatefulSet({
    name: "pacs",
    namespace: "orthanc",
    image: "postgres:16.10-bookworm",
    secretName: "pacs-postgres",
    storageGiB: 20,
    storageClass: "gp3",
    database: "orthanc",
    user: "orthanc",
  }) as Any;

  test("is valid, with its Service", () => {
    validate(StatefulSet, ss);
    validate(Service, postgresService({ name: "pacs", namespace: "orthanc" }));
  });

  test("its emptyDirs are sized: socket and lock files, and the entrypoint's /tmp", () => {
    expect(
      ss.spec.template.spec.volumes
        .filter((v: Any) => v.emptyDir)
        .map((v: Any) => [v.name, v.emptyDir]),
    ).toEqual([
      ["run", { sizeLimit: "16Mi" }],
      ["tmp", { sizeLimit: "64Mi" }],
    ]);
  });

  test("the dumps' volume is valid, twice the data's size, in the same StorageClass", () => {
    const claim = postgresBackupClaim({
      name: "pacs",
      namespace: "orthanc",
      storageGiB: 20,
      storageClass: "gp3",
    }) as Any;
    validate(PersistentVolumeClaim, claim);
    expect(claim.metadata.name).toBe("pacs-postgres-backups");
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "gp3",
      resources: { requests: { storage: "40Gi" } },
    });
  });

  test("password auth from a Secret file, no trust; data kept when deleted or scaled", () => {
    const env = Object.fromEntries(
      ss.spec.template.spec.containers[0].env.map((e: Any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/password",
      POSTGRES_HOST_AUTH_METHOD: "scram-sha-256",
    });
    expect(JSON.stringify(ss)).not.toMatch(/trust/);
    expect(ss.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(ss.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "gp3",
      resources: { requests: { storage: "20Gi" } },
    });
  });

  test("the Docker target's server settings, as args so the image's entrypoint still runs; durability untouched", () => {
    const c = ss.spec.template.spec.containers[0];
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(["postgres", "-c", "max_connections=100", "-c", "shared_buffers=256MB"]);
  });
});

describe("PostgreSQL backup CronJob", () => {
  const job = postgresBackupCronJob({
    name: "pacs",
    namespace: "orthanc",
    image: "postgres:16.10-bookworm",
    secretName: "pacs-postgres",
    database: "orthanc",
    user: "orthanc",
    claimName: "pacs-postgres-backups",
    schedule: "0 3 * * *",
    retentionDays: 14,
  }) as Any;
  const pod = job.spec.jobTemplate.spec.template.spec;

  test("is a valid CronJob that never overlaps itself", () => {
    validate(CronJob, job);
    expect(job.spec).toMatchObject({ schedule: "0 3 * * *", concurrencyPolicy: "Forbid" });
  });

  test("runs restricted, reads the password from the Secret file, fails the job when a dump fails", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(pod.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    const script = pod.containers[0].command[2] as string;
    expect(script).toContain('PGPASSWORD="$(cat /run/secrets/postgres/password)"');
    expect(script).toContain('rm -f "$dir/orthanc-$stamp.dump.partial"; exit 1');
    expect(script).toContain("-mtime +14 -print -delete");
    expect(pod.containers[0].env.map((e: Any) => e.name)).toEqual([
      "PGHOST",
      "PGUSER",
      "PGDATABASE",
    ]);
  });
});
