/** Connections kept free on the database server for psql sessions, backups and migrations. */
export const RESERVED_DB_CONNECTIONS = 10;

/**
 * `IndexConnectionsCount` of each Orthanc process, measured (`npm run bench`, section (d); Debian's
 * Orthanc 1.10.1 with its PostgreSQL plugin 4.0 on PostgreSQL 15, 2 cores):
 *  - one writer, ingest alone: 1 connection is fastest with 4 REST clients (concurrent writes
 *    collide and are replayed: 40 of ~440 transactions with 2 or more connections); 2, 4 and 20
 *    ingest alike, C-STORE and a single REST client alike whatever the count;
 *  - one writer, 4 writing and 8 reading clients: with 1 connection reads queue behind the
 *    writes (read p95 ~105 ms), with 2 they do not (~41 ms), with 4 or 8 both suffer again (read
 *    p95 ~190-210 ms, ingest 40-50 % slower than with 2);
 *  - two writers on one index, the same load spread over both: 1 or 2 each are best (read p95
 *    29-39 ms), 4 or 8 each ~200 ms; ingest alone is the same from 1 to 8 each;
 *  - each connection is one client-visible error when PostgreSQL restarts (it fails once, then
 *    reconnects): 20 errors with 20 connections, 2 with 2; start-up 0.25 s with 20, 0.13 s with 2.
 * Two per process, whatever the number of writers: one for a write and one so that reads never
 * wait behind it. (The plugin measured runs every transaction SERIALIZABLE; plugins 7.0 and later
 * default to READ COMMITTED, where more connections may pay: measure again with one.)
 */
export const MAX_CONNECTIONS_PER_REPLICA = 2;

/**
 * Orthanc's `IndexConnectionsCount` for each replica: `MAX_CONNECTIONS_PER_REPLICA`, fewer when
 * replicas x connections would not stay under the server's `max_connections` with room to spare.
 */
export function connectionsPerReplica(maxConnections: number, replicas: number): number {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`replicas must be a positive integer, got ${replicas}.`);
  }
  const budget = maxConnections - RESERVED_DB_CONNECTIONS;
  if (budget < replicas) {
    throw new Error(
      `A database with max_connections=${maxConnections} cannot serve ${replicas} Orthanc replicas ` +
        `(${RESERVED_DB_CONNECTIONS} are reserved). Raise max_connections or lower the replica count.`,
    );
  }
  return Math.min(MAX_CONNECTIONS_PER_REPLICA, Math.floor(budget / replicas));
}

/** `max_connections` of a PostgreSQL this program runs itself (container or StatefulSet). */
export const OWN_POSTGRES_MAX_CONNECTIONS = 100;
