import { parseConfig } from "../../infra/config";
import { ORTHANC_IMAGE } from "../../components/shared/orthancImage";

describe("stack configuration defaults", () => {
  test("a config with only a target gets secure, documented defaults", () => {
    const cfg = parseConfig({ target: "docker" });
    expect(cfg.orthanc.image).toEqual({
      repository: "orthancteam/orthanc",
      tag: ORTHANC_IMAGE.tag,
    });
    expect(cfg.orthanc.replicas).toBe(1);
    expect(cfg.orthanc.dicom).toEqual({
      enabled: true,
      aet: "ORTHANC",
      port: 4242,
      checkCalledAet: true,
      modalities: {},
      allowedCidrs: [],
      allowPublic: false,
      tls: { allowPlaintext: false },
    });
    expect(cfg.orthanc.adminUser).toBe("admin");
    expect(cfg.orthanc.verboseLogs).toBe(false);
    expect(cfg.database.engine).toBe("postgresql");
    expect(cfg.storage).toEqual({ kind: "volume", encryption: false });
    expect(cfg.protectData).toBe(true);
    expect(cfg.tls.enabled).toBeUndefined(); // on exactly when a domain is set
  });
});
