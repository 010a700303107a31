/**
 * The Kubernetes target's shipped stacks under mocks: every object validated against the
 * Kubernetes schema, the security-relevant fields, the wiring (selectors, names, the secret
 * behind the files), secrets kept out of ConfigMaps and outputs, and protected data.
 */
import { Certificate, Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2";
import { Cluster, ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1";
import { Gateway, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Middleware } from "@kubernetes-models/traefik/traefik.io/v1alpha1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { CronJob } from "kubernetes-models/batch/v1";
import {
  ConfigMap,
  Namespace,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} from "kubernetes-models/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { z } from "zod";
import { Plan } from "../../infra/plan/runPlan";
import { only, ofType, planConfig, planStack, R } from "../helpers/plan";

/** The ConfigMap holding Orthanc's configuration (the StatefulSet's scripts have one of their own). */
function orthancConfigMap(plan: Plan): R {
  const found = ofType(plan, "kubernetes:core/v1:ConfigMap").filter(
    (r) => r.inputs.data?.["orthanc.json"] !== undefined,
  );
  expect(found).toHaveLength(1);
  return found[0];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  "kubernetes:apps/v1:Deployment": Deployment,
  "kubernetes:apps/v1:StatefulSet": StatefulSet,
  "kubernetes:batch/v1:CronJob": CronJob,
  "kubernetes:core/v1:Service": Service,
  "kubernetes:core/v1:Secret": Secret,
  "kubernetes:core/v1:ConfigMap": ConfigMap,
  "kubernetes:core/v1:Namespace": Namespace,
  "kubernetes:core/v1:ServiceAccount": ServiceAccount,
  "kubernetes:core/v1:PersistentVolumeClaim": PersistentVolumeClaim,
  "kubernetes:networking.k8s.io/v1:Ingress": Ingress,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": NetworkPolicy,
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "kubernetes:policy/v1:PodDisruptionBudget": PodDisruptionBudget,
  "kubernetes:cert-manager.io/v1:Certificate": Certificate,
  "kubernetes:cert-manager.io/v1:Issuer": Issuer,
  "kubernetes:gateway.networking.k8s.io/v1:Gateway": Gateway,
  "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": HTTPRoute,
  "kubernetes:traefik.io/v1alpha1:Middleware": Middleware,
  "kubernetes:cilium.io/v2:CiliumNetworkPolicy": CiliumNetworkPolicy,
  "kubernetes:postgresql.cnpg.io/v1:Cluster": Cluster,
  "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup": ScheduledBackup,
  "kubernetes:gateway.nginx.org/v1alpha1:ClientSettingsPolicy": class {
    constructor(private readonly o: unknown) {}
    validate() {
      NGF_CLIENT_SETTINGS.parse(this.o);
    }
  },
};

/**
 * NGINX Gateway Fabric publishes no model package: its ClientSettingsPolicy as its CRD constrains
 * the fields this target sets (apis/v1alpha1/clientsettingspolicy_types.go: a Size is
 * `^\d{1,4}(k|m|g)?$`; the target a Gateway, HTTPRoute or GRPCRoute of the Gateway API group).
 */
const NGF_CLIENT_SETTINGS = z.strictObject({
  apiVersion: z.literal("gateway.nginx.org/v1alpha1"),
  kind: z.literal("ClientSettingsPolicy"),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.strictObject({
    targetRef: z.strictObject({
      group: z.literal("gateway.networking.k8s.io"),
      kind: z.enum(["Gateway", "HTTPRoute", "GRPCRoute"]),
      name: z.string().min(1),
    }),
    body: z.strictObject({ maxSize: z.string().regex(/^\d{1,4}(k|m|g)?$/) }),
  }),
});

/** Validates every core object of a plan; returns the types it could not check. */
function validateAll(plan: Plan, plain: Record<string, Record<string, unknown>>): string[] {
  const unchecked: string[] = [];
  for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
    const Model = MODELS[r.type];
    if (!Model) {
      unchecked.push(r.type);
      continue;
    }
    expect(() => new Model(plain[`${r.type}::${r.name}`]).validate()).not.toThrow();
  }
  return unchecked;
}

describe("stack k8s-basic", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    ({ plan, plain } = await planStack("k8s-basic"));
  });

  test("every object is valid against its schema (core, cert-manager, Gateway API); nothing of AWS or Docker is created", () => {
    expect(validateAll(plan, plain)).toEqual([]);
    expect(plan.resources.filter((r) => /^(aws|docker|command):/.test(r.type))).toEqual([]);
  });

  test("a restricted namespace; the namespace, both PVCs and PostgreSQL are protected; a daily dump job", () => {
    expect(only(plan, "kubernetes:core/v1:Namespace").inputs.metadata.labels).toEqual({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(
      plan.resources
        .filter((r) => r.protect)
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "orthanc-k8s-basic-dicom",
      "orthanc-k8s-basic-namespace",
      "orthanc-k8s-basic-postgres",
      "orthanc-k8s-basic-postgres-backups",
    ]);
    const job = only(plan, "kubernetes:batch/v1:CronJob").inputs.spec.jobTemplate.spec.template
      .spec;
    expect(job.volumes[0]).toEqual({
      name: "backups",
      persistentVolumeClaim: { claimName: "orthanc-postgres-backups" },
    });
  });

  test("credentials only in Secrets: the ConfigMap holds none, the Secret's content is secret", () => {
    const config = JSON.parse(orthancConfigMap(plan).inputs.data["orthanc.json"]);
    expect(config).not.toHaveProperty("RegisteredUsers");
    expect(config).not.toHaveProperty("PostgreSQL");
    const secret = plan.resources.find(
      (r) => r.name === "orthanc-k8s-basic-credentials" && r.type === "kubernetes:core/v1:Secret",
    )!;
    expect(secret.inputs.stringData).toBe("[secret]");
    for (const r of plan.resources)
      expect(JSON.stringify(r.inputs)).not.toMatch(/generated-orthanc-k8s-basic/);
  });

  test("wiring: Orthanc reads the Secret and ConfigMap it was given, finds PostgreSQL by its Service, with the StatefulSet's password", () => {
    const pod =
      plain["kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc"].spec.template.spec;
    const volumes = Object.fromEntries(pod.volumes.map((v: { name: string }) => [v.name, v]));
    expect(volumes.config.configMap.name).toBe(orthancConfigMap(plan).inputs.metadata.name);
    expect(volumes.secrets.projected.sources[0].secret.name).toBe("orthanc-credentials");
    expect(volumes.storage.persistentVolumeClaim.claimName).toBe(
      (plan.resources.find((r) => r.name === "orthanc-k8s-basic-dicom") as R).inputs.metadata.name,
    );
    const credentials = JSON.parse(
      plain["kubernetes:core/v1:Secret::orthanc-k8s-basic-credentials"].stringData[
        "credentials.json"
      ],
    );
    // Orthanc's own role, with the password of its own Secret, never the administrator's.
    expect(credentials.PostgreSQL).toMatchObject({
      Host: "orthanc-postgres.orthanc.svc",
      Port: 5432,
      Username: "orthanc_app",
      Lock: true,
    });
    expect(credentials.PostgreSQL.Password).toBe(
      plain["kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-app-password"].stringData
        .password,
    );
    expect(credentials.PostgreSQL.Password).not.toBe(
      plain["kubernetes:core/v1:Secret::orthanc-k8s-basic-postgres-password"].stringData.password,
    );
    expect(Object.keys(credentials.RegisteredUsers).sort()).toEqual(["admin", "healthcheck"]);
  });

  test("database role: only the StatefulSet mounts the administrator's Secret; the dumps log in as Orthanc's role", () => {
    const mountedSecrets = (spec: { volumes: { secret?: { secretName: string } }[] }) =>
      spec.volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : []));
    const ss = plain["kubernetes:apps/v1:StatefulSet::orthanc-k8s-basic-postgres"].spec.template;
    // (and its TLS certificate's, issued by cert-manager)
    expect(mountedSecrets(ss.spec)).toEqual([
      "orthanc-postgres",
      "orthanc-postgres-app",
      "orthanc-postgres-tls",
    ]);
    expect(ss.spec.containers[0].command).toEqual([
      "/bin/bash",
      "/usr/local/lib/orthanc/postgres-start.sh",
    ]);
    const scripts = plain["kubernetes:core/v1:ConfigMap::orthanc-k8s-basic-postgres-scripts"];
    expect(scripts.metadata.name).toBe("orthanc-postgres-scripts");
    expect(scripts.data["orthanc-db-role.sh"]).toContain("CREATE ROLE orthanc_app LOGIN");
    const job =
      plain["kubernetes:batch/v1:CronJob::orthanc-k8s-basic-postgres-backup"].spec.jobTemplate.spec
        .template.spec;
    // (and the CA certificate of the server's, to verify it)
    expect(mountedSecrets(job)).toEqual(["orthanc-postgres-app", "orthanc-postgres-tls"]);
    expect(job.containers[0].env).toContainEqual({ name: "PGUSER", value: "orthanc_app" });
    const orthanc =
      plain["kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc"].spec.template.spec;
    expect(JSON.stringify(orthanc)).not.toMatch(/orthanc-postgres"|orthanc-postgres-app/);
  });

  test("PostgreSQL over TLS: a CA of the namespace signs the Service's certificate, which the server mounts; Orthanc requires TLS; the dump job verifies the name", () => {
    const byName = (type: string, name: string) =>
      plain[`kubernetes:${type}::orthanc-k8s-basic-${name}`];
    const selfSigned = byName("cert-manager.io/v1:Issuer", "postgres-selfsigned");
    const ca = byName("cert-manager.io/v1:Certificate", "postgres-ca");
    const caIssuer = byName("cert-manager.io/v1:Issuer", "postgres-ca-issuer");
    const server = byName("cert-manager.io/v1:Certificate", "postgres-tls");
    // The chain: self-signed -> CA certificate -> CA Issuer -> the server's certificate.
    expect(selfSigned.spec).toEqual({ selfSigned: {} });
    expect(ca.spec.issuerRef.name).toBe(selfSigned.metadata.name);
    expect(ca.spec.isCA).toBe(true);
    expect(caIssuer.spec).toEqual({ ca: { secretName: ca.spec.secretName } });
    expect(server.spec.issuerRef).toEqual({
      name: caIssuer.metadata.name,
      kind: "Issuer",
      group: "cert-manager.io",
    });
    const service = byName("core/v1:Service", "postgres");
    const credentials = JSON.parse(
      byName("core/v1:Secret", "credentials").stringData["credentials.json"],
    );
    expect(credentials.PostgreSQL.EnableSsl).toBe(true);
    const job = byName("batch/v1:CronJob", "postgres-backup").spec.jobTemplate.spec.template.spec;
    const jobEnv = Object.fromEntries(
      job.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    // Every name a client of this stack uses is on the certificate.
    expect(server.spec.dnsNames).toEqual([
      service.metadata.name,
      `${service.metadata.name}.orthanc`,
      credentials.PostgreSQL.Host,
      `${credentials.PostgreSQL.Host}.cluster.local`,
    ]);
    expect(server.spec.dnsNames).toContain(jobEnv.PGHOST);
    expect(jobEnv).toMatchObject({ PGSSLMODE: "verify-full" });
    const ss = byName("apps/v1:StatefulSet", "postgres");
    const volumes = Object.fromEntries(
      ss.spec.template.spec.volumes.map((v: { name: string }) => [v.name, v]),
    );
    expect(volumes.tls.secret.secretName).toBe(server.spec.secretName);
    expect(
      job.volumes.find((v: { name: string }) => v.name === "postgres-ca").secret,
    ).toMatchObject({ secretName: server.spec.secretName, items: [{ key: "ca.crt" }] });
    // Orthanc verifies the server's chain with the CA certificate of the same Secret.
    const orthancPod = byName("apps/v1:Deployment", "orthanc").spec.template.spec;
    expect(
      orthancPod.volumes.find((v: { name: string }) => v.name === "postgres-ca").secret,
    ).toMatchObject({ secretName: server.spec.secretName, items: [{ key: "ca.crt" }] });
    expect(orthancPod.containers[0].env).toContainEqual({
      name: "PGSSLROOTCERT",
      value: "/etc/postgresql-ca/ca.crt",
    });
    const hba = byName("core/v1:ConfigMap", "postgres-hba");
    expect(volumes.hba.configMap.name).toBe(hba.metadata.name);
    expect(hba.data["pg_hba.conf"]).toMatch(/^hostnossl all all all reject$/m);
    // The StatefulSet waits for the issued certificate and the rules.
    const deps = plan.resources.find(
      (r) => r.name === "orthanc-k8s-basic-postgres" && r.type === "kubernetes:apps/v1:StatefulSet",
    )!.dependencies;
    for (const name of ["postgres-tls", "postgres-hba"])
      expect(deps.some((d) => d.endsWith(`::orthanc-k8s-basic-${name}`))).toBe(true);
  });

  test("wiring: the Service selects Orthanc's pods; the HTTPRoute on the cluster's Gateway routes to it; only that Gateway's proxies reach it", () => {
    const deployment = plain["kubernetes:apps/v1:Deployment::orthanc-k8s-basic-orthanc"];
    const service = plain["kubernetes:core/v1:Service::orthanc-k8s-basic-service"];
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    const route = only(plan, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs;
    expect(route.spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "shared-gateway",
        namespace: "gateway-system",
        sectionName: "https",
      },
    ]);
    expect(route.spec.hostnames).toEqual(["pacs.example.org"]);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { kind: "Service", name: service.metadata.name, port: service.spec.ports[0].port },
    ]);
    // The existing Gateway is the cluster's: no Gateway, Ingress or certificate of the stack's.
    expect(ofType(plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway")).toEqual([]);
    expect(ofType(plan, "kubernetes:networking.k8s.io/v1:Ingress")).toEqual([]);
    const policies = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policies.map((p) => p.inputs.metadata.name)).not.toContain("orthanc-acme-solver");
    const orthanc = policies.find((p) => p.inputs.metadata.name === "orthanc-orthanc")!;
    expect(orthanc.inputs.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: {
              matchLabels: { "kubernetes.io/metadata.name": "envoy-gateway-system" },
            },
            podSelector: {
              matchLabels: {
                "gateway.envoyproxy.io/owning-gateway-name": "shared-gateway",
                "gateway.envoyproxy.io/owning-gateway-namespace": "gateway-system",
              },
            },
          },
        ],
        ports: [{ protocol: "TCP", port: 8042 }],
      },
    ]);
  });

  test("DICOM stays inside the cluster without an allowlist", () => {
    expect(ofType(plan, "kubernetes:core/v1:Service").map((s) => s.inputs.spec.type)).toEqual([
      "ClusterIP",
      "ClusterIP",
    ]);
    const policies = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (p) => p.inputs.spec,
    );
    const orthanc = policies.find(
      (p) => p.podSelector.matchLabels?.["app.kubernetes.io/component"] === "orthanc",
    );
    expect(orthanc.ingress).toHaveLength(1);
  });

  test("outputs: URL, namespace, Service, the Secret's name; the password only as a secret", () => {
    expect(plan.outputs).toEqual({
      target: "kubernetes",
      url: "https://pacs.example.org/",
      namespace: "orthanc",
      service: "orthanc",
      dicomService: undefined,
      dicomEndpoint: undefined,
      adminUser: "admin",
      adminPassword: "[secret]",
      credentialsSecret: "orthanc-credentials",
    });
  });

  test("a new image tag leaves the namespace, PVC and PostgreSQL as they were", async () => {
    const after = (await planStack("k8s-basic", { orthanc: { image: { tag: "26.9.0" } } })).plan;
    const data = (p: Plan) => p.resources.filter((r) => r.protect).map((r) => [r.name, r.inputs]);
    expect(data(after)).toEqual(data(plan));
  });
});

