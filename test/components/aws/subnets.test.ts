/**
 * The subnet plan of a created VPC: public and private blocks per availability zone, and the
 * blocks it refuses.
 */
import { subnetCidrs } from "../../../components/aws/subnets";

describe("subnet plan", () => {
  test.each([
    ["10.40.0.0/16", 2, ["10.40.0.0/20", "10.40.16.0/20"], ["10.40.128.0/20", "10.40.144.0/20"]],
    [
      "10.40.0.0/16",
      3,
      ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
      ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"],
    ],
    [
      "172.20.64.0/20",
      2,
      ["172.20.64.0/24", "172.20.65.0/24"],
      ["172.20.72.0/24", "172.20.73.0/24"],
    ],
  ])("%s over %i AZs", (cidr, azs, pub, priv) => {
    expect(subnetCidrs(cidr, azs)).toEqual({ public: pub, private: priv });
  });

  test.each([
    ["10.0.0.0/8", 2, /must be a \/16 to \/24 block/],
    ["10.40.1.0/16", 2, /is not a network address; use 10.40.0.0\/16/],
    ["10.40.0.0/16", 9, /Between 1 and 8 availability zones/],
  ])("refuses %s with %i AZs", (cidr, azs, message) => {
    expect(() => subnetCidrs(cidr, azs)).toThrow(message);
  });
});
