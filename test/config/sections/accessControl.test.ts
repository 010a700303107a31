/** `orthanc:accessControl`: refused before anything is made when it cannot work as asked. */
import { DockerConfig, parseConfig } from "../../../infra/config";
import { accessControlArgs } from "../../../infra/targets/common";
import { AWS_HTTPS, K8S_EDGE, testRejections } from "../helpers";

const ON = { enabled: true };
const HTTPS = { dns: { name: "pacs.example.org" } };
const docker = (accessControl: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  target: "docker",
  ...HTTPS,
  accessControl,
  ...extra,
});

describe("where access control can run", () => {
  testRejections([
    [
      "the aws target: refused, with what to do instead",
      { target: "aws", ...AWS_HTTPS, accessControl: ON },
      "orthanc:accessControl.enabled",
      /not built for the aws target yet.*Fix: `pulumi config rm --path 'orthanc:accessControl'`, or deploy to the docker or kubernetes target/,
    ],
    [
      "plain HTTP on a network interface",
      {
        target: "docker",
        accessControl: ON,
        docker: { bindAddress: "10.0.0.5" },
        tls: { allowPlainHttp: true },
      },
      "orthanc:accessControl.enabled",
      /needs HTTPS.*plain HTTP is allowed only on this machine's loopback.*Fix: `pulumi config set --path 'orthanc:dns.name' pacs.example.org`/,
    ],
    [
      "kubernetes without a public name",
      { target: "kubernetes", accessControl: ON },
      "orthanc:accessControl.enabled",
      /needs the public HTTPS name/,
    ],
    [
      "Basic-auth users beside it",
      docker(ON, { orthanc: { users: { viewer: {} } } }),
      "orthanc:orthanc.users",
      /Basic auth, which is off under access control.*Fix: `pulumi config rm --path 'orthanc:orthanc.users'`/,
    ],
    [
      "an admin user of Orthanc's own",
      docker(ON, { orthanc: { adminUser: "root" } }),
      "orthanc:orthanc.adminUser",
      /firstAdmin/,
    ],
    [
      "without Explorer 2, where users log in",
      docker(ON, { orthanc: { plugins: { explorer2: false } } }),
      "orthanc:orthanc.plugins.explorer2",
      /where users log in through Keycloak/,
    ],
    [
      "shares without a viewer",
      docker(ON, { orthanc: { plugins: { viewer: "none" } } }),
      "orthanc:accessControl.shares",
      /viewer.*is none.*Fix: .*viewer' stone.*shares' false/,
    ],
    [
      "Explorer 2's Keycloak through the escape hatch",
      docker(ON, { orthanc: { settings: { OrthancExplorer2: { Keycloak: { Enable: false } } } } }),
      "orthanc:orthanc.settings.OrthancExplorer2.Keycloak",
      /is set by `orthanc:accessControl`/,
    ],
    [
      "the authorization plugin through the escape hatch, without what it needs",
      {
        target: "docker",
        orthanc: { settings: { Authorization: { WebServiceRootUrl: "http://x/" } } },
      },
      "orthanc:orthanc.settings.Authorization",
      /is set by `orthanc:accessControl`.*Fix: `pulumi config rm --path 'orthanc:orthanc.settings.Authorization'`/,
    ],
    [
      "a key of the section while it is off",
      docker({ apiKeys: true }),
      "orthanc:accessControl.apiKeys",
      /access control is off. Fix: `pulumi config set --path 'orthanc:accessControl.enabled' true`/,
    ],
  ]);
});

describe("roles, labels and the first admin", () => {
  const roles = (r: Record<string, unknown>, more: Record<string, unknown> = {}) =>
    docker({ enabled: true, roles: r, ...more });
  testRejections([
    [
      "an unknown permission",
      roles({ reader: { permissions: ["read"], labels: ["*"] } }),
      "orthanc:accessControl.roles.reader.permissions[0]",
      /share/,
    ],
    [
      "Keycloak's own role name",
      roles({ "default-roles-orthanc": { permissions: ["view"], labels: ["*"] } }),
      "orthanc:accessControl.roles.default-roles-orthanc",
      /Keycloak's own roles/,
    ],
    [
      "`all` beside others",
      roles({ admin: { permissions: ["all", "view"], labels: ["*"] } }),
      "orthanc:accessControl.roles.admin.permissions",
      /`all` already grants everything/,
    ],
    [
      "a permission twice",
      roles({ admin: { permissions: ["view", "view"], labels: ["*"] } }),
      "orthanc:accessControl.roles.admin.permissions",
      /lists "view" twice/,
    ],
    [
      "`*` beside labels",
      roles({ admin: { permissions: ["all"], labels: ["*", "ct"] } }),
      "orthanc:accessControl.roles.admin.labels",
      /`\*` \(every study\) with named labels/,
    ],
    [
      "a label nobody may create",
      roles(
        {
          admin: { permissions: ["all"], labels: ["*"] },
          ext: { permissions: ["view"], labels: ["ext"] },
        },
        { availableLabels: ["research"] },
      ),
      "orthanc:accessControl.roles.ext.labels",
      /not in `orthanc:accessControl.availableLabels`/,
    ],
    [
      "a label Orthanc refuses",
      roles({ admin: { permissions: ["all"], labels: ["a label"] } }),
      "orthanc:accessControl.roles.admin.labels[0]",
      /Orthanc label/,
    ],
    [
      "a first admin with a role that does not exist",
      roles({ reader: { permissions: ["view"], labels: ["*"] } }),
      "orthanc:accessControl.firstAdmin.roles",
      /names "admin", which is not a role.*\(reader\).*Fix: `pulumi config set --path 'orthanc:accessControl.firstAdmin.roles\[0\]' reader`/,
    ],
    ["no role at all", roles({}), "orthanc:accessControl.roles", /is empty/],
    [
      "another Keycloak release than the options are written for",
      docker({ enabled: true, images: { keycloak: { tag: "24.0.5" } } }),
      "orthanc:accessControl.images.keycloak.tag",
      /"24.0.5" is Keycloak 24; the program configures Keycloak 26.*Fix: .*tag' 26.2.5/,
    ],
  ]);
});

test("the documented defaults: admin, doctor, external; shares on, API keys and required PKCE off", () => {
  const cfg = parseConfig({
    target: "kubernetes",
    ...HTTPS,
    kubernetes: K8S_EDGE,
    accessControl: ON,
  });
  expect(cfg.accessControl).toEqual({
    enabled: true,
    roles: {
      admin: { permissions: ["all"], labels: ["*"] },
      doctor: { permissions: ["view", "download", "share", "send"], labels: ["*"] },
      external: { permissions: ["view", "download"], labels: ["external"] },
    },
    availableLabels: [],
    firstAdmin: { username: "pacs-admin", roles: ["admin"] },
    shares: true,
    apiKeys: false,
    requirePkce: false,
    images: {
      keycloak: { repository: "quay.io/keycloak/keycloak", tag: "26.2.5" },
      authService: { repository: "orthancteam/orthanc-auth-service", tag: "25.12.0" },
    },
  });
});

test("plain HTTP on this machine's loopback is a trial that works", () => {
  expect(parseConfig({ target: "docker", accessControl: ON }).accessControl.enabled).toBe(true);
});

test.each([
  [8042, "http://localhost:8042"],
  [80, "http://localhost"],
])("the loopback trial on port %s is reached at %s", (httpPort, url) => {
  const cfg = parseConfig({ target: "docker", docker: { httpPort }, accessControl: ON });
  expect(accessControlArgs(cfg as DockerConfig, "17.6-bookworm")?.publicUrl).toBe(url);
});