describe("stack k8s-ha", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    ({ plan, plain } = await planStack("k8s-ha"));
  });

  test("every object is valid against its schema (core, CloudNativePG, Gateway API, NGF's policy)", () => {
    expect(validateAll(plan, plain)).toEqual([]);
  });

  test("its own Gateway: cert-manager's certificate for the name, HTTP redirected, the route on its HTTPS listener, NGF's body limit lifted", () => {
    const gateway = only(plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs;
    expect(gateway.metadata).toMatchObject({
      name: "orthanc",
      namespace: "pacs-ha",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
    });
    expect(gateway.spec.gatewayClassName).toBe("nginx");
    expect(gateway.spec.listeners.map((l: R["inputs"]) => [l.name, l.port, l.hostname])).toEqual([
      ["https", 443, "ha-pacs.example.org"],
      ["http", 80, "ha-pacs.example.org"],
    ]);
    const routes = ofType(plan, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
      .map((r) => r.inputs)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(routes.map((r) => [r.metadata.name, r.spec.parentRefs[0].sectionName])).toEqual([
      ["orthanc", "https"],
      ["orthanc-https-redirect", "http"],
    ]);
    const policy = only(plan, "kubernetes:gateway.nginx.org/v1alpha1:ClientSettingsPolicy");
    expect(policy.inputs.spec.targetRef.name).toBe(routes[0].metadata.name);
  });

  test("network policies: NGF's proxies in the namespace are the only source of HTTP and of the ACME solver, and reach only Orthanc, the solver, DNS and NGF's control plane", () => {
    const policies = Object.fromEntries(
      ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [
        p.inputs.metadata.name,
        p.inputs.spec,
      ]),
    );
    const proxies = { "gateway.networking.k8s.io/gateway-name": "orthanc" };
    const from = [
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "pacs-ha" } },
        podSelector: { matchLabels: proxies },
      },
    ];
    expect(policies["orthanc-orthanc"].ingress[0]).toEqual({
      from,
      ports: [{ protocol: "TCP", port: 8042 }],
    });
    expect(policies["orthanc-acme-solver"].ingress).toEqual([
      { from, ports: [{ protocol: "TCP", port: 8089 }] },
    ]);
    expect(policies["orthanc-gateway"].podSelector).toEqual({ matchLabels: proxies });
    expect(
      policies["orthanc-gateway"].egress.map((e: R["inputs"]) =>
        e.ports.map((p: R["inputs"]) => p.port),
      ),
    ).toEqual([[53, 53], [8042], [8089], [443, 8443]]);
  });

  test("CloudNativePG: three instances, Orthanc's role owns its database, no superuser, protected", () => {
    const cluster = only(plan, "kubernetes:postgresql.cnpg.io/v1:Cluster");
    expect(cluster.inputs.spec).toMatchObject({
      instances: 3,
      enableSuperuserAccess: false,
      bootstrap: {
        initdb: { database: "orthanc", owner: "orthanc", secret: { name: "orthanc-db-owner" } },
      },
      storage: { size: "50Gi", storageClass: "gp3" },
      postgresql: { parameters: { log_statement: "none" } },
    });
    expect(cluster).toMatchObject({ protect: true, retainOnDelete: true });
    const credentials = JSON.parse(
      plain["kubernetes:core/v1:Secret::orthanc-k8s-ha-credentials"].stringData["credentials.json"],
    );
    expect(credentials.PostgreSQL).toMatchObject({
      Host: "orthanc-db-rw.pacs-ha.svc",
      EnableSsl: true,
      Lock: false,
      TransactionMode: "ReadCommitted",
    });
    // Two per pod, as measured (sizing.ts): six pods at most use 12 of the 90 available.
    expect(credentials.PostgreSQL.IndexConnectionsCount).toBe(2);
  });

  test("CloudNativePG backs up daily to the DICOM bucket under its own prefix, keys from a Secret", () => {
    const cluster = only(plan, "kubernetes:postgresql.cnpg.io/v1:Cluster");
    expect(cluster.inputs.spec.backup).toEqual({
      retentionPolicy: "30d",
      barmanObjectStore: {
        destinationPath: "s3://ha-pacs-dicom/orthanc/postgres/",
        s3Credentials: {
          accessKeyId: { name: "orthanc-db-backup-keys", key: "ACCESS_KEY_ID" },
          secretAccessKey: { name: "orthanc-db-backup-keys", key: "ACCESS_SECRET_KEY" },
        },
        wal: { compression: "gzip" },
        data: { compression: "gzip" },
      },
    });
    const keys = plan.resources.find((r) => r.name === "orthanc-k8s-ha-postgres-backup-keys")!;
    expect(keys.inputs.stringData).toBe("[secret]");
    expect(only(plan, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup").inputs.spec).toEqual({
      schedule: "0 0 3 * * *",
      backupOwnerReference: "self",
      cluster: { name: "orthanc-db" },
    });
  });

  test("three replicas, an HPA up to six, a PodDisruptionBudget; pods name themselves in the shared database", () => {
    const hpa = only(plan, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs.spec;
    expect(hpa).toMatchObject({
      minReplicas: 3,
      maxReplicas: 6,
      scaleTargetRef: { kind: "Deployment", name: "orthanc" },
    });
    expect(only(plan, "kubernetes:policy/v1:PodDisruptionBudget").inputs.spec.maxUnavailable).toBe(
      1,
    );
    const deployment = plan.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    expect(deployment.ignoreChanges).toEqual(["spec.replicas"]);
    const config = JSON.parse(orthancConfigMap(plan).inputs.data["orthanc.json"]);
    expect(config).toMatchObject({ DatabaseServerIdentifier: "${HOSTNAME}", SaveJobs: false });
  });

  test("DICOM from the allowlist only: a load balancer with source ranges and a matching policy", () => {
    const dicom = ofType(plan, "kubernetes:core/v1:Service").find(
      (s) => s.inputs.spec.type === "LoadBalancer",
    )!;
    expect(dicom.inputs.spec).toMatchObject({
      loadBalancerSourceRanges: ["10.30.0.0/16"],
      externalTrafficPolicy: "Local",
    });
    const policies = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (p) => p.inputs.spec,
    );
    const orthanc = policies.find(
      (p) => p.podSelector.matchLabels?.["app.kubernetes.io/component"] === "orthanc",
    );
    expect(orthanc.ingress[1]).toEqual({
      from: [{ ipBlock: { cidr: "10.30.0.0/16" } }],
      ports: [{ protocol: "TCP", port: 4242 }],
    });
    expect(orthanc.egress.map((e: { ports: { port: number }[] }) => e.ports[0].port)).toEqual([
      53, 5432, 443,
    ]);
  });

  test("S3 keys and the storage key only in Secrets; the storage key is generated once and protected", () => {
    const keySecret = plan.resources.find(
      (r) => r.name === "orthanc-k8s-ha-storage-key" && r.type === "kubernetes:core/v1:Secret",
    )!;
    expect(keySecret).toMatchObject({ protect: true, retainOnDelete: true });
    expect(keySecret.inputs.stringData).toBe("[secret]");
    expect(only(plan, "random:index/randomBytes:RandomBytes")).toMatchObject({
      protect: true,
      retainOnDelete: true,
    });
    const credentials = JSON.parse(
      plain["kubernetes:core/v1:Secret::orthanc-k8s-ha-credentials"].stringData["credentials.json"],
    );
    expect(credentials.AwsS3Storage).toMatchObject({
      BucketName: "ha-pacs-dicom",
      AccessKey: "AKIAEXAMPLEKEY000001",
      StorageEncryption: { Enable: true },
    });
    const config = JSON.parse(orthancConfigMap(plan).inputs.data["orthanc.json"]);
    expect(config).not.toHaveProperty("AwsS3Storage");
  });
});

