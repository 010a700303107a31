/** The documents access control renders for Keycloak, the auth service and Orthanc. */
import {
  AccessControlArgs,
  AccessControlSecretValues,
  ANONYMOUS_PROFILE,
  AUTH_SERVICE_COMMAND,
  authServiceEnvironment,
  authServiceSecretFiles,
  DEFAULT_ROLES,
  keycloakEnvironment,
  PERMISSIONS,
  renderAuthorizationSection,
  renderExplorerSettings,
  renderKeycloakConf,
  renderPermissions,
  renderRealm,
} from "../../../components/shared/accessControl";
import {
  OrthancSettings,
  renderCredentialsJson,
  renderOrthancJson,
} from "../../../components/shared/orthancConfig";

const ARGS: AccessControlArgs = {
  publicUrl: "https://pacs.example.org",
  displayName: "Research PACS",
  roles: DEFAULT_ROLES,
  availableLabels: [],
  firstAdmin: { username: "pacs-admin", email: "ops@example.org", roles: ["admin"] },
  shares: { enabled: true, viewer: "stone" },
  apiKeys: false,
  requirePkce: false,
  images: { keycloak: "k", authService: "a", postgres: "p" },
};
const SECRETS: AccessControlSecretValues = {
  shareSigningKey: "SHAREsigningKEY0123456789",
  servicePassword: "SERVICEpassword0123456789",
  adminClientSecret: "ADMINclientSECRET0123456789",
  keycloakAdminPassword: "KEYCLOAKadmin0123456789",
  keycloakDatabasePassword: "KEYCLOAKdb0123456789",
  firstAdminPassword: "FIRSTadmin0123456789",
};
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const realm = (a: Partial<AccessControlArgs> = {}) =>
  renderRealm({ ...ARGS, ...a }, SECRETS) as Json;
const client = (r: Json, id: string) => r.clients.find((c: Json) => c.clientId === id);

test("the realm, as Keycloak imports it", () => {
  expect(realm()).toMatchSnapshot();
});

describe("the realm is secure by construction", () => {
  test("no demo user: the service account and the first admin only", () => {
    expect(realm().users.map((u: Json) => u.username)).toEqual([
      "service-account-admin-cli",
      "pacs-admin",
    ]);
  });
  test("the first admin must change the generated password at first login", () => {
    const admin = realm().users[1];
    expect(admin.credentials).toEqual([
      { type: "password", value: SECRETS.firstAdminPassword, temporary: true },
    ]);
    expect(admin.requiredActions).toEqual(["UPDATE_PASSWORD"]);
    expect(admin.realmRoles).toEqual(["admin", "default-roles-orthanc"]);
    // It administers the realm's users and roles in Keycloak's console, not its clients.
    expect(admin.clientRoles).toEqual({
      "realm-management": ["manage-users", "view-realm", "manage-realm"],
    });
  });
  test("no self-registration, brute-force protection, a password policy", () => {
    const r = realm();
    expect(r.registrationAllowed).toBe(false);
    expect(r.bruteForceProtected).toBe(true);
    expect(r.failureFactor).toBe(5);
    expect(r.passwordPolicy).toMatch(/^length\(12\)/);
  });
  test.each([
    ["https://pacs.example.org", "all"],
    ["http://localhost:8042", "external"],
  ])("served at %s: TLS required from %s addresses", (publicUrl, ssl) => {
    expect(realm({ publicUrl }).sslRequired).toBe(ssl);
  });
  test("the browser's client: public, exact redirect URIs and origin, no password grant", () => {
    const c = client(realm(), "orthanc");
    expect(c).toMatchObject({
      publicClient: true,
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      redirectUris: ["https://pacs.example.org/ui/app/*"],
      webOrigins: ["https://pacs.example.org"],
    });
  });
  test.each([
    [false, undefined],
    [true, "S256"],
  ])("PKCE required %s: the client's challenge method %s", (requirePkce, method) => {
    const c = client(realm({ requirePkce }), "orthanc");
    expect(c.attributes["pkce.code.challenge.method"]).toBe(method);
  });
  test("admin-cli: confidential with the generated secret; its service account may only view users", () => {
    const r = realm();
    expect(client(r, "admin-cli")).toMatchObject({
      publicClient: false,
      secret: SECRETS.adminClientSecret,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
    });
    expect(r.users[0].clientRoles).toEqual({ "realm-management": ["view-users"] });
  });
  test("the default role keeps the account roles (the `account` audience the service checks)", () => {
    const r = realm();
    expect(r.defaultRole).toEqual({ name: "default-roles-orthanc" });
    const def = r.roles.realm.find((x: Json) => x.name === "default-roles-orthanc");
    expect(def.composites).toEqual({ client: { account: ["view-profile", "manage-account"] } });
  });
  test("every configured role is a realm role", () => {
    expect(realm().roles.realm.map((x: Json) => x.name)).toEqual([
      "admin",
      "doctor",
      "external",
      "default-roles-orthanc",
    ]);
  });
  test.each([
    [false, undefined],
    [true, "api-key"],
  ])("API keys %s: the user profile declares %s for administrators only", (apiKeys, attr) => {
    const provider = realm({ apiKeys }).components?.[
      "org.keycloak.userprofile.UserProfileProvider"
    ];
    if (!attr) return expect(provider).toBeUndefined();
    const profile = JSON.parse(provider[0].config["kc.user.profile.config"][0]);
    const key = profile.attributes.find((x: Json) => x.name === attr);
    expect(key.permissions).toEqual({ view: ["admin"], edit: ["admin"] });
    // Keycloak's own attributes are kept (a profile without them would drop them).
    expect(profile.attributes.map((x: Json) => x.name)).toEqual([
      "username",
      "email",
      "firstName",
      "lastName",
      "api-key",
    ]);
  });
  test("an empty generated secret is refused, never imported", () => {
    expect(() => renderRealm(ARGS, { ...SECRETS, adminClientSecret: "" })).toThrow(/empty/);
  });
});

