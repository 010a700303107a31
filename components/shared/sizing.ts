/** Connections kept free on the database server for psql sessions, backups and migrations. */
export const RESERVED_DB_CONNECTIONS = 10;

/**
 * Upper bound per Orthanc process. More connections only help with many concurrent writers, and on
 * small servers they cost more in serialization retries (HTTP 503) than they gain.
 */
export const MAX_CONNECTIONS_PER_REPLICA = 20;

/**
 * Orthanc's `IndexConnectionsCount` for each replica, so that replicas x connections stays under
 * the server's `max_connections` with room to spare.
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
