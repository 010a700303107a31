import { z } from "zod";
import { refuse } from "./issue";

/**
 * An EC2 instance type: `<family>.<size>` as AWS names them (`m6i.large`, `c7i-flex.2xlarge`,
 * `u-6tb1.metal`, `m7i.metal-24xl`). The shape only: the list of types changes every month
 * and AWS's `DescribeInstanceTypes` needs credentials, which a plan does not have.
 */
const INSTANCE_TYPE =
  /^(?<family>[a-z]+(?:\d+[a-z]*)?(?:-[a-z0-9]+)*)\.(?<size>nano|micro|small|medium|large|\d{0,2}xlarge|metal(?:-\d+xl)?)$/;

/**
 * Whether the family's processor is AWS Graviton (arm64): `a1`, or a generation followed by
 * attributes starting with `g` (`t4g`, `m7g`, `c6gn`, `r6gd`, `im4gn`, `x2gd`, `g5g`), never
 * the class letter itself (`g4dn`, `g6` are x86 GPUs).
 */
export function isGravitonFamily(family: string): boolean {
  if (family === "a1") return true;
  const m = /^[a-z]+\d+([a-z]*)/.exec(family);
  return !!m && m[1].startsWith("g");
}

/** An x86 family like the Graviton one: `m7g` -> `m7i`, `t4g` -> `t3`; `m6i` for the rest. */
function x86Counterpart(family: string): string {
  const m = /^([mcr])(\d+)g/.exec(family);
  if (m) return `${m[1]}${Math.min(7, Math.max(6, Number(m[2])))}i`;
  return family.startsWith("t") ? "t3" : "m6i";
}

/**
 * An x86_64 EC2 instance type. The hosts this program starts run x86_64 images (the
 * ECS-optimized AMI's x86 variant, the Debian AMI of the Docker VM) and the task is x86_64: a
 * Graviton type would launch no host that can run them.
 */
export const x86InstanceType = z.string().check((ctx) => {
  const type = ctx.value.trim().toLowerCase();
  const m = INSTANCE_TYPE.exec(type);
  if (!m) {
    refuse(
      ctx,
      "must be an EC2 instance type `<family>.<size>` such as `m6i.large` or `t3.xlarge` (sizes: nano, micro, small, medium, large, xlarge, 2xlarge... metal)",
      "m6i.large",
    );
    return;
  }
  if (type !== ctx.value) {
    refuse(ctx, "must be written in lower case, without spaces", type);
    return;
  }
  const family = m.groups!.family;
  if (isGravitonFamily(family)) {
    const x86Family = x86Counterpart(family);
    const size = m.groups!.size;
    // Only the burstable families come smaller than large.
    const x86 = `${x86Family}.${x86Family === "t3" || !/^(nano|micro|small|medium)$/.test(size) ? size : "large"}`;
    refuse(
      ctx,
      `is a Graviton (arm64) type, but the hosts run x86_64 images (the ECS-optimized AMI's x86 variant, the Docker VM's Debian AMI) and Orthanc's image for x86_64; allowed: x86 types such as ${[...new Set([x86, "m6i.large", "t3.large"])].map((t) => `\`${t}\``).join(", ")}`,
      x86,
    );
  }
});
