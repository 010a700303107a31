/**
 * The proxy's Caddyfile, with a domain (Let's Encrypt, HSTS, CORS) and without one (plain HTTP).
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
  ])("Caddyfile %s", (_name, proxy) => {
    expect(renderCaddyfile(proxy)).toMatchSnapshot();
  });
});
