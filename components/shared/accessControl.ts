/**
 * Access control as the Orthanc Team deploys it: Orthanc's authorization plugin asks the
 * orthanc-auth-service what a request may do; users log in through Keycloak, whose realm roles
 * map to permissions and to the labels a user may see; shares are tokens the service signs; API
 * keys are a Keycloak user attribute the service looks up.
 *
 * Pure and deterministic: every document the Docker and Kubernetes targets deliver to the three
 * programs (the realm Keycloak imports, the service's permissions and anonymous profile, its
 * environment, Keycloak's settings, Orthanc's sections) is rendered here, from validated options
 * and, for the secret ones, from generated values that reach it through `apply`.
 * Facts about the pieces (names, defaults, pitfalls) are from their public sources, as cited.
 */
import type { JsonObject } from "./orthancConfig";

/** The realm Keycloak imports for Orthanc (the service's defaults name it too). */
export const REALM = "orthanc";
/** The browser's client: Orthanc Explorer 2 logs in with it (public, PKCE). */
export const BROWSER_CLIENT = "orthanc";
/** Keycloak's built-in client the service uses, made confidential with a service account. */
export const ADMIN_CLIENT = "admin-cli";
/** The realm's default role, which keeps the `account` audience the service checks. */
export const DEFAULT_ROLE = `default-roles-${REALM}`;
/** Realm role names Keycloak itself uses: never a role of the stack's. */
export const RESERVED_ROLES = [DEFAULT_ROLE, "offline_access", "uma_authorization"];

/**
 * Keycloak serves everything under this path (`KC_HTTP_RELATIVE_PATH`), so every edge (Caddy, a
 * Gateway API route, an Ingress) routes the prefix as it is, with no rewrite to get wrong.
 */
export const KEYCLOAK_PATH = "/keycloak";
/**
 * The `master` realm (Keycloak's own administration) is never served publicly: every edge sends
 * this prefix to Orthanc, which has no such path. The realm's own console logs in through
 * `/keycloak/realms/orthanc`.
 */
export const KEYCLOAK_MASTER_REALM_PATH = `${KEYCLOAK_PATH}/realms/master`;
export const KEYCLOAK_HTTP_PORT = 8080;
/** Keycloak's management interface: health (`/keycloak/health/ready`), never routed publicly. */
export const KEYCLOAK_MANAGEMENT_PORT = 9000;
export const KEYCLOAK_HEALTH_PATH = `${KEYCLOAK_PATH}/health/ready`;
/** The upstream image's `keycloak` user (uid 1000, group 0). */
export const KEYCLOAK_UID = 1000;
/** Where the upstream image reads its options and, with `--import-realm`, the realms to import. */
export const KEYCLOAK_PATHS = {
  conf: "/opt/keycloak/conf/keycloak.conf",
  realm: `/opt/keycloak/data/import/${REALM}-realm.json`,
} as const;
/**
 * `start` builds first (the upstream image is not pre-built for PostgreSQL), imports the realm
 * once (an existing realm is skipped, so users and changes survive restarts), and serves plain
 * HTTP behind the proxy, which ends TLS and sets the forwarded headers.
 */
export const KEYCLOAK_COMMAND = ["start", "--import-realm"] as const;

/** The service's port (uvicorn); internal only. */
export const AUTH_SERVICE_PORT = 8000;
/** Where the service reads the files it is given (its working directory holds its defaults). */
export const AUTH_SERVICE_PATHS = {
  permissions: "/etc/orthanc-auth-service/permissions.json",
  anonymousProfile: "/etc/orthanc-auth-service/anonymous-profile.json",
  /** The service reads each of its secrets from `/run/secrets/<NAME>` before its environment. */
  secretsDir: "/run/secrets",
} as const;
/**
 * The image's command (uvicorn), started by a shell that first exports `USERS` from its secret
 * file: the service reads `USERS` from its environment only, and a Basic password must never be
 * a container's environment (`docker inspect`, the pod spec).
 */
export const AUTH_SERVICE_COMMAND = [
  "/bin/sh",
  "-c",
  `USERS="$(cat ${AUTH_SERVICE_PATHS.secretsDir}/USERS)" && export USERS && exec uvicorn app:app --host 0.0.0.0 --port ${AUTH_SERVICE_PORT}`,
] as const;
/** The service's readiness: its OpenAPI document answers without credentials once it serves. */
export const AUTH_SERVICE_PROBE = [
  "python3",
  "-c",
  `import urllib.request; urllib.request.urlopen("http://127.0.0.1:${AUTH_SERVICE_PORT}/openapi.json", timeout=5)`,
] as const;

