/**
 * Access control's workloads as data: Keycloak, its PostgreSQL and the auth service, validated
 * against the Kubernetes schema; the network policies, the route, the Ingress and the
 * CloudNativePG Cluster with and without access control.
 */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { CronJob } from "kubernetes-models/batch/v1";
import { ConfigMap, PersistentVolumeClaim, Service } from "kubernetes-models/v1";
import {
  AccessControlArgs,
  AccessControlSecretValues,
  ANONYMOUS_PROFILE,
  AUTH_SERVICE_COMMAND,
  KEYCLOAK_COMMAND,
  renderPermissions,
} from "../../../../components/shared/accessControl";
import {
  accessControlLabels,
  accessControlNames,
  authServiceConfigData,
  authServiceConfigMap,
  authServiceDeployment,
  authServiceService,
  keycloakDeployment,
  keycloakPostgresBackupClaim,
  keycloakPostgresBackupCronJob,
  keycloakPostgresService,
  keycloakPostgresStatefulSet,
  keycloakSecretData,
  keycloakService,
} from "../../../../components/kubernetes/manifests/accessControl";
import {
  barmanObjectStore,
  cnpgCluster,
  cnpgScheduledBackup,
} from "../../../../components/kubernetes/manifests/cloudNativePg";
import { orthancRoute } from "../../../../components/kubernetes/manifests/gatewayApi";
import { orthancIngress } from "../../../../components/kubernetes/manifests/ingress";
import {
  ciliumPolicies,
  networkPolicies,
  PolicyArgs,
} from "../../../../components/kubernetes/manifests/networkPolicies";
import { Any, validate } from "./helpers";

const S = { name: "pacs", namespace: "orthanc" };
const ac: AccessControlArgs = {
  publicUrl: "https://pacs.example.org",
  displayName: "PACS",
  roles: { admin: { permissions: ["all"], labels: ["*"] } },
  availableLabels: [],
  firstAdmin: { username: "alice", roles: ["admin"] },
  shares: { enabled: true, viewer: "stone" },
  apiKeys: true,
  requirePkce: false,
  images: {
    keycloak: "quay.io/keycloak/keycloak:26.4.7",
    authService: "orthancteam/orthanc-auth-service:25.12.0",
    postgres: "postgres:17.7",
  },
};
const values: AccessControlSecretValues = {
  shareSigningKey: "S1",
  servicePassword: "S2",
  adminClientSecret: "S3",
  keycloakAdminPassword: "S4",
  keycloakDatabasePassword: "S5",
  firstAdminPassword: "S6",
};
const L = accessControlLabels("pacs");
const component = (c: string) => ({
  "app.kubernetes.io/name": "orthanc",
  "app.kubernetes.io/instance": "pacs",
  "app.kubernetes.io/component": c,
});

describe("access control's names and labels", () => {
  test.each([
    ["keycloak", "pacs-keycloak"],
    ["authService", "pacs-auth-service"],
    ["keycloakPostgres", "pacs-keycloak-postgres"],
    ["keycloakCluster", "pacs-keycloak-db"],
    ["keycloakBackup", "pacs-keycloak-postgres-backup"],
    ["keycloakBackups", "pacs-keycloak-postgres-backups"],
  ] as const)("%s is named %s", (part, name) => {
    expect(accessControlNames("pacs")[part]).toBe(name);
  });
  test.each([
    ["keycloak", "keycloak"],
    ["authService", "auth-service"],
    ["keycloakDatabase", "keycloak-postgres"],
  ] as const)("%s's pods are labelled component %s", (part, c) => {
    expect(L[part]).toEqual(component(c));
  });
});

