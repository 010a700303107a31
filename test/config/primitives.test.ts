import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../infra/config";

describe("secrets", () => {
  test("passwords from config become Pulumi secrets the moment they are parsed", async () => {
    const cfg = parseConfig({
      target: "docker",
      orthanc: { users: { alice: { password: "correct horse" } } },
      database: { external: { host: "db.internal", password: "db-pw" } },
    });
    const alice = cfg.orthanc.users.alice.password!;
    const db = cfg.database.external!.password;
    expect(pulumi.Output.isInstance(alice)).toBe(true);
    expect(await (alice as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(await (db as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });
});
