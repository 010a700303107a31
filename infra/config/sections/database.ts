import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { hostShape, orthancSecretText, port } from "../primitives";
import { rule } from "../rule";
import {
  OWN_POSTGRES_MAX_CONNECTIONS,
  RESERVED_DB_CONNECTIONS,
} from "../../../components/shared/sizing";
import {
  rdsClassMemoryGiB,
  rdsFamilies,
  rdsMaxConnectionsForMemory,
} from "../../../components/aws/rdsClasses";
import { closestValue } from "../platform/suggest";
import { refuse } from "../platform/issue";

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

/** Every class the table knows, for "did you mean" hints. */
const knownClasses = () =>
  [...rdsFamilies()].flatMap(([f, sizes]) => sizes.map((s) => `${f}.${s}`));

/** `db.m7g.huge` -> `db.m7g.large`: the family's first size, when the table knows the family. */
const sameFamily = (cls: string): string | undefined => {
  const family = /^(db\.[a-z0-9-]+)\./.exec(cls)?.[1];
  const sizes = family ? rdsFamilies().get(family) : undefined;
  return sizes ? `${family}.${sizes[0]}` : undefined;
};

/** `db.<family>.<size>`: the table then knows it, or `instanceMemoryGiB` says its memory. */
const rdsInstanceClass = z.string().check((ctx) => {
  if (/^db\.[a-z]+\d+[a-z-]*\.(micro|small|medium|large|\d{0,2}xlarge)$/.test(ctx.value)) return;
  refuse(
    ctx,
    "must be an RDS instance class `db.<family>.<size>` such as `db.t4g.medium` or `db.m7g.large`",
    closestValue(ctx.value, knownClasses()) ?? sameFamily(ctx.value) ?? "db.t4g.medium",
  );
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
    /** One of the table of `components/aws/rdsClasses.ts`, or any class with `instanceMemoryGiB`. */
    instanceClass: rdsInstanceClass.default("db.t4g.small"),
    /**
     * The class's memory in GiB, which sizes `max_connections` (and so the pool and the alarm):
     * for a class the table does not know yet; it overrides the table's value otherwise.
     */
    instanceMemoryGiB: z.number().min(0.5).max(24576).optional(),
    /** gp3 storage; RDS for PostgreSQL takes 20 GiB to 64 TiB. */
    allocatedStorageGiB: z.number().int().min(20).max(65536).default(20),
    /** Storage autoscaling's ceiling: at least 10% above `allocatedStorageGiB` (RDS's rule). */
    maxAllocatedStorageGiB: z.number().int().min(22).max(65536).default(200),
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

/** Keys of a database this program creates, per target, that an external database leaves unused. */
const CREATED_DATABASE_KEYS = {
  docker: ["version"],
  aws: [
    "version",
    "instanceClass",
    "instanceMemoryGiB",
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

  // RDS refuses a class it does not have, and the pool is sized from the class's memory.
  rule({ sections: ["database"], targets: ["aws"] }, ({ database }) =>
    database.external ? undefined : unknownRdsClass(database),
  ),

  // RDS: "The maximum allocated storage must be increased by at least 10 percent."
  rule({ sections: ["database"], targets: ["aws"] }, ({ database }) => {
    if (database.external) return undefined;
    const least = Math.ceil((database.allocatedStorageGiB * 11) / 10);
    return database.maxAllocatedStorageGiB < least
      ? {
          key: "orthanc:database.maxAllocatedStorageGiB",
          message:
            `got ${database.maxAllocatedStorageGiB}, with \`orthanc:database.allocatedStorageGiB\` ${database.allocatedStorageGiB}: ` +
            `RDS storage autoscaling needs its ceiling at least 10% above the allocated storage, so ${least} or more. ` +
            `Fix: \`pulumi config set --path 'orthanc:database.maxAllocatedStorageGiB' ${Math.max(least, 2 * database.allocatedStorageGiB)}\`` +
            `, or lower allocatedStorageGiB.`,
        }
      : undefined;
  }),

  // Every process's pool, at the most processes that may run at once, fits the server's limit.
  rule({ sections: ["orthanc", "database"], targets: ["docker"] }, ({ orthanc, database }) =>
    connectionBudget(database, "docker", {
      count: orthanc.replicas,
      key: "orthanc:orthanc.replicas",
    }),
  ),
  rule(
    { sections: ["orthanc", "database", "aws"], targets: ["aws"] },
    ({ orthanc, database, aws }) =>
      connectionBudget(
        database,
        "aws",
        aws.autoscaling
          ? { count: aws.autoscaling.maxReplicas, key: "orthanc:aws.autoscaling.maxReplicas" }
          : { count: orthanc.replicas, key: "orthanc:orthanc.replicas" },
      ),
  ),
  rule(
    { sections: ["orthanc", "database", "kubernetes"], targets: ["kubernetes"] },
    ({ orthanc, database, kubernetes }) =>
      connectionBudget(
        database,
        "kubernetes",
        kubernetes.autoscaling?.enabled
          ? {
              count: kubernetes.autoscaling.maxReplicas,
              key: "orthanc:kubernetes.autoscaling.maxReplicas",
            }
          : { count: orthanc.replicas, key: "orthanc:orthanc.replicas" },
      ),
  ),
];

type AwsDatabase = z.output<(typeof databaseSections)["aws"]>;
type AnyDatabase = z.output<(typeof databaseSections)[keyof typeof databaseSections]>;

/** A class the table lacks, given without its memory. */
function unknownRdsClass(database: AwsDatabase): ConfigIssue | undefined {
  const cls = database.instanceClass;
  if (database.instanceMemoryGiB !== undefined || rdsClassMemoryGiB(cls) !== undefined)
    return undefined;
  const families = rdsFamilies();
  const family = cls.slice(0, cls.lastIndexOf("."));
  const sizes = families.get(family);
  const guess = sizes ? undefined : closestValue(cls, knownClasses());
  const known = sizes
    ? `${family} comes in ${sizes.join(", ")}`
    : `the families it knows are ${[...families.keys()].join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`;
  return {
    key: "orthanc:database.instanceClass",
    message:
      `got ${JSON.stringify(cls)}, which the class table (components/aws/rdsClasses.ts, which sizes the connection pool) does not know: ${known}. ` +
      `Fix: pick a known class (\`pulumi config set --path 'orthanc:database.instanceClass' ${guess ?? (sizes ? `${family}.${sizes[0]}` : "db.t4g.medium")}\`), ` +
      `or, for a class RDS offers for PostgreSQL that the table lacks, give its memory in GiB: \`pulumi config set --path 'orthanc:database.instanceMemoryGiB' 16\`.`,
  };
}

/** The server's `max_connections` and where it comes from; none for SQLite. */
function serverLimit(
  database: AnyDatabase,
  target: "docker" | "aws" | "kubernetes",
): { max: number; what: string; key?: string } | undefined {
  if (database.engine !== "postgresql") return undefined;
  if (database.external)
    return {
      max: database.external.maxConnections,
      what: "`orthanc:database.external.maxConnections`",
      key: "orthanc:database.external.maxConnections",
    };
  if (target === "aws") {
    const db = database as AwsDatabase;
    const gib = db.instanceMemoryGiB ?? rdsClassMemoryGiB(db.instanceClass);
    if (gib === undefined) return undefined; // `unknownRdsClass` reports it
    return {
      max: rdsMaxConnectionsForMemory(gib),
      what: `the max_connections of RDS ${db.instanceClass} (${gib} GiB)`,
      key: "orthanc:database.instanceClass",
    };
  }
  return {
    max: OWN_POSTGRES_MAX_CONNECTIONS,
    what: "the max_connections of the PostgreSQL this program runs",
  };
}

/**
 * `connections per process x processes <= max_connections - reserved`: Orthanc opens its whole
 * pool at start, so a pool over the limit fails on the last processes to start (or, unsized,
 * the sizing in `components/shared/sizing.ts` has not even one connection for each).
 */
function connectionBudget(
  database: AnyDatabase,
  target: "docker" | "aws" | "kubernetes",
  writers: { count: number; key: string },
): ConfigIssue | undefined {
  const server = serverLimit(database, target);
  if (!server) return undefined;
  const budget = server.max - RESERVED_DB_CONNECTIONS;
  const per = database.connectionsPerReplica;
  const processes = `${writers.count} Orthanc process${writers.count === 1 ? "" : "es"} (\`${writers.key}\`)`;
  if (per !== undefined) {
    if (per * writers.count <= budget) return undefined;
    return {
      key: "orthanc:database.connectionsPerReplica",
      message:
        `${writers.count} replicas x ${per} connections = ${writers.count * per}, over ${server.what} ` +
        `of ${server.max} minus ${RESERVED_DB_CONNECTIONS} reserved, for ${processes}. Fix: lower connectionsPerReplica to at most ` +
        `${Math.max(1, Math.floor(budget / writers.count))} (\`pulumi config set --path 'orthanc:database.connectionsPerReplica' ${Math.max(1, Math.floor(budget / writers.count))}\`), or omit it to size it automatically.`,
    };
  }
  if (writers.count <= budget) return undefined;
  const least = writers.count + RESERVED_DB_CONNECTIONS;
  if (server.key === "orthanc:database.external.maxConnections")
    return {
      key: server.key,
      message:
        `${server.max} leaves ${Math.max(0, budget)} connection(s) after the ${RESERVED_DB_CONNECTIONS} reserved, ` +
        `fewer than the ${writers.count} Orthanc replicas of \`${writers.key}\` (each needs one). ` +
        `Fix: give the server's real max_connections if it is higher (at least ${least}: ` +
        `\`pulumi config set --path '${server.key}' ${least}\`)${writers.count > 1 ? `, or lower \`${writers.key}\`` : ""}.`,
    };
  return {
    key: server.key ?? writers.key,
    message:
      `${server.what} is ${server.max}: with ${RESERVED_DB_CONNECTIONS} reserved it cannot give ${processes} one connection each. ` +
      `Fix: use a bigger server${writers.count > 1 ? `, or lower \`${writers.key}\`` : ""}.`,
  };
}
