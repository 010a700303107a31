/** PostgreSQL as a StatefulSet and its dumps, validated against the Kubernetes schema. */
import { StatefulSet } from "kubernetes-models/apps/v1";
import { CronJob } from "kubernetes-models/batch/v1";
import { ConfigMap, PersistentVolumeClaim, Service } from "kubernetes-models/v1";
import {
  postgresBackupClaim,
  postgresBackupCronJob,
  postgresHbaConfigMap,
  postgresScripts,
  postgresScriptsConfigMap,
  postgresService,
  postgresStatefulSet,
  tlsReloadScript,
} from "../../../../components/kubernetes/manifests/postgres";
import { roleScript, startScript } from "../../../../components/shared/postgresRole";
import { postgresHbaConf } from "../../../../components/shared/postgresTls";
import { Any, validate } from "./helpers";

const ss0 = () => ({
  name: "pacs",
  namespace: "orthanc",
  image: "postgres:16.10-bookworm",
  secretName: "pacs-postgres",
  storageGiB: 20,
  storageClass: "gp3",
  database: "orthanc",
  user: "orthanc",
  appRole: "orthanc_app",
  appSecretName: "pacs-postgres-app",
  tlsSecretName: "pacs-postgres-tls",
});

describe("PostgreSQL StatefulSet", () => {
  const ss = postgresStatefulSet(ss0()) as Any;
  const pod = ss.spec.template.spec;
  const [server, reload] = pod.containers;

  test("is valid, with its Service and its client authentication rules", () => {
    validate(StatefulSet, ss);
    validate(Service, postgresService({ name: "pacs", namespace: "orthanc" }));
    const hba = postgresHbaConfigMap({ name: "pacs", namespace: "orthanc" }) as Any;
    validate(ConfigMap, hba);
    expect(hba.metadata.name).toBe("pacs-postgres-hba");
    expect(hba.data).toEqual({ "pg_hba.conf": postgresHbaConf() });
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

  test("the Docker target's server settings and TLS, as args to the wrapper that runs the image's entrypoint; durability untouched", () => {
    expect(server.command).toEqual(["/bin/bash", "/usr/local/lib/orthanc/postgres-start.sh"]);
    expect(server.args).toEqual([
      "postgres",
      ...["-c", "max_connections=100", "-c", "shared_buffers=256MB"],
      ...["-c", "ssl=on"],
      ...["-c", "ssl_cert_file=/etc/postgresql/tls/tls.crt"],
      ...["-c", "ssl_key_file=/etc/postgresql/tls/tls.key"],
      ...["-c", "ssl_min_protocol_version=TLSv1.2"],
      ...["-c", "hba_file=/etc/postgresql/hba/pg_hba.conf"],
    ]);
  });

  test("mounts the certificate (key readable by root and the pod's group only) and the rules, read-only", () => {
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
    expect(pod.volumes.slice(-2)).toEqual([
      {
        name: "tls",
        secret: {
          secretName: "pacs-postgres-tls",
          defaultMode: 0o440,
          items: [
            { key: "tls.crt", path: "tls.crt" },
            { key: "tls.key", path: "tls.key" },
          ],
        },
      },
      {
        name: "hba",
        configMap: {
          name: "pacs-postgres-hba",
          items: [{ key: "pg_hba.conf", path: "pg_hba.conf" }],
        },
      },
    ]);
    expect(server.volumeMounts.slice(-2)).toEqual([
      { name: "tls", mountPath: "/etc/postgresql/tls", readOnly: true },
      { name: "hba", mountPath: "/etc/postgresql/hba", readOnly: true },
    ]);
  });

  test("a renewed certificate is reloaded by a container sharing the pod's processes, without a restart", () => {
    expect(pod.shareProcessNamespace).toBe(true);
    expect(reload).toMatchObject({
      name: "tls-reload",
      image: "postgres:16.10-bookworm",
      command: ["/bin/sh", "-c", tlsReloadScript()],
      env: [
        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
        { name: "TLS_DIR", value: "/etc/postgresql/tls" },
        { name: "HBA_FILE", value: "/etc/postgresql/hba/pg_hba.conf" },
        { name: "CHECK_SECONDS", value: "300" },
      ],
      volumeMounts: [
        { name: "data", mountPath: "/var/lib/postgresql/data", readOnly: true },
        { name: "tls", mountPath: "/etc/postgresql/tls", readOnly: true },
        { name: "hba", mountPath: "/etc/postgresql/hba", readOnly: true },
      ],
      securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    });
    expect(tlsReloadScript()).toContain('pg_ctl reload -D "$PGDATA"');
    expect(env(server).PGDATA).toBe(env(reload).PGDATA);
  });

  test("Orthanc's role at every start: the wrapper, the role script in the image's init folder, the role's password from its own Secret", () => {
    const pod = ss.spec.template.spec;
    const c = pod.containers[0];
    expect(c.env).toContainEqual({
      name: "ORTHANC_APP_PASSWORD_FILE",
      value: "/run/secrets/orthanc-app/password",
    });
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "app-password", mountPath: "/run/secrets/orthanc-app", readOnly: true },
        { name: "start-script", mountPath: "/usr/local/lib/orthanc", readOnly: true },
        { name: "role-script", mountPath: "/docker-entrypoint-initdb.d", readOnly: true },
      ]),
    );
    const volumes = Object.fromEntries(pod.volumes.map((v: Any) => [v.name, v]));
    expect(volumes["app-password"].secret).toEqual({
      secretName: "pacs-postgres-app",
      defaultMode: 0o400,
      items: [{ key: "password", path: "password" }],
    });
    expect(volumes["start-script"].configMap).toEqual({
      name: "pacs-postgres-scripts",
      defaultMode: 0o555,
      items: [{ key: "postgres-start.sh", path: "postgres-start.sh" }],
    });
    expect(volumes["role-script"].configMap).toEqual({
      name: "pacs-postgres-scripts",
      defaultMode: 0o555,
      items: [{ key: "orthanc-db-role.sh", path: "orthanc-db-role.sh" }],
    });
    const cm = postgresScriptsConfigMap({
      name: "pacs",
      namespace: "orthanc",
      appRole: "orthanc_app",
    }) as Any;
    validate(ConfigMap, cm);
    expect(cm.metadata.name).toBe("pacs-postgres-scripts");
    expect(cm.data).toEqual({
      "postgres-start.sh": startScript(),
      "orthanc-db-role.sh": roleScript("orthanc_app"),
    });
    // The pod rolls when a script changes.
    const other = postgresStatefulSet({ ...ss0(), appRole: "other_role" }) as Any;
    expect(other.spec.template.metadata.annotations["checksum/scripts"]).not.toBe(
      ss.spec.template.metadata.annotations["checksum/scripts"],
    );
    expect(postgresScripts("orthanc_app")["orthanc-db-role.sh"]).toContain("orthanc_app");
  });
});

const env = (c: Any): Record<string, string> =>
  Object.fromEntries(c.env.map((e: Any) => [e.name, e.value]));

describe("PostgreSQL backup CronJob", () => {
  const job = postgresBackupCronJob({
    name: "pacs",
    namespace: "orthanc",
    image: "postgres:16.10-bookworm",
    secretName: "pacs-postgres",
    database: "orthanc",
    user: "orthanc",
    tlsSecretName: "pacs-postgres-tls",
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
      "PGSSLMODE",
      "PGSSLROOTCERT",
    ]);
  });

  test("dumps over TLS, the server's certificate verified against the CA and the Service's name; only the CA certificate is mounted", () => {
    expect(env(pod.containers[0])).toEqual({
      PGHOST: "pacs-postgres",
      PGUSER: "orthanc",
      PGDATABASE: "orthanc",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/run/secrets/postgres-ca/ca.crt",
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "postgres-ca",
      mountPath: "/run/secrets/postgres-ca",
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: "postgres-ca",
      secret: {
        secretName: "pacs-postgres-tls",
        defaultMode: 0o444,
        items: [{ key: "ca.crt", path: "ca.crt" }],
      },
    });
  });
});