describe("DNS records for a cluster's names", () => {
  test("only when a zone is given: the web name follows the Gateway, the DICOM name the DICOM load balancer", async () => {
    const { plan } = await planStack("k8s-ha", {
      dns: {
        name: "ha-pacs.example.org",
        dicomName: "dicom.example.org",
        zoneId: "Z0123456789ABC",
      },
    });
    const records = ofType(plan, "aws:route53/record:Record").map((r) => [
      r.inputs.name,
      r.inputs.type,
      r.inputs.records,
    ]);
    expect(records.sort()).toEqual([
      ["dicom.example.org", "A", ["198.51.100.40"]],
      ["ha-pacs.example.org", "CNAME", ["a1b2c3-gateway.elb.eu-west-1.amazonaws.com"]],
    ]);
    expect(plan.outputs.dicomEndpoint).toBe("HAPACS@198.51.100.40:4242");
    // The component's own, through its Route 53 provider; aliased to where stacks had them.
    const component = only(plan, "orthanc:kubernetes:OrthancKubernetes").urn;
    const provider = only(plan, "pulumi:providers:aws");
    for (const r of [provider, ...ofType(plan, "aws:route53/record:Record")]) {
      expect(r.parent).toBe(component);
      expect(r.aliases).toEqual([{ noParent: true }]);
    }
    expect(provider.inputs.region).toBe("us-east-1");
    // Without a zone (the shipped stack), nothing of AWS at all.
    const { plan: none } = await planStack("k8s-ha");
    expect(
      none.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws"),
    ).toEqual([]);
  });
});

