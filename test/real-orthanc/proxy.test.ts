/**
 * Debian's Caddy on the Caddyfile the program's renderer writes, in front of a real Orthanc booted
 * on the shipped documents. The Caddyfile is rendered by the Docker target's own function with the
 * lab's addresses (its upstream and ports), which are text in it rather than keys to substitute.
 */
import { renderCaddyfile } from "../../components/docker/caddyfile";
import { makeInstance } from "./dicom";
import { freePorts, LabCaddy } from "./lab";
import { proxySuite, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";

proxySuite("real Caddy with the rendered Caddyfile in front of the real Orthanc", () => {
  const lab = useLab("proxy");

  test.each([
    [
      "with a domain (ACME, staging CA, CORS)",
      {
        domain: "pacs.example.org",
        acmeEmail: "ops@example.org",
        acmeStaging: true,
        upstream: "orthanc:8042",
        corsOrigins: ["https://viewer.example.org"],
      },
    ],
    [
      "without a domain",
      { acmeStaging: false, upstream: "orthanc:8042 orthanc-2:8042", corsOrigins: [] },
    ],
  ])("caddy validate accepts the Caddyfile %s", async (_name, settings) => {
    const result = await LabCaddy.validate(renderCaddyfile(settings), lab.scratch);
    expect(result.output).toContain("Valid configuration");
    expect(result.ok).toBe(true);
  });

  test("proxies auth, large uploads, DICOMweb links, CORS and health as configured", async () => {
    // Without a domain: DICOMweb links follow the Host the client used.
    const shipped = await shippedDocuments({ target: "docker" }, "lab-proxy");
    const b = await lab.boot(shipped);
    const [httpPort, healthPort] = await freePorts(2);
    const caddy = new LabCaddy(
      renderCaddyfile({
        acmeStaging: false,
        upstream: `127.0.0.1:${b.orthanc.httpPort}`,
        corsOrigins: ["https://viewer.example.org"],
        httpPort,
        healthPort,
      }),
      lab.scratch,
    );
    await caddy.start(`http://127.0.0.1:${healthPort}/healthz`);
    try {
      const url = `http://127.0.0.1:${httpPort}`;
      const auth = {
        authorization: `Basic ${Buffer.from(`${b.admin.user}:${b.admin.password}`).toString("base64")}`,
      };
      // Orthanc's own 401 and its challenge pass through.
      const anonymous = await fetch(`${url}/system`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toMatch(/Basic realm=/);
      const system = await fetch(`${url}/system`, { headers: auth });
      expect(system.status).toBe(200);
      expect(system.headers.get("x-content-type-options")).toBe("nosniff");
      expect(system.headers.get("server")).toBeNull();
      // A 16 MB instance goes through unbuffered and unlimited.
      const big = makeInstance({}, 1, 4096);
      const stored = await fetch(`${url}/instances`, {
        method: "POST",
        headers: auth,
        body: big.file,
      });
      expect(stored.status).toBe(200);
      expect(((await stored.json()) as { Status: string }).Status).toBe("Success");
      // DICOMweb links follow the Host the client used (the proxy keeps it).
      const qido = await fetch(`${url}/dicom-web/studies/${big.ids.studyUid}/series`, {
        headers: { ...auth, accept: "application/dicom+json" },
      });
      expect(qido.status).toBe(200);
      const series = (await qido.json()) as Record<string, { Value: string[] }>[];
      const retrieve = series[0]["00081190"].Value[0] as string;
      expect(
        retrieve.startsWith(
          `http://127.0.0.1:${httpPort}/dicom-web/studies/${big.ids.studyUid}/series/`,
        ),
      ).toBe(true);
      // CORS: the preflight is answered by the proxy for allowed origins only.
      const preflight = await fetch(`${url}/dicom-web/studies`, {
        method: "OPTIONS",
        headers: { origin: "https://viewer.example.org", "access-control-request-method": "GET" },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(
        "https://viewer.example.org",
      );
      const stranger = await fetch(`${url}/dicom-web/studies`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example.com", "access-control-request-method": "GET" },
      });
      expect(stranger.status).not.toBe(204);
      expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
      const cors = await fetch(`${url}/system`, {
        headers: { ...auth, origin: "https://viewer.example.org" },
      });
      expect(cors.headers.get("access-control-allow-origin")).toBe("https://viewer.example.org");
    } finally {
      await caddy.stop();
    }
  }, 120_000);
});