describe("the auth service's files", () => {
  test("permissions: each role's labels and permissions, under the service's names", () => {
    expect(
      renderPermissions({
        roles: {
          b: { permissions: ["view"], labels: ["x"] },
          a: { permissions: ["all"], labels: ["*"] },
        },
        availableLabels: ["x"],
      }),
    ).toEqual({
      roles: {
        a: { "authorized-labels": ["*"], permissions: ["all"] },
        b: { "authorized-labels": ["x"], permissions: ["view"] },
      },
      "available-labels": ["x"],
    });
  });
  test("the anonymous profile grants nothing (the service's own grants upload)", () => {
    expect(ANONYMOUS_PROFILE.permissions).toEqual([]);
    expect(ANONYMOUS_PROFILE["authorized-labels"]).toEqual([]);
  });
  test.each([
    [false, ["SECRET_KEY", "USERS"]],
    [true, ["SECRET_KEY", "USERS", "KEYCLOAK_CLIENT_SECRET"]],
  ])("API keys %s: secret files %j", (apiKeys, names) => {
    const files = authServiceSecretFiles({ apiKeys }, SECRETS);
    expect(Object.keys(files)).toEqual(names);
    expect(JSON.parse(files.USERS)).toEqual({ orthanc: SECRETS.servicePassword });
    expect(files.SECRET_KEY).toBe(SECRETS.shareSigningKey);
    if (apiKeys) expect(files.KEYCLOAK_CLIENT_SECRET).toBe(SECRETS.adminClientSecret);
  });
  test("its environment: Keycloak inside the network (trailing slash), the public roots, no secret", () => {
    const env = authServiceEnvironment(ARGS, { keycloak: "http://keycloak:8080" });
    expect(env).toEqual({
      ENABLE_KEYCLOAK: "true",
      KEYCLOAK_URI: "http://keycloak:8080/keycloak/realms/orthanc/",
      KEYCLOAK_ADMIN_URI: "http://keycloak:8080/keycloak/admin/realms/orthanc/",
      ENABLE_KEYCLOAK_API_KEYS: "false",
      PUBLIC_ORTHANC_ROOT: "https://pacs.example.org/",
      PUBLIC_LANDING_ROOT: "https://pacs.example.org/ui/app/token-landing.html",
      PERMISSIONS_FILE_PATH: "/etc/orthanc-auth-service/permissions.json",
      ANONYMOUS_PROFILE_FILE_PATH: "/etc/orthanc-auth-service/anonymous-profile.json",
      ENABLE_EMAILS: "false",
    });
  });
  test.each([
    ["stone", undefined],
    ["ohif", "https://pacs.example.org/ohif/"],
  ] as const)("viewer %s: the root OHIF shares open, %s", (viewer, root) => {
    const env = authServiceEnvironment(
      { ...ARGS, shares: { enabled: true, viewer } },
      { keycloak: "http://keycloak:8080" },
    );
    expect(env.PUBLIC_OHIF_ROOT).toBe(root);
  });
  test("USERS is exported from its file, then uvicorn replaces the shell", () => {
    expect(AUTH_SERVICE_COMMAND[2]).toBe(
      'USERS="$(cat /run/secrets/USERS)" && export USERS && exec uvicorn app:app --host 0.0.0.0 --port 8000',
    );
  });
});

