import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { hostShape, orthancSecretText, port } from "../primitives";
import { rule } from "../rule";
import { RESERVED_DB_CONNECTIONS } from "../../../components/shared/sizing";

const set = (key: string, value: string) => `\`pulumi config set --path '${key}' ${value}\``;
const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/**
 * `database.external.host` is a host name or address: a connection URL (`postgres://...`) or a
 * `host:port` is refused with its parts in their own keys. A URL or connection string is never
 * echoed: it may hold the password.
 */
const externalHost = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const key = "orthanc:database.external.host";
    const at = (leaf: string) => `orthanc:database.external.${leaf}`;
    const issue = (message: string, fix: string, hideInput: boolean) =>
      ctx.addIssue({ code: "custom", message, input: value, params: { fix, hideInput } });
    const shape = hostShape(value);
    switch (shape.kind) {
      case "host":
        return;
      case "hostPort":
        return issue(
          `includes a port; the port goes in \`${at("port")}\``,
          `${set(key, shape.host)} and ${set(at("port"), shape.port)}`,
          false,
        );
      case "url": {
        const parts = [
          set(key, shape.host ?? "<host>"),
          ...(shape.port ? [set(at("port"), shape.port)] : []),
          ...(shape.path ? [set(at("database"), shape.path)] : []),
          ...(shape.username ? [set(at("username"), shape.username)] : []),
        ];
        return issue(
          `is a ${shape.scheme}:// connection URL (not shown: it may hold a password); this key takes the host alone, ` +
            `and the port, database, user and password have keys of their own`,
          parts.join(", ") +
            (shape.credentials
              ? `, and the password with \`pulumi config set --secret --path '${at("password")}' <password>\` (change it if the URL was shared)`
              : ""),
          true,
        );
      }
      case "invalid":
        return issue(
          `is not a host name or IP address (not shown: it may be a connection string holding a password). ` +
            `Allowed: a host such as \`db.example.org\` or \`10.0.3.12\`; port, database, username and password have keys of their own`,
          set(key, "db.example.org"),
          true,
        );
    }
  });

const externalDatabase = z.strictObject({
  host: externalHost,
  port: port.default(5432),
  database: z.string().min(1).default("orthanc"),
  username: z.string().min(1).default("orthanc"),
  /**
   * Orthanc's PostgreSQL plugin writes it unquoted into a libpq connection string: a space or a
   * backslash would change it (measured with plugin 4.0: authentication fails).
   */
  password: orthancSecretText
    .refine((v) => !/[\s\\]/.test(v) && !v.startsWith("'"), {
      error:
        "must not contain spaces or backslashes, nor start with a quote: Orthanc's PostgreSQL plugin passes it unquoted to libpq, which would read another password (give the database user one without them; `$` and other symbols are fine)",
    })
    .transform((value) => pulumi.secret(value)),
  /** Require TLS to the server. */
  ssl: z.boolean().default(true),
  /** The server's `max_connections`, used to size Orthanc's connection pool. */
  maxConnections: z.number().int().min(5).default(100),
});

/** What every target understands of `orthanc:database`; each target's variant extends it. */
const databaseBase = {
  /** `postgresql` (index in PostgreSQL, the default) or `sqlite` (single replica, test only). */
  engine: z.enum(["postgresql", "sqlite"]).default("postgresql"),
  /** PostgreSQL major version for a database this program creates. */
  version: z.enum(["14", "15", "16", "17"]).default("16"),
  /** Use a database that exists already instead of creating one. */
  external: externalDatabase.optional(),
  /** Orthanc's `IndexConnectionsCount` per replica; sized from the server's limit when omitted. */
  connectionsPerReplica: z.number().int().min(1).max(100).optional(),
};

