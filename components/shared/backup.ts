/**
 * One `pg_dump` of the index into "$dir" and the pruning of dumps past the retention. Server,
 * user and database come from PGHOST/PGPORT/PGUSER/PGDATABASE, the password from PGPASSFILE or
 * PGPASSWORD. A failed dump leaves no partial file; `onFailure: "exit"` also fails the run, so a
 * scheduler (a Kubernetes CronJob) reports it.
 */
export function dumpAndPrune(retentionDays: number, onFailure: "continue" | "exit"): string[] {
  return [
    "stamp=$(date -u +%Y%m%dT%H%M%SZ)",
    'if pg_dump -Fc -f "$dir/orthanc-$stamp.dump.partial"; then',
    '  mv "$dir/orthanc-$stamp.dump.partial" "$dir/orthanc-$stamp.dump"',
    '  echo "backup orthanc-$stamp.dump written"',
    "else",
    `  echo "backup failed" >&2; rm -f "$dir/orthanc-$stamp.dump.partial"${onFailure === "exit" ? "; exit 1" : ""}`,
    "fi",
    `find "$dir" -name 'orthanc-*.dump' -mtime +${retentionDays} -print -delete`,
  ];
}
