/** One database a backup dumps: the prefix of its dump files and how `pg_dump` reaches it. */
export interface DumpedDatabase {
  /** Dump files are `<prefix>-<UTC stamp>.dump`, pruned by that prefix. */
  readonly prefix: string;
  /**
   * `PGHOST=... PGUSER=... PGDATABASE=...` for this dump only; empty: the script's environment
   * (PGHOST/PGPORT/PGUSER/PGDATABASE) names the server.
   */
  readonly connection?: string;
}

/** Orthanc's index, reached through the script's environment. */
export const ORTHANC_DUMP: DumpedDatabase = { prefix: "orthanc" };

/**
 * One `pg_dump` of a database into "$dir" and the pruning of its dumps past the retention.
 * Server, user and database come from PGHOST/PGPORT/PGUSER/PGDATABASE (or `db.connection`), the
 * password from PGPASSFILE or PGPASSWORD. A failed dump leaves no partial file; `onFailure:
 * "exit"` also fails the run, so a scheduler (a Kubernetes CronJob) reports it.
 */
export function dumpAndPrune(
  retentionDays: number,
  onFailure: "continue" | "exit",
  db: DumpedDatabase = ORTHANC_DUMP,
): string[] {
  const p = db.prefix;
  if (!/^[a-z][a-z0-9-]*$/.test(p)) throw new Error(`not a dump file prefix: ${p}`);
  const connection = db.connection ? `${db.connection} ` : "";
  // Orthanc's message stays as it always was (the log is what operators grep for).
  const failed = p === ORTHANC_DUMP.prefix ? "backup failed" : `backup of ${p} failed`;
  return [
    "stamp=$(date -u +%Y%m%dT%H%M%SZ)",
    `if ${connection}pg_dump -Fc -f "$dir/${p}-$stamp.dump.partial"; then`,
    `  mv "$dir/${p}-$stamp.dump.partial" "$dir/${p}-$stamp.dump"`,
    `  echo "backup ${p}-$stamp.dump written"`,
    "else",
    `  echo "${failed}" >&2; rm -f "$dir/${p}-$stamp.dump.partial"${onFailure === "exit" ? "; exit 1" : ""}`,
    "fi",
    `find "$dir" -name '${p}-*.dump' -mtime +${retentionDays} -print -delete`,
  ];
}
