import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  aeTitle,
  cidr,
  hostname,
  orthancSecretString,
  orthancSecretText,
  pinnedTag,
  port,
} from "./primitives";

/** The Orthanc release every target runs unless `orthanc:orthanc.image.tag` says otherwise. */
export const DEFAULT_ORTHANC_TAG = "26.8.1";

const modality = z.strictObject({
  /** The modality's own AE title. */
  aet: aeTitle,
  /** Host name or IP address Orthanc connects to for C-MOVE/C-STORE SCU. */
  host: z.string().min(1),
  port: port.default(104),
  /** Which DIMSE requests Orthanc accepts from this modality (all by default). */
  allowEcho: z.boolean().default(true),
  allowStore: z.boolean().default(true),
  allowFind: z.boolean().default(true),
  allowGet: z.boolean().default(true),
  allowMove: z.boolean().default(true),
});

const dicom = z.strictObject({
  /** Orthanc's DICOM (DIMSE) server. Reachable from outside only where `allowedCidrs` says. */
  enabled: z.boolean().default(true),
  aet: aeTitle.default("ORTHANC"),
  port: port.default(4242),
  /** Refuse associations whose called AE title is not ours. */
  checkCalledAet: z.boolean().default(true),
  /**
   * Accept a listed modality's AE title only from that modality's `host` (an IP address). On by
   * default where Orthanc sees clients' own addresses (aws, kubernetes); set false behind NAT or
   * a load balancer that hides them.
   */
  checkModalityHost: z.boolean().optional(),
  /**
   * Known modalities, by symbolic name. When any is given, only these AE titles may C-ECHO and
   * C-STORE (`DicomAlwaysAllowEcho`/`DicomAlwaysAllowStore` become false).
   */
  modalities: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), modality).default({}),
  /**
   * Networks that may open the DICOM port. Empty: the port is not published outside the
   * deployment (the default; DICOM then serves only peers inside it).
   */
  allowedCidrs: z.array(cidr).default([]),
});

const user = z.strictObject({
  /** Omit to have a strong password generated (read it with `pulumi stack output --show-secrets`). */
  password: orthancSecretString.optional(),
});

export const orthancSection = z.strictObject({
  image: z
    .strictObject({
      repository: z.string().min(1).default("orthancteam/orthanc"),
      tag: pinnedTag.default(DEFAULT_ORTHANC_TAG),
    })
    .prefault({}),
  /** Instance name shown in the UI and in `/system`. */
  name: z.string().min(1).max(64).default("Orthanc"),
  httpPort: port.default(8042),
  /** Orthanc processes behind one address. More than one needs PostgreSQL and shared storage. */
  replicas: z.number().int().min(1).max(20).default(1),
  dicom: dicom.prefault({}),
  plugins: z
    .strictObject({
      dicomWeb: z.boolean().default(true),
      explorer2: z.boolean().default(true),
      viewer: z.enum(["none", "stone", "ohif"]).default("stone"),
    })
    .prefault({}),
  /** The administrator account; its password is generated unless `users.<name>.password` sets it. */
  adminUser: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/)
    .default("admin"),
  /** Further HTTP basic-auth users. Each gets a generated password unless one is given. */
  users: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/), user).default({}),
  /** Browser origins allowed to call the REST/DICOMweb API (CORS), applied at the proxy/ingress. */
  corsOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
  /** Orthanc's verbose log. Never the image's VERBOSE_STARTUP, which prints secrets. */
  verboseLogs: z.boolean().default(false),
});

