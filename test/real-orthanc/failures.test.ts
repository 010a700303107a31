/**
 * How the shipped documents fail, in a real Orthanc: a second writer on a locked index, a wrong
 * database password, an unreachable database, an empty HOSTNAME under `${HOSTNAME}`. Each fails
 * loudly with a message an operator can act on, and never serves.
 */
import { HOSTNAME_PLACEHOLDER } from "../../components/shared/orthancConfig";
import { freePort, LabOrthanc } from "./lab";
import { suite, useLab, waitForLog } from "./harness";
import { Shipped, shippedDocuments } from "./shippedDocuments";
import { KUBERNETES_REPLICAS } from "./stacks";

const neverServes = async (o: LabOrthanc) =>
  expect((await o.request("GET", "/system").catch(() => ({ status: 0 }))).status).not.toBe(200);

suite("real Orthanc failing on the shipped documents", () => {
  const lab = useLab("failures");
  /** The Docker target's defaults: one replica, its own PostgreSQL. */
  let single: Shipped;
  beforeAll(async () => {
    single = await shippedDocuments({ target: "docker" }, "lab-single");
  });

  test("a single replica locks its database against a second Orthanc started by mistake", async () => {
    const database = await lab.database(single);
    await lab.boot(single, { database });
    const second = await lab.boot(single, { database, wait: false });
    expect(await second.orthanc.waitExit(20_000)).not.toBe(0);
    expect(second.orthanc.log()).toMatch(/locked by another instance/i);
  }, 60_000);

  test("a wrong database password fails with PostgreSQL's own message and never serves", async () => {
    // The lab's role gets another password than the shipped documents hold.
    const b = await lab.boot(single, { rolePassword: "not-the-password", wait: false });
    await waitForLog(b.orthanc, /password authentication failed for user "orthanc_app"/, 20_000);
    await neverServes(b.orthanc);
  }, 60_000);

  test("an unreachable database fails with a clear message and never serves", async () => {
    // The documents point at a port nobody listens on.
    const b = await lab.boot(single, { wait: false, pgPort: await freePort() });
    await waitForLog(b.orthanc, /Connection refused|could not connect/i, 20_000);
    await neverServes(b.orthanc);
  }, 60_000);

  test("`${HOSTNAME}` as the server identifier stops Orthanc with a clear message when HOSTNAME is empty", async () => {
    const shipped = await shippedDocuments(KUBERNETES_REPLICAS, "lab-k8s-replicas");
    expect(shipped.orthancJson.DatabaseServerIdentifier).toBe(HOSTNAME_PLACEHOLDER);
    const booted = await lab.boot(shipped, { wait: false, env: { HOSTNAME: "" } });
    expect(await booted.orthanc.waitExit(30_000)).not.toBe("timeout");
    expect(booted.orthanc.logTail()).toMatch(/DatabaseServerIdentifier|cannot be empty/i);
  }, 60_000);
});
