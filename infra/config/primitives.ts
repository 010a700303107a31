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

/** One PEM block of `label`, base64 body; the body is never quoted in a message. */
const pemBlocks = (text: string, label: string) =>
  text.match(
    new RegExp(`-----BEGIN ${label}-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END ${label}-----`, "g"),
  ) ?? [];

/**
 * One or more PEM certificates (a server certificate with its chain, or a bundle of CAs), and
 * nothing else: a private key pasted here would be refused as secret material in a plain key.
 */
export const pemCertificates = z.string().refine(
  (v) =>
    pemBlocks(v, "CERTIFICATE").length > 0 &&
    pemBlocks(v, "CERTIFICATE")
      .reduce((rest, b) => rest.replace(b, ""), v)
      .trim() === "",
  {
    error:
      "must be PEM certificates, each `-----BEGIN CERTIFICATE-----` ... `-----END CERTIFICATE-----`, and nothing else (value not shown)",
  },
);

/**
 * An unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), as Orthanc reads it without a
 * passphrase; secret from the moment it is parsed.
 */
export const pemPrivateKey = secretText
  .refine(
    (v) =>
      ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"].some((label) => {
        const blocks = pemBlocks(v, label);
        return blocks.length === 1 && v.replace(blocks[0], "").trim() === "";
      }),
    {
      error:
        "must be one unencrypted PEM private key (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`) and nothing else; Orthanc cannot read a key with a passphrase (value not shown)",
    },
  )
  .transform((value) => pulumi.secret(value));

/**
 * Names of the config fields that hold secrets (parsed with `secretString`, or, in Orthanc's own
 * settings, a password or a proxy URL that may carry one); never printed, and refused in plain
 * text.
 */
export const SECRET_FIELD = /password|secretAccessKey|tls(Ca|Cert|Key)|privateKey|httpProxy/i;

/** Names of the config fields that take PEM certificates: public, so allowed in plain text. */
export const CERTIFICATE_FIELD = /^(certificate|clientCertificates)$/;

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

/** Days a CloudWatch log group can keep its events (the values CloudWatch Logs accepts). */
export const logRetentionDays = z.literal([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
]);

/**
 * Days an access trail is kept: 30 at least (an audit trail of patient data shorter than a month
 * is no trail), 3653 (ten years) at most.
 */
export const accessLogRetentionDays = z.number().int().min(30).max(3653);

const ipv4 = z.ipv4();

/** An IPv4 address as a 32-bit number. */
function ipv4Number(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The first address and size of a CIDR block already known to be valid. */
export function cidrRange(block: string): { first: number; size: number; prefix: number } {
  const [address, bits] = block.split("/");
  const prefix = Number(bits);
  return { first: ipv4Number(address), size: 2 ** (32 - prefix), prefix };
}

/** Whether the blocks together cover every IPv4 address (the whole internet). */
export function coversInternet(blocks: readonly string[]): boolean {
  const ranges = blocks.map(cidrRange).sort((a, b) => a.first - b.first);
  let next = 0;
  for (const r of ranges) {
    if (r.first > next) return false;
    next = Math.max(next, r.first + r.size);
  }
  return next >= 2 ** 32;
}

/** Blocks this wide (a /0 to a /7: 33 million addresses and more) are "the internet". */
export const PUBLIC_PREFIX_BELOW = 8;

/** The blocks of a list that open a port to the internet (a /0 to a /7). */
export const publicBlocks = (blocks: readonly string[]) =>
  blocks.filter((b) => cidrRange(b).prefix < PUBLIC_PREFIX_BELOW);

/**
 * An IPv4 CIDR block, written as its network address: a lone address (`10.0.0.5`) is refused
 * with its `/32`, a block with host bits set (`10.20.1.0/16`) with its network address, since
 * AWS refuses the one and silently widens or narrows the other depending on the service.
 */
export const cidr = z
  .string({ error: "must be an IPv4 CIDR block such as `10.0.0.0/16`" })
  .superRefine((value, ctx) => {
    const issue = (message: string, example?: string) =>
      ctx.addIssue({ code: "custom", message, input: value, params: { example } });
    if (/[,;\s]/.test(value.trim()))
      return issue("must be one CIDR block: give each block as a list item of its own");
    if (ipv4.safeParse(value).success)
      return issue(
        `must be a CIDR block with a mask: one address is \`${value}/32\``,
        `${value}/32`,
      );
    if (!z.cidrv4().safeParse(value).success)
      return issue("must be an IPv4 CIDR block such as `10.0.0.0/16`");
    const { first, prefix } = cidrRange(value);
    const network = first - (first % 2 ** (32 - prefix));
    if (network !== first) {
      const block = `${ipv4Text(network)}/${prefix}`;
      return issue(
        `has host bits set: the network of this /${prefix} block is \`${block}\` (for the one address, \`${value.split("/")[0]}/32\`)`,
        block,
      );
    }
  });

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

// Labels of letters, digits, `-` (and `_`, which some hospital networks' names carry).
const HOST_NAME =
  /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/** What was wrong with a value that should be a bare host name or address. */
export type HostShape =
  | { kind: "host" }
  /** `scheme://...`: its parts, never the raw text (it may carry a password). */
  | {
      kind: "url";
      scheme: string;
      host?: string;
      port?: string;
      path?: string;
      username?: string;
      /** A password in the user info or the query: the value must never be echoed. */
      credentials: boolean;
    }
  | { kind: "hostPort"; host: string; port: string }
  | { kind: "invalid" };

/**
 * Classifies a value meant to be a bare host (a DNS name, IPv4 or IPv6 address): a URL or a
 * `host:port` is a common way to get it wrong, and each gets its own fix.
 */
export function hostShape(value: string): HostShape {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  if (scheme) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const credentials = /@/.test(value.slice(scheme[0].length)) || /password/i.test(value);
    return {
      kind: "url",
      scheme: scheme[1].toLowerCase(),
      host: url?.hostname.replace(/^\[|\]$/g, "") || undefined,
      port: url?.port || undefined,
      path: url
        ? decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, "")) || undefined
        : undefined,
      username: url?.username ? decodeURIComponent(url.username) : undefined,
      credentials,
    };
  }
  const hostPort = /^([^:/\s]+):(\d{1,5})$/.exec(value);
  if (hostPort) return { kind: "hostPort", host: hostPort[1], port: hostPort[2] };
  if (HOST_NAME.test(value) || z.ipv6().safeParse(value).success) return { kind: "host" };
  return { kind: "invalid" };
}
