/**
 * Boots what the program would deploy for every shipped stack (and two fixtures) in a real
 * Orthanc (Debian's 1.10.1 with its PostgreSQL and DICOMweb plugins) against a real PostgreSQL,
 * and checks it over HTTP and DICOM. Runs in CI (`CI=true`) or fails; elsewhere it skips loudly
 * when Orthanc is not installed.
 */
import { parseConfig } from "../../infra/config";
import { PROBE_USER } from "../../components/shared/orthancImage";
import { makeInstance } from "./dicom";
import { documentedCoreKeys, undocumentedKeys } from "./debian";
import { dcmtk } from "./lab";
import { countInstances, suite, upload, useLab } from "./harness";
import { Shipped, shippedDocuments } from "./shippedDocuments";
import { labStacks } from "./stacks";

suite("real Orthanc with each stack's shipped documents", () => {
  const lab = useLab("stacks");

  describe.each(labStacks())("stack %s", (name, raw) => {
    const cfg = parseConfig(raw);
    let shipped: Shipped;
    beforeAll(async () => {
      shipped = await shippedDocuments(raw, name);
    });

    test("ships only keys that Orthanc documents (a typo would be ignored silently)", () => {
      const core = documentedCoreKeys();
      expect(undocumentedKeys(shipped.orthancJson, core)).toEqual([]);
      expect(undocumentedKeys(shipped.credentialsJson, core)).toEqual([]);
    });

    test("boots, enforces auth, stores over REST and DICOM, serves QIDO, survives a restart", async () => {
      const b = await lab.boot(shipped);
      // Over DICOM TLS where the stack ships it, as a modality that trusts the stack's CA.
      const tls = b.dicomTls ? ["+tla", "+cf", b.dicomTls.ca] : [];
      const scu = (
        tool: "echoscu" | "storescu",
        aet: string,
        aec: string,
        port: number,
        ...files: string[]
      ) => dcmtk(tool, [...tls, "-aet", aet, "-aec", aec, "127.0.0.1", String(port), ...files]);
      if (b.notes.length)
        console.info(`Unused by Debian's Orthanc 1.10.1 (${name}):\n  ${b.notes.join("\n  ")}`);
      const o = b.orthanc;

      // Auth: nothing, a wrong password and an unknown user get 401; admin and probe users work.
      expect((await o.request("GET", "/system", { auth: null })).status).toBe(401);
      expect(
        (await o.request("GET", "/system", { auth: { user: b.admin.user, password: "wrong" } }))
          .status,
      ).toBe(401);
      expect(
        (await o.request("GET", "/system", { auth: { user: "orthanc", password: "orthanc" } }))
          .status,
      ).toBe(401);
      expect(
        (
          await o.request("GET", "/changes?last", {
            auth: { user: PROBE_USER, password: b.users[PROBE_USER] },
          })
        ).status,
      ).toBe(200);

      // What Orthanc actually loaded: a wrong plugin path would silently fall back to SQLite.
      const system = (await o.request("GET", "/system")).json();
      expect(system.Name).toBe(cfg.orthanc.name);
      expect(system.DicomAet).toBe(cfg.orthanc.dicom.aet);
      expect(system.HttpPort).toBe(o.httpPort);
      expect(system.DicomPort).toBe(b.dicomPort);
      if (cfg.database.engine === "postgresql")
        expect(system.DatabaseBackendPlugin).toMatch(/libOrthancPostgreSQLIndex/);
      else expect(system.DatabaseBackendPlugin).toBeNull();
      expect(system.StorageAreaPlugin).toBeNull();
      const plugins = (await o.request("GET", "/plugins")).json() as string[];
      expect(plugins.includes("dicom-web")).toBe(cfg.orthanc.plugins.dicomWeb);
      expect(plugins.includes("postgresql-index")).toBe(cfg.database.engine === "postgresql");

      // REST upload.
      const first = makeInstance();
      expect((await upload(o, first.file)).Status).toBe("Success");

      // DICOM: from an allowed AE (the allowlist's first modality, or any AE without a list).
      const modalities = Object.values(cfg.orthanc.dicom.modalities);
      const callingAet = modalities.find((m) => m.allowStore && m.allowEcho)?.aet ?? "LABSCU";
      const aec = cfg.orthanc.dicom.aet;
      const echo = await scu("echoscu", callingAet, aec, b.dicomPort);
      expect(echo.code).toBe(0);
      const second = makeInstance(
        { studyUid: first.ids.studyUid, patientId: first.ids.patientId },
        2,
      );
      const stored = await scu(
        "storescu",
        callingAet,
        aec,
        b.dicomPort,
        lab.writeFile("second.dcm", second.file),
      );
      expect(stored.output).not.toMatch(/error|fail/i);
      expect(stored.code).toBe(0);
      expect(await countInstances(o)).toBe(2);

      if (cfg.orthanc.dicom.checkCalledAet) {
        const wrongCalled = await scu("echoscu", callingAet, "NOTORTHANC", b.dicomPort);
        expect(wrongCalled.code).not.toBe(0);
      }

      if (modalities.length) {
        // An AE that is not on the allowlist is refused (the association is aborted) and
        // nothing is stored.
        const third = makeInstance({}, 3);
        const intruder = await scu(
          "storescu",
          "INTRUDER",
          aec,
          b.dicomPort,
          lab.writeFile("third.dcm", third.file),
        );
        expect(intruder.code).not.toBe(0);
        expect((await scu("echoscu", "INTRUDER", aec, b.dicomPort)).code).not.toBe(0);
        expect(await countInstances(o)).toBe(2);
      }

      // DICOMweb QIDO finds the study, and asks for credentials too.
      if (cfg.orthanc.plugins.dicomWeb) {
        const qido = await o.request(
          "GET",
          `/dicom-web/studies?StudyInstanceUID=${first.ids.studyUid}`,
          { headers: { accept: "application/dicom+json" } },
        );
        expect(qido.status).toBe(200);
        const studies = qido.json();
        expect(studies).toHaveLength(1);
        expect(studies[0]["0020000D"].Value[0]).toBe(first.ids.studyUid);
        expect((await o.request("GET", "/dicom-web/studies", { auth: null })).status).toBe(401);
      }

      // The data is still there after a restart.
      await o.stop();
      await o.start();
      expect(await countInstances(o)).toBe(2);
      const found = await o.request("POST", "/tools/lookup", { body: first.ids.sopUid });
      expect(found.json()).toHaveLength(1);
    }, 120_000);
  });
});