describe("Keycloak's settings", () => {
  test("its environment: the public URL with the /keycloak path, proxy headers, no password", () => {
    const env = keycloakEnvironment(ARGS, { keycloakDatabase: "keycloak-postgres" });
    expect(env).toMatchObject({
      KC_HOSTNAME: "https://pacs.example.org/keycloak",
      KC_HTTP_RELATIVE_PATH: "/keycloak",
      KC_PROXY_HEADERS: "xforwarded",
      KC_HEALTH_ENABLED: "true",
      KC_DB_URL_HOST: "keycloak-postgres",
    });
    for (const v of Object.values(SECRETS)) expect(Object.values(env)).not.toContain(v);
  });
  test("the passwords go to its configuration file", () => {
    expect(renderKeycloakConf(SECRETS)).toBe(
      "# Written by orthanc-deploy: Keycloak's secret options (the rest is its environment).\n" +
        `db-password=${SECRETS.keycloakDatabasePassword}\nbootstrap-admin-password=${SECRETS.keycloakAdminPassword}\n`,
    );
  });
  test.each(["", "a\nb=c", "back\\slash"])(
    "a password %j that would break the file is refused",
    (p) => {
      expect(() => renderKeycloakConf({ ...SECRETS, keycloakDatabasePassword: p })).toThrow(
        /empty or malformed/,
      );
    },
  );
});

describe("Orthanc's side", () => {
  const base: OrthancSettings = {
    name: "PACS",
    httpPort: 8042,
    dicom: {
      enabled: true,
      aet: "ORTHANC",
      port: 4242,
      checkCalledAet: true,
      modalities: {},
      checkModalityHost: false,
    },
    plugins: { dicomWeb: true, explorer2: true, viewer: "stone" },
    database: { kind: "sqlite" },
    storage: { kind: "filesystem" },
    serverIdentifier: "x",
    verboseLogs: false,
    extra: {},
    peers: {},
    dicomWebServers: {},
  };
  const on: OrthancSettings = {
    ...base,
    accessControl: {
      publicUrl: "https://pacs.example.org",
      apiKeys: true,
      shares: { enabled: true, viewer: "stone" },
      serviceUrl: "http://auth-service:8000/",
    },
  };
  test("Basic auth off; Explorer 2 logs in through Keycloak; shares in the Stone viewer", () => {
    const json = renderOrthancJson(on);
    expect(json.AuthenticationEnabled).toBe(false);
    expect(json.OrthancExplorer2).toEqual({
      Keycloak: {
        Enable: true,
        Url: "https://pacs.example.org/keycloak/",
        Realm: "orthanc",
        ClientId: "orthanc",
      },
      UiOptions: { EnableShares: true, EnablePermissionsEdition: false },
      Tokens: { ShareType: "stone-viewer-publication" },
    });
    expect(renderOrthancJson(base).AuthenticationEnabled).toBe(true);
  });
  test("Explorer 2's options the stack gives are merged into the program's, not over them", () => {
    const json = renderOrthancJson({
      ...on,
      extra: { OrthancExplorer2: { UiOptions: { EnableUpload: false }, Theme: "dark" } },
    });
    expect(json.OrthancExplorer2).toMatchObject({
      Theme: "dark",
      Keycloak: { Enable: true },
      UiOptions: { EnableShares: true, EnablePermissionsEdition: false, EnableUpload: false },
    });
  });
  test("the plugin's section with the service's password in the credentials, and no users", () => {
    const creds = renderCredentialsJson(on, { users: {}, authServicePassword: "pw" });
    expect(creds).toEqual({
      Authorization: {
        WebServiceRootUrl: "http://auth-service:8000/",
        WebServiceUsername: "orthanc",
        WebServicePassword: "pw",
        StandardConfigurations: ["orthanc-explorer-2", "stone-webviewer"],
        CheckedLevel: "studies",
        UncheckedResources: ["/system"],
        TokenHttpHeaders: ["api-key"],
      },
    });
    expect(renderOrthancJson(on).Authorization).toBeUndefined();
  });
  test("Basic-auth users under access control, or no service password: refused", () => {
    expect(() =>
      renderCredentialsJson(on, { users: { a: "b" }, authServicePassword: "pw" }),
    ).toThrow(/no registered users/);
    expect(() => renderCredentialsJson(on, { users: {} })).toThrow(/password is empty/);
  });
  test.each([
    ["ohif", false, ["orthanc-explorer-2", "ohif"], "ohif-viewer-publication"],
    ["none", false, ["orthanc-explorer-2"], undefined],
  ] as const)("viewer %s (API keys %s): %j, share type %s", (viewer, apiKeys, standard, share) => {
    const shares = { enabled: viewer !== "none", viewer };
    const section = renderAuthorizationSection({ apiKeys, shares }, "http://s/", "pw");
    expect(section.StandardConfigurations).toEqual(standard);
    expect(section.TokenHttpHeaders).toBeUndefined();
    const explorer = renderExplorerSettings({ publicUrl: "https://p.example.org", shares });
    expect((explorer.Tokens as Json | undefined)?.ShareType).toBe(share);
  });
});

test("the permission names are the service's (any other stops it at start)", () => {
  expect(PERMISSIONS).toHaveLength(16);
  expect(PERMISSIONS).toContain("share");
  expect(PERMISSIONS).toContain("q-r-remote-modalities");
});
