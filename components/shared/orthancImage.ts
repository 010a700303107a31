/**
 * The contract of the official `orthancteam/orthanc` image that every target relies on, in one
 * place: who Orthanc runs as, where it reads its configuration and secrets, where it keeps files,
 * and how its health is probed. (What the image does with them is summed up in the README.)
 */
import { UNCHECKED_PROBE_PATH } from "./accessControl";

/** The image every target runs unless the stack names another, pinned to a release. */
export const ORTHANC_IMAGE = { repository: "orthancteam/orthanc", tag: "26.8.1" } as const;

/** The image's `orthanc` user and group: file owners and the uid every target runs it as. */
export const ORTHANC_UID = 999;

/** The paths the image reads (configuration, secrets) and the one it writes (storage). */
export const ORTHANC_PATHS = {
  /** Every `*.json` here is merged into the configuration, after envsubst. */
  configDir: "/etc/orthanc",
  config: "/etc/orthanc/orthanc.json",
  /** Merged after /etc/orthanc: `/run/secrets/*.json` (in the image /var/run is /run). */
  secretsDir: "/run/secrets",
  credentials: "/run/secrets/orthanc-credentials.json",
  storageMasterKey: "/run/secrets/orthanc-storage-master-key",
  /** DICOM TLS: the server certificate (PEM, with its chain), its key, and the CAs it trusts. */
  dicomTlsCertificate: "/run/secrets/orthanc-dicom-tls.crt",
  dicomTlsPrivateKey: "/run/secrets/orthanc-dicom-tls.key",
  dicomTlsTrusted: "/run/secrets/orthanc-dicom-tls-trusted.crt",
  storage: "/var/lib/orthanc/db",
} as const;

/** The HTTP user the container health probe logs in as; its password is generated. */
export const PROBE_USER = "healthcheck";

/** The image's own probe, logging in as the probe user (exit 0: Orthanc answers /system). */
export const PROBE_COMMAND = ["/probes/test-aliveness.py", `--user=${PROBE_USER}`] as const;

/**
 * Orthanc's probe under access control, without credentials (Basic auth is off, so the image's
 * probe cannot log in): the image's python3 GETs the one path the authorization plugin leaves
 * unchecked. Exit 0 once Orthanc answers; it never depends on the auth service or Keycloak.
 */
export function unauthenticatedProbeCommand(httpPort: number): string[] {
  if (!Number.isInteger(httpPort) || httpPort < 1 || httpPort > 65535)
    throw new Error(`not a TCP port: ${httpPort}`);
  return [
    "python3",
    "-c",
    `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${httpPort}${UNCHECKED_PROBE_PATH}', timeout=8)`,
  ];
}

/**
 * Where the image writes outside the storage directory when its root file system is read-only,
 * and the room each target gives it. The entrypoint writes the merged configuration to /tmp,
 * where Orthanc also keeps its large temporary files (the ZIP and media archives of asynchronous
 * jobs); the configurator hard-links the enabled plugins' libraries into /run/orthanc/plugins
 * when that folder exists, and copies them when it is another file system (a tmpfs, a volume),
 * so that folder holds a copy of every enabled plugin. /etc/hostid is left alone with
 * `GENERATE_HOST_ID_IF_MISSING=false` (`READ_ONLY_ROOT_ENV`).
 */
export const ORTHANC_WRITABLE = {
  tmp: "/tmp",
  plugins: "/run/orthanc/plugins",
} as const;

/** Tells the entrypoint not to write /etc/hostid, which a read-only root refuses. */
export const READ_ONLY_ROOT_ENV = { GENERATE_HOST_ID_IF_MISSING: "false" } as const;

/** Room for the copies of the enabled plugins' libraries, in MiB (every target). */
export const PLUGINS_SPACE_MIB = 256;
