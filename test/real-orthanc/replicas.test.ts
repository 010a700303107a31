/**
 * Several Orthancs on one index, and how each is known: the Docker target's replica containers,
 * `${HOSTNAME}` where one template serves every replica (Kubernetes, AWS), and the DICOM host
 * check where the platform keeps client addresses. Every Orthanc boots the documents the program
 * would deploy for a configuration a user could write.
 */
import { join } from "node:path";
import { HOSTNAME_PLACEHOLDER, JsonObject } from "../../components/shared/orthancConfig";
import { makeInstance } from "./dicom";
import { scu } from "./lab";
import { countInstances, suite, upload, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";
import { KUBERNETES_REPLICAS } from "./stacks";

suite("real Orthanc replicas with the shipped documents", () => {
  const lab = useLab("replicas");

  test("the Docker target's two replicas on one PostgreSQL index both accept uploads and each sees every instance", async () => {
    const shipped = await shippedDocuments(
      { target: "docker", orthanc: { replicas: 2 } },
      "lab-replicas",
    );
    expect(shipped.instances).toHaveLength(2);
    const database = await lab.database(shipped);
    const storageDir = join(lab.scratch, "shared-storage");
    // Each container with its own documents (its own server identifier).
    const a = await lab.boot(shipped, { instance: 0, database, storageDir });
    const b = await lab.boot(shipped, { instance: 1, database, storageDir });
    const perReplica = 20;
    const uploads: Promise<unknown>[] = [];
    for (let i = 0; i < perReplica; i++) {
      uploads.push(upload(a.orthanc, makeInstance({}, i).file));
      uploads.push(upload(b.orthanc, makeInstance({}, i).file));
    }
    const results = (await Promise.all(uploads)) as { Status: string }[];
    expect(results.every((r) => r.Status === "Success")).toBe(true);
    expect(await countInstances(a.orthanc)).toBe(2 * perReplica);
    expect(await countInstances(b.orthanc)).toBe(2 * perReplica);
  }, 120_000);

  test("`${HOSTNAME}` names each replica after its own container id", async () => {
    const shipped = await shippedDocuments(KUBERNETES_REPLICAS, "lab-k8s-replicas");
    expect(shipped.orthancJson.DatabaseServerIdentifier).toBe(HOSTNAME_PLACEHOLDER);
    expect(shipped.orthancJson.SaveJobs).toBe(false);
    const database = await lab.database(shipped);
    // Saved jobs are the one thing Orthanc 1.10 files under its server identifier: turned on
    // here only to see the identifiers (several writers ship with SaveJobs off).
    const opts = { database, orthancOverrides: { SaveJobs: true } };
    const a = await lab.boot(shipped, { ...opts, storageDir: join(lab.scratch, "ids-storage") });
    const b = await lab.boot(shipped, { ...opts, storageDir: join(lab.scratch, "ids-storage") });
    await Promise.all([a.orthanc.stop(), b.orthanc.stop()]);
    const servers = await lab.pg.sql("SELECT DISTINCT server FROM serverproperties", database);
    expect(servers.trim().split("\n").sort()).toEqual(
      [a.orthanc.hostname, b.orthanc.hostname].sort(),
    );
  }, 60_000);

  test("where client addresses are preserved, a known AE title from another host is refused", async () => {
    // Kubernetes with DICOM open keeps client addresses (the load balancer's Local policy).
    const shipped = await shippedDocuments(
      {
        target: "kubernetes",
        orthanc: {
          dicom: {
            allowedCidrs: ["10.0.0.0/8"],
            modalities: {
              here: { aet: "CT01", host: "10.1.1.1" },
              elsewhere: { aet: "CT02", host: "10.9.9.9" },
            },
          },
        },
      },
      "lab-k8s-dicom",
    );
    expect(shipped.orthancJson.DicomCheckModalityHost).toBe(true);
    // The lab's clients stand in for `here` only: `elsewhere` keeps its shipped address.
    const { dicomPort, orthanc } = await lab.boot(shipped, { modalitiesOnLab: ["here"] });
    const modalities = (await orthanc.request("GET", "/modalities?expand")).json() as Record<
      string,
      JsonObject
    >;
    expect(modalities.elsewhere.Host).toBe("10.9.9.9");
    expect((await scu("echoscu", "CT01", "ORTHANC", dicomPort)).code).toBe(0);
    // CT02 is known, but not at 127.0.0.1: without the host check it would be accepted.
    expect((await scu("echoscu", "CT02", "ORTHANC", dicomPort)).code).not.toBe(0);
  }, 60_000);
});
