/**
 * Image references. Hospital networks often cannot reach Docker Hub and pull through a mirror
 * (a Harbor proxy-cache project, a Nexus Docker proxy, an ECR pull-through cache): every image is
 * then named `<mirror>/<namespace>/<name>:<tag>`, Docker Hub's official images under `library/`.
 */

/** Pinned tags of Docker Hub's official `postgres` image per major version. */
export const POSTGRES_TAGS: Record<string, string> = {
  "14": "14.19-bookworm",
  "15": "15.14-bookworm",
  "16": "16.10-bookworm",
  "17": "17.6-bookworm",
};

/** `repository:tag`, or `repository@sha256:...` when the pin is a digest. */
export function imageReference(repository: string, tag: string): string {
  return `${repository}${tag.startsWith("sha256:") ? "@" : ":"}${tag}`;
}

/** Whether the reference names a registry host of its own (`registry.example.org/x`, `host:5000/x`). */
function hasRegistryHost(reference: string): boolean {
  const [first, ...rest] = reference.split("/");
  return rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
}

/**
 * The reference as pulled through `mirror` (a registry host and optional path, no scheme). A
 * reference with a registry host of its own is not Docker Hub's and is left as it is.
 */
export function throughMirror(reference: string, mirror: string | undefined): string {
  if (!mirror || hasRegistryHost(reference)) return reference;
  const official = !reference.split(/[:@]/)[0].includes("/");
  return `${mirror}/${official ? "library/" : ""}${reference}`;
}
