/**
 * Debian's Caddy on the Caddyfile the program's renderer writes, in front of a real Orthanc booted
 * on the shipped documents. The Caddyfile is rendered by the Docker target's own function with the
 * lab's addresses (its upstream, ports and access log file), which are text in it rather than keys
 * to substitute.
 */
import { readFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { join } from "node:path";
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
        accessLog: { file: "/data/access.log", retentionDays: 365 },
      },
    ],
    [
      "without a domain",
      {
        acmeStaging: false,
        upstream: "orthanc:8042 orthanc-2:8042",
        corsOrigins: [],
        accessLog: { file: "/data/access.log", retentionDays: 30 },
      },
    ],
    [
      "with Keycloak's path (access control)",
      {
        domain: "pacs.example.org",
        acmeStaging: false,
        upstream: "orthanc:8042",
        corsOrigins: [],
        accessLog: { file: "/data/access.log", retentionDays: 30 },
        keycloakUpstream: "keycloak:8080",
      },
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
        accessLog: { file: join(lab.scratch, `access-${httpPort}.log`), retentionDays: 30 },
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

proxySuite(
  "the /keycloak route (access control), real Caddy in front of two stub upstreams",
  () => {
    const lab = useLab("keycloak-route");

    /** An upstream that answers with who it is, the path it got and the forwarded headers. */
    const stub = async (who: string): Promise<Server> => {
      const server = createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            who,
            url: req.url,
            host: req.headers.host,
            forwardedFor: req.headers["x-forwarded-for"],
            forwardedProto: req.headers["x-forwarded-proto"],
            forwardedHost: req.headers["x-forwarded-host"],
          }),
        );
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return server;
    };
    const portOf = (s: Server) => (s.address() as AddressInfo).port;

    test("/keycloak and below reach Keycloak with the path unchanged and X-Forwarded-* set by Caddy, but for its master realm; the rest reaches Orthanc", async () => {
      const keycloak = await stub("keycloak");
      const orthanc = await stub("orthanc");
      const [httpPort, healthPort] = await freePorts(2);
      const caddy = new LabCaddy(
        renderCaddyfile({
          acmeStaging: false,
          upstream: `127.0.0.1:${portOf(orthanc)}`,
          corsOrigins: [],
          httpPort,
          healthPort,
          accessLog: { file: join(lab.scratch, "access.log"), retentionDays: 30 },
          keycloakUpstream: `127.0.0.1:${portOf(keycloak)}`,
        }),
        lab.scratch,
      );
      await caddy.start(`http://127.0.0.1:${healthPort}/healthz`);
      try {
        const get = async (path: string, headers: Record<string, string> = {}) =>
          (await (await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers })).json()) as {
            who: string;
            url: string;
            host: string;
            forwardedFor?: string;
            forwardedProto?: string;
            forwardedHost?: string;
          };
        const openid = "/keycloak/realms/orthanc/.well-known/openid-configuration?x=1";
        // A client's own forwarded headers are replaced, never passed on to Keycloak.
        expect(
          await get(openid, {
            "x-forwarded-for": "203.0.113.66",
            "x-forwarded-proto": "https",
            "x-forwarded-host": "evil.example.com",
          }),
        ).toEqual({
          who: "keycloak",
          url: openid,
          host: `127.0.0.1:${httpPort}`,
          forwardedFor: "127.0.0.1",
          forwardedProto: "http",
          forwardedHost: `127.0.0.1:${httpPort}`,
        });
        expect((await get("/keycloak")).url).toBe("/keycloak");
        expect((await get("/keycloak")).who).toBe("keycloak");
        expect((await get("/keycloak/")).who).toBe("keycloak");
        expect((await get("/keycloak/realms/masterx")).who).toBe("keycloak");
        // Keycloak's own master realm is never reached: it falls to Orthanc, which has no such path.
        for (const path of [
          "/keycloakx",
          "/system",
          "/ui/app/",
          "/",
          "/keycloak/realms/master",
          "/keycloak/realms/master/protocol/openid-connect/auth?client_id=security-admin-console",
        ])
          expect(await get(path)).toMatchObject({ who: "orthanc", url: path });
      } finally {
        await caddy.stop();
        keycloak.close();
        orthanc.close();
      }
    }, 60_000);
  },
);

