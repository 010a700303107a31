/**
 * The Docker target for real: the program's plan for the `local` stack (and a two-replica variant
 * with a DICOM allowlist beyond loopback) is created on a real Docker engine exactly as registered
 * (test/docker-engine/engine.ts), from stand-in images built from Debian packages
 * (test/docker-engine/images/: no registry is reachable here), and checked over the wire as an
 * operator would: HTTP through the proxy, DICOM on the published port, isolation of the backend,
 * secrets, backups and their restore, replicas, a day-2 image upgrade, and the DICOM gate from
 * test hosts in network namespaces.
 *
 * With CI=true it runs or fails; elsewhere it skips loudly when no engine answers.
 *
 * The cases live in ./dockerTarget/*.cases.ts, one module per deployment, and are registered here,
 * in this one test file, on purpose: they bind fixed host ports (8042, 4242, 18042, 14242, 28042, 38042),
 * fixed container, network and namespace names, and share the stand-in images' build, so they must
 * never run at the same time. Jest runs the files of a suite in parallel workers but the describes
 * of one file one after the other; do not make a case module a `*.test.ts` of its own.
 */
import { engineAnswers } from "./engineProbe";
import { accessControl } from "./dockerTarget/accessControl.cases";
import { dicomGate } from "./dockerTarget/dicomGate.cases";
import { localStack } from "./dockerTarget/localStack.cases";
import { sqliteUpgrade } from "./dockerTarget/sqliteUpgrade.cases";

const missing = engineAnswers()
  ? undefined
  : "no Docker engine answers on /var/run/docker.sock (apt-get install docker.io; dockerd &)";
if (missing && process.env.CI === "true") {
  test("the real Docker engine suite can run (required when CI=true)", () => {
    throw new Error(missing);
  });
} else if (missing) {
  console.warn(
    `\n${"!".repeat(80)}\n!! SKIPPED the real Docker engine suite: ${missing}\n${"!".repeat(80)}\n`,
  );
}
const suite = missing ? describe.skip : describe;

suite("the local stack on a real Docker engine", localStack);
suite("two replicas with DICOM open to a network: the gate enforces the allowlist", dicomGate);
suite("SQLite with S3 storage: the index survives an upgrade", sqliteUpgrade);
suite("access control: Keycloak, its database and the auth service beside Orthanc", accessControl);
