/**
 * The proxy's Caddyfile, with a domain (Let's Encrypt, HSTS, CORS), without one (plain HTTP), and
 * with Keycloak's path (access control).
 */
import { renderCaddyfile } from "../../../components/docker/caddyfile";

describe("rendered documents", () => {
  test.each([
    [
      "with a domain (Let's Encrypt, HSTS, CORS)",
      {
        domain: "pacs.example.org",
        acmeEmail: "pacs@example.org",
        acmeStaging: false,
        upstream: "orthanc:8042",
        corsOrigins: ["https://viewer.example.org"],
        accessLog: { file: "/data/access.log", retentionDays: 365 },
      },
    ],
    [
      "without a domain (plain HTTP)",
      {
        acmeStaging: false,
        upstream: "orthanc:8042 orthanc-local-2-orthanc:8042",
        corsOrigins: [],
        accessLog: { file: "/data/access.log", retentionDays: 30 },
      },
    ],
    [
      "with Keycloak (access control): /keycloak routed, the path unchanged",
      {
        domain: "pacs.example.org",
        acmeStaging: false,
        upstream: "orthanc-pacs-orthanc:8042",
        corsOrigins: [],
        accessLog: { file: "/data/access.log", retentionDays: 365 },
        keycloakUpstream: "keycloak:8080",
      },
    ],
  ])("Caddyfile %s", (_name, proxy) => {
    expect(renderCaddyfile(proxy)).toMatchSnapshot();
  });
});
