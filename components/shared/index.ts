/**
 * What every target shares: Orthanc's documents and the decisions behind them, the image
 * contract, generated credentials and keys, image references, database sizing and tuning.
 */
export {
  orthancDocuments,
  type DocumentSecrets,
  type DocumentsRuntime,
  type OrthancDocuments,
} from "./documents";
export {
  type DatabaseEndpoint,
  type DicomTlsArgs,
  type ExternalDatabase,
  type OrthancAppOptions,
  type S3StorageArgs,
  type SettingsRuntime,
} from "./settings";
export { HOSTNAME_PLACEHOLDER, type StorageSettings } from "./orthancConfig";
export { ORTHANC_PATHS, ORTHANC_UID, PROBE_COMMAND, PROBE_USER } from "./orthancImage";
export { Credentials, type CredentialsArgs } from "./credentials";
export { storageMasterKey } from "./storageKey";
export { imageReference, POSTGRES_TAGS, throughMirror } from "./images";
export { connectionsPerReplica, OWN_POSTGRES_MAX_CONNECTIONS } from "./sizing";
