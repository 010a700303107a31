/**
 * Passwords a user supplies in the stack configuration reach a real Orthanc intact: through the
 * program's serialization (`$` escaped for the image's envsubst) and Orthanc's own parsing.
 */
import { JsonObject } from "../../components/shared/orthancConfig";
import { suite, useLab } from "./harness";
import { shippedDocuments } from "./shippedDocuments";

suite("real Orthanc with supplied passwords", () => {
  const lab = useLab("secrets");

  test("supplied passwords with `$`, `$HOME`, quotes, a backslash and non-ASCII survive: the user logs in and Orthanc reaches its database", async () => {
    // What the image's envsubst would cut if the `$` were written raw. (`${` is refused by the
    // schema: Orthanc expands it itself after the image has assembled the file.)
    const odd = `p$USER-$HOME-"q"-'-é-漢-$`;
    const reader = `r${odd}-\\`;
    // No space or backslash: the schema refuses them for a database password (libpq).
    const databasePassword = `d${odd}`;
    const shipped = await shippedDocuments(
      {
        target: "docker",
        orthanc: { users: { reader: { password: reader } } },
        // An external database is where a user supplies its password; the lab stands in for it.
        database: { external: { host: "db.example.org", password: databasePassword } },
      },
      "lab-passwords",
    );
    expect((shipped.credentialsJson.RegisteredUsers as JsonObject).reader).toBe(reader);
    expect((shipped.credentialsJson.PostgreSQL as JsonObject).Password).toBe(databasePassword);
    const { orthanc } = await lab.boot(shipped);
    const as = (password: string) =>
      fetch(`${orthanc.url}/system`, {
        headers: {
          authorization: `Basic ${Buffer.from(`reader:${password}`).toString("base64")}`,
        },
      }).then((r) => r.status);
    expect(await as(reader)).toBe(200);
    expect(await as("r")).toBe(401);
    // The database password went through the same file: the index is PostgreSQL's.
    const system = await orthanc.request("GET", "/system");
    expect(system.json().DatabaseBackendPlugin).toMatch(/PostgreSQL/);
  }, 60_000);
});