describe("stack k8s-ingress", () => {
  let plan: Plan;
  let plain: Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(async () => {
    ({ plan, plain } = await planStack("k8s-ingress"));
  });

  test("every object is valid against its schema; nothing of the Gateway API", () => {
    expect(validateAll(plan, plain)).toEqual([]);
    expect(plan.resources.filter((r) => r.type.includes("gateway"))).toEqual([]);
  });

  test("a Traefik Ingress: Traefik's annotations only, its headers Middleware (HSTS, CORS), cert-manager's certificate", () => {
    const ingress = only(plan, "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingress.name).toBe("orthanc-k8s-ingress-ingress");
    expect(ingress.inputs.spec.ingressClassName).toBe("traefik");
    expect(ingress.inputs.metadata.annotations).toEqual({
      "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
      "traefik.ingress.kubernetes.io/router.tls": "true",
      "traefik.ingress.kubernetes.io/router.middlewares": "pacs-orthanc-headers@kubernetescrd",
      "cert-manager.io/cluster-issuer": "letsencrypt",
    });
    const middleware = only(plan, "kubernetes:traefik.io/v1alpha1:Middleware");
    expect(middleware.inputs.metadata).toMatchObject({
      name: "orthanc-headers",
      namespace: "pacs",
    });
    expect(middleware.inputs.spec.headers.stsSeconds).toBe(31536000);
    expect(middleware.inputs.spec.headers.accessControlAllowOriginList).toEqual([
      "https://viewer.example.org",
    ]);
    expect(ingress.dependencies).toContain(middleware.urn);
  });

  test("HTTP and the ACME solver only from Traefik's namespace", () => {
    const policies = Object.fromEntries(
      ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [
        p.inputs.metadata.name,
        p.inputs.spec,
      ]),
    );
    const from = [
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } } },
    ];
    expect(policies["orthanc-orthanc"].ingress).toEqual([
      { from, ports: [{ protocol: "TCP", port: 8042 }] },
    ]);
    expect(policies["orthanc-acme-solver"].ingress).toEqual([
      { from, ports: [{ protocol: "TCP", port: 8089 }] },
    ]);
  });
});

