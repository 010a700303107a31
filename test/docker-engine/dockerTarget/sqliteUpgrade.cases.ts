/**
 * SQLite with S3 storage on a real Docker engine: the index survives the Orthanc container's
 * replacement by a new image tag. Registered by ../dockerTarget.test.ts.
 */
import { makeInstance } from "../../real-orthanc/dicom";
import { applyPlan, replaceChanged, teardown, waitHealthy } from "../engine";
import { standInImages } from "../standIns";
import { Deployment, healthyAll, http, imageRefs, instanceCount, planOther } from "./harness";

export function sqliteUpgrade(): void {
  const runId = `sqlite-${process.pid}`;
  const base = "http://127.0.0.1:28042";
  let d: Deployment;
  const raw = {
    target: "docker",
    database: { engine: "sqlite" },
    storage: {
      kind: "s3",
      s3: {
        bucket: "pacs",
        endpoint: "https://s3.example.org",
        accessKeyId: "STANDINACCESSKEY01",
        secretAccessKey: "standin-secret-key",
      },
    },
    docker: { host: "local", httpPort: 28042 },
  };

  beforeAll(async () => {
    d = await planOther("sqlite", raw);
    standInImages(imageRefs(d));
    await teardown(runId);
    await applyPlan(d.resources, { runId, localImage: (ref) => ref });
    await healthyAll(d, 180_000);
  }, 1_200_000);

  afterAll(async () => {
    if (d) await teardown(runId);
  }, 120_000);

  test("day 2: after the Orthanc container is replaced by a new tag, every instance is still indexed", async () => {
    // The stand-in has no S3 plugin (Debian has none): files land beside the index, on the same
    // volume. What this proves is the index's home, which is the same with the real plugin.
    for (const patientId of ["SQLITE-1", "SQLITE-2"]) {
      const { file } = makeInstance({ patientId });
      expect(
        (await http(`${base}/instances`, { auth: d.admin, method: "POST", body: file })).status,
      ).toBe(200);
    }
    const next = await planOther("sqlite", { ...raw, orthanc: { image: { tag: "26.9.0" } } });
    standInImages(imageRefs(next));
    expect(
      await replaceChanged(d.resources, next.resources, { runId, localImage: (ref) => ref }),
    ).toEqual(["orthanc-sqlite-orthanc-files", "orthanc-sqlite-orthanc"]);
    await waitHealthy("orthanc-sqlite-orthanc", 180_000);
    expect(await instanceCount(base, next.admin)).toBe(2);
    d = next;
  }, 300_000);
}