describe("Keycloak", () => {
  const d = keycloakDeployment({
    ...S,
    image: ac.images.keycloak,
    environment: { KC_DB: "postgres" },
    configChecksum: "abc",
  }) as Any;
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test("is valid", () => validate(Deployment, d));

  test("one replica, replaced (never two versions on one database), restricted, no token, no service links", () => {
    expect(d.metadata.name).toBe("pacs-keycloak");
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
    expect(d.spec.selector.matchLabels).toEqual(L.keycloak);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  test("starts with the shared command, its environment as given, nothing from a Secret in env", () => {
    expect(c.args).toEqual([...KEYCLOAK_COMMAND]);
    expect(c.env).toEqual([{ name: "KC_DB", value: "postgres" }]);
  });

  test("keycloak.conf and the realm from one Secret, file by file, read-only", () => {
    expect(c.volumeMounts.filter((m: Any) => m.name === "config")).toEqual([
      {
        name: "config",
        mountPath: "/opt/keycloak/conf/keycloak.conf",
        subPath: "keycloak.conf",
        readOnly: true,
      },
      {
        name: "config",
        mountPath: "/opt/keycloak/data/import/orthanc-realm.json",
        subPath: "realm.json",
        readOnly: true,
      },
    ]);
    expect(pod.volumes[0]).toEqual({
      name: "config",
      secret: {
        secretName: "pacs-keycloak",
        defaultMode: 0o400,
        items: [
          { key: "keycloak.conf", path: "keycloak.conf" },
          { key: "realm.json", path: "realm.json" },
        ],
      },
    });
  });

  test("probes on the management port: ready for start and readiness, live for liveness", () => {
    const probe = (p: Any) => [p.httpGet.port, p.httpGet.path];
    expect(c.ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "management", containerPort: 9000, protocol: "TCP" },
    ]);
    expect(probe(c.startupProbe)).toEqual(["management", "/keycloak/health/ready"]);
    expect(probe(c.readinessProbe)).toEqual(["management", "/keycloak/health/ready"]);
    expect(probe(c.livenessProbe)).toEqual(["management", "/keycloak/health/live"]);
  });

  test("its Service has the HTTP port only, never the management port", () => {
    const svc = keycloakService(S) as Any;
    validate(Service, svc);
    expect(svc.metadata.name).toBe("pacs-keycloak");
    expect(svc.spec).toEqual({
      type: "ClusterIP",
      selector: L.keycloak,
      ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
    });
  });

  test("its Secret holds keycloak.conf with both passwords and the realm with admin-cli's secret", () => {
    const data = keycloakSecretData(ac, values);
    expect(Object.keys(data)).toEqual(["keycloak.conf", "realm.json"]);
    expect(data["keycloak.conf"]).toContain("db-password=S5\n");
    expect(data["keycloak.conf"]).toContain("bootstrap-admin-password=S4\n");
    const realm = JSON.parse(data["realm.json"]);
    expect(realm.clients.find((x: Any) => x.clientId === "admin-cli").secret).toBe("S3");
  });
});