/** The Basic-auth user Orthanc's plugin logs in to the service as. */
export const SERVICE_USER = "orthanc";

/** What the first admin may do in Keycloak's console of the realm (realm-management roles). */
export const FIRST_ADMIN_REALM_ROLES = ["manage-users", "view-realm", "manage-realm"] as const;

/** The permission names the service accepts (any other stops it at start). */
export const PERMISSIONS = [
  "all",
  "view",
  "download",
  "delete",
  "send",
  "modify",
  "anonymize",
  "upload",
  "q-r-remote-modalities",
  "settings",
  "api-view",
  "edit-labels",
  "admin-permissions",
  "audit-logs",
  "worklists",
  "share",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a realm role grants: permissions, and the labels of the studies its users may see. */
export interface RoleGrant {
  readonly permissions: readonly Permission[];
  /** Orthanc labels; `["*"]`: every study. */
  readonly labels: readonly string[];
}

/** The documented defaults: an administrator, a doctor who sees everything, an external reader. */
export const DEFAULT_ROLES: Record<string, RoleGrant> = {
  admin: { permissions: ["all"], labels: ["*"] },
  doctor: { permissions: ["view", "download", "share", "send"], labels: ["*"] },
  external: { permissions: ["view", "download"], labels: ["external"] },
};

/** Access control as a target's component receives it. */
export interface AccessControlArgs {
  /** Where browsers reach Orthanc: `https://pacs.example.org` (no trailing slash). */
  readonly publicUrl: string;
  /** Shown on Keycloak's login page. */
  readonly displayName: string;
  readonly roles: Record<string, RoleGrant>;
  /** Labels users may create; empty: any. */
  readonly availableLabels: readonly string[];
  /** The first user, created with the realm; its password is generated and must be changed. */
  readonly firstAdmin: {
    readonly username: string;
    readonly email?: string;
    readonly roles: readonly string[];
  };
  /** Signed links to a study in the viewer; `viewer` is the one shares open. */
  readonly shares: { readonly enabled: boolean; readonly viewer: "stone" | "ohif" | "none" };
  /** API keys for scripts and DICOMweb clients (the `api-key` header). */
  readonly apiKeys: boolean;
  /**
   * The browser's client requires PKCE (S256). Orthanc Explorer 2 built with keycloak-js 20 does
   * not send it (keycloak-js sends it by default from 24), and would then not log in at all.
   */
  readonly requirePkce: boolean;
  readonly images: {
    readonly keycloak: string;
    readonly authService: string;
    /** The PostgreSQL of Keycloak's own database (container and StatefulSet). */
    readonly postgres: string;
  };
}

/** The generated secrets, as the renderers receive them (plain strings inside `apply`). */
export interface AccessControlSecretValues {
  /** Signs share tokens; rotating it revokes every share. */
  shareSigningKey: string;
  /** The Basic password Orthanc's plugin uses with the service (both sides hold it). */
  servicePassword: string;
  /** `admin-cli`'s client secret, in the realm and in the service. */
  adminClientSecret: string;
  /** Keycloak's temporary master administrator. */
  keycloakAdminPassword: string;
  /** Keycloak's database role. */
  keycloakDatabasePassword: string;
  /** The first admin's initial password (a required change at first login). */
  firstAdminPassword: string;
}

/** Keycloak's own database: its name and role in the PostgreSQL that holds only it. */
export const KEYCLOAK_DATABASE = { database: "keycloak", username: "keycloak" } as const;
/** The temporary master administrator Keycloak creates at its first start. */
export const KEYCLOAK_BOOTSTRAP_ADMIN = "keycloak-admin";

const origin = (publicUrl: string) => new URL(publicUrl).origin;
/** Orthanc Explorer 2's app, where Keycloak sends browsers back. */
const appUrl = (a: AccessControlArgs) => `${a.publicUrl}/ui/app/`;
/** Keycloak as the browser reaches it. */
export const keycloakPublicUrl = (a: Pick<AccessControlArgs, "publicUrl">) =>
  `${a.publicUrl}${KEYCLOAK_PATH}`;

/**
 * The declarative user profile with the `api-key` attribute only administrators see and edit:
 * since Keycloak 24 an attribute the profile does not declare cannot be stored at all. The four
 * attributes before it are Keycloak's own defaults, which the profile must keep.
 */
function userProfile(): string {
  const admin = { view: ["admin"], edit: ["admin"] };
  const own = { view: ["admin", "user"], edit: ["admin", "user"] };
  return JSON.stringify({
    attributes: [
      {
        name: "username",
        displayName: "${username}",
        validations: { length: { min: 3, max: 255 }, "username-prohibited-characters": {} },
        permissions: { view: ["admin", "user"], edit: ["admin"] },
        multivalued: false,
      },
      {
        name: "email",
        displayName: "${email}",
        validations: { email: {}, length: { max: 255 } },
        permissions: own,
        multivalued: false,
      },
      {
        name: "firstName",
        displayName: "${firstName}",
        validations: { length: { max: 255 }, "person-name-prohibited-characters": {} },
        permissions: own,
        multivalued: false,
      },
      {
        name: "lastName",
        displayName: "${lastName}",
        validations: { length: { max: 255 }, "person-name-prohibited-characters": {} },
        permissions: own,
        multivalued: false,
      },
      { name: "api-key", displayName: "API key", permissions: admin, multivalued: false },
    ],
    groups: [],
  });
}

/**
 * The realm Keycloak imports at its first start (secret: it holds `admin-cli`'s secret and the
 * first admin's initial password). No demo user, no self-registration, brute-force protection,
 * a password policy, the browser client public with PKCE and exact redirect URIs and origins,
 * `admin-cli` confidential with a service account that may only view users, and the default role
 * as Keycloak makes it (its `account` roles put `account` in the audience the service checks).
 */
export function renderRealm(a: AccessControlArgs, s: AccessControlSecretValues): JsonObject {
  if (!s.adminClientSecret || !s.firstAdminPassword)
    throw new Error("The realm's client secret or first password is empty.");
  const https = a.publicUrl.startsWith("https://");
  return {
    realm: REALM,
    enabled: true,
    displayName: a.displayName,
    // Plain HTTP only from private addresses (a trial on loopback); HTTPS from everywhere else.
    sslRequired: https ? "all" : "external",
    registrationAllowed: false,
    // No mail server is configured: a reset link could not be sent.
    resetPasswordAllowed: false,
    rememberMe: false,
    editUsernameAllowed: false,
    loginWithEmailAllowed: true,
    duplicateEmailsAllowed: false,
    verifyEmail: false,
    bruteForceProtected: true,
    permanentLockout: false,
    failureFactor: 5,
    waitIncrementSeconds: 60,
    maxFailureWaitSeconds: 900,
    minimumQuickLoginWaitSeconds: 60,
    quickLoginCheckMilliSeconds: 1000,
    maxDeltaTimeSeconds: 43200,
    passwordPolicy: "length(12) and notUsername and notEmail and passwordHistory(3)",
    accessTokenLifespan: 300,
    ssoSessionIdleTimeout: 1800,
    ssoSessionMaxLifespan: 36000,
    roles: {
      realm: [
        ...Object.keys(a.roles)
          .sort()
          .map((name) => ({ name, description: `Orthanc role ${name} (permissions file)` })),
        {
          name: DEFAULT_ROLE,
          description: "${role_default-roles}",
          composite: true,
          composites: { client: { account: ["view-profile", "manage-account"] } },
        },
      ],
    },
    defaultRole: { name: DEFAULT_ROLE },
    clients: [
      {
        clientId: BROWSER_CLIENT,
        name: "Orthanc Explorer 2",
        enabled: true,
        publicClient: true,
        protocol: "openid-connect",
        standardFlowEnabled: true,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
        serviceAccountsEnabled: false,
        rootUrl: a.publicUrl,
        baseUrl: "/ui/app/",
        redirectUris: [`${appUrl(a)}*`],
        webOrigins: [origin(a.publicUrl)],
        attributes: {
          // Without it Keycloak still checks a code challenge a client sends.
          ...(a.requirePkce ? { "pkce.code.challenge.method": "S256" } : {}),
          "post.logout.redirect.uris": `${appUrl(a)}*`,
        },
      },
      {
        clientId: ADMIN_CLIENT,
        name: "orthanc-auth-service",
        enabled: true,
        publicClient: false,
        clientAuthenticatorType: "client-secret",
        secret: s.adminClientSecret,
        protocol: "openid-connect",
        standardFlowEnabled: false,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
        serviceAccountsEnabled: true,
        redirectUris: [],
        webOrigins: [],
      },
    ],
    users: [
      {
        username: `service-account-${ADMIN_CLIENT}`,
        enabled: true,
        serviceAccountClientId: ADMIN_CLIENT,
        clientRoles: { "realm-management": ["view-users"] },
      },
      {
        username: a.firstAdmin.username,
        enabled: true,
        ...(a.firstAdmin.email ? { email: a.firstAdmin.email, emailVerified: true } : {}),
        realmRoles: [...a.firstAdmin.roles, DEFAULT_ROLE],
        // The realm's administrator in its own console (/keycloak/admin/orthanc/console/): users
        // and their roles, and the realm's roles; not its clients, whose secrets the stack owns.
        clientRoles: { "realm-management": [...FIRST_ADMIN_REALM_ROLES] },
        credentials: [{ type: "password", value: s.firstAdminPassword, temporary: true }],
        requiredActions: ["UPDATE_PASSWORD"],
      },
    ],
    ...(a.apiKeys
      ? {
          components: {
            "org.keycloak.userprofile.UserProfileProvider": [
              {
                providerId: "declarative-user-profile",
                subComponents: {},
                config: { "kc.user.profile.config": [userProfile()] },
              },
            ],
          },
        }
      : {}),
  };
}

/** The service's permissions file: each role's permissions and labels. */
export function renderPermissions(a: Pick<AccessControlArgs, "roles" | "availableLabels">) {
  return {
    roles: Object.fromEntries(
      Object.entries(a.roles)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([name, r]) => [
          name,
          { "authorized-labels": [...r.labels], permissions: [...r.permissions] },
        ]),
    ),
    "available-labels": [...a.availableLabels],
  };
}

