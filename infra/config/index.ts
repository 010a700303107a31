export { parseConfig, safeParseConfig, ConfigError, NAMESPACE, configSchemas } from "./schema";
export type {
  OrthancConfig,
  OrthancConfigInput,
  DockerConfig,
  AwsConfig,
  KubernetesConfig,
  OrthancSection,
  ParseResult,
} from "./schema";
export type { ConfigIssue } from "./errors";
export { readStackConfig, rawConfigFrom, decodeConfigValue } from "./load";
export { TARGETS } from "./targets";
export type { TargetName } from "./targets";
export { DEFAULT_ORTHANC_TAG } from "./shared";
