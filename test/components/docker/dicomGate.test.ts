/**
 * The DICOM gate's HAProxy configuration: the allowlist enforced, and no configuration without one.
 */
import { renderDicomGateConfig } from "../../../components/docker/dicomGate";

describe("rendered documents", () => {
  test("DICOM gate (HAProxy) for two replicas and two networks", () => {
    expect(
      renderDicomGateConfig({
        listenPort: 11112,
        upstreams: ["orthanc:4242", "orthanc-pacs-2-orthanc:4242"],
        allowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"],
      }),
    ).toMatchSnapshot();
  });

  test("DICOM gate refuses to render without an allowlist (it would let everyone in)", () => {
    expect(() =>
      renderDicomGateConfig({ listenPort: 11112, upstreams: ["orthanc:4242"], allowedCidrs: [] }),
    ).toThrow(/needs at least one allowed network/);
  });
});
