/**
 * DICOM over TLS on the real Orthanc (Debian's 1.10.1) with the documents the program ships: the
 * docker-vm stack (TLS on by default: a public range and a domain), and mutual TLS with the
 * modalities' CAs. dcmtk's TLS clients stand in for modalities.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import { ORTHANC_PATHS } from "../../components/shared/orthancImage";
import { makeInstance } from "./dicom";
import { dcmtk } from "./lab";
import { countInstances, makeDicomTlsChain, signed, suite, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";

/** A dcmtk call to Orthanc on loopback, with TLS options first. */
const call = (
  tool: "echoscu" | "storescu",
  tls: string[],
  aet: string,
  port: number,
  ...files: string[]
) =>
  dcmtk(tool, [...tls, "-aet", aet, "-aec", "RESEARCHPACS", "127.0.0.1", String(port), ...files]);

suite("DICOM over TLS on the real Orthanc", () => {
  const lab = useLab("dicomtls");

  test("docker-vm as shipped: TLS C-ECHO and C-STORE succeed, plaintext and an untrusted server fail", async () => {
    const shipped = await shippedDocuments(readStackFile(stackFilePath("docker-vm")), "docker-vm");
    expect(shipped.orthancJson).toMatchObject({
      DicomTlsEnabled: true,
      DicomTlsCertificate: ORTHANC_PATHS.dicomTlsCertificate,
      DicomTlsPrivateKey: ORTHANC_PATHS.dicomTlsPrivateKey,
      DicomTlsTrustedCertificates: ORTHANC_PATHS.dicomTlsTrusted,
      DicomTlsRemoteCertificateRequired: false,
    });
    const b = await lab.boot(shipped);
    const ca = b.dicomTls!.ca;
    // A modality that trusts the stack's CA, without a certificate of its own.
    const tls = ["+tla", "+cf", ca];
    expect((await call("echoscu", tls, "CT01", b.dicomPort)).code).toBe(0);
    const instance = makeInstance();
    const stored = await call(
      "storescu",
      tls,
      "CT01",
      b.dicomPort,
      lab.writeFile("tls.dcm", instance.file),
    );
    expect(stored.output).not.toMatch(/error|fail/i);
    expect(stored.code).toBe(0);
    expect(await countInstances(b.orthanc)).toBe(1);
    const found = await b.orthanc.request("POST", "/tools/lookup", { body: instance.ids.sopUid });
    expect(found.json()).toHaveLength(1);

    // Plaintext to the TLS port: no association.
    const plain = await call("echoscu", [], "CT01", b.dicomPort);
    expect(plain.code).not.toBe(0);
    // A client that does not trust the stack's CA refuses the server.
    const untrusted = await call("echoscu", ["+tla"], "CT01", b.dicomPort);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.output).toMatch(/certificate verify failed/);
  }, 120_000);

  test("mutual TLS: a modality without a client certificate is refused, one from the listed CA stores", async () => {
    const dir = join(lab.scratch, "mtls");
    const server = makeDicomTlsChain(dir, "server");
    const clients = makeDicomTlsChain(dir, "clients");
    const modality = signed(dir, "modality", clients.ca, clients.caKey, "clientAuth");
    const stranger = makeDicomTlsChain(dir, "stranger");
    const clientCas = readFileSync(clients.ca, "utf8");
    const raw = {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: {
        dicom: {
          aet: "RESEARCHPACS",
          allowedCidrs: ["192.0.2.0/24"],
          tls: { clientCertificates: clientCas },
        },
      },
    };
    const shipped = await shippedDocuments(raw, "fixture:dicom-mutual-tls");
    expect(shipped.orthancJson.DicomTlsRemoteCertificateRequired).toBe(true);
    // The file the Docker target delivers as trusted CAs is exactly the modalities' CAs (into
    // the volumes of Orthanc's files container: Orthanc's root is read-only).
    const container = shipped.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name.endsWith("-orthanc-files"),
    )!;
    const trusted = container.inputs.uploads.find(
      (u: { file: string }) => u.file === ORTHANC_PATHS.dicomTlsTrusted,
    );
    expect(trusted.content).toBe(clientCas);

    const b = await lab.boot(shipped, {
      dicomTls: { ...server, trusted: clients.ca },
    });
    const trustServer = ["+cf", server.ca];
    expect((await call("echoscu", ["+tla", ...trustServer], "ANY", b.dicomPort)).code).not.toBe(0);
    const strangerCert = signed(dir, "intruder", stranger.ca, stranger.caKey, "clientAuth");
    expect(
      (
        await call(
          "echoscu",
          ["+tls", strangerCert.privateKey, strangerCert.certificate, ...trustServer],
          "ANY",
          b.dicomPort,
        )
      ).code,
    ).not.toBe(0);
    const withCert = ["+tls", modality.privateKey, modality.certificate, ...trustServer];
    expect((await call("echoscu", withCert, "ANY", b.dicomPort)).code).toBe(0);
    const stored = await call(
      "storescu",
      withCert,
      "ANY",
      b.dicomPort,
      lab.writeFile("mtls.dcm", makeInstance().file),
    );
    expect(stored.code).toBe(0);
    expect(await countInstances(b.orthanc)).toBe(1);
  }, 120_000);
});
