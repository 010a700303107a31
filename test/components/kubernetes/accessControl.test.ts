/**
 * OrthancKubernetes with access control, under mocks: what it adds and changes (and nothing
 * else), the wiring of its secrets (the service's Basic password is Orthanc's, the realm's
 * client secret is the service's), no secret in a ConfigMap, an environment or a plain output,
 * the edge's /keycloak rule, the network policies, and Keycloak's database kept like Orthanc's.
 */
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import type { OrthancKubernetesArgs } from "../../../components/kubernetes";
import type { KubernetesAccessControl } from "../../../components/kubernetes";
import { planMocks } from "../../../infra/plan/mocks";
import { PlannedResource } from "../../../infra/plan/record";
import { planOf, Plan } from "../../../infra/plan/runPlan";
import { reveal } from "../../helpers/plan";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type R = PlannedResource & { inputs: Record<string, Any> };

const base: OrthancKubernetesArgs = {
  namespace: { name: "pacs", create: true },
  orthanc: {
    name: "PACS",
    httpPort: 8042,
    replicas: 1,
    dicom: { enabled: true, aet: "PACS", port: 4242, checkCalledAet: true, modalities: {} },
    plugins: { dicomWeb: true, explorer2: true, viewer: "stone" },
    verboseLogs: false,
    image: "orthancteam/orthanc:26.8.1",
    adminUser: "admin",
    users: {},
    dicomAllowedCidrs: [],
    corsOrigins: [],
    settings: {},
    peers: {},
    dicomWebServers: {},
  },
  resources: { cpu: "500m", memory: "1Gi" },
  serviceAccountAnnotations: {},
  database: { kind: "statefulset", image: "postgres:17.7", storageGiB: 10 },
  storage: { kind: "pvc", sizeGiB: 10, readWriteMany: false },
  web: {
    kind: "ingress",
    host: "pacs.example.org",
    className: "nginx",
    controller: "nginx",
    controllerNamespace: "ingress-nginx",
    certManagerIssuer: "letsencrypt",
    annotations: {},
  },
  protectData: true,
};

const accessControl: KubernetesAccessControl = {
  publicUrl: "https://pacs.example.org",
  displayName: "PACS",
  roles: {
    admin: { permissions: ["all"], labels: ["*"] },
    doctor: { permissions: ["view", "download"], labels: ["*"] },
  },
  availableLabels: [],
  firstAdmin: { username: "alice", email: "alice@example.org", roles: ["admin"] },
  shares: { enabled: true, viewer: "stone" },
  apiKeys: true,
  requirePkce: false,
  images: {
    keycloak: "quay.io/keycloak/keycloak:26.4.7",
    authService: "orthancteam/orthanc-auth-service:25.12.0",
    postgres: "postgres:17.7",
  },
  keycloakDatabase: "statefulset",
};

interface Planned {
  plan: Plan;
  /** Inputs as the provider sees them, secrets revealed, by `type::name`. */
  plain: Record<string, Record<string, Any>>;
}

async function planned(args: OrthancKubernetesArgs): Promise<Planned> {
  const plain: Planned["plain"] = {};
  const plan = await planOf(
    "test",
    "kubernetes-part",
    async () => {
      const { OrthancKubernetes } = await import("../../../components/kubernetes");
      const o = new OrthancKubernetes("pacs", args);
      return {
        url: o.url,
        adminUser: pulumi.output(o.adminUser),
        adminPassword: o.adminPassword,
        serviceName: o.serviceName,
        credentialsSecretName: o.credentialsSecretName,
      };
    },
    (a) => {
      plain[`${a.type}::${a.name}`] = reveal(a.inputs) as Record<string, Any>;
    },
  );
  return { plan, plain };
}
const on = (ac: Partial<KubernetesAccessControl> = {}, args: Partial<OrthancKubernetesArgs> = {}) =>
  planned({ ...base, ...args, accessControl: { ...accessControl, ...ac } });

const key = (r: PlannedResource) => `${r.type}::${r.name}`;
const SECRET = "kubernetes:core/v1:Secret";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const RANDOM = "random:index/randomPassword:RandomPassword";

