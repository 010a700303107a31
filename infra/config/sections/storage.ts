import { z } from "zod";
import type { ConfigIssue } from "../errors";
import { orthancSecretString } from "../primitives";
import { rule } from "../rule";
import { regionProblem } from "../platform/awsRegions";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket a URL or ARN names (`s3://b/x`, `https://b.s3.eu-west-1.amazonaws.com`, ...). */
function bucketIn(value: string): { bucket?: string; endpoint?: string } {
  const arn = /^arn:aws[a-z-]*:s3:::([^/]*)/.exec(value);
  if (arn) return { bucket: arn[1] };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {};
  }
  const firstSegment = url.pathname.split("/").filter(Boolean)[0];
  if (url.protocol === "s3:") return { bucket: url.hostname || firstSegment };
  const virtualHosted = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/.exec(url.hostname);
  if (virtualHosted) return { bucket: virtualHosted[1] };
  if (/(^|\.)amazonaws\.com$/.test(url.hostname)) return { bucket: firstSegment };
  // Path-style on an S3-compatible server: the server is the endpoint.
  return { bucket: firstSegment, endpoint: url.origin };
}

/**
 * A bucket name, not a URL or ARN: `s3://pacs`, `https://pacs.s3.amazonaws.com` and
 * `arn:aws:s3:::pacs` are refused with the name they hold (and the endpoint, for a server of
 * one's own).
 */
const bucketName = z.string().superRefine((value, ctx) => {
  const issue = (message: string, example?: string) =>
    ctx.addIssue({ code: "custom", message, input: value, params: { example } });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.startsWith("arn:")) {
    const { bucket, endpoint } = bucketIn(value);
    return issue(
      `must be the bucket's name alone, not a URL or ARN` +
        (bucket ? ` (this one names \`${bucket}\`)` : "") +
        (endpoint
          ? `; the server goes in \`orthanc:storage.s3.endpoint\` (\`${endpoint}\`)`
          : "; a prefix inside it goes in `orthanc:storage.s3.prefix`"),
      bucket,
    );
  }
  if (!BUCKET_NAME.test(value) || value.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(value))
    return issue(
      "must be an S3 bucket name: 3-63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit",
    );
});

/**
 * An S3-compatible server: `http(s)://host[:port]`. Without a scheme (`minio.example.org:9000`)
 * the URL parser takes the host for a scheme, and the S3 plugin cannot connect.
 */
const s3Endpoint = z.string().superRefine((value, ctx) => {
  const issue = (message: string, example?: string) =>
    ctx.addIssue({ code: "custom", message, input: value, params: { example } });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (!scheme)
    return issue(
      "needs a scheme: an endpoint is `https://host[:port]` (or `http://` for a server without TLS)",
      /\s/.test(value) ? undefined : `https://${value.replace(/\/+$/, "")}`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return issue("must be a URL such as `https://minio.example.org:9000`");
  }
  if (!/^https?:$/.test(url.protocol))
    return issue(
      `must be an http(s):// URL, not ${scheme[1]}:// (the bucket goes in \`orthanc:storage.s3.bucket\`)`,
    );
  if (url.pathname !== "/" || url.search || url.hash)
    return issue(
      "must be the server alone, `https://host[:port]`: the bucket goes in `orthanc:storage.s3.bucket`, a folder in `orthanc:storage.s3.prefix`",
      url.origin,
    );
});

const s3Location = z.strictObject({
  /** Bucket name. For the AWS target it is created when omitted. */
  bucket: bucketName.optional(),
  /** AWS S3's region (one @pulumi/aws knows), or an S3-compatible server's own region name. */
  region: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
      error: "must be a region name such as `eu-west-1`, without spaces",
    })
    .optional(),
  /** S3-compatible endpoint (MinIO, Ceph…); omit for AWS S3. */
  endpoint: s3Endpoint.optional(),
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

/** What every target understands of `orthanc:storage`; each target's variant narrows `kind`. */
const storageBase = {
  s3: s3Location.optional(),
  /**
   * Orthanc's client-side storage encryption (S3 only). The master key is generated once,
   * protected, and delivered to the container as a file. It cannot be turned on for existing files.
   */
  encryption: z.boolean().default(false),
};

/** `orthanc:storage`, as each target understands it. */
export const storageSections = {
  docker: z.strictObject({ kind: z.enum(["volume", "s3"]).default("volume"), ...storageBase }),
  aws: z.strictObject({
    kind: z.enum(["efs", "s3"]).default("efs"),
    ...storageBase,
    /** Move DICOM objects to S3 Glacier Instant Retrieval after this many days (a bucket this stack creates). */
    glacierInstantRetrievalAfterDays: z.number().int().min(30).optional(),
  }),
  kubernetes: z.strictObject({
    kind: z.enum(["pvc", "s3"]).default("pvc"),
    ...storageBase,
    /** Size of the PVC this program creates for DICOM files. */
    sizeGiB: z.number().int().min(1).default(100),
    /** ReadWriteMany (a storage class that supports it) is needed for more than one replica. */
    accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany"]).default("ReadWriteOnce"),
  }),
};

