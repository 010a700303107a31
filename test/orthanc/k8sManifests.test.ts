/**
 * The Kubernetes objects, validated offline against the Kubernetes schema (kubernetes-models),
 * with exact security-relevant fields.
 */
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { CronJob } from "kubernetes-models/batch/v1";
import { Service } from "kubernetes-models/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dicomService,
  HOST_ID_SCRIPT,
  networkPolicies,
  orthancDeployment,
  orthancIngress,
  orthancService,
  postgresBackupCronJob,
  postgresService,
  postgresStatefulSet,
} from "../../components/kubernetes/manifests";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const spec = {
  name: "pacs",
  namespace: "orthanc",
  image: "orthancteam/orthanc:26.8.1",
  replicas: 1,
  httpPort: 8042,
  dicomPort: 4242,
  environment: { TCP_NODELAY: "1" },
  configMapName: "pacs-config",
  credentialsSecretName: "pacs-credentials",
  storageClaimName: "pacs-dicom",
  serviceAccountName: "pacs",
  resources: { cpu: "500m", memory: "1Gi" },
  configChecksum: "abc123",
};

const validate = (Kind: new (o: Any) => { validate(): void }, obj: unknown) =>
  expect(() => new Kind(obj as Any).validate()).not.toThrow();

describe("Orthanc Deployment", () => {
  const d = orthancDeployment(spec) as Any;
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test("is a valid Deployment", () => validate(Deployment, d));

  test("runs under the restricted Pod Security profile", () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(pod).toMatchObject({
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      serviceAccountName: "pacs",
    });
  });

  test("credentials only from the Secret, 0400; configuration from the ConfigMap; no secret in env", () => {
    const secrets = pod.volumes.find((v: Any) => v.name === "secrets");
    expect(secrets.projected).toEqual({
      defaultMode: 0o400,
      sources: [
        {
          secret: {
            name: "pacs-credentials",
            items: [{ key: "credentials.json", path: "orthanc-credentials.json" }],
          },
        },
      ],
    });
    // File by file: /run/secrets itself stays open for a pod role's token mount.
    expect(c.volumeMounts.filter((m: Any) => m.name === "secrets")).toEqual([
      {
        name: "secrets",
        mountPath: "/run/secrets/orthanc-credentials.json",
        subPath: "orthanc-credentials.json",
        readOnly: true,
      },
    ]);
    expect(c.volumeMounts.some((m: Any) => m.mountPath === "/run/secrets")).toBe(false);
    expect(c.volumeMounts).toContainEqual({
      name: "config",
      mountPath: "/etc/orthanc",
      readOnly: true,
    });
    expect(c.env.map((e: Any) => e.name)).toEqual(["TCP_NODELAY", "GENERATE_HOST_ID_IF_MISSING"]);
    expect(c.env.some((e: Any) => e.valueFrom)).toBe(false);
  });

  test("probes log in as the probe user; startup allows ten minutes for migrations", () => {
    for (const p of [c.startupProbe, c.readinessProbe, c.livenessProbe])
      expect(p.exec.command).toEqual(["/probes/test-aliveness.py", "--user=healthcheck"]);
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(600);
  });

  test("rolls on a config change, never runs two versions at once", () => {
    expect(d.spec.template.metadata.annotations).toEqual({ "checksum/config": "abc123" });
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
  });

  test("several replicas spread over nodes; the storage key is mounted when given", () => {
    const multi = orthancDeployment({
      ...spec,
      replicas: 3,
      storageClaimName: undefined,
      storageKeySecretName: "pacs-storage-key",
    }) as Any;
    validate(Deployment, multi);
    expect(multi.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
    });
    const sources = multi.spec.template.spec.volumes.find((v: Any) => v.name === "secrets")
      .projected.sources;
    expect(sources[1]).toEqual({
      secret: {
        name: "pacs-storage-key",
        items: [{ key: "master-key", path: "orthanc-storage-master-key" }],
      },
    });
    expect(multi.spec.template.spec.volumes.find((v: Any) => v.name === "storage")).toEqual({
      name: "storage",
      emptyDir: {},
    });
    expect(
      multi.spec.template.spec.containers[0].volumeMounts.filter((m: Any) => m.name === "secrets"),
    ).toEqual([
      expect.objectContaining({ mountPath: "/run/secrets/orthanc-credentials.json" }),
      {
        name: "secrets",
        mountPath: "/run/secrets/orthanc-storage-master-key",
        subPath: "orthanc-storage-master-key",
        readOnly: true,
      },
    ]);
  });

  test("each pod gets its own random host id from an init container, on the read-only root", () => {
    expect(pod.initContainers).toEqual([
      {
        name: "hostid",
        image: "orthancteam/orthanc:26.8.1",
        command: ["/bin/sh", "-c", HOST_ID_SCRIPT],
        volumeMounts: [{ name: "hostid", mountPath: "/hostid" }],
        securityContext: c.securityContext,
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "16Mi" } },
      },
    ]);
    expect(c.volumeMounts).toContainEqual({
      name: "hostid",
      mountPath: "/etc/hostid",
      subPath: "hostid",
      readOnly: true,
    });
    expect(c.env).toContainEqual({ name: "GENERATE_HOST_ID_IF_MISSING", value: "false" });
  });

  test("the host id script, run for real, gives each run its own gethostid() value", () => {
    const ids = [1, 2, 3].map(() => {
      const dir = mkdtempSync(join(tmpdir(), "hostid-"));
      try {
        execFileSync("/bin/sh", ["-c", HOST_ID_SCRIPT.replaceAll("/hostid/", `${dir}/`)]);
        return readFileSync(join(dir, "hostid"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    // glibc's gethostid() reads the first 4 bytes of /etc/hostid as an int: all 32 bits random.
    for (const id of ids) expect(id).toHaveLength(4);
    expect(new Set(ids.map((id) => id.readUInt32LE(0))).size).toBe(3);
  });
});

describe("Services and Ingress", () => {
  test("ClusterIP for HTTP and in-cluster DICOM, selecting Orthanc's pods", () => {
    const s = orthancService(spec) as Any;
    validate(Service, s);
    expect(s.spec.type).toBe("ClusterIP");
    expect(s.spec.selector).toEqual((orthancDeployment(spec) as Any).spec.selector.matchLabels);
  });

  test("DICOM from outside only from the allowlist, keeping client addresses", () => {
    const s = dicomService(spec, 4242, ["10.20.0.0/16"]) as Any;
    validate(Service, s);
    expect(s.spec).toMatchObject({
      type: "LoadBalancer",
      loadBalancerSourceRanges: ["10.20.0.0/16"],
      externalTrafficPolicy: "Local",
    });
  });

  test("Ingress: TLS from cert-manager, forced HTTPS, no body limit, unbuffered, long timeouts, to the Service", () => {
    const i = orthancIngress(spec, {
      host: "pacs.example.org",
      className: "nginx",
      certManagerIssuer: "letsencrypt",
    }) as Any;
    validate(Ingress, i);
    expect(i.metadata.annotations).toMatchObject({
      "cert-manager.io/cluster-issuer": "letsencrypt",
      "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/proxy-body-size": "0",
      "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
    });
    expect(i.spec.tls).toEqual([{ hosts: ["pacs.example.org"], secretName: "pacs-tls" }]);
    const withCors = orthancIngress(spec, {
      host: "pacs.example.org",
      className: "nginx",
      certManagerIssuer: "letsencrypt",
      corsOrigins: ["https://viewer.example.org"],
    }) as Any;
    validate(Ingress, withCors);
    expect(withCors.metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/enable-cors": "true",
      "nginx.ingress.kubernetes.io/cors-allow-origin": "https://viewer.example.org",
    });
    expect(i.metadata.annotations).not.toHaveProperty("nginx.ingress.kubernetes.io/enable-cors");
    expect(i.spec.rules[0].http.paths[0].backend).toEqual({
      service: { name: "pacs", port: { name: "http" } },
    });
  });
});

describe("NetworkPolicies", () => {
  const policies = networkPolicies({
    name: "pacs",
    namespace: "orthanc",
    httpPort: 8042,
    dicomPort: 4242,
    ingressControllerNamespace: "ingress-nginx",
    dicomAllowedCidrs: ["10.20.0.0/16"],
    databaseSelector: {
      "app.kubernetes.io/component": "postgres",
      "app.kubernetes.io/instance": "pacs",
    },
    egressPorts: [443],
  }) as Any[];

  test("are valid", () => policies.forEach((p) => validate(NetworkPolicy, p)));

  test("deny everything by default", () => {
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test("Orthanc: HTTP only from the ingress controller, DICOM only from the allowlist; egress to DNS, its database and 443", () => {
    const o = policies[1].spec;
    expect(o.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 8042 }],
      },
      { from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 4242 }] },
    ]);
    expect(o.egress.map((e: Any) => e.ports.map((p: Any) => p.port))).toEqual([
      [53, 53],
      [5432],
      [443],
    ]);
  });

  test("PostgreSQL only from Orthanc", () => {
    expect(policies[2].spec.ingress).toEqual([
      {
        from: [{ podSelector: policies[1].spec.podSelector }],
        ports: [{ protocol: "TCP", port: 5432 }],
      },
    ]);
  });
});

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

  test("network: only Orthanc and the backup job reach PostgreSQL; the job reaches only DNS and PostgreSQL", () => {
    const withBackups = networkPolicies({
      name: "pacs",
      namespace: "orthanc",
      httpPort: 8042,
      ingressControllerNamespace: "ingress-nginx",
      dicomAllowedCidrs: [],
      databaseSelector: { "app.kubernetes.io/component": "postgres" },
      egressPorts: [],
      backups: true,
    }) as Any[];
    withBackups.forEach((p) => validate(NetworkPolicy, p));
    expect(
      withBackups[2].spec.ingress[0].from.map(
        (f: Any) => f.podSelector.matchLabels["app.kubernetes.io/component"],
      ),
    ).toEqual(["orthanc", "backup"]);
    expect(withBackups[3].spec.egress.map((e: Any) => e.ports.map((p: Any) => p.port))).toEqual([
      [53, 53],
      [5432],
    ]);
    expect(withBackups[3].spec.ingress).toEqual([]);
  });
});