/** The generated values, as the mocks make them (the provider's `result`). */
const generatedValues = (p: Planned) =>
  p.plan.resources
    .filter((r) => r.type === RANDOM)
    .map(
      (r) =>
        (
          planMocks.newResource({
            type: r.type,
            name: r.name,
            inputs: p.plain[key(r)],
            provider: "",
            id: "",
            custom: true,
          }) as pulumi.runtime.MockResourceResult
        ).state.result as string,
    );

/** Every plain string the pods' specs, ConfigMaps and custom resources carry. */
function plainStrings(p: Planned): string[] {
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  for (const r of p.plan.resources)
    if (r.type !== SECRET && r.type !== RANDOM && !r.type.startsWith("orthanc:"))
      walk(p.plain[key(r)]);
  return strings;
}

const policyNamed = (p: Planned, name: string) =>
  Object.values(p.plain).find((i) => i.kind === "NetworkPolicy" && i.metadata?.name === name)!;

describe("OrthancKubernetes with access control", () => {
  let off: Planned;
  let ac: Planned;
  beforeAll(async () => {
    off = await planned(base);
    ac = await on();
  });

  test("adds exactly its parts, drops Orthanc's Basic-auth passwords, and changes only Orthanc's configuration, credentials, Deployment, policy and Ingress", () => {
    const before = new Map(off.plan.resources.map((r) => [key(r), r]));
    const after = new Map(ac.plan.resources.map((r) => [key(r), r]));
    expect([...before.keys()].filter((k) => !after.has(k))).toEqual([
      `${RANDOM}::pacs-credentials-user-admin`,
      `${RANDOM}::pacs-credentials-probe`,
    ]);
    expect([...after.keys()].filter((k) => !before.has(k)).sort()).toEqual(
      [
        "orthanc:shared:AccessControlCredentials::pacs-access-control-credentials",
        ...[
          "share-signing-key",
          "service",
          "admin-client",
          "keycloak-admin",
          "keycloak-database",
          "first-admin",
        ].map((s) => `${RANDOM}::pacs-access-control-credentials-${s}`),
        `${SECRET}::pacs-keycloak-postgres-password`,
        `${STATEFUL_SET}::pacs-keycloak-postgres`,
        "kubernetes:core/v1:Service::pacs-keycloak-postgres",
        `${SECRET}::pacs-keycloak-config`,
        `${DEPLOYMENT}::pacs-keycloak`,
        "kubernetes:core/v1:Service::pacs-keycloak",
        `${SECRET}::pacs-auth-service-secrets`,
        `${CONFIG_MAP}::pacs-auth-service-config`,
        `${DEPLOYMENT}::pacs-auth-service`,
        "kubernetes:core/v1:Service::pacs-auth-service",
        `${POLICY}::pacs-policy-5`,
        `${POLICY}::pacs-policy-6`,
        `${POLICY}::pacs-policy-7`,
        `${POLICY}::pacs-policy-8`,
        "kubernetes:core/v1:PersistentVolumeClaim::pacs-keycloak-postgres-backups",
        "kubernetes:batch/v1:CronJob::pacs-keycloak-postgres-backup",
      ].sort(),
    );
    // Options and inputs as the provider sees them (a Secret's data revealed).
    const seen = (p: Planned, r: PlannedResource) => ({ ...r, inputs: p.plain[key(r)] });
    const changed = [...before.keys()].filter(
      (k) => after.has(k) && !isDeepStrictEqual(seen(off, before.get(k)!), seen(ac, after.get(k)!)),
    );
    expect(changed.sort()).toEqual(
      [
        `${CONFIG_MAP}::pacs-config`,
        `${DEPLOYMENT}::pacs-orthanc`,
        `${SECRET}::pacs-credentials`,
        "kubernetes:networking.k8s.io/v1:Ingress::pacs-ingress",
        `${POLICY}::pacs-policy-1`,
      ].sort(),
    );
  });

  test("the resource names in the namespace", () => {
    const names = (type: string) =>
      ac.plan.resources
        .filter((r) => r.type === type)
        .map((r) => (r as R).inputs.metadata.name)
        .sort();
    expect(names(DEPLOYMENT)).toEqual(["orthanc", "orthanc-auth-service", "orthanc-keycloak"]);
    expect(names(STATEFUL_SET)).toEqual(["orthanc-keycloak-postgres", "orthanc-postgres"]);
    expect(names("kubernetes:core/v1:Service")).toEqual([
      "orthanc",
      "orthanc-auth-service",
      "orthanc-keycloak",
      "orthanc-keycloak-postgres",
      "orthanc-postgres",
    ]);
  });

  test("no generated secret in a ConfigMap, an environment, an annotation, a custom resource or a plain output; each is in a Secret", () => {
    const secrets = generatedValues(ac);
    expect(secrets).toHaveLength(6 + 2); // access control's, the database's and its app role's
    const strings = plainStrings(ac);
    for (const s of secrets) expect(strings.filter((v) => v.includes(s))).toEqual([]);
    const inSecrets = JSON.stringify(
      ac.plan.resources.filter((r) => r.type === SECRET).map((r) => ac.plain[key(r)]),
    );
    for (const s of secrets) expect(inSecrets).toContain(s);
    expect(ac.plan.outputs).toEqual({
      url: "https://pacs.example.org/",
      adminUser: "alice",
      adminPassword: "[secret]",
      serviceName: "orthanc",
      credentialsSecretName: "orthanc-credentials",
    });
  });

  describe("wiring", () => {
    const secretData = (p: Planned, name: string) => p.plain[`${SECRET}::${name}`].stringData;
    const credentials = (p: Planned) =>
      JSON.parse(secretData(p, "pacs-credentials")["credentials.json"]);
    const realm = (p: Planned) => JSON.parse(secretData(p, "pacs-keycloak-config")["realm.json"]);

    test("Keycloak's Secret holds keycloak.conf and the realm; the service's its three files", () => {
      expect(Object.keys(secretData(ac, "pacs-keycloak-config"))).toEqual([
        "keycloak.conf",
        "realm.json",
      ]);
      const [database, admin] = ["keycloak-database", "keycloak-admin"].map((s) =>
        generatedValues(ac).find((v) =>
          v.startsWith(`generated-pacs-access-control-credentials-${s}`),
        ),
      );
      expect(secretData(ac, "pacs-keycloak-config")["keycloak.conf"].split("\n").slice(1)).toEqual([
        `db-password=${database}`,
        `bootstrap-admin-password=${admin}`,
        "",
      ]);
      expect(realm(ac).users[1]).toMatchObject({
        username: "alice",
        credentials: [{ type: "password", temporary: true }],
      });
      expect(Object.keys(secretData(ac, "pacs-auth-service-secrets")).sort()).toEqual([
        "KEYCLOAK_CLIENT_SECRET",
        "SECRET_KEY",
        "USERS",
      ]);
    });

    test("the service's USERS password is Orthanc's WebServicePassword, and its URL the service's", () => {
      const users = JSON.parse(secretData(ac, "pacs-auth-service-secrets").USERS);
      const authorization = credentials(ac).Authorization;
      expect(authorization.WebServiceUsername).toBe("orthanc");
      expect(authorization.WebServicePassword).toBe(users.orthanc);
      expect(authorization.WebServicePassword).toMatch(
        /^generated-pacs-access-control-credentials-service/,
      );
      expect(authorization.WebServiceRootUrl).toBe("http://orthanc-auth-service:8000/");
      expect(credentials(ac).RegisteredUsers).toBeUndefined();
    });

    test("the realm's admin-cli secret is the service's KEYCLOAK_CLIENT_SECRET; without API keys the service has none", async () => {
      const adminCli = (p: Planned) =>
        realm(p).clients.find((c: Any) => c.clientId === "admin-cli").secret;
      expect(adminCli(ac)).toBe(secretData(ac, "pacs-auth-service-secrets").KEYCLOAK_CLIENT_SECRET);
      const noKeys = await on({ apiKeys: false });
      expect(
        secretData(noKeys, "pacs-auth-service-secrets").KEYCLOAK_CLIENT_SECRET,
      ).toBeUndefined();
      expect(Object.keys(secretData(noKeys, "pacs-auth-service-secrets")).sort()).toEqual([
        "SECRET_KEY",
        "USERS",
      ]);
    });

    test("the service reaches Keycloak's Service, Keycloak its database's; Orthanc asks an unchecked path, without credentials", () => {
      const env = (name: string) =>
        Object.fromEntries(
          ac.plain[`${DEPLOYMENT}::${name}`].spec.template.spec.containers[0].env.map((e: Any) => [
            e.name,
            e.value,
          ]),
        );
      expect(env("pacs-auth-service").KEYCLOAK_URI).toBe(
        "http://orthanc-keycloak:8080/keycloak/realms/orthanc/",
      );
      expect(env("pacs-keycloak").KC_DB_URL_HOST).toBe("orthanc-keycloak-postgres");
      const orthanc = ac.plain[`${DEPLOYMENT}::pacs-orthanc`].spec.template.spec.containers[0];
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"])
        expect(orthanc[probe]).toMatchObject({ httpGet: { path: "/system", port: "http" } });
      expect(orthanc.readinessProbe.exec).toBeUndefined();
      const config = JSON.parse(ac.plain[`${CONFIG_MAP}::pacs-config`].data["orthanc.json"]);
      expect(config.AuthenticationEnabled).toBe(false);
      expect(config.OrthancExplorer2.Keycloak.Url).toBe("https://pacs.example.org/keycloak/");
    });
  });

  describe("the edge", () => {
    test("the Ingress routes /keycloak to Keycloak's Service as it is, its master realm to Orthanc", () => {
      const paths =
        ac.plain["kubernetes:networking.k8s.io/v1:Ingress::pacs-ingress"].spec.rules[0].http.paths;
      expect(paths).toEqual([
        {
          path: "/",
          pathType: "Prefix",
          backend: { service: { name: "orthanc", port: { name: "http" } } },
        },
        {
          path: "/keycloak",
          pathType: "Prefix",
          backend: { service: { name: "orthanc-keycloak", port: { name: "http" } } },
        },
        {
          path: "/keycloak/realms/master",
          pathType: "Prefix",
          backend: { service: { name: "orthanc", port: { name: "http" } } },
        },
      ]);
    });

    test("the HTTPRoute: a /keycloak rule to Keycloak's 8080, its master realm to Orthanc; Cilium's identity admitted to it", async () => {
      const p = await on(
        {},
        {
          web: {
            kind: "gateway",
            host: "pacs.example.org",
            gateway: { name: "orthanc", namespace: "pacs" },
            own: { className: "cilium", certManagerIssuer: "letsencrypt" },
            implementation: "cilium",
          },
        },
      );
      const route = p.plain["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::pacs-route"];
      expect(route.spec.rules.map((r: Any) => [r.matches, r.backendRefs])).toEqual([
        [
          [{ path: { type: "PathPrefix", value: "/" } }],
          [{ kind: "Service", name: "orthanc", port: 8042 }],
        ],
        [
          [{ path: { type: "PathPrefix", value: "/keycloak" } }],
          [{ kind: "Service", name: "orthanc-keycloak", port: 8080 }],
        ],
        [
          [{ path: { type: "PathPrefix", value: "/keycloak/realms/master" } }],
          [{ kind: "Service", name: "orthanc", port: 8042 }],
        ],
      ]);
      const cilium =
        p.plain["kubernetes:cilium.io/v2:CiliumNetworkPolicy::pacs-gateway-to-keycloak"];
      expect(cilium.spec).toEqual({
        endpointSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "orthanc",
            "app.kubernetes.io/instance": "orthanc",
            "app.kubernetes.io/component": "keycloak",
          },
        },
        ingress: [
          { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8080", protocol: "TCP" }] }] },
        ],
      });
      // Cilium's Envoy is no pod: only the service is a pod peer of Keycloak.
      expect(policyNamed(p, "orthanc-keycloak").spec.ingress[0].from).toEqual([
        { podSelector: { matchLabels: labelsOf("auth-service") } },
      ]);
    });
  });

  test("network policies: the service from Orthanc, Keycloak from the service and the Ingress controller, its database from Keycloak and its dumps", () => {
    expect(policyNamed(ac, "orthanc-auth-service").spec).toEqual({
      podSelector: { matchLabels: labelsOf("auth-service") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: labelsOf("orthanc") } }],
          ports: [{ protocol: "TCP", port: 8000 }],
        },
      ],
      egress: [
        DNS,
        {
          to: [{ podSelector: { matchLabels: labelsOf("keycloak") } }],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
      ],
    });
    expect(policyNamed(ac, "orthanc-keycloak").spec).toEqual({
      podSelector: { matchLabels: labelsOf("keycloak") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: labelsOf("auth-service") } },
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
              },
            },
          ],
          ports: [{ protocol: "TCP", port: 8080 }],
        },
      ],
      egress: [
        DNS,
        {
          to: [{ podSelector: { matchLabels: labelsOf("keycloak-postgres") } }],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    });
    expect(policyNamed(ac, "orthanc-keycloak-database").spec).toEqual({
      podSelector: { matchLabels: labelsOf("keycloak-postgres") },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: labelsOf("keycloak") } },
            { podSelector: { matchLabels: labelsOf("keycloak-backup") } },
          ],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    });
    expect(policyNamed(ac, "orthanc-keycloak-backup").spec).toEqual({
      podSelector: { matchLabels: labelsOf("keycloak-backup") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        DNS,
        {
          to: [{ podSelector: { matchLabels: labelsOf("keycloak-postgres") } }],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    });
    expect(
      ac.plain["kubernetes:batch/v1:CronJob::pacs-keycloak-postgres-backup"].spec.jobTemplate.spec
        .template.metadata.labels,
    ).toEqual(labelsOf("keycloak-backup"));
    expect(policyNamed(ac, "orthanc-orthanc").spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: labelsOf("auth-service") } }],
      ports: [{ protocol: "TCP", port: 8000 }],
    });
    // Each part's pods are matched by these labels.
    for (const [name, component] of [
      ["pacs-keycloak", "keycloak"],
      ["pacs-auth-service", "auth-service"],
    ])
      expect(ac.plain[`${DEPLOYMENT}::${name}`].spec.template.metadata.labels).toEqual(
        labelsOf(component),
      );
    expect(
      ac.plain[`${STATEFUL_SET}::pacs-keycloak-postgres`].spec.template.metadata.labels,
    ).toEqual(labelsOf("keycloak-postgres"));
  });

  test.each([
    ["no web edge", { web: undefined }, "none: no web edge"],
    [
      "another host",
      { web: { ...(base.web as object), host: "other.example.org" } },
      "other.example.org",
    ],
  ])("refused with %s, in the component's words", async (_, args, shown) => {
    await expect(on({}, args as Partial<OrthancKubernetesArgs>)).rejects.toThrow(
      `access control: the public URL https://pacs.example.org must be the web edge's host (${shown})`,
    );
  });

  describe("Keycloak's database", () => {
    test("CloudNativePG beside Orthanc's with S3 keys: its base backups and WAL in the bucket's keycloak-postgres/ folder, daily", async () => {
      const p = await on(
        { keycloakDatabase: "cloudnativepg" },
        {
          database: { kind: "cloudnativepg", instances: 2, storageGiB: 10 },
          storage: {
            kind: "s3",
            bucket: "dicom",
            region: "eu-west-1",
            prefix: "pacs/",
            encryption: false,
            accessKeyId: "AKIAEXAMPLE",
            secretAccessKey: pulumi.secret("KEY"),
          },
        },
      );
      const clusters = Object.fromEntries(
        Object.values(p.plain)
          .filter((i) => i.kind === "Cluster")
          .map((i) => [i.metadata.name, i.spec.backup]),
      );
      const store = (folder: string) => ({
        retentionPolicy: "30d",
        barmanObjectStore: {
          destinationPath: `s3://dicom/pacs/${folder}/`,
          s3Credentials: {
            accessKeyId: { name: "orthanc-db-backup-keys", key: "ACCESS_KEY_ID" },
            secretAccessKey: { name: "orthanc-db-backup-keys", key: "ACCESS_SECRET_KEY" },
          },
          wal: { compression: "gzip" },
          data: { compression: "gzip" },
        },
      });
      expect(clusters).toEqual({
        "orthanc-db": store("postgres"),
        "orthanc-keycloak-db": store("keycloak-postgres"),
      });
      const scheduled = Object.values(p.plain)
        .filter((i) => i.kind === "ScheduledBackup")
        .map((i) => [i.metadata.name, i.spec.cluster.name]);
      expect(scheduled.sort()).toEqual([
        ["orthanc-db-daily", "orthanc-db"],
        ["orthanc-keycloak-db-daily", "orthanc-keycloak-db"],
      ]);
      const backup = resource(
        p,
        "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
        "pacs-keycloak-postgres-backup",
      );
      expect(backup.dependencies).toContain(
        resource(p, "kubernetes:postgresql.cnpg.io/v1:Cluster", "pacs-keycloak-postgres").urn,
      );
    });

    const resource = (p: Planned, type: string, name: string) =>
      p.plan.resources.find((r) => r.type === type && r.name === name)!;

    test("the StatefulSet (its PVC) protected and kept like Orthanc's; not without protectData", async () => {
      const st = resource(ac, STATEFUL_SET, "pacs-keycloak-postgres");
      expect([st.protect, st.retainOnDelete]).toEqual([true, true]);
      const orthancDb = resource(ac, STATEFUL_SET, "pacs-postgres");
      expect([orthancDb.protect, orthancDb.retainOnDelete]).toEqual([true, true]);
      const dumps = resource(
        ac,
        "kubernetes:core/v1:PersistentVolumeClaim",
        "pacs-keycloak-postgres-backups",
      );
      expect([dumps.protect, dumps.retainOnDelete]).toEqual([true, true]);
      const loose = await on({}, { protectData: false });
      const st2 = resource(loose, STATEFUL_SET, "pacs-keycloak-postgres");
      expect([st2.protect, st2.retainOnDelete]).toEqual([false, false]);
    });

    test("CloudNativePG: a Cluster of its own, protected, its owner keycloak from a basic-auth Secret; Keycloak at its -rw Service", async () => {
      const p = await on({ keycloakDatabase: "cloudnativepg", storageGiB: 3, storageClass: "gp3" });
      const cluster = resource(
        p,
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "pacs-keycloak-postgres",
      );
      expect([cluster.protect, cluster.retainOnDelete]).toEqual([true, true]);
      const c = p.plain[`${cluster.type}::${cluster.name}`];
      expect(c.metadata.name).toBe("orthanc-keycloak-db");
      expect(c.spec).toMatchObject({
        instances: 1,
        enableSuperuserAccess: false,
        bootstrap: {
          initdb: {
            database: "keycloak",
            owner: "keycloak",
            secret: { name: "orthanc-keycloak-db-owner" },
          },
        },
        storage: { size: "3Gi", storageClass: "gp3" },
        inheritedMetadata: { labels: labelsOf("keycloak-postgres") },
      });
      const owner = p.plain[`${SECRET}::pacs-keycloak-postgres-owner`];
      expect(owner.type).toBe("kubernetes.io/basic-auth");
      expect(owner.stringData.username).toBe("keycloak");
      expect(owner.stringData.password).toBe(
        generatedValues(p).find((v) => v.includes("keycloak-database")),
      );
      expect(
        p.plan.resources.filter((r) => r.name === "pacs-keycloak-postgres").map((r) => r.type),
      ).toEqual(["kubernetes:postgresql.cnpg.io/v1:Cluster"]);
      const env = p.plain[`${DEPLOYMENT}::pacs-keycloak`].spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: "KC_DB_URL_HOST", value: "orthanc-keycloak-db-rw" });
      // No dump job of the namespace's: only Keycloak reaches its pods.
      expect(p.plan.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob")).toEqual([
        expect.objectContaining({ name: "pacs-postgres-backup" }),
      ]);
      expect(policyNamed(p, "orthanc-keycloak-backup")).toBeUndefined();
      expect(policyNamed(p, "orthanc-keycloak-database").spec.ingress[0].from).toEqual([
        { podSelector: { matchLabels: labelsOf("keycloak") } },
      ]);
    });
  });
});

const labelsOf = (component: string) => ({
  "app.kubernetes.io/name": "orthanc",
  "app.kubernetes.io/instance": "orthanc",
  "app.kubernetes.io/component": component,
});

const DNS = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};