const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/** The rules that guard `orthanc:storage`. */
export const storageRules = [
  // The aws target reaches its bucket with the task role, in aws.region, on AWS S3.
  rule({ sections: ["storage"], targets: ["aws"] }, (_sections, _target, given) =>
    (["region", "endpoint", "accessKeyId", "secretAccessKey"] as const)
      .filter((leaf) => given(`storage.s3.${leaf}`))
      .map((leaf): ConfigIssue => {
        const key = `orthanc:storage.s3.${leaf}`;
        const why =
          leaf === "region"
            ? "the bucket is in `orthanc:aws.region` (a bucket in another region is not supported)"
            : leaf === "endpoint"
              ? "the aws target stores in AWS S3 (an S3-compatible server is for the docker and kubernetes targets)"
              : "the aws target reaches the bucket with the task role (no static keys)";
        return {
          key,
          message: `is not used on the aws target: ${why}. Fix: ${rm(key)}.`,
        };
      }),
  ),

  // The PVC's settings do nothing when DICOM files go to S3.
  rule({ sections: ["storage"], targets: ["kubernetes"] }, ({ storage }, _target, given) =>
    storage.kind === "s3"
      ? (["sizeGiB", "accessMode"] as const)
          .filter((leaf) => given(`storage.${leaf}`))
          .map((leaf) => ({
            key: `orthanc:storage.${leaf}`,
            message:
              `configures the PVC for DICOM files, but \`orthanc:storage.kind\` is s3, so there is none and this would do nothing. ` +
              `Fix: ${rm(`orthanc:storage.${leaf}`)}, or set storage.kind to pvc.`,
          }))
      : undefined,
  ),

  rule(
    { sections: ["orthanc", "storage", "kubernetes"], targets: ["kubernetes"] },
    ({ orthanc, storage, kubernetes }) => {
      const most = kubernetes.autoscaling?.enabled
        ? kubernetes.autoscaling.maxReplicas
        : orthanc.replicas;
      return most > 1 && storage.kind === "pvc" && storage.accessMode !== "ReadWriteMany"
        ? {
            key: "orthanc:storage.accessMode",
            message:
              `${most} replicas need shared storage, got a ReadWriteOnce PVC. ` +
              `Fix: set \`orthanc:storage.accessMode\` to ReadWriteMany (with a storage class that supports it), or storage.kind to s3.`,
          }
        : undefined;
    },
  ),

  rule({ sections: ["storage"] }, ({ storage }) =>
    storage.encryption && storage.kind !== "s3"
      ? {
          key: "orthanc:storage.encryption",
          message:
            `Orthanc storage encryption works only with object storage, got \`orthanc:storage.kind\` ${storage.kind}. ` +
            `Allowed: encryption true with kind s3. Fix: set \`orthanc:storage.kind\` to s3, or encryption to false.`,
        }
      : undefined,
  ),

  rule({ sections: ["storage"] }, ({ storage }, target) => {
    if (storage.kind !== "s3" && storage.s3) {
      return {
        key: "orthanc:storage.s3",
        message: `is set but \`orthanc:storage.kind\` is ${storage.kind}. Fix: set kind to s3, or remove the s3 section.`,
      };
    }
    // Only the AWS target creates a bucket; elsewhere the bucket must exist.
    if (storage.kind === "s3" && target !== "aws" && !storage.s3?.bucket) {
      return {
        key: "orthanc:storage.s3.bucket",
        message:
          `is required when \`orthanc:storage.kind\` is s3 on target ${target} (only the aws target creates a bucket). ` +
          `Fix: \`pulumi config set --path 'orthanc:storage.s3.bucket' my-pacs-bucket\`.`,
      };
    }
    return undefined;
  }),

  rule({ sections: ["storage", "docker"], targets: ["docker"] }, ({ storage, docker }) => {
    if (storage.kind !== "s3") return undefined;
    const keyId = storage.s3?.accessKeyId;
    if (Boolean(keyId) !== Boolean(storage.s3?.secretAccessKey)) {
      return {
        key: `orthanc:storage.s3.${keyId ? "secretAccessKey" : "accessKeyId"}`,
        message: `static S3 keys come in pairs: set both accessKeyId and secretAccessKey (--secret), or neither.`,
      };
    }
    if (docker.host !== "aws-vm" && !keyId) {
      return {
        key: "orthanc:storage.s3.accessKeyId",
        message:
          `is required for S3 on a Docker host outside AWS (only an aws-vm host has a role). ` +
          `Fix: set storage.s3.accessKeyId and, with --secret, storage.s3.secretAccessKey.`,
      };
    }
    return undefined;
  }),

  rule({ sections: ["storage"], targets: ["aws"] }, ({ storage }) =>
    storage.glacierInstantRetrievalAfterDays !== undefined &&
    (storage.kind !== "s3" || storage.s3?.bucket)
      ? {
          key: "orthanc:storage.glacierInstantRetrievalAfterDays",
          message: `applies to a bucket this stack creates (storage.kind s3 without storage.s3.bucket). Fix: remove it, or manage your own bucket's lifecycle.`,
        }
      : undefined,
  ),

  // Without an endpoint the bucket is in AWS S3: its region is one AWS has.
  rule({ sections: ["storage"] }, ({ storage }) => {
    const s3 = storage.s3;
    const problem =
      s3?.region && !s3.endpoint ? regionProblem(s3.region, { anyPartition: true }) : undefined;
    return problem
      ? {
          key: "orthanc:storage.s3.region",
          message:
            `${problem.message} (without \`orthanc:storage.s3.endpoint\` the bucket is in AWS S3); got ${JSON.stringify(s3!.region)}. ` +
            `Fix: \`pulumi config set --path 'orthanc:storage.s3.region' ${problem.example}\`, or set the endpoint of your S3-compatible server.`,
        }
      : undefined;
  }),
];
