import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/**
 * A secret config value. It is wrapped in `pulumi.secret` the moment it is parsed, so it stays
 * encrypted in state and masked in every output it flows into.
 */
const secretText = z
  .string({ error: "must be a non-empty string (set it with `pulumi config set --secret`)" })
  .min(1, { error: "must not be empty" });

export const secretString = secretText.transform((value) => pulumi.secret(value));

/**
 * A secret that Orthanc reads from its configuration (a password, an S3 key). The image's
 * envsubst is defeated by the renderer's `\u0024` escape, but Orthanc then expands `${NAME}` in
 * the configuration the image assembled, and offers no escape for it: such a value would reach
 * Orthanc changed (measured on a real engine: `${HOME}` became the container's home).
 */
export const orthancSecretText = secretText.refine((v) => !v.includes("${"), {
  error:
    "must not contain `${`: Orthanc expands `${NAME}` in its configuration as an environment variable, with no escape, so it would receive another value (a lone `$` is fine)",
});

export const orthancSecretString = orthancSecretText.transform((value) => pulumi.secret(value));

/** Names of the config fields that hold secrets (parsed with `secretString`); never printed. */
export const SECRET_FIELD = /password|secretAccessKey|tls(Ca|Cert|Key)/i;

/** An image tag that names one release: `latest` or an empty tag would move under a running PACS. */
export const pinnedTag = z
  .string()
  .regex(/^(?!latest$)(?!stable$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$|^sha256:[a-f0-9]{64}$/, {
    error: "must be a pinned release tag such as `26.8.1` (not `latest` or `stable`)",
  });

/** DICOM application entity title: 1-16 characters of the default character repertoire, no backslash. */
export const aeTitle = z
  .string()
  .regex(/^[A-Z0-9 _.-]{1,16}$/, {
    error: "must be 1-16 characters: upper-case letters, digits, space, `_`, `.` or `-`",
  })
  .refine((v) => v.trim().length > 0, { error: "must not be blank" });

export const port = z
  .number({ error: "must be a TCP port number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be between 1 and 65535" })
  .max(65535, { error: "must be between 1 and 65535" });

export const cidr = z.cidrv4({ error: "must be an IPv4 CIDR block such as `10.0.0.0/16`" });

/** A DNS name such as `pacs.example.org` (no scheme, no trailing dot). */
export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "must be a lower-case DNS name such as `pacs.example.org`",
  });

/** A name usable in resource names, Docker/Kubernetes objects and DB identifiers. */
export const simpleName = z.string().regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
  error: "must be 2-32 characters: lower-case letters, digits and `-`, starting with a letter",
});