describe("the auth service", () => {
  const d = authServiceDeployment({
    ...S,
    image: ac.images.authService,
    environment: { ENABLE_KEYCLOAK: "true" },
    configChecksum: "abc",
  }) as Any;
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test("is valid", () => validate(Deployment, d));

  test("runs as nobody on a read-only root with /tmp its only writable place", () => {
    expect(d.metadata.name).toBe("pacs-auth-service");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.volumes.filter((v: Any) => v.emptyDir).map((v: Any) => v.name)).toEqual(["tmp"]);
  });

  test("the shared command; its secrets as files under /run/secrets, its files from a ConfigMap", () => {
    expect(c.command).toEqual([...AUTH_SERVICE_COMMAND]);
    expect(c.env).toEqual([{ name: "ENABLE_KEYCLOAK", value: "true" }]);
    expect(c.volumeMounts).toEqual([
      { name: "secrets", mountPath: "/run/secrets", readOnly: true },
      { name: "config", mountPath: "/etc/orthanc-auth-service", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(pod.volumes.slice(0, 2)).toEqual([
      { name: "secrets", secret: { secretName: "pacs-auth-service", defaultMode: 0o400 } },
      { name: "config", configMap: { name: "pacs-auth-service" } },
    ]);
  });

  test("probes ask its OpenAPI document on its port", () => {
    for (const p of [c.startupProbe, c.readinessProbe, c.livenessProbe])
      expect(p.httpGet).toEqual({ path: "/openapi.json", port: "http" });
    expect(c.ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
  });

  test("its Service: 8000 inside the cluster", () => {
    const svc = authServiceService(S) as Any;
    validate(Service, svc);
    expect(svc.spec).toEqual({
      type: "ClusterIP",
      selector: L.authService,
      ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }],
    });
  });

  test("its ConfigMap: the permissions and the anonymous profile, by the file names it is given", () => {
    const cm = authServiceConfigMap(S, ac) as Any;
    validate(ConfigMap, cm);
    expect(cm.metadata.name).toBe("pacs-auth-service");
    expect(cm.data).toEqual(authServiceConfigData(ac));
    expect(JSON.parse(cm.data["permissions.json"])).toEqual(renderPermissions(ac));
    expect(JSON.parse(cm.data["anonymous-profile.json"])).toEqual(ANONYMOUS_PROFILE);
  });
});

describe("Keycloak's PostgreSQL StatefulSet", () => {
  const st = keycloakPostgresStatefulSet({
    ...S,
    image: ac.images.postgres,
    storageGiB: 5,
    storageClass: "gp3",
  }) as Any;
  const c = st.spec.template.spec.containers[0];
  const env = Object.fromEntries(c.env.map((e: Any) => [e.name, e.value]));

  test("is valid, its volume kept when it goes", () => {
    validate(StatefulSet, st);
    expect(st.metadata.name).toBe("pacs-keycloak-postgres");
    expect(st.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    expect(st.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "gp3",
      resources: { requests: { storage: "5Gi" } },
    });
  });

  test("the image's superuser keycloak owns the database keycloak, SCRAM only, password from a file", () => {
    expect(env).toEqual({
      POSTGRES_USER: "keycloak",
      POSTGRES_DB: "keycloak",
      POSTGRES_PASSWORD_FILE: "/run/secrets/postgres/password",
      POSTGRES_INITDB_ARGS: "--auth-host=scram-sha-256 --auth-local=scram-sha-256",
      POSTGRES_HOST_AUTH_METHOD: "scram-sha-256",
      PGDATA: "/var/lib/postgresql/data/pgdata",
    });
    expect(st.spec.template.spec.securityContext.runAsUser).toBe(999);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test("its Service", () => {
    const svc = keycloakPostgresService(S) as Any;
    validate(Service, svc);
    expect(svc.metadata.name).toBe("pacs-keycloak-postgres");
    expect(svc.spec.selector).toEqual(L.keycloakDatabase);
  });
});

describe("Keycloak's dumps", () => {
  test("a daily pg_dump of its database as its owner, into its own claim, without TLS settings", () => {
    const job = keycloakPostgresBackupCronJob({ ...S, image: "postgres:17.7" }) as Any;
    validate(CronJob, job);
    expect(job.metadata.name).toBe("pacs-keycloak-postgres-backup");
    expect(job.spec.schedule).toBe("30 3 * * *");
    const pod = job.spec.jobTemplate.spec.template;
    expect(pod.metadata.labels).toEqual(L.keycloakBackup);
    // Named after Keycloak, never taken for Orthanc's index when restoring.
    const script = JSON.stringify(pod.spec.containers[0]);
    expect(script).toContain("$dir/keycloak-$stamp.dump");
    expect(script).not.toContain("orthanc-");
    expect(pod.spec.containers[0].env).toEqual([
      { name: "PGHOST", value: "pacs-keycloak-postgres" },
      { name: "PGUSER", value: "keycloak" },
      { name: "PGDATABASE", value: "keycloak" },
    ]);
    expect(pod.spec.volumes).toEqual([
      { name: "backups", persistentVolumeClaim: { claimName: "pacs-keycloak-postgres-backups" } },
      {
        name: "password",
        secret: {
          secretName: "pacs-keycloak-postgres",
          defaultMode: 0o400,
          items: [{ key: "password", path: "password" }],
        },
      },
    ]);
    const claim = keycloakPostgresBackupClaim({ ...S, storageGiB: 5 }) as Any;
    validate(PersistentVolumeClaim, claim);
    expect(claim.metadata.name).toBe("pacs-keycloak-postgres-backups");
    expect(claim.spec.resources.requests.storage).toBe("10Gi");
  });
});

describe("the CloudNativePG Cluster", () => {
  const args = {
    ...S,
    instances: 1,
    storageGiB: 5,
    database: "keycloak",
    owner: "keycloak",
    ownerSecretName: "pacs-keycloak-db-owner",
    maxConnections: 100,
  };
  test("Orthanc's as before: <name>-db, component postgres", () => {
    const c = cnpgCluster(args);
    expect(c.metadata).toEqual({
      name: "pacs-db",
      namespace: "orthanc",
      labels: component("postgres"),
    });
    expect(c.spec.inheritedMetadata.labels).toEqual(component("postgres"));
  });
  test("Keycloak's: its own name and component", () => {
    const c = cnpgCluster({
      ...args,
      cluster: { name: "pacs-keycloak-db", component: "keycloak-postgres" },
    });
    expect(c.metadata).toEqual({
      name: "pacs-keycloak-db",
      namespace: "orthanc",
      labels: L.keycloakDatabase,
    });
    expect(c.spec.inheritedMetadata.labels).toEqual(L.keycloakDatabase);
    expect(c.spec.enableSuperuserAccess).toBe(false);
  });
});

describe("CloudNativePG's backups of another cluster", () => {
  const target = { bucket: "dicom", prefix: "pacs/", keysSecretName: "keys" };
  test("Orthanc's folder as before, another cluster's its own", () => {
    expect(barmanObjectStore(target).destinationPath).toBe("s3://dicom/pacs/postgres/");
    expect(barmanObjectStore(target, "keycloak-postgres").destinationPath).toBe(
      "s3://dicom/pacs/keycloak-postgres/",
    );
  });
  test("the daily ScheduledBackup: Orthanc's as before, Keycloak's named after its cluster", () => {
    expect(cnpgScheduledBackup(S)).toMatchObject({
      metadata: { name: "pacs-db-daily", labels: component("postgres") },
      spec: { cluster: { name: "pacs-db" } },
    });
    expect(
      cnpgScheduledBackup({
        ...S,
        cluster: { name: "pacs-keycloak-db", component: "keycloak-postgres" },
      }),
    ).toMatchObject({
      metadata: { name: "pacs-keycloak-db-daily", labels: L.keycloakDatabase },
      spec: { cluster: { name: "pacs-keycloak-db" } },
    });
  });
});

describe("the edge under access control", () => {
  const routeArgs = {
    host: "pacs.example.org",
    parent: { name: "shared", namespace: "gw", listener: "https" },
    httpPort: 8042,
  };
  test("the HTTPRoute: Orthanc's rule as before, then /keycloak to Keycloak's Service, unchanged, but its master realm to Orthanc", () => {
    const without = orthancRoute(S, routeArgs) as Any;
    const r = orthancRoute(S, {
      ...routeArgs,
      keycloak: {
        pathPrefix: "/keycloak",
        hiddenPrefix: "/keycloak/realms/master",
        service: "pacs-keycloak",
        port: 8080,
      },
    }) as Any;
    validate(HTTPRoute, r);
    expect(r.spec.rules[0]).toEqual(without.spec.rules[0]);
    expect(r.spec.rules.slice(1)).toEqual([
      {
        matches: [{ path: { type: "PathPrefix", value: "/keycloak" } }],
        filters: [without.spec.rules[0].filters[0]],
        backendRefs: [{ kind: "Service", name: "pacs-keycloak", port: 8080 }],
      },
      {
        matches: [{ path: { type: "PathPrefix", value: "/keycloak/realms/master" } }],
        filters: [without.spec.rules[0].filters[0]],
        backendRefs: without.spec.rules[0].backendRefs,
      },
    ]);
    expect({ ...r, spec: { ...r.spec, rules: [r.spec.rules[0]] } }).toEqual(without);
  });
  test("the Ingress: / to Orthanc as before, /keycloak to Keycloak's http port, its master realm to Orthanc", () => {
    const a = {
      host: "pacs.example.org",
      className: "nginx",
      controller: "nginx" as const,
      certManagerIssuer: "le",
    };
    const without = orthancIngress(S, a) as Any;
    const i = orthancIngress(S, {
      ...a,
      keycloak: {
        pathPrefix: "/keycloak",
        hiddenPrefix: "/keycloak/realms/master",
        service: "pacs-keycloak",
      },
    }) as Any;
    validate(Ingress, i);
    const paths = i.spec.rules[0].http.paths;
    expect(paths[0]).toEqual(without.spec.rules[0].http.paths[0]);
    expect(paths.slice(1)).toEqual([
      {
        path: "/keycloak",
        pathType: "Prefix",
        backend: { service: { name: "pacs-keycloak", port: { name: "http" } } },
      },
      {
        path: "/keycloak/realms/master",
        pathType: "Prefix",
        backend: without.spec.rules[0].http.paths[0].backend,
      },
    ]);
    expect(i.metadata).toEqual(without.metadata);
  });
});

describe("network policies under access control", () => {
  const base: PolicyArgs = {
    ...S,
    httpPort: 8042,
    httpSource: { kind: "pods", namespace: "ingress-nginx" },
    dicomAllowedCidrs: [],
    databaseSelector: component("postgres"),
    egressPorts: [],
  };
  const off = networkPolicies(base) as Any[];
  const on = networkPolicies({ ...base, accessControl: { keycloakDumps: false } }) as Any[];
  const dumped = networkPolicies({ ...base, accessControl: { keycloakDumps: true } }) as Any[];
  const byName = (ps: Any[]) => Object.fromEntries(ps.map((p) => [p.metadata.name, p.spec]));
  const DNS = {
    to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  };
  const pods = (labels: Record<string, string>) => ({ podSelector: { matchLabels: labels } });
  const tcp = (port: number) => [{ protocol: "TCP", port }];

  test("are valid", () => [...on, ...dumped].forEach((p) => validate(NetworkPolicy, p)));

  test("off: none of them, and Orthanc's as before", () => {
    expect(networkPolicies({ ...base, accessControl: undefined })).toEqual(off);
    expect(off.map((p) => p.metadata.name)).toEqual([
      "pacs-default-deny",
      "pacs-orthanc",
      "pacs-database",
    ]);
  });

  test("appended after the others (their names are their index), Orthanc's egress to the service added last", () => {
    expect(on.map((p) => p.metadata.name)).toEqual([
      "pacs-default-deny",
      "pacs-orthanc",
      "pacs-database",
      "pacs-auth-service",
      "pacs-keycloak",
      "pacs-keycloak-database",
    ]);
    expect(on[1].spec).toEqual({
      ...off[1].spec,
      egress: [...off[1].spec.egress, { to: [pods(L.authService)], ports: tcp(8000) }],
    });
    expect(on[2]).toEqual(off[2]);
  });

  test("exact: the service from Orthanc only; Keycloak from the service and the edge on 8080 only; its database from Keycloak only", () => {
    const p = byName(on);
    expect(p["pacs-auth-service"]).toEqual({
      podSelector: { matchLabels: L.authService },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [pods(component("orthanc"))], ports: tcp(8000) }],
      egress: [DNS, { to: [pods(L.keycloak)], ports: tcp(8080) }],
    });
    expect(p["pacs-keycloak"]).toEqual({
      podSelector: { matchLabels: L.keycloak },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            pods(L.authService),
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" },
              },
            },
          ],
          ports: tcp(8080),
        },
      ],
      egress: [DNS, { to: [pods(L.keycloakDatabase)], ports: tcp(5432) }],
    });
    expect(p["pacs-keycloak-database"]).toEqual({
      podSelector: { matchLabels: L.keycloakDatabase },
      policyTypes: ["Ingress"],
      ingress: [{ from: [pods(L.keycloak)], ports: tcp(5432) }],
    });
  });

  test("the StatefulSet's dumps: their pods reach Keycloak's database only, and nothing reaches them", () => {
    expect(dumped.map((p) => p.metadata.name).slice(3)).toEqual([
      "pacs-auth-service",
      "pacs-keycloak",
      "pacs-keycloak-database",
      "pacs-keycloak-backup",
    ]);
    const p = byName(dumped);
    expect(p["pacs-keycloak-database"].ingress).toEqual([
      { from: [pods(L.keycloak), pods(L.keycloakBackup)], ports: tcp(5432) },
    ]);
    expect(p["pacs-keycloak-backup"]).toEqual({
      podSelector: { matchLabels: L.keycloakBackup },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [DNS, { to: [pods(L.keycloakDatabase)], ports: tcp(5432) }],
    });
    expect(L.keycloakBackup).toEqual(component("keycloak-backup"));
  });

  test("a Gateway's labelled proxies reach Keycloak; without a web edge, only the service does", () => {
    const gw = byName(
      networkPolicies({
        ...base,
        accessControl: { keycloakDumps: false },
        httpSource: { kind: "pods", namespace: "orthanc", labels: { gw: "own" } },
        gatewayProxies: {
          labels: { gw: "own" },
          listenerPorts: [443, 80],
          controlPlane: { namespace: "istio-system", ports: [15012] },
        },
      }) as Any[],
    );
    expect(gw["pacs-keycloak"].ingress[0].from[1]).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "orthanc" } },
      podSelector: { matchLabels: { gw: "own" } },
    });
    expect(gw["pacs-gateway"].egress).toContainEqual({ to: [pods(L.keycloak)], ports: tcp(8080) });
    const none = byName(
      networkPolicies({
        ...base,
        accessControl: { keycloakDumps: false },
        httpSource: undefined,
      }) as Any[],
    );
    expect(none["pacs-keycloak"].ingress[0].from).toEqual([pods(L.authService)]);
  });

  test("Cilium: its ingress identity admitted to Keycloak's 8080 as to Orthanc's port", () => {
    const c = ciliumPolicies({
      ...S,
      httpPort: 8042,
      accessControl: { keycloakDumps: false },
    }) as Any;
    expect(Object.keys(c)).toEqual(["gateway-to-orthanc", "gateway-to-keycloak"]);
    validate(CiliumNetworkPolicy, c["gateway-to-keycloak"]);
    expect(c["gateway-to-keycloak"].spec).toEqual({
      endpointSelector: { matchLabels: L.keycloak },
      ingress: [
        { fromEntities: ["ingress"], toPorts: [{ ports: [{ port: "8080", protocol: "TCP" }] }] },
      ],
    });
    expect(Object.keys(ciliumPolicies({ ...S, httpPort: 8042 }))).toEqual(["gateway-to-orthanc"]);
  });
});
