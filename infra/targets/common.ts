import * as pulumi from "@pulumi/pulumi";
import { DockerConfig, KubernetesConfig, OrthancConfig } from "../config";
import { dicomHostName, dicomTlsOn } from "../config/sections/orthanc";
import { CREDENTIAL_SETTINGS } from "../config/sections/orthancSettings";
import type { JsonObject } from "../../components/shared/orthancConfig";
import { SECRET_FIELD } from "../config/primitives";
import type { AccessControlArgs } from "../../components/shared/accessControl";
import {
  DicomTlsArgs,
  imageReference,
  S3StorageArgs,
  throughMirror,
} from "../../components/shared";

/** An image as this stack pulls it: pinned, and through `registry.mirror` when one is set. */
export function pulledImage(cfg: OrthancConfig, repository: string, tag: string): string {
  return throughMirror(imageReference(repository, tag), cfg.registry.mirror);
}

/** Every component's name prefix; its resources are named after it. */
export const rootName = () => `orthanc-${pulumi.getStack()}`;

/** Where S3 storage is when the stack names no region (the Docker and Kubernetes targets). */
export const DEFAULT_S3_REGION = "us-east-1";

/**
 * The networks DICOM is published to; empty: not published at all. Decided here once for every
 * target (each component publishes exactly when this is non-empty).
 */
export const dicomPublishedTo = (cfg: OrthancConfig): string[] =>
  cfg.orthanc.dicom.enabled ? cfg.orthanc.dicom.allowedCidrs : [];

/**
 * Whether DICOM is served over TLS, decided here once for every target (`dicomTlsOn` holds the
 * rule, which the config rules share): the switch when given (or the deprecated
 * `aws.dicomTls`), else on wherever DICOM is published and a certificate exists or can be made.
 */
export const dicomTlsEnabled = (cfg: OrthancConfig): boolean =>
  dicomTlsOn(cfg, cfg.target, cfg.target === "aws" ? cfg.aws.dicomTls : undefined);

/**
 * Orthanc's own DICOM TLS (docker, kubernetes) as the components take it; undefined: off. The
 * certificate is the one given, else one the target makes for the DICOM host name.
 */
export function dicomTlsArgs(cfg: DockerConfig | KubernetesConfig): DicomTlsArgs | undefined {
  if (!dicomTlsEnabled(cfg)) return undefined;
  const t = cfg.orthanc.dicom.tls;
  return {
    provided:
      t.certificate && t.privateKey
        ? { certificate: t.certificate, privateKey: t.privateKey }
        : undefined,
    hostName: dicomHostName(cfg.dns, cfg.target),
    clientCertificates: t.clientCertificates,
  };
}

/** The `orthanc` section as every target's root component takes it. */
export function orthancArgs(cfg: OrthancConfig) {
  const o = cfg.orthanc;
  // The TLS section reaches the components as `dicomTlsArgs` (its key is a secret).
  const dicom: Omit<typeof o.dicom, "tls"> & { tls?: unknown } = { ...o.dicom };
  delete dicom.tls;
  return {
    name: o.name,
    httpPort: o.httpPort,
    replicas: o.replicas,
    dicom,
    plugins: o.plugins,
    verboseLogs: o.verboseLogs,
    image: pulledImage(cfg, o.image.repository, o.image.tag),
    adminUser: o.adminUser,
    users: o.users,
    corsOrigins: o.corsOrigins,
    dicomAllowedCidrs: dicomPublishedTo(cfg),
    ...splitSettings(o.settings),
    peers: o.peers,
    dicomWebServers: o.dicomWebServers,
  };
}

/** Whether a setting's value holds a secret somewhere (a password, a proxy URL). */
const holdsSecret = (key: string, value: unknown): boolean =>
  SECRET_FIELD.test(key) ||
  (Array.isArray(value) && value.some((v) => holdsSecret("", v))) ||
  (typeof value === "object" &&
    value !== null &&
    Object.entries(value).some(([k, v]) => holdsSecret(k, v)));

/**
 * The stack's own settings, split: those that may carry a credential go, as a secret, to the
 * credentials document only; the rest into orthanc.json.
 */
function splitSettings(settings: Record<string, unknown>) {
  const secret = (key: string, value: unknown) =>
    (CREDENTIAL_SETTINGS as readonly string[]).includes(key) || holdsSecret(key, value);
  const entries = Object.entries(settings);
  const hidden = entries.filter(([k, v]) => secret(k, v));
  return {
    settings: Object.fromEntries(entries.filter(([k, v]) => !secret(k, v))),
    secretSettings: hidden.length
      ? pulumi.secret(Object.fromEntries(hidden)).apply((v) => v as JsonObject)
      : undefined,
  };
}

/**
 * S3 storage of the Docker and Kubernetes targets as their components take it. The schema
 * requires the bucket (and static keys where no role exists) whenever kind is s3.
 */
export function s3StorageArgs(
  storage: (DockerConfig | KubernetesConfig)["storage"],
  defaultRegion: string,
): S3StorageArgs {
  const s3 = storage.s3;
  return {
    kind: "s3",
    bucket: s3!.bucket!,
    region: s3?.region ?? defaultRegion,
    endpoint: s3?.endpoint,
    prefix: s3?.prefix ?? "",
    encryption: storage.encryption,
    accessKeyId: s3?.accessKeyId,
    secretAccessKey: s3?.secretAccessKey,
  };
}

/** HTTPS where the user asks for it, and by default wherever the deployment has a name. */
export const tlsEnabled = (cfg: OrthancConfig) => cfg.tls.enabled ?? cfg.dns.name !== undefined;

/**
 * Access control as the docker and kubernetes components take it; undefined: off. Browsers reach
 * Orthanc (and Keycloak under /keycloak) at the public HTTPS name, or, for a trial on a Docker
 * host's loopback (the only plain HTTP the config accepts), at `http://localhost:<port>`.
 */
export function accessControlArgs(
  cfg: DockerConfig | KubernetesConfig,
  postgresTag: string,
): AccessControlArgs | undefined {
  const a = cfg.accessControl;
  if (!a.enabled) return undefined;
  const publicUrl =
    tlsEnabled(cfg) && cfg.dns.name
      ? `https://${cfg.dns.name}`
      : cfg.target === "docker"
        ? // As browsers write it: port 80 is left out (Keycloak compares redirect URIs as text).
          `http://localhost${cfg.docker.httpPort === 80 ? "" : `:${cfg.docker.httpPort}`}`
        : undefined;
  if (!publicUrl) throw new Error("unchecked config: access control without a public URL");
  return {
    publicUrl,
    displayName: cfg.orthanc.name,
    roles: a.roles,
    availableLabels: a.availableLabels,
    firstAdmin: a.firstAdmin,
    shares: { enabled: a.shares, viewer: cfg.orthanc.plugins.viewer },
    apiKeys: a.apiKeys,
    requirePkce: a.requirePkce,
    images: {
      keycloak: pulledImage(cfg, a.images.keycloak.repository, a.images.keycloak.tag),
      authService: pulledImage(cfg, a.images.authService.repository, a.images.authService.tag),
      postgres: pulledImage(cfg, "postgres", postgresTag),
    },
  };
}
