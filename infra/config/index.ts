export { parseConfig, safeParseConfig, ConfigError, NAMESPACE } from "./parse";
export type { ParseResult } from "./parse";
export { configSchemas, TARGETS } from "./schema";
export type {
  OrthancConfig,
  OrthancConfigInput,
  DockerConfig,
  AwsConfig,
  KubernetesConfig,
  OrthancSection,
  TargetName,
} from "./schema";
export type { ConfigIssue } from "./errors";
export { readStackConfig, rawConfigFrom, decodeConfigValue } from "./load";
