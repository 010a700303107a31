/**
 * What bounds each container of the Docker target: its memory (no swap beyond it) and, for
 * Orthanc's read-only root, the size of its tmpfs folders. Tmpfs pages count against the memory
 * limit of the container that writes them, so Orthanc's limit holds both. The Docker provider
 * (v5) has no input for a pids limit.
 */
import { ORTHANC_UID, ORTHANC_WRITABLE, PLUGINS_SPACE_MIB } from "../shared/orthancImage";

/** Default memory limits in MiB (`orthanc:docker.resources.*MemoryMiB`). */
export const DOCKER_MEMORY_MIB = {
  /**
   * Each replica: Orthanc's own use (HTTP and DICOM threads, its 128 MB storage cache, whole
   * DICOM files and STOW bodies in memory while they are handled) plus its tmpfs folders.
   */
  orthanc: 2048,
  /** shared_buffers is 256MB (postgresTuning.ts), a quarter of this, as on Kubernetes. */
  postgres: 1024,
  proxy: 256,
  /** HAProxy in TCP mode with `maxconn 1024`. */
  dicomGate: 128,
  /** `pg_dump`, and the AWS CLI copying the dumps. */
  backup: 512,
  /**
   * Access control: Keycloak (a JVM sized from its container's limit, which builds itself at
   * its first start), its PostgreSQL (a few MB of realm data; shared_buffers 128MB, a quarter),
   * and the auth service (one uvicorn worker).
   */
  keycloak: 1024,
  keycloakPostgres: 512,
  authService: 256,
} as const;

/** The never-started container holding Orthanc's files: a limit only so that none is unbounded. */
export const ORTHANC_FILES_MEMORY_MIB = 16;

/** Orthanc's tmpfs folders on its read-only root, in MiB. */
export const ORTHANC_TMPFS_MIB = {
  /** The merged configuration (a few KB) and Orthanc's temporary files (asynchronous archives). */
  tmp: 512,
  plugins: PLUGINS_SPACE_MIB,
} as const;

/** What Orthanc needs besides its tmpfs folders to start and serve. */
const ORTHANC_PROCESS_MIN_MIB = 512;

/** The smallest memory limit Orthanc's container accepts: its tmpfs folders full, plus itself. */
export const ORTHANC_MIN_MEMORY_MIB =
  ORTHANC_TMPFS_MIB.tmp + ORTHANC_TMPFS_MIB.plugins + ORTHANC_PROCESS_MIN_MIB;

/** The provider's `memory` and `memorySwap` (MB): swap equal to memory means none at all. */
export function memoryLimit(mib: number): { memory: number; memorySwap: number } {
  if (!Number.isInteger(mib) || mib < 6)
    throw new Error(`a container's memory limit must be a whole number of MiB from 6, got ${mib}`);
  return { memory: mib, memorySwap: mib };
}

/**
 * Orthanc's writable folders as tmpfs mounts (Docker adds noexec, nosuid and nodev). The plugin
 * folder holds the libraries Orthanc loads, so it must allow `exec`; /tmp must not.
 */
export function orthancTmpfs(): Record<string, string> {
  return {
    [ORTHANC_WRITABLE.tmp]: `size=${ORTHANC_TMPFS_MIB.tmp}m,mode=1777`,
    [ORTHANC_WRITABLE.plugins]: `exec,size=${ORTHANC_TMPFS_MIB.plugins}m,mode=0755,uid=${ORTHANC_UID},gid=${ORTHANC_UID}`,
  };
}
