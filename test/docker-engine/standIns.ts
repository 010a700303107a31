import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * The stand-in images (see images/README.md) are tagged under this name, used as a stack's
 * `registry.mirror`: the plan then names exactly the images the engine has.
 */
export const MIRROR = "orthanc-deploy-standin";

/**
 * The stand-in (a folder of images/) for an image reference as a plan names it: Docker Hub's
 * images through the mirror (`<mirror>/orthancteam/...`, `<mirror>/library/...`), and Keycloak's
 * by its own registry (`quay.io/...`), which the mirror does not apply to (`throughMirror`).
 */
export function standInFor(ref: string): string | undefined {
  if (/\/orthancteam\/orthanc[:@]/.test(ref)) return "orthanc";
  if (/\/orthancteam\/orthanc-auth-service[:@]/.test(ref)) return "auth-service";
  if (/^quay\.io\/keycloak\/keycloak[:@]/.test(ref)) return "keycloak";
  return /\/library\/(postgres|caddy|haproxy)[:@]/.exec(ref)?.[1];
}

/**
 * Builds the stand-ins (or reuses them when unchanged) and tags them as every image reference a
 * plan names, by which official image each one stands for.
 */
export function standInImages(refs: string[], stdio: "inherit" | "pipe" = "inherit"): void {
  // With "pipe" the thrown error carries build.sh's output.
  execFileSync("bash", [join(__dirname, "images", "build.sh")], { stdio, timeout: 900_000 });
  for (const ref of refs) {
    const kind = standInFor(ref);
    if (!kind) throw new Error(`no stand-in image for ${ref}`);
    execFileSync("docker", ["tag", `${MIRROR}/${kind}:current`, ref]);
  }
}
