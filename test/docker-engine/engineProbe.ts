import { execFileSync } from "node:child_process";
import { DOCKER_SOCKET } from "./engine";

/**
 * Whether a Docker engine answers on the socket. Synchronous, so that a suite can decide to skip
 * before it is declared.
 */
export function engineAnswers(socketPath = DOCKER_SOCKET): boolean {
  const ping = `require("node:http")
    .get({ socketPath: ${JSON.stringify(socketPath)}, path: "/_ping", timeout: 2000 }, (r) =>
      process.exit(r.statusCode === 200 ? 0 : 1))
    .on("error", () => process.exit(1))
    .on("timeout", () => process.exit(1));`;
  try {
    execFileSync(process.execPath, ["-e", ping], { timeout: 5000, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
