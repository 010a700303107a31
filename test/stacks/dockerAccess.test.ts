/**
 * The shipped docker-access stack under mocks: access control on a Docker host of the hospital's
 * own (over SSH): what it creates beside Orthanc, who reaches whom, the roles and labels it
 * ships, the secrets' wiring, Basic auth off, and data kept.
 */
import { containers, upload } from "../helpers/docker";
import { Planned, planStack } from "../helpers/plan";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe("stack docker-access (Keycloak, the auth service, roles and labels)", () => {
  let p: Planned;
  const plain = (type: string, name: string) => p.plain[`${type}::${name}`];
  const c = (part: string) =>
    plain("docker:index/container:Container", `orthanc-docker-access-${part}`);
  const file = (part: string, path: string) =>
    (c(part).uploads as { file: string; content: string }[]).find((u) => u.file === path)!.content;
  beforeAll(async () => {
    p = await planStack("docker-access");
  });

  test("creates Keycloak, its PostgreSQL and the auth service beside Orthanc, and nothing in a cloud", () => {
    expect(
      containers(p.plan)
        .map((r) => r.name.replace("orthanc-docker-access-", ""))
        .sort(),
    ).toEqual(
      [
        "auth-service",
        "auth-service-files",
        "backup",
        "dicom-gate",
        "keycloak",
        "keycloak-postgres",
        "orthanc",
        "orthanc-files",
        "postgres",
        "proxy",
      ].sort(),
    );
    expect(p.plan.resources.some((r) => /^(aws|kubernetes):/.test(r.type))).toBe(false);
    const networks = p.plan.resources
      .filter((r) => r.type === "docker:index/network:Network")
      .map((r) => [r.name.replace("orthanc-docker-access-", ""), r.inputs.internal === true]);
    expect(networks.sort()).toEqual(
      [
        ["backend", true],
        ["frontend", false],
        ["identity", true],
        ["keycloak-db", true],
      ].sort(),
    );
  });

  test("only the proxy and the DICOM gate publish ports; the auth service reaches Keycloak, not the proxy's network", () => {
    const published = containers(p.plan)
      .filter((r) => (r.inputs.ports ?? []).length)
      .map((r) => r.name);
    expect(published.sort()).toEqual([
      "orthanc-docker-access-dicom-gate",
      "orthanc-docker-access-proxy",
    ]);
    const nets = (part: string) =>
      (c(part).networksAdvanced as { name: string }[]).map((n) => n.name).sort();
    expect(nets("auth-service")).toEqual([
      "orthanc-docker-access-backend",
      "orthanc-docker-access-identity",
    ]);
    expect(nets("keycloak-postgres")).toEqual(["orthanc-docker-access-keycloak-db"]);
  });

  test("Basic auth is off; Orthanc asks the auth service; Keycloak serves the stack's public name under /keycloak", () => {
    const orthancJson = JSON.parse(file("orthanc-files", "/etc/orthanc/orthanc.json")) as Json;
    const credentials = JSON.parse(
      file("orthanc-files", "/run/secrets/orthanc-credentials.json"),
    ) as Json;
    expect(orthancJson.AuthenticationEnabled).toBe(false);
    expect(credentials.RegisteredUsers).toBeUndefined();
    expect(credentials.Authorization.WebServiceRootUrl).toBe("http://auth-service:8000/");
    expect(credentials.Authorization.TokenHttpHeaders).toEqual(["api-key"]);
    expect(orthancJson.OrthancExplorer2.Keycloak.Url).toBe("https://pacs.example.org/keycloak/");
    expect(c("keycloak").envs).toContain("KC_HOSTNAME=https://pacs.example.org/keycloak");
    expect(file("proxy", "/etc/caddy/Caddyfile")).toMatch(/reverse_proxy @keycloak keycloak:8080/);
  });

  test("the stack's roles and labels reach the service's permissions file, and its realm", () => {
    const permissions = JSON.parse(
      file("auth-service-files", "/etc/orthanc-auth-service/permissions.json"),
    );
    expect(permissions).toEqual({
      roles: {
        admin: { "authorized-labels": ["*"], permissions: ["all"] },
        radiologist: {
          "authorized-labels": ["*"],
          permissions: ["view", "download", "share", "send", "edit-labels"],
        },
        referrer: { "authorized-labels": ["referral"], permissions: ["view", "download"] },
      },
      "available-labels": ["referral", "research", "teaching"],
    });
    const realm = JSON.parse(
      file("keycloak", "/opt/keycloak/data/import/orthanc-realm.json"),
    ) as Json;
    expect(realm.roles.realm.map((r: Json) => r.name)).toEqual([
      "admin",
      "radiologist",
      "referrer",
      "default-roles-orthanc",
    ]);
    expect(realm.users[1]).toMatchObject({
      username: "pacs-admin",
      email: "imaging-ops@example.org",
      realmRoles: ["admin", "default-roles-orthanc"],
    });
  });

  test("the first admin is the stack's admin output, its password a secret", async () => {
    const outputs = p.plan.outputs as Json;
    expect(outputs.adminUser).toBe("pacs-admin");
    const realm = JSON.parse(file("keycloak", "/opt/keycloak/data/import/orthanc-realm.json"));
    expect(outputs.adminPassword).toBe("[secret]");
    expect(realm.users[1].credentials[0]).toEqual({
      type: "password",
      value: "generated-orthanc-docker-access-access-control-credentials-first-admin",
      temporary: true,
    });
  });

  test("Keycloak's database volume is protected and dumped with Orthanc's", () => {
    const volume = p.plan.resources.find((r) => r.name === "orthanc-docker-access-keycloak-db")!;
    expect(volume.protect && volume.retainOnDelete).toBe(true);
    expect(file("backup", "/usr/local/bin/orthanc-backup.sh")).toMatch(
      /PGHOST=keycloak-postgres PGUSER=keycloak PGDATABASE=keycloak/,
    );
    expect(
      upload(
        containers(p.plan).find((r) => r.name.endsWith("-backup"))!,
        "/run/secrets/pgpass",
      ),
    ).toBeDefined();
  });
});