/** `orthanc:database`, as each target understands it. */
export const databaseSections = {
  docker: z.strictObject({ ...databaseBase }),
  aws: z.strictObject({
    ...databaseBase,
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, {
        error: "must be an RDS instance class such as `db.t4g.medium`",
      })
      .default("db.t4g.small"),
    allocatedStorageGiB: z.number().int().min(20).default(20),
    maxAllocatedStorageGiB: z.number().int().min(20).default(200),
    multiAz: z.boolean().default(false),
    backupRetentionDays: z.number().int().min(7).max(35).default(7),
  }),
  kubernetes: z.strictObject({
    ...databaseBase,
    /** `statefulset` (plain PostgreSQL) or `cloudnativepg` (needs the operator). */
    kind: z.enum(["statefulset", "cloudnativepg"]).default("statefulset"),
    instances: z.number().int().min(1).max(5).default(1),
    storageGiB: z.number().int().min(1).default(20),
  }),
};

/**
 * An external server must leave each Orthanc writer at least one connection beyond the reserved
 * ones (the pool is sized from what is left); `writers` is the most replicas that may run.
 */
function externalBudgetIssue(
  maxConnections: number | undefined,
  writers: number,
  writersKey: string,
): ConfigIssue | undefined {
  if (maxConnections === undefined || maxConnections - RESERVED_DB_CONNECTIONS >= writers)
    return undefined;
  return {
    key: "orthanc:database.external.maxConnections",
    message:
      `${maxConnections} leaves ${Math.max(0, maxConnections - RESERVED_DB_CONNECTIONS)} connection(s) after the ${RESERVED_DB_CONNECTIONS} reserved, ` +
      `fewer than the ${writers} Orthanc replicas of \`${writersKey}\` (each needs one). ` +
      `Fix: give the server's real max_connections if it is higher (at least ${writers + RESERVED_DB_CONNECTIONS}), or lower \`${writersKey}\`.`,
  };
}

/** Keys of a database this program creates, per target, that an external database leaves unused. */
const CREATED_DATABASE_KEYS = {
  docker: ["version"],
  aws: [
    "version",
    "instanceClass",
    "allocatedStorageGiB",
    "maxAllocatedStorageGiB",
    "multiAz",
    "backupRetentionDays",
  ],
  kubernetes: ["version", "kind", "instances", "storageGiB"],
} as const;

const CREATED_BY = {
  docker: "the PostgreSQL container",
  aws: "the RDS instance",
  kubernetes: "the PostgreSQL StatefulSet or CloudNativePG cluster",
} as const;

