/**
 * Server settings of the PostgreSQL this program runs itself (the Docker target's container, the
 * Kubernetes StatefulSet), passed as `postgres -c key=value` so they hold whatever the image's
 * postgresql.conf says. One list for every target. Pure.
 *
 * Orthanc writes many small transactions (one per stored instance, ~15-19 KiB of WAL each) and
 * commits each on its own. Measured against the image's defaults (`npm run bench`, section (d);
 * a durable PostgreSQL 15 on 2 cores, interleaved runs, median of 3), nothing below changed ingest
 * beyond noise (+-20 %) on this scale (up to 20,000 stored instances):
 *  - wal_compression (on/pglz, lz4): WAL per instance -1 to -3 %, ingest not faster. Not set.
 *  - commit_delay 200 us with commit_siblings 1: no gain. The pool holds 2 connections per
 *    Orthanc (sizing.ts), and PostgreSQL already flushes concurrent commits together. Not set.
 *  - wal_writer_delay: only paces asynchronous commits, which Orthanc never makes. Not set.
 *  - max_wal_size / checkpoint_timeout: at ~300 instances/s the default 1 GB lasts ~3 minutes, so
 *    raising them would mostly lengthen crash recovery, which is the time Orthanc's clients
 *    wait after a crash (its retry window, orthancConfig.ts). Left at their defaults.
 * Durability is never traded: fsync, full_page_writes and synchronous_commit keep their default
 * (on), so an instance Orthanc acknowledged survives a crash of the server (the bench checks it
 * with `pg_ctl restart -m immediate` under upload). `postgresServerArgs` refuses to turn them off.
 */
import { OWN_POSTGRES_MAX_CONNECTIONS } from "./sizing";

export const POSTGRES_SERVER_SETTINGS: Readonly<Record<string, string>> = {
  // What sizing.ts budgets Orthanc's pools against, pinned rather than inherited from the image.
  max_connections: String(OWN_POSTGRES_MAX_CONNECTIONS),
  // The usual starting point of a quarter of the server's memory: the StatefulSet's limit is
  // 1 GiB, and the image's 128MB default is sized for any machine. No measurable ingest change
  // while the index fits either (bench); it keeps more of a large index in PostgreSQL's cache.
  shared_buffers: "256MB",
};

/** Settings that make an acknowledged commit durable; they may never be turned off. */
export const DURABILITY_SETTINGS = ["fsync", "full_page_writes", "synchronous_commit"] as const;

/** `-c key=value` pairs for `postgres`, in the list's order. */
export function postgresServerArgs(
  settings: Readonly<Record<string, string>> = POSTGRES_SERVER_SETTINGS,
): string[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    if (!/^[a-z_]+$/.test(key)) throw new Error(`not a PostgreSQL setting name: ${key}`);
    if (!value || /\s/.test(value))
      throw new Error(`${key}: the value must be non-empty, without spaces, got "${value}"`);
    if ((DURABILITY_SETTINGS as readonly string[]).includes(key) && value !== "on")
      throw new Error(`${key}=${value} would lose acknowledged commits in a crash; keep it on.`);
    return ["-c", `${key}=${value}`];
  });
}

/**
 * The official postgres image's command with the settings: its entrypoint initialises the data
 * directory and then runs these arguments (`postgres -c ...`). As a container's command (Docker's
 * `command`, Kubernetes' `args`), never its entrypoint.
 */
export function postgresCommand(
  settings: Readonly<Record<string, string>> = POSTGRES_SERVER_SETTINGS,
): string[] {
  return ["postgres", ...postgresServerArgs(settings)];
}