/**
 * What a request without a token may do: nothing. The service's built-in profile grants
 * `upload`, and it falls back to no permissions only when its file cannot be read.
 */
export const ANONYMOUS_PROFILE = {
  name: "Anonymous",
  "user-id": null,
  "authorized-labels": [],
  permissions: [],
  groups: [],
  validity: 60,
} as const;

/** How a container reaches the others, by the names each target gives them. */
export interface AccessControlHosts {
  /** The service as Orthanc reaches it: `http://host:8000/`. */
  authService: string;
  /** Keycloak as the service reaches it: `http://host:8080`. */
  keycloak: string;
  /** Keycloak's database host. */
  keycloakDatabase: string;
}

/** The service's environment: never a secret (those are files under /run/secrets). */
export function authServiceEnvironment(
  a: AccessControlArgs,
  hosts: Pick<AccessControlHosts, "keycloak">,
): Record<string, string> {
  return {
    ENABLE_KEYCLOAK: "true",
    KEYCLOAK_URI: `${hosts.keycloak}${KEYCLOAK_PATH}/realms/${REALM}/`,
    KEYCLOAK_ADMIN_URI: `${hosts.keycloak}${KEYCLOAK_PATH}/admin/realms/${REALM}/`,
    ENABLE_KEYCLOAK_API_KEYS: a.apiKeys ? "true" : "false",
    PUBLIC_ORTHANC_ROOT: `${a.publicUrl}/`,
    PUBLIC_LANDING_ROOT: `${appUrl(a)}token-landing.html`,
    // OHIF's shares open the study there; without it the service refuses them.
    ...(a.shares.viewer === "ohif" ? { PUBLIC_OHIF_ROOT: `${a.publicUrl}/ohif/` } : {}),
    PERMISSIONS_FILE_PATH: AUTH_SERVICE_PATHS.permissions,
    ANONYMOUS_PROFILE_FILE_PATH: AUTH_SERVICE_PATHS.anonymousProfile,
    ENABLE_EMAILS: "false",
  };
}

