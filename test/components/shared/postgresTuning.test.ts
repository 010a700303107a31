/**
 * The PostgreSQL server settings the container and the StatefulSet run with: the measured list,
 * durability left on, and the settings refused.
 */
import { OWN_POSTGRES_MAX_CONNECTIONS } from "../../../components/shared/sizing";
import {
  DURABILITY_SETTINGS,
  postgresCommand,
  postgresServerArgs,
  POSTGRES_SERVER_SETTINGS,
} from "../../../components/shared/postgresTuning";

describe("PostgreSQL server settings (the container and the StatefulSet)", () => {
  test("the measured list, as `postgres -c` arguments, with the limit the pools are sized against", () => {
    expect(POSTGRES_SERVER_SETTINGS).toEqual({
      max_connections: String(OWN_POSTGRES_MAX_CONNECTIONS),
      shared_buffers: "256MB",
    });
    expect(postgresServerArgs()).toEqual([
      "-c",
      "max_connections=100",
      "-c",
      "shared_buffers=256MB",
    ]);
    expect(postgresCommand()).toEqual(["postgres", ...postgresServerArgs()]);
  });

  test("durability is left at PostgreSQL's defaults (on)", () => {
    for (const key of DURABILITY_SETTINGS) expect(POSTGRES_SERVER_SETTINGS).not.toHaveProperty(key);
  });

  test.each([
    [{ synchronous_commit: "off" }, /synchronous_commit=off would lose acknowledged commits/],
    [{ synchronous_commit: "local" }, /synchronous_commit=local would lose/],
    [{ fsync: "off" }, /fsync=off would lose/],
    [{ full_page_writes: "off" }, /full_page_writes=off would lose/],
    [{ "shared_buffers; rm": "1" }, /not a PostgreSQL setting name/],
    [{ shared_buffers: "256 MB" }, /without spaces/],
    [{ shared_buffers: "" }, /must be non-empty/],
  ])("refuses %j", (settings, message) => {
    expect(() => postgresServerArgs(settings)).toThrow(message);
  });

  test("keeps durability settings that are on", () => {
    expect(postgresServerArgs({ synchronous_commit: "on", fsync: "on" })).toEqual([
      "-c",
      "synchronous_commit=on",
      "-c",
      "fsync=on",
    ]);
  });
});
