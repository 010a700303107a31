/** Subnet plan for a VPC: public and private subnets, one of each per AZ, from the VPC's range. */
import { intToIpv4 as toIp, ipv4ToInt as toInt } from "../shared/cidr";

/**
 * Splits `vpcCidr` into 16 equal blocks: block i is the public subnet of AZ i, block 8+i its
 * private subnet. A /16 gives /20s (4091 addresses each, plenty for tasks and data).
 */
export function subnetCidrs(
  vpcCidr: string,
  azCount: number,
): { public: string[]; private: string[] } {
  const [base, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 16 || prefix > 24) {
    throw new Error(`The VPC CIDR must be a /16 to /24 block, got ${JSON.stringify(vpcCidr)}.`);
  }
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > 8) {
    throw new Error(`Between 1 and 8 availability zones are supported, got ${azCount}.`);
  }
  const start = toInt(base);
  if (start % 2 ** (32 - prefix) !== 0) {
    throw new Error(
      `${vpcCidr} is not a network address; use ${toIp(start - (start % 2 ** (32 - prefix)))}/${prefix}.`,
    );
  }
  const subPrefix = prefix + 4;
  const size = 2 ** (32 - subPrefix);
  const block = (i: number) => `${toIp(start + i * size)}/${subPrefix}`;
  return {
    public: Array.from({ length: azCount }, (_, i) => block(i)),
    private: Array.from({ length: azCount }, (_, i) => block(8 + i)),
  };
}
