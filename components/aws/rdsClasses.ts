/**
 * The RDS for PostgreSQL instance classes this program knows, with their memory: the one table
 * that both validates `orthanc:database.instanceClass` and sizes `max_connections` (and so
 * Orthanc's connection pool and the connections alarm). Pure data, no SDK: the configuration
 * schema loads it for every stack. The SDK's `rds.InstanceType` enum is not used: it lacks the
 * current families (m6i, m7g, r7g...).
 *
 * A class missing here still deploys: `orthanc:database.instanceMemoryGiB` gives its memory.
 * Add a family here when AWS offers it for PostgreSQL (AWS's "DB instance classes" table:
 * memory per class, and which sizes each family has).
 */

/** vCPUs of each size of the fixed-performance families. */
const SIZE_VCPUS: Record<string, number> = {
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "12xlarge": 48,
  "16xlarge": 64,
  "24xlarge": 96,
  "32xlarge": 128,
  "48xlarge": 192,
};

/** `large` up to `last`, every size between. */
const upTo = (last: string): string[] => {
  const sizes = Object.keys(SIZE_VCPUS);
  return sizes.slice(0, sizes.indexOf(last) + 1);
};
const without = (sizes: string[], ...gone: string[]) => sizes.filter((s) => !gone.includes(s));

/** A family: memory per vCPU (GiB) and the sizes RDS offers for PostgreSQL. */
interface Family {
  readonly gibPerVcpu: number;
  readonly sizes: readonly string[];
}

/** General purpose (m: 4 GiB per vCPU), memory optimized (r: 8, x2g: 16). */
const FAMILIES: Record<string, Family> = {
  "db.m5": { gibPerVcpu: 4, sizes: upTo("24xlarge") },
  "db.m5d": { gibPerVcpu: 4, sizes: upTo("24xlarge") },
  "db.m6g": { gibPerVcpu: 4, sizes: upTo("16xlarge") },
  "db.m6gd": { gibPerVcpu: 4, sizes: upTo("16xlarge") },
  "db.m6i": { gibPerVcpu: 4, sizes: upTo("32xlarge") },
  "db.m6id": { gibPerVcpu: 4, sizes: upTo("32xlarge") },
  "db.m6in": { gibPerVcpu: 4, sizes: upTo("32xlarge") },
  "db.m6idn": { gibPerVcpu: 4, sizes: upTo("32xlarge") },
  "db.m7g": { gibPerVcpu: 4, sizes: upTo("16xlarge") },
  "db.m7i": { gibPerVcpu: 4, sizes: without(upTo("48xlarge"), "32xlarge") },
  "db.m8g": { gibPerVcpu: 4, sizes: without(upTo("48xlarge"), "32xlarge") },
  "db.r5": { gibPerVcpu: 8, sizes: upTo("24xlarge") },
  "db.r5b": { gibPerVcpu: 8, sizes: upTo("24xlarge") },
  "db.r5d": { gibPerVcpu: 8, sizes: upTo("24xlarge") },
  "db.r6g": { gibPerVcpu: 8, sizes: upTo("16xlarge") },
  "db.r6gd": { gibPerVcpu: 8, sizes: upTo("16xlarge") },
  "db.r6i": { gibPerVcpu: 8, sizes: upTo("32xlarge") },
  "db.r6id": { gibPerVcpu: 8, sizes: upTo("32xlarge") },
  "db.r6in": { gibPerVcpu: 8, sizes: upTo("32xlarge") },
  "db.r6idn": { gibPerVcpu: 8, sizes: upTo("32xlarge") },
  "db.r7g": { gibPerVcpu: 8, sizes: upTo("16xlarge") },
  "db.r7i": { gibPerVcpu: 8, sizes: without(upTo("48xlarge"), "32xlarge") },
  "db.r8g": { gibPerVcpu: 8, sizes: without(upTo("48xlarge"), "32xlarge") },
  "db.x2g": { gibPerVcpu: 16, sizes: upTo("16xlarge") },
};

/** Burstable classes (2 vCPU from micro to large), by their own memory. */
const BURSTABLE_GIB: Record<string, number> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};

/** Memory in GiB of every RDS for PostgreSQL instance class this program knows. */
export const RDS_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(
    ["db.t3", "db.t4g"].flatMap((f) =>
      Object.entries(BURSTABLE_GIB).map(([size, gib]) => [`${f}.${size}`, gib]),
    ),
  ),
  ...Object.fromEntries(
    Object.entries(FAMILIES).flatMap(([f, { gibPerVcpu, sizes }]) =>
      sizes.map((size) => [`${f}.${size}`, SIZE_VCPUS[size] * gibPerVcpu]),
    ),
  ),
});

/** The families of the table (`db.m6i`...) with their sizes, in the table's order. */
export function rdsFamilies(): Map<string, string[]> {
  const families = new Map<string, string[]>();
  for (const cls of Object.keys(RDS_CLASS_MEMORY_GIB)) {
    const family = cls.slice(0, cls.lastIndexOf("."));
    families.set(family, [...(families.get(family) ?? []), cls.slice(cls.lastIndexOf(".") + 1)]);
  }
  return families;
}

/** The class's memory in GiB; `undefined` when the table does not know the class. */
export function rdsClassMemoryGiB(instanceClass: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(RDS_CLASS_MEMORY_GIB, instanceClass)
    ? RDS_CLASS_MEMORY_GIB[instanceClass]
    : undefined;
}

/**
 * PostgreSQL's `max_connections` on RDS for a class with `memoryGiB` of memory: the default
 * parameter is LEAST(DBInstanceClassMemory/9531392, 5000), where DBInstanceClassMemory is a
 * little under the class's memory; 10% is taken off to stay on the safe side.
 */
export function rdsMaxConnectionsForMemory(memoryGiB: number): number {
  return Math.min(5000, Math.floor((memoryGiB * 0.9 * 2 ** 30) / 9531392));
}