/**
 * The service's secret files (`/run/secrets/<NAME>`, read before its environment). `USERS` is
 * exported from its file by the service's command. `KEYCLOAK_CLIENT_SECRET` only with API keys:
 * without it the service has no Keycloak administration client at all.
 */
export function authServiceSecretFiles(
  a: Pick<AccessControlArgs, "apiKeys">,
  s: Pick<AccessControlSecretValues, "shareSigningKey" | "servicePassword" | "adminClientSecret">,
): Record<string, string> {
  return {
    SECRET_KEY: s.shareSigningKey,
    USERS: JSON.stringify({ [SERVICE_USER]: s.servicePassword }),
    ...(a.apiKeys ? { KEYCLOAK_CLIENT_SECRET: s.adminClientSecret } : {}),
  };
}

/** Keycloak's non-secret options (its environment). */
export function keycloakEnvironment(
  a: Pick<AccessControlArgs, "publicUrl">,
  hosts: Pick<AccessControlHosts, "keycloakDatabase">,
): Record<string, string> {
  return {
    KC_HOSTNAME: keycloakPublicUrl(a),
    KC_HTTP_RELATIVE_PATH: KEYCLOAK_PATH,
    KC_HTTP_ENABLED: "true",
    KC_HTTP_PORT: String(KEYCLOAK_HTTP_PORT),
    // The proxy ends TLS and overwrites these headers (Caddy, the Gateway, the Ingress).
    KC_PROXY_HEADERS: "xforwarded",
    KC_HEALTH_ENABLED: "true",
    KC_DB: "postgres",
    KC_DB_URL_HOST: hosts.keycloakDatabase,
    KC_DB_URL_PORT: "5432",
    KC_DB_URL_DATABASE: KEYCLOAK_DATABASE.database,
    KC_DB_USERNAME: KEYCLOAK_DATABASE.username,
    KC_BOOTSTRAP_ADMIN_USERNAME: KEYCLOAK_BOOTSTRAP_ADMIN,
  };
}

