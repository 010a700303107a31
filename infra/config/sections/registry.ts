import { z } from "zod";
import { rule } from "../rule";

/** `orthanc:registry`: where every image is pulled from. */
export const registrySection = z.strictObject({
  /**
   * A registry that mirrors Docker Hub (a Harbor proxy-cache project, a Nexus Docker proxy, an
   * ECR pull-through cache): every image is then pulled as `<mirror>/<namespace>/<name>:<tag>`,
   * official images under `library/`. An image named with a registry host of its own is kept.
   */
  mirror: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/, {
      error:
        "must be a registry host with an optional port and path, without scheme or trailing slash, such as `harbor.example.org/dockerhub`",
    })
    .optional(),
});

/** The rules that guard `orthanc:registry`. */
export const registryRules = [
  // ECS pulls with the task execution role through the tasks' security group (443 only).
  rule({ sections: ["registry"], targets: ["aws"] }, ({ registry }) => {
    const mirror = registry.mirror;
    const host = mirror?.split("/")[0] ?? "";
    if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host))
      return {
        key: "orthanc:registry.mirror",
        message:
          `${JSON.stringify(mirror)} is an ECR pull-through cache, which needs ECR permissions on the task execution role that ` +
          `this program does not grant yet. Fix: use an HTTPS mirror that allows anonymous pulls on port 443, or remove registry.mirror on the aws target.`,
      };
    if (/:\d+$/.test(host) && !host.endsWith(":443"))
      return {
        key: "orthanc:registry.mirror",
        message:
          `${JSON.stringify(mirror)} names port ${host.split(":")[1]}, but ECS tasks may only reach port 443 (their security group). ` +
          `Fix: serve the mirror on 443 (e.g. behind a TLS proxy) and drop the port.`,
      };
    return undefined;
  }),
];