const externalDatabase = z.strictObject({
  host: z.string().min(1),
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

/** What every target understands of `orthanc:database`; targets extend it. */
export const databaseBase = {
  /** `postgresql` (index in PostgreSQL, the default) or `sqlite` (single replica, test only). */
  engine: z.enum(["postgresql", "sqlite"]).default("postgresql"),
  /** PostgreSQL major version for a database this program creates. */
  version: z.enum(["14", "15", "16", "17"]).default("16"),
  /** Use a database that exists already instead of creating one. */
  external: externalDatabase.optional(),
  /** Orthanc's `IndexConnectionsCount` per replica; sized from the server's limit when omitted. */
  connectionsPerReplica: z.number().int().min(1).max(100).optional(),
};

const s3Location = z.strictObject({
  /** Bucket name. For the AWS target it is created when omitted. */
  bucket: z.string().min(3).max(63).optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as `eu-west-1`" })
    .optional(),
  /** S3-compatible endpoint (MinIO, Ceph…); omit for AWS S3. */
  endpoint: z.url().optional(),
  /**
   * Key prefix inside the bucket, a folder: `/` is appended when missing, so that Orthanc's
   * objects and the database backups agree on it. A leading `/` makes the S3 plugin refuse to load.
   */
  prefix: z
    .string()
    .regex(/^(?![/])[A-Za-z0-9!_.*'()/-]*$/, {
      error:
        "must be a key prefix such as `orthanc/`: no leading `/` (the S3 plugin refuses to load with one) and only letters, digits and `! _ . * ' ( ) / -`",
    })
    .refine((p) => !p.includes("//"), { error: "must not contain `//` (an empty folder name)" })
    .transform((p) => (p && !p.endsWith("/") ? `${p}/` : p))
    .default(""),
  /**
   * Static access keys, only for hosts without an AWS role (a Docker host outside AWS, an
   * S3-compatible server). On AWS the instance, task or pod role is used instead.
   */
  accessKeyId: z
    .string()
    .regex(/^[A-Z0-9]{16,128}$/, { error: "must be an access key id such as `AKIA...`" })
    .optional(),
  secretAccessKey: orthancSecretString.optional(),
});

/** What every target understands of `orthanc:storage`; targets narrow `kind`. */
export const storageBase = {
  s3: s3Location.optional(),
  /**
   * Orthanc's client-side storage encryption (S3 only). The master key is generated once,
   * protected, and delivered to the container as a file. It cannot be turned on for existing files.
   */
  encryption: z.boolean().default(false),
};

export const keysSection = z.strictObject({
  /** Use this customer-managed KMS key instead of creating one. */
  kmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
      error: "must be a KMS key or alias ARN",
    })
    .optional(),
  /** Waiting period before a deleted key is destroyed. */
  deletionWindowDays: z.number().int().min(7).max(30).default(30),
});

export const dnsSection = z.strictObject({
  /** Route 53 hosted zone id that holds `name`. */
  zoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, {
      error: "must be a Route 53 hosted zone id such as `Z0123456789ABC`",
    })
    .optional(),
  /** Public name of the web endpoint, e.g. `pacs.example.org`. */
  name: hostname.optional(),
  /**
   * Public name of the DICOM endpoint. Defaults to `name` on Docker (one host) and to
   * `dicom.<name>` on AWS (a balancer of its own).
   */
  dicomName: hostname.optional(),
  /**
   * Create a hosted zone for `name` (aws target) instead of using `zoneId`. Delegate it from the
   * parent zone with the `nameServers` output; the certificate is issued once that is done.
   */
  createZone: z.boolean().default(false),
});

export const tlsSection = z.strictObject({
  /** HTTPS on the public endpoint. Defaults to on whenever `orthanc:dns.name` is set. */
  enabled: z.boolean().optional(),
  /** Contact address for Let's Encrypt (Docker target) expiry notices. */
  acmeEmail: z.email().optional(),
  /** Use Let's Encrypt's staging CA (untrusted certificates, no rate limits) for trials. */
  staging: z.boolean().default(false),
});

export const registrySection = z.strictObject({
  /**
   * A registry that mirrors Docker Hub (a Harbor proxy-cache project, a Nexus Docker proxy, an
   * ECR pull-through cache): every image is then pulled as `<mirror>/<namespace>/<name>:<tag>`,
   * official images under `library/`. An image named with a registry host of its own is kept.
   */
  mirror: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$/, {
      error:
        "must be a registry host with an optional port and path, without scheme or trailing slash, such as `harbor.example.org/dockerhub`",
    })
    .optional(),
});