/** Keycloak's secret options, as its configuration file (never its environment). */
export function renderKeycloakConf(
  s: Pick<AccessControlSecretValues, "keycloakDatabasePassword" | "keycloakAdminPassword">,
): string {
  for (const v of [s.keycloakDatabasePassword, s.keycloakAdminPassword])
    if (!v || /[\r\n\\]/.test(v)) throw new Error("A Keycloak password is empty or malformed.");
  return [
    "# Written by orthanc-deploy: Keycloak's secret options (the rest is its environment).",
    `db-password=${s.keycloakDatabasePassword}`,
    `bootstrap-admin-password=${s.keycloakAdminPassword}`,
    "",
  ].join("\n");
}

/** The `StandardConfigurations` of the plugin for the UI and viewer in use. */
function standardConfigurations(viewer: AccessControlArgs["shares"]["viewer"]): string[] {
  return [
    "orthanc-explorer-2",
    ...(viewer === "stone" ? ["stone-webviewer"] : viewer === "ohif" ? ["ohif"] : []),
  ];
}

/**
 * The path the health probes ask without credentials: the plugin lets it through unchecked, so
 * a probe never depends on the service or Keycloak (an outage there must not restart Orthanc).
 * It shows what the Stone configuration already shows anonymously: name, version, plugins.
 */
export const UNCHECKED_PROBE_PATH = "/system";

/** The plugin's section (credentials document: it holds the service's password). */
export function renderAuthorizationSection(
  a: Pick<AccessControlArgs, "apiKeys" | "shares">,
  serviceUrl: string,
  servicePassword: string,
): JsonObject {
  if (!servicePassword) throw new Error("The auth service's password is empty.");
  return {
    WebServiceRootUrl: serviceUrl,
    WebServiceUsername: SERVICE_USER,
    WebServicePassword: servicePassword,
    StandardConfigurations: standardConfigurations(a.shares.viewer),
    CheckedLevel: "studies",
    UncheckedResources: [UNCHECKED_PROBE_PATH],
    ...(a.apiKeys ? { TokenHttpHeaders: ["api-key"] } : {}),
  };
}

/** Orthanc Explorer 2's login through Keycloak, its shares, and no role editing in the UI. */
export function renderExplorerSettings(
  a: Pick<AccessControlArgs, "publicUrl" | "shares">,
): JsonObject {
  return {
    Keycloak: {
      Enable: true,
      Url: `${keycloakPublicUrl(a)}/`,
      Realm: REALM,
      ClientId: BROWSER_CLIENT,
    },
    UiOptions: {
      EnableShares: a.shares.enabled,
      // Roles come from the stack's configuration: edited in the UI they would be lost (and
      // the service could not write its read-only file).
      EnablePermissionsEdition: false,
    },
    ...(a.shares.enabled
      ? {
          Tokens: {
            ShareType:
              a.shares.viewer === "ohif" ? "ohif-viewer-publication" : "stone-viewer-publication",
          },
        }
      : {}),
  };
}
