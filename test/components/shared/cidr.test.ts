import { isPublicCidr } from "../../../components/shared/cidr";

describe("isPublicCidr: outside the networks a hospital can own", () => {
  test.each([
    ["10.20.0.0/16", false],
    ["10.0.0.0/8", false],
    ["172.16.0.0/12", false],
    ["172.31.255.0/24", false],
    ["192.168.1.0/24", false],
    ["100.64.0.0/10", false],
    ["100.127.0.0/16", false],
    ["127.0.0.1/32", false],
    ["169.254.0.0/16", false],
    ["fd00:1234::/48", false],
    ["fe80::/64", false],
    ["::1/128", false],
  ])("%s is private", (block, expected) => expect(isPublicCidr(block)).toBe(expected));

  test.each([
    // Documentation ranges are public, as the shipped examples mean real addresses.
    ["192.0.2.0/24", true],
    ["198.51.100.0/24", true],
    ["203.0.113.0/24", true],
    ["0.0.0.0/0", true],
    // Wider than a private block: it also covers public addresses.
    ["10.0.0.0/7", true],
    ["172.0.0.0/8", true],
    ["100.0.0.0/10", true],
    ["100.128.0.0/10", true],
    ["172.32.0.0/16", true],
    ["2001:db8::/32", true],
  ])("%s is public", (block, expected) => expect(isPublicCidr(block)).toBe(expected));
});