describe("the edge on other Gateway implementations", () => {
  test("Cilium, the stack's own Gateway: CiliumNetworkPolicies admit its identity; no NetworkPolicy peer for it", async () => {
    const { plan, plain } = await planStack("k8s-ha", {
      kubernetes: { gateway: { create: true, className: "cilium", implementation: "cilium" } },
    });
    expect(validateAll(plan, plain)).toEqual([]);
    expect(
      ofType(plan, "kubernetes:cilium.io/v2:CiliumNetworkPolicy")
        .map((p) => [p.name, p.inputs.spec.ingress[0]])
        .sort(([a], [b]) => String(b).localeCompare(String(a))),
    ).toEqual([
      [
        "orthanc-k8s-ha-gateway-to-orthanc",
        { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8042", protocol: "TCP" }] }] },
      ],
      [
        "orthanc-k8s-ha-gateway-to-acme-solver",
        { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8089", protocol: "TCP" }] }] },
      ],
    ]);
    const names = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (p) => p.inputs.metadata.name,
    );
    expect(names).not.toContain("orthanc-gateway");
    expect(ofType(plan, "kubernetes:gateway.nginx.org/v1alpha1:ClientSettingsPolicy")).toEqual([]);
  });

  test("an existing Gateway with a zone: the web record follows the Gateway's address, read from the cluster", async () => {
    const { plan } = await planStack("k8s-basic", {
      dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
    });
    expect(
      ofType(plan, "aws:route53/record:Record").map((r) => [r.inputs.name, r.inputs.records]),
    ).toEqual([["pacs.example.org", ["a1b2c3-gateway.elb.eu-west-1.amazonaws.com"]]]);
    // Read, not managed: the cluster's Gateway is never registered as the stack's resource.
    expect(ofType(plan, "kubernetes:gateway.networking.k8s.io/v1:Gateway")).toEqual([]);
  });
});

describe("S3 through a pod role", () => {
  test("the service account carries the role annotation, and no key exists anywhere", async () => {
    const roleArn = "arn:aws:iam::123456789012:role/orthanc-s3";
    const { plan, plain } = await planConfig(
      {
        target: "kubernetes",
        storage: { kind: "s3", s3: { bucket: "pacs-dicom", region: "eu-west-1" } },
        kubernetes: { serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": roleArn } },
      },
      "irsa",
    );
    const account = only(plan, "kubernetes:core/v1:ServiceAccount");
    expect(account.inputs.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": roleArn });
    expect(account.inputs.automountServiceAccountToken).toBe(false);
    const secret = Object.entries(plain).find(
      ([k]) => k.startsWith("kubernetes:core/v1:Secret::") && k.includes("credentials"),
    )![1];
    const credentials = JSON.parse(secret.stringData["credentials.json"]);
    // The plugin takes the pod role's credentials from the AWS SDK's default chain.
    expect(credentials).not.toHaveProperty("AwsS3Storage");
    // With EKS Pod Identity the credentials come from the node's agent: its egress is allowed.
    const policy = ofType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
      (p) => p.inputs.metadata.name === "orthanc-orthanc",
    )!;
    expect(policy.inputs.spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }],
      ports: [{ protocol: "TCP", port: 80 }],
    });
    const config = JSON.parse(orthancConfigMap(plan).inputs.data["orthanc.json"]);
    expect(config.AwsS3Storage).toEqual({
      BucketName: "pacs-dicom",
      Region: "eu-west-1",
      RootPath: "",
      VirtualAddressing: true,
    });
  });
});
