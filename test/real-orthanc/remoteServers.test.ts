/**
 * Orthanc's own settings beyond the modelled ones, on a real Orthanc: an extra setting from the
 * escape hatch takes effect, the typed peer and DICOMweb server are listed by Orthanc's API, and
 * their passwords are in the credentials document only.
 */
import { JsonObject } from "../../components/shared/orthancConfig";
import { suite, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";

suite("real Orthanc with extra settings, a peer and a DICOMweb server", () => {
  const lab = useLab("remote-servers");
  const PEER_PASSWORD = "peer-$ecret-1";
  const SERVER_PASSWORD = "archive-secret-2";

  test("boots; the setting applies; /peers and /dicom-web/servers list them; no password in orthanc.json", async () => {
    const shipped = await shippedDocuments(
      {
        target: "docker",
        orthanc: {
          settings: { DefaultEncoding: "Latin1", StableAge: 5 },
          peers: {
            "site-b": {
              url: "https://pacs-b.example.org/",
              username: "sync",
              password: PEER_PASSWORD,
            },
          },
          dicomWebServers: {
            archive: {
              url: "https://archive.example.org/dicom-web/",
              username: "pacs",
              password: SERVER_PASSWORD,
            },
          },
        },
      },
      "lab-remote-servers",
    );
    const plain = JSON.stringify(shipped.orthancJson);
    expect(plain).not.toContain(PEER_PASSWORD);
    expect(plain).not.toContain(SERVER_PASSWORD);
    expect(shipped.orthancJson).toMatchObject({ DefaultEncoding: "Latin1", StableAge: 5 });
    expect(shipped.orthancJson).not.toHaveProperty("OrthancPeers");
    expect(shipped.orthancJson).not.toHaveProperty("DicomWeb");
    expect(shipped.credentialsJson.OrthancPeers).toEqual({
      "site-b": { Url: "https://pacs-b.example.org/", Username: "sync", Password: PEER_PASSWORD },
    });
    expect((shipped.credentialsJson.DicomWeb as JsonObject).Servers).toEqual({
      archive: {
        Url: "https://archive.example.org/dicom-web/",
        Username: "pacs",
        Password: SERVER_PASSWORD,
      },
    });

    const { orthanc } = await lab.boot(shipped);
    expect((await orthanc.request("GET", "/tools/default-encoding")).text).toBe("Latin1");
    expect((await orthanc.request("GET", "/peers")).json()).toEqual(["site-b"]);
    expect((await orthanc.request("GET", "/dicom-web/servers")).json()).toEqual(["archive"]);
    // DICOMweb's own settings moved with its servers and still apply: its root answers.
    expect((await orthanc.request("GET", "/dicom-web/studies")).status).toBe(200);
  }, 60_000);
});
