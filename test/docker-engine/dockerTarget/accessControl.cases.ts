/**
 * Access control on a real Docker engine: Keycloak, its PostgreSQL and the auth service beside
 * Orthanc, exactly as the program registers them, on plain HTTP on loopback (the trial the config
 * allows). Registered by ../dockerTarget.test.ts.
 *
 * STAND-INS (test/docker-engine/images/README.md): the Keycloak and auth-service images here are
 * small Python servers built from Debian packages that reproduce only the contracts the program
 * relies on (files, users, ports, paths, secrets, start-up order, the realm import once per
 * database, the client-credentials check). No login, token, share or API-key flow of the real
 * software runs here, and the Orthanc stand-in has no authorization plugin: with Basic auth off,
 * nothing checks Orthanc's requests on this engine.
 */
import { makeInstance } from "../../real-orthanc/dicom";
import { applyPlan, connect, execIn, teardown, waitHealthy } from "../engine";
import { standInImages } from "../standIns";
import { Deployment, healthyAll, http, imageRefs, planOther } from "./harness";

export function accessControl(): void {
  const runId = `access-${process.pid}`;
  const base = "http://127.0.0.1:38042";
  const name = "orthanc-access";
  const c = (part: string) => `${name}-${part}`;
  let d: Deployment;
  const raw = {
    target: "docker",
    orthanc: { name: "Access PACS", dicom: { allowedCidrs: [] } },
    docker: { host: "local", httpPort: 38042 },
    accessControl: {
      enabled: true,
      apiKeys: true,
      roles: {
        admin: { permissions: ["all"], labels: ["*"] },
        referrer: { permissions: ["view"], labels: ["referral"] },
      },
    },
  };

  beforeAll(async () => {
    d = await planOther("access", raw);
    standInImages(imageRefs(d));
    await teardown(runId);
    await applyPlan(d.resources, {
      runId,
      localImage: (ref) => ref,
      log: (l) => console.log(`[engine] ${l}`),
    });
  }, 1_200_000);

  afterAll(async () => {
    if (d) await teardown(runId);
  }, 120_000);

  /** A Python one-liner in a container (the stand-ins and Orthanc's image have python3). */
  const py = (container: string, code: string) => execIn(container, ["python3", "-c", code]);
  /** HTTP from inside a container: `status body`, or the error. */
  const fetchIn = (container: string, url: string, init = "") =>
    py(
      container,
      [
        "import urllib.request,base64,sys",
        `req=urllib.request.Request(${JSON.stringify(url)}${init})`,
        "try:",
        "  r=urllib.request.urlopen(req,timeout=5); print(r.status, r.read().decode())",
        "except urllib.error.HTTPError as e: print(e.code, e.read().decode())",
        "except Exception as e: print('unreachable', e)",
      ].join("\n"),
    );

  test("every container becomes healthy through its own health check: Keycloak's on its management port, Orthanc's without credentials", async () => {
    const ms = await healthyAll(d, 300_000);
    console.log(`[engine] access control: all containers healthy ${ms} ms after creation`);
    for (const part of ["keycloak", "keycloak-postgres", "auth-service", "orthanc"])
      expect(d.containers[c(part)]?.healthcheck).toBeDefined();
  }, 320_000);

  test("the proxy routes /keycloak to Keycloak unchanged, with the forwarded headers; the realm was imported", async () => {
    const realm = await http(`${base}/keycloak/realms/orthanc`);
    expect(realm.status).toBe(200);
    expect(JSON.parse(realm.body)).toMatchObject({ realm: "orthanc" });
    const echo = JSON.parse((await http(`${base}/keycloak/standin/request`)).body);
    expect(echo.path).toBe("/keycloak/standin/request");
    expect(echo.headers["X-Forwarded-Proto"]).toBe("http");
    expect(echo.headers["X-Forwarded-Host"]).toBe("127.0.0.1:38042");
    // The management port (health, metrics) is never routed.
    expect((await http(`${base}/keycloak/health/ready`)).status).not.toBe(200);
  });

  test("the auth service publishes nothing and is on the backend and identity networks only; the proxy cannot reach it", async () => {
    const svc = await connect().getContainer(c("auth-service")).inspect();
    expect(svc.HostConfig.PortBindings ?? {}).toEqual({});
    expect(Object.keys(svc.NetworkSettings.Networks).sort()).toEqual([c("backend"), c("identity")]);
    const kc = await connect().getContainer(c("keycloak")).inspect();
    expect(kc.HostConfig.PortBindings ?? {}).toEqual({});
    const kcdb = await connect().getContainer(c("keycloak-postgres")).inspect();
    expect(Object.keys(kcdb.NetworkSettings.Networks)).toEqual([c("keycloak-db")]);
    const fromProxy = await execIn(c("proxy"), [
      "sh",
      "-c",
      "wget -q -T 5 -O- http://auth-service:8000/openapi.json && echo reached || echo refused",
    ]);
    expect(fromProxy.output).not.toContain("reached");
  });

  test("Orthanc reaches the service with the password of its Authorization section; the service gets an admin-cli token with the realm's secret", async () => {
    const doc = JSON.parse(
      (await execIn(c("orthanc"), ["cat", "/run/secrets/orthanc-credentials.json"])).output,
    );
    const auth = doc.Authorization;
    expect(auth.WebServiceRootUrl).toBe("http://auth-service:8000/");
    const basic = Buffer.from(`${auth.WebServiceUsername}:${auth.WebServicePassword}`).toString(
      "base64",
    );
    const profile = await fetchIn(
      c("orthanc"),
      "http://auth-service:8000/user/get-profile",
      `,data=b"{}",headers={"Authorization":"Basic ${basic}","Content-Type":"application/json"},method="POST"`,
    );
    expect(profile.output).toMatch(/^200 /);
    // The anonymous profile the program wrote: no permission at all.
    expect(JSON.parse(profile.output.slice(4)).permissions).toEqual([]);
    const wrong = await fetchIn(
      c("orthanc"),
      "http://auth-service:8000/user/get-profile",
      `,data=b"{}",headers={"Authorization":"Basic ${Buffer.from("orthanc:wrong").toString("base64")}"},method="POST"`,
    );
    expect(wrong.output).toMatch(/^401 /);
    const settings = await fetchIn(
      c("orthanc"),
      "http://auth-service:8000/standin/settings",
      `,headers={"Authorization":"Basic ${basic}"}`,
    );
    const s = JSON.parse(settings.output.slice(4));
    expect(Object.keys(s.roles).sort()).toEqual(["admin", "referrer"]);
    expect(s.keycloakClientSecretMatches).toBe(true);
  });

  test("with Basic auth off, Orthanc answers its probe's path without credentials (the stand-in has no plugin to check the rest)", async () => {
    expect((await http(`${base}/system`)).status).toBe(200);
    const { file } = makeInstance({ patientId: "ACCESS-1" });
    expect((await http(`${base}/instances`, { method: "POST", body: file })).status).toBe(200);
  });

  test("no secret value appears anywhere in docker inspect of any container", async () => {
    expect(d.secrets.length).toBeGreaterThanOrEqual(6);
    for (const container of Object.keys(d.containers)) {
      const inspected = JSON.stringify(await connect().getContainer(container).inspect());
      for (const secret of d.secrets)
        expect({ container, leaked: inspected.includes(secret) }).toEqual({
          container,
          leaked: false,
        });
    }
  });

  test("the service exits while Keycloak is down and its restart policy brings it back once Keycloak is up; the realm is imported once", async () => {
    const docker = connect();
    await docker.getContainer(c("keycloak")).stop({ t: 5 });
    await docker.getContainer(c("auth-service")).restart({ t: 5 });
    let restarts = 0;
    for (let i = 0; i < 40 && restarts === 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      restarts = (await docker.getContainer(c("auth-service")).inspect()).RestartCount;
    }
    expect(restarts).toBeGreaterThan(0);
    await docker.getContainer(c("keycloak")).start();
    await waitHealthy(c("keycloak"), 120_000);
    await waitHealthy(c("auth-service"), 120_000);
    const imported = await execIn(c("keycloak-postgres"), [
      "sh",
      "-c",
      'PGPASSWORD="$(cat /run/secrets/postgres-password)" psql -h 127.0.0.1 -U keycloak -d keycloak -tAc "select count(*) from standin_realm"',
    ]);
    expect(imported.output.trim()).toBe("1");
  }, 300_000);

  test("the backup container dumps Keycloak's database beside Orthanc's, into a dump pg_restore reads with Keycloak's table", async () => {
    const dumps = async () =>
      (
        await execIn(c("backup"), ["sh", "-c", "ls /backups | grep -E '\\.dump$' || true"], {
          user: "postgres",
        })
      ).output
        .trim()
        .split("\n")
        .filter(Boolean);
    const before = await dumps();
    // The loop dumps when it starts: a restart is the interval, shortened.
    await connect().getContainer(c("backup")).restart();
    let after = await dumps();
    for (
      let i = 0;
      i < 120 && !after.some((f) => f.startsWith("keycloak-") && !before.includes(f));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 500));
      after = await dumps();
    }
    const dump = after.find((f) => f.startsWith("keycloak-") && !before.includes(f));
    expect(dump).toBeDefined();
    expect(after.some((f) => f.startsWith("orthanc-"))).toBe(true);
    // The dump lists the stand-in's table: Keycloak's data is in it.
    const listed = await execIn(c("backup"), ["pg_restore", "--list", `/backups/${dump}`], {
      user: "postgres",
    });
    expect(listed.output).toMatch(/TABLE .*standin_realm/);
  }, 120_000);
}