proxySuite("the proxy's access log, written by the real Caddy in front of the real Orthanc", () => {
  const lab = useLab("access-log");

  test("one JSON line per request with its method, URI, status and client, and no credential in any", async () => {
    const shipped = await shippedDocuments({ target: "docker" }, "lab-access-log");
    const b = await lab.boot(shipped);
    const [httpPort, healthPort] = await freePorts(2);
    const file = join(lab.scratch, "access.log");
    const caddy = new LabCaddy(
      renderCaddyfile({
        acmeStaging: false,
        upstream: `127.0.0.1:${b.orthanc.httpPort}`,
        corsOrigins: [],
        httpPort,
        healthPort,
        accessLog: { file, retentionDays: 30 },
      }),
      lab.scratch,
    );
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const wrongPassword = "not-the-Password-4711";
    const secrets = {
      adminPassword: b.admin.password,
      adminBasic: basic(b.admin.user, b.admin.password).slice("Basic ".length),
      wrongPassword,
      wrongBasic: basic(b.admin.user, wrongPassword).slice("Basic ".length),
      cookie: "orthanc-session-9f8e7d6c5b4a",
      proxyAuth: "proxy-credential-1a2b3c",
      token: "query-token-0a1b2c3d",
      accessToken: "query-access-token-4e5f6a7b",
    };
    const auth = { authorization: basic(b.admin.user, b.admin.password) };
    // Request by request: what is sent, and what the log must say of it.
    const requests: { path: string; headers: Record<string, string>; status: number }[] = [
      { path: "/system", headers: {}, status: 401 },
      {
        path: "/system",
        headers: { authorization: basic(b.admin.user, wrongPassword) },
        status: 401,
      },
      {
        path: "/system",
        headers: {
          ...auth,
          cookie: `session=${secrets.cookie}`,
          "proxy-authorization": `Basic ${secrets.proxyAuth}`,
        },
        status: 200,
      },
      {
        path: `/dicom-web/studies?PatientID=LAB-1&token=${secrets.token}&access_token=${secrets.accessToken}&limit=5`,
        headers: { ...auth, accept: "application/dicom+json" },
        status: 200,
      },
    ];
    await caddy.start(`http://127.0.0.1:${healthPort}/healthz`);
    try {
      for (const r of requests) {
        const res = await fetch(`http://127.0.0.1:${httpPort}${r.path}`, { headers: r.headers });
        await res.arrayBuffer();
        expect(res.status).toBe(r.status);
      }
    } finally {
      // Caddy writes each line as the request ends; stopping it closes the file.
      await caddy.stop();
    }

    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").filter((l) => l.length);
    // Only the site's requests: the health endpoint (polled at start) is not logged.
    expect(lines).toHaveLength(requests.length);
    const entries = lines.map((l) => JSON.parse(l) as AccessEntry);
    expect(
      entries.map((e) => ({
        logger: e.logger,
        method: e.request.method,
        uri: e.request.uri,
        status: e.status,
        client: e.request.remote_ip,
        user: e.user_id,
      })),
    ).toEqual(
      requests.map((r) => ({
        logger: "http.log.access.log0",
        method: "GET",
        // The query keeps its search terms (an audit shows what was searched) but not the tokens.
        uri: r.path.replace(secrets.token, "REDACTED").replace(secrets.accessToken, "REDACTED"),
        status: r.status,
        client: "127.0.0.1",
        // Orthanc, not the proxy, checks the credentials: the proxy knows no user.
        user: "",
      })),
    );
    for (const e of entries) {
      expect(typeof e.ts).toBe("number");
      expect(e.duration).toBeGreaterThanOrEqual(0);
      // The headers that carry credentials are gone, not just masked.
      for (const header of ["Authorization", "Proxy-Authorization", "Cookie"])
        expect(e.request.headers).not.toHaveProperty(header);
    }
    // Nothing secret anywhere in the file, in any field.
    for (const [what, value] of Object.entries(secrets)) {
      expect({ what, found: text.includes(value) }).toEqual({ what, found: false });
    }
    expect(text).not.toMatch(/REDACTED"\]/);
  }, 120_000);
});

proxySuite("the proxy's access log under access control", () => {
  const lab = useLab("access-log-keycloak");

  test("a Keycloak token (Explorer 2's `token` header) and an API key (`api-key`) never reach the log", async () => {
    const shipped = await shippedDocuments({ target: "docker" }, "lab-access-log-keycloak");
    const b = await lab.boot(shipped);
    const [httpPort, healthPort, nobody] = await freePorts(3);
    const file = join(lab.scratch, "access.log");
    const caddy = new LabCaddy(
      renderCaddyfile({
        acmeStaging: false,
        upstream: `127.0.0.1:${b.orthanc.httpPort}`,
        corsOrigins: [],
        httpPort,
        healthPort,
        accessLog: { file, retentionDays: 30 },
        // Only Orthanc's paths are asked: Keycloak's upstream need not answer.
        keycloakUpstream: `127.0.0.1:${nobody}`,
      }),
      lab.scratch,
    );
    const secrets = {
      jwt: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsYWIifQ.c2lnbmF0dXJlLTQ3MTE",
      apiKey: "api-key-value-5c6d7e8f",
    };
    await caddy.start(`http://127.0.0.1:${healthPort}/healthz`);
    try {
      for (const headers of [{ token: `Bearer ${secrets.jwt}` }, { "api-key": secrets.apiKey }]) {
        const res = await fetch(`http://127.0.0.1:${httpPort}/system`, { headers });
        await res.arrayBuffer();
        expect(res.status).toBe(401);
      }
    } finally {
      await caddy.stop();
    }
    const text = readFileSync(file, "utf8");
    const entries = text
      .split("\n")
      .filter((l) => l.length)
      .map((l) => JSON.parse(l) as AccessEntry);
    expect(entries).toHaveLength(2);
    for (const e of entries) {
      expect(e.request.headers).not.toHaveProperty("Token");
      expect(e.request.headers).not.toHaveProperty("Api-Key");
    }
    for (const [what, value] of Object.entries(secrets))
      expect({ what, found: text.includes(value) }).toEqual({ what, found: false });
  }, 120_000);
});

/** The fields of Caddy's access log entry that the test reads. */
interface AccessEntry {
  ts: number;
  logger: string;
  request: { method: string; uri: string; remote_ip: string; headers: Record<string, string[]> };
  user_id: string;
  status: number;
  duration: number;
}
