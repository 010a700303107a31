/**
 * The Docker VM's security group: HTTP(S) always, DICOM only with an allowlist, SSH only from
 * the admin networks.
 */
import { securityGroupRules } from "../../../components/docker/dockerVm";

describe("Docker VM", () => {
  test.each([
    ["closed DICOM, no SSH", { webAllowedCidrs: ["0.0.0.0/0"], sshAllowedCidrs: [] }, [80, 443]],
    [
      "DICOM allowlist and admin SSH",
      {
        webAllowedCidrs: ["0.0.0.0/0"],
        sshAllowedCidrs: ["198.51.100.1/32"],
        dicom: { port: 104, allowedCidrs: ["10.0.0.0/8"] },
      },
      [80, 443, 104, 22],
    ],
    [
      "DICOM enabled without an allowlist stays closed",
      {
        webAllowedCidrs: ["10.0.0.0/8"],
        sshAllowedCidrs: [],
        dicom: { port: 4242, allowedCidrs: [] },
      },
      [80, 443],
    ],
  ])("security group: %s", (_name, args, ports) => {
    const rules = securityGroupRules(args);
    expect(rules.ingress.map((r) => r.fromPort)).toEqual(ports);
    expect(rules.ingress.every((r) => r.fromPort === r.toPort && r.protocol === "tcp")).toBe(true);
    expect(
      rules.ingress
        .filter((r) => r.fromPort === 22 || r.fromPort === 104)
        .every((r) => !r.cidrBlocks.includes("0.0.0.0/0")),
    ).toBe(true);
  });
});
