import { z } from "zod";
import type { Rule } from "./rule";
import { orthancRules, orthancSection } from "./sections/orthanc";
import { databaseRules, databaseSections } from "./sections/database";
import { storageRules, storageSections } from "./sections/storage";
import { keysSection } from "./sections/keys";
import { dnsRules, dnsSection } from "./sections/dns";
import { tlsRules, tlsSection } from "./sections/tls";
import { registryRules, registrySection } from "./sections/registry";
import { dockerRules, dockerSection } from "./sections/docker";
import { awsRules, awsSection } from "./sections/aws";
import { kubernetesRules, kubernetesSection } from "./sections/kubernetes";
import { accessControlRules, accessControlSection } from "./sections/accessControl";

/** The sections every target has; `database` and `storage` in the target's own variant. */
function commonSections<D extends z.ZodType, S extends z.ZodType>(database: D, storage: S) {
  return {
    orthanc: orthancSection.prefault({}),
    database: database.prefault({} as never),
    storage: storage.prefault({} as never),
    keys: keysSection.prefault({}),
    dns: dnsSection.prefault({}),
    tls: tlsSection.prefault({}),
    registry: registrySection.prefault({}),
    accessControl: accessControlSection.prefault({}),
    /**
     * Protect the database, volumes, bucket, file system and keys from deletion and replacement.
     * Turning it off is the explicit opt-in that `pulumi destroy` of data needs.
     */
    protectData: z.boolean().default(true),
  };
}

/** One strict schema per target; `target` selects which one parses the stack. */
export const configSchemas = {
  docker: z.strictObject({
    target: z.literal("docker"),
    ...commonSections(databaseSections.docker, storageSections.docker),
    docker: dockerSection.prefault({}),
  }),
  aws: z.strictObject({
    target: z.literal("aws"),
    ...commonSections(databaseSections.aws, storageSections.aws),
    // Required: an AWS deployment has no sensible default region.
    aws: awsSection,
  }),
  kubernetes: z.strictObject({
    target: z.literal("kubernetes"),
    ...commonSections(databaseSections.kubernetes, storageSections.kubernetes),
    kubernetes: kubernetesSection.prefault({}),
  }),
};

export type TargetName = keyof typeof configSchemas;
export const TARGETS = Object.keys(configSchemas) as TargetName[];

/** The cross-field rules, each defined beside the section it guards; run in this order. */
export const configRules: readonly Rule[] = [
  ...orthancRules,
  ...databaseRules,
  ...storageRules,
  ...dnsRules,
  ...tlsRules,
  ...registryRules,
  ...dockerRules,
  ...awsRules,
  ...kubernetesRules,
  ...accessControlRules,
];

export type DockerConfig = z.output<typeof configSchemas.docker>;
export type AwsConfig = z.output<typeof configSchemas.aws>;
export type KubernetesConfig = z.output<typeof configSchemas.kubernetes>;
/** The whole, validated stack configuration. Secrets in it are `pulumi.Output<string>`. */
export type OrthancConfig = DockerConfig | AwsConfig | KubernetesConfig;
export type OrthancSection = OrthancConfig["orthanc"];
/** What a caller (Automation API, tests) writes: the schema's input, defaults optional. */
export type OrthancConfigInput =
  | z.input<typeof configSchemas.docker>
  | z.input<typeof configSchemas.aws>
  | z.input<typeof configSchemas.kubernetes>;
