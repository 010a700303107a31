/**
 * Two replicas with DICOM open to a network, on a real Docker engine: one index behind the proxy,
 * a supplied password through the image's envsubst, and the DICOM gate enforcing the allowlist for
 * test hosts in network namespaces. Registered by ../dockerTarget.test.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeInstance } from "../../real-orthanc/dicom";
import { applyPlan, connect, execIn, teardown } from "../engine";
import { standInImages } from "../standIns";
import {
  Deployment,
  dcmtk,
  healthyAll,
  http,
  imageRefs,
  instanceCount,
  instanceFiles,
  planOther,
} from "./harness";

// Test hosts in network namespaces of our own (198.18.0.0/15 is the benchmarking range; nothing
// leaves this machine): one inside the DICOM allowlist, one outside it.
const NETNS = [
  { name: "odt-in", host: "198.18.7.1", peer: "198.18.7.2" },
  { name: "odt-out", host: "198.18.8.1", peer: "198.18.8.2" },
];

function netnsUp(): void {
  for (const n of NETNS) {
    const sh = (cmd: string) => execFileSync("sh", ["-c", cmd], { stdio: "pipe" });
    sh(`ip netns del ${n.name} 2>/dev/null || true`);
    sh(`ip netns add ${n.name}`);
    sh(`ip link add ${n.name}-h type veth peer name ${n.name}-n`);
    sh(`ip link set ${n.name}-n netns ${n.name}`);
    sh(`ip addr add ${n.host}/30 dev ${n.name}-h && ip link set ${n.name}-h up`);
    sh(
      `ip netns exec ${n.name} sh -c 'ip addr add ${n.peer}/30 dev ${n.name}-n && ip link set ${n.name}-n up && ip link set lo up'`,
    );
  }
}

function netnsDown(): void {
  // Deleting the namespace deletes its end of the pair, and with it the host's end.
  for (const n of NETNS) execFileSync("sh", ["-c", `ip netns del ${n.name} 2>/dev/null || true`]);
}

export function dicomGate(): void {
  const runId = `gate-${process.pid}`;
  const base = "http://127.0.0.1:18042";
  const [inside, outside] = NETNS;
  let d: Deployment;
  let scratch: string;
  // A supplied password the image's envsubst would cut if the program wrote its `$` raw.
  const oddPassword = `r$USER-$HOME-"q"-\\-é-漢-$`;
  const raw = {
    target: "docker",
    orthanc: {
      name: "Gate PACS",
      replicas: 2,
      users: { reader: { password: oddPassword } },
      dicom: {
        port: 14242,
        allowedCidrs: [`${inside.peer}/32`],
        modalities: { ct: { aet: "CT01", host: inside.peer } },
        // 198.18.0.0/15 (benchmarking) is outside the private ranges: the gate is tested with
        // plain DICOM, explicitly (DICOM TLS itself is checked on the real Orthanc).
        tls: { allowPlaintext: true },
      },
    },
    docker: { host: "local", httpPort: 18042 },
  };

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "engine-gate-"));
    d = await planOther("gate", raw);
    standInImages(imageRefs(d));
    await teardown(runId);
    netnsUp();
    await applyPlan(d.resources, {
      runId,
      localImage: (ref) => ref,
      log: (l) => console.log(`[engine] ${l}`),
    });
    await healthyAll(d, 180_000);
  }, 1_200_000);

  afterAll(async () => {
    netnsDown();
    if (d) await teardown(runId);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  test("uploads through the proxy land in one index, and both replicas see all of them", async () => {
    const files = Array.from(
      { length: 8 },
      (_, i) => makeInstance({ patientId: `R-${i}` }, i).file,
    );
    await Promise.all(
      files.map(async (body) =>
        expect(
          (await http(`${base}/instances`, { auth: d.admin, method: "POST", body })).status,
        ).toBe(200),
      ),
    );
    const script = [
      "import base64, json, sys, urllib.request",
      "r = urllib.request.Request('http://127.0.0.1:8042/statistics')",
      "r.add_header('Authorization', 'Basic ' + base64.b64encode(sys.argv[1].encode()).decode())",
      "print(json.load(urllib.request.urlopen(r))['CountInstances'])",
    ].join("\n");
    for (const replica of ["orthanc-gate-orthanc", "orthanc-gate-2-orthanc"]) {
      const r = await execIn(replica, [
        "python3",
        "-c",
        script,
        `${d.admin.user}:${d.admin.password}`,
      ]);
      expect({ replica, count: r.output.trim() }).toEqual({ replica, count: "8" });
    }
  });

  test("a supplied password with `$`, `$HOME`, quotes, a backslash and non-ASCII logs in through the image's envsubst", async () => {
    const reader = { user: "reader", password: oddPassword };
    expect((await http(`${base}/system`, { auth: reader })).status).toBe(200);
    expect((await http(`${base}/system`, { auth: { ...reader, password: "r" } })).status).toBe(401);
  });

  test("only the gate publishes DICOM, on every interface, and no replica publishes a port", async () => {
    const docker = connect();
    const gate = await docker.getContainer("orthanc-gate-dicom-gate").inspect();
    expect(gate.HostConfig.PortBindings).toEqual({
      "11112/tcp": [{ HostIp: "0.0.0.0", HostPort: "14242" }],
    });
    expect(gate.Config.User).toBe("haproxy");
    for (const replica of ["orthanc-gate-orthanc", "orthanc-gate-2-orthanc"])
      expect((await docker.getContainer(replica).inspect()).HostConfig.PortBindings ?? {}).toEqual(
        {},
      );
  });

  test("a host inside the allowlist echoes and stores as the known modality; an unknown AE title is refused", async () => {
    const before = await instanceCount(base, d.admin);
    const to = [inside.host, "14242"];
    expect(
      await dcmtk(["echoscu", "-aet", "CT01", "-aec", "ORTHANC", ...to], inside.name),
    ).toMatchObject({ code: 0 });
    const files = instanceFiles(scratch, 2);
    const store = await dcmtk(
      ["storescu", "-aet", "CT01", "-aec", "ORTHANC", ...to, ...files],
      inside.name,
    );
    expect(store).toMatchObject({ code: 0 });
    expect(await instanceCount(base, d.admin)).toBe(before + 2);
    const intruder = await dcmtk(
      ["echoscu", "-aet", "INTRUDER", "-aec", "ORTHANC", ...to],
      inside.name,
    );
    expect(intruder.code).not.toBe(0);
    expect(intruder.output).toMatch(/Association Rejected|rejected/i);
  }, 120_000);

  test("a host outside the allowlist is cut off at the gate, even as the known modality", async () => {
    const before = await instanceCount(base, d.admin);
    const to = [outside.host, "14242"];
    const echo = await dcmtk(["echoscu", "-aet", "CT01", "-aec", "ORTHANC", ...to], outside.name);
    expect(echo.code).not.toBe(0);
    // The gate closes the connection before any association: Orthanc never answers.
    expect(echo.output).not.toMatch(/Association Rejected/);
    // Control: the host is reachable from there, the TCP connection opens, and the gate closes it
    // at once (a reset without a byte), rather than nothing answering at all.
    const tcp = await dcmtk(
      [
        "bash",
        "-c",
        `exec 3<>/dev/tcp/${outside.host}/14242 && echo connected && timeout 5 cat <&3 2>/dev/null | wc -c`,
      ],
      outside.name,
    );
    expect(tcp.output.split(/\s+/).filter(Boolean)).toEqual(["connected", "0"]);
    const store = await dcmtk(
      ["storescu", "-aet", "CT01", "-aec", "ORTHANC", ...to, ...instanceFiles(scratch, 1)],
      outside.name,
    );
    expect(store.code).not.toBe(0);
    expect(await instanceCount(base, d.admin)).toBe(before);
  }, 120_000);

  test("the gate spreads associations over both replicas and logs each one's source", async () => {
    for (let i = 0; i < 4; i++)
      expect(
        await dcmtk(
          ["echoscu", "-aet", "CT01", "-aec", "ORTHANC", inside.host, "14242"],
          inside.name,
        ),
      ).toMatchObject({ code: 0 });
    const refused = await dcmtk(
      ["echoscu", "-aet", "CT01", "-aec", "ORTHANC", outside.host, "14242"],
      outside.name,
    );
    expect(refused.code).not.toBe(0);
    const logs = String(
      await connect().getContainer("orthanc-gate-dicom-gate").logs({ stdout: true, stderr: true }),
    );
    expect(logs).toContain(`${inside.peer}:`);
    expect(logs).toContain("orthanc/orthanc-1");
    expect(logs).toContain("orthanc/orthanc-2");
    // Refused attempts are in the trail too, with their source and no server.
    expect(logs).toMatch(
      new RegExp(`${outside.peer.replaceAll(".", "\\.")}:\\d+ .* dicom dicom/<NOSRV> .* PR `),
    );
    // The two server names are two containers, not the `orthanc` alias every replica carries.
    const cfg = await execIn("orthanc-gate-dicom-gate", [
      "cat",
      "/usr/local/etc/haproxy/haproxy.cfg",
    ]);
    expect(cfg.output).toContain("server orthanc-1 orthanc-gate-orthanc:14242");
    expect(cfg.output).toContain("server orthanc-2 orthanc-gate-2-orthanc:14242");
  }, 60_000);
}