/** The rules that guard `orthanc:database`. */
export const databaseRules = [
  // Settings of a database this program creates do nothing with an external one (or SQLite):
  // refused when the stack wrote them, so nobody believes they took effect.
  rule({ sections: ["database"] }, ({ database }, target, given) => {
    const issues: ConfigIssue[] = [];
    if (database.external) {
      for (const leaf of CREATED_DATABASE_KEYS[target]) {
        // cloudnativepg with an external database has its own message below.
        if (leaf === "kind" && "kind" in database && database.kind === "cloudnativepg") continue;
        const key = `orthanc:database.${leaf}`;
        if (given(`database.${leaf}`))
          issues.push({
            key,
            message:
              `configures ${CREATED_BY[target]} this program creates, but \`orthanc:database.external\` is set, so none is created ` +
              `and this setting would do nothing. Fix: ${rm(key)}, or remove database.external to have the database created.`,
          });
      }
    } else if (database.engine === "sqlite") {
      for (const leaf of ["version", "connectionsPerReplica"]) {
        const key = `orthanc:database.${leaf}`;
        if (given(`database.${leaf}`))
          issues.push({
            key,
            message:
              `applies to PostgreSQL, but \`orthanc:database.engine\` is sqlite, so it would do nothing. ` +
              `Fix: ${rm(key)}, or set database.engine to postgresql.`,
          });
      }
    }
    return issues;
  }),

  // Only CloudNativePG runs several database instances; the StatefulSet runs one.
  rule({ sections: ["database"], targets: ["kubernetes"] }, ({ database }, _target, given) =>
    !database.external && database.kind === "statefulset" && given("database.instances")
      ? {
          key: "orthanc:database.instances",
          message:
            `${database.instances} instance(s) need \`orthanc:database.kind\` cloudnativepg (streaming replicas); the statefulset ` +
            `kind runs one PostgreSQL. Fix: ${set("orthanc:database.kind", "cloudnativepg")} (the operator must be installed), ` +
            `or ${rm("orthanc:database.instances")}.`,
        }
      : undefined,
  ),

  rule({ sections: ["orthanc", "database"], targets: ["docker"] }, ({ orthanc, database }) =>
    externalBudgetIssue(
      database.external?.maxConnections,
      orthanc.replicas,
      "orthanc:orthanc.replicas",
    ),
  ),

  rule(
    { sections: ["orthanc", "database", "aws"], targets: ["aws"] },
    ({ orthanc, database, aws }) =>
      externalBudgetIssue(
        database.external?.maxConnections,
        aws.autoscaling?.maxReplicas ?? orthanc.replicas,
        aws.autoscaling ? "orthanc:aws.autoscaling.maxReplicas" : "orthanc:orthanc.replicas",
      ),
  ),

  rule(
    { sections: ["orthanc", "database", "kubernetes"], targets: ["kubernetes"] },
    ({ orthanc, database, kubernetes }) => {
      const hpa = kubernetes.autoscaling?.enabled ? kubernetes.autoscaling : undefined;
      return externalBudgetIssue(
        database.external?.maxConnections,
        hpa?.maxReplicas ?? orthanc.replicas,
        hpa ? "orthanc:kubernetes.autoscaling.maxReplicas" : "orthanc:orthanc.replicas",
      );
    },
  ),

  // Only the Docker target keeps an SQLite index (on a volume of the host).
  rule({ sections: ["database"], targets: ["aws"] }, ({ database }) =>
    database.engine === "sqlite"
      ? {
          key: "orthanc:database.engine",
          message:
            "sqlite cannot live on ECS's ephemeral disks. Allowed on aws: postgresql. Fix: set `orthanc:database.engine` to postgresql (RDS is created for it) or give database.external.",
        }
      : undefined,
  ),

  rule({ sections: ["database"], targets: ["kubernetes"] }, ({ database }) =>
    database.engine === "sqlite"
      ? {
          key: "orthanc:database.engine",
          message:
            "sqlite is not offered on Kubernetes. Allowed: postgresql (statefulset, cloudnativepg or external). Fix: set `orthanc:database.engine` to postgresql.",
        }
      : undefined,
  ),

  rule({ sections: ["database"] }, ({ database }) =>
    database.external && database.engine !== "postgresql"
      ? {
          key: "orthanc:database.external",
          message: `an external database must be PostgreSQL, got engine ${database.engine}. Fix: remove \`orthanc:database.engine\` or the external section.`,
        }
      : undefined,
  ),

  rule({ sections: ["database"], targets: ["kubernetes"] }, ({ database }) =>
    database.external && database.kind === "cloudnativepg"
      ? {
          key: "orthanc:database.kind",
          message: `cloudnativepg creates a database, but \`orthanc:database.external\` is also set. Fix: remove one of them.`,
        }
      : undefined,
  ),

  rule({ sections: ["orthanc", "database"] }, ({ orthanc, database }) => {
    const max = database.external?.maxConnections;
    const per = database.connectionsPerReplica;
    if (!max || !per || per * orthanc.replicas <= max - RESERVED_DB_CONNECTIONS) return undefined;
    return {
      key: "orthanc:database.connectionsPerReplica",
      message:
        `${orthanc.replicas} replicas x ${per} connections = ${orthanc.replicas * per}, over the server's limit ` +
        `of ${max} minus ${RESERVED_DB_CONNECTIONS} reserved. Fix: lower connectionsPerReplica to at most ` +
        `${Math.max(1, Math.floor((max - RESERVED_DB_CONNECTIONS) / orthanc.replicas))}, or omit it to size it automatically.`,
    };
  }),
];
