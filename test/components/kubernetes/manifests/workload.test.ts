/**
 * Orthanc's workload objects, validated offline against the Kubernetes schema (kubernetes-models),
 * with exact security-relevant fields.
 */
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Service } from "kubernetes-models/v1";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HOST_ID_SCRIPT,
  orthancAutoscaler,
  orthancDeployment,
  orthancDisruptionBudget,
  orthancService,
} from "../../../../components/kubernetes/manifests/workload";
import { Any, spec, validate } from "./helpers";

describe("Orthanc Deployment with the StatefulSet's CA", () => {
  const d = orthancDeployment({ ...spec, postgresCaSecretName: "pacs-postgres-tls" }) as Any;
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test("mounts only the CA certificate of the server's Secret and points libpq at it", () => {
    validate(Deployment, d);
    expect(pod.volumes).toContainEqual({
      name: "postgres-ca",
      secret: {
        secretName: "pacs-postgres-tls",
        defaultMode: 0o444,
        items: [{ key: "ca.crt", path: "ca.crt" }],
      },
    });
    expect(c.volumeMounts).toContainEqual({
      name: "postgres-ca",
      mountPath: "/etc/postgresql-ca",
      readOnly: true,
    });
    expect(c.env).toContainEqual({ name: "PGSSLROOTCERT", value: "/etc/postgresql-ca/ca.crt" });
  });

  test("without it (CloudNativePG, external), nothing of the kind", () => {
    const plain = orthancDeployment(spec) as Any;
    expect(JSON.stringify(plain)).not.toMatch(/postgres-ca|PGSSLROOTCERT/);
  });
});

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

  test("every emptyDir is sized for what is written there", () => {
    expect(
      Object.fromEntries(
        pod.volumes.filter((v: Any) => v.emptyDir).map((v: Any) => [v.name, v.emptyDir]),
      ),
    ).toEqual({
      tmp: { sizeLimit: "2Gi" },
      plugins: { sizeLimit: "256Mi" },
      hostid: { medium: "Memory", sizeLimit: "1Mi" },
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
      emptyDir: { sizeLimit: "64Mi" },
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

describe("Service, disruption budget and autoscaler", () => {
  test("ClusterIP for HTTP and in-cluster DICOM, selecting Orthanc's pods", () => {
    const s = orthancService(spec) as Any;
    validate(Service, s);
    expect(s.spec.type).toBe("ClusterIP");
    expect(s.spec.selector).toEqual((orthancDeployment(spec) as Any).spec.selector.matchLabels);
  });

  test("at most one pod down at a time, of Orthanc's pods", () => {
    const pdb = orthancDisruptionBudget(spec) as Any;
    validate(PodDisruptionBudget, pdb);
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: (orthancDeployment(spec) as Any).spec.selector,
    });
  });

  test("the autoscaler scales Orthanc's Deployment on CPU between its bounds", () => {
    const hpa = orthancAutoscaler(spec, {
      minReplicas: 3,
      maxReplicas: 6,
      targetCpuPercent: 70,
    }) as Any;
    validate(HorizontalPodAutoscaler, hpa);
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "pacs" },
      minReplicas: 3,
      maxReplicas: 6,
    });
    expect(hpa.spec.metrics[0].resource.target).toEqual({
      type: "Utilization",
      averageUtilization: 70,
    });
  });
});
