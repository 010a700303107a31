import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * The stand-in images (see images/README.md) are tagged under this name, used as a stack's
 * `registry.mirror`: the plan then names exactly the images the engine has.
 */
export const MIRROR = "orthanc-deploy-standin";

/**
 * Builds the stand-ins (or reuses them when unchanged) and tags them as every image reference a
 * plan names, by which official image each one stands for.
 */
export function standInImages(refs: string[], stdio: "inherit" | "pipe" = "inherit"): void {
  // With "pipe" the thrown error carries build.sh's output.
  execFileSync("bash", [join(__dirname, "images", "build.sh")], { stdio, timeout: 900_000 });
  for (const ref of refs) {
    const kind = /\/orthancteam\/orthanc[:@]/.test(ref)
      ? "orthanc"
      : /\/library\/(postgres|caddy|haproxy)[:@]/.exec(ref)?.[1];
    if (!kind) throw new Error(`no stand-in image for ${ref}`);
    execFileSync("docker", ["tag", `${MIRROR}/${kind}:current`, ref]);
  }
}
