import { z } from "zod";
import type { ConfigIssue } from "../errors";
import {
  accessLogRetentionDays,
  cidr,
  coversInternet,
  logRetentionDays,
  pinnedTag,
  port,
  publicBlocks,
  secretString,
} from "../primitives";
import { rule } from "../rule";
import { tlsOn } from "./tls";
import { isLoopbackCidr } from "../../../components/shared/cidr";
import { POSTGRES_TAGS } from "../../../components/shared/images";
import { DOCKER_MEMORY_MIB, ORTHANC_MIN_MEMORY_MIB } from "../../../components/docker/limits";
import { awsRegion } from "../platform/awsRegions";
import { x86InstanceType } from "../platform/ec2";

/** A container's memory limit in MiB, from `min` (what it needs to start and work) to 256 GiB. */
const memoryMiB = (min: number) => z.number().int().min(min).max(262144);

const dockerVm = z.strictObject({
  region: awsRegion(),
  instanceType: x86InstanceType.default("t3.large"),
  rootVolumeGiB: z.number().int().min(20).default(30),
  /** Separate encrypted EBS volume that holds every Docker volume (DICOM files, database, backups). */
  dataVolumeGiB: z.number().int().min(10).default(200),
  /** Place the VM in this VPC/subnet; a small VPC with one public subnet is created otherwise. */
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/)
    .optional(),
  subnetId: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/)
    .optional(),
  /**
   * Networks allowed to SSH in. The Docker provider deploys over SSH, so the deploying machine's
   * network must be here; administrators can also use SSM Session Manager (no SSH needed).
   */
  sshAllowedCidrs: z.array(cidr).default([]),
  /**
   * The explicit yes to SSH open to the internet (a block of `sshAllowedCidrs` as wide as a /0
   * to a /7), e.g. for a deployer without a fixed address.
   */
  allowPublicSsh: z.boolean().default(false),
  /** Networks allowed to reach HTTP/HTTPS. Let's Encrypt's HTTP-01 check needs port 80 open to all. */
  webAllowedCidrs: z.array(cidr).default(["0.0.0.0/0"]),
  /**
   * The explicit yes to port 80 open to the internet while `webAllowedCidrs` restricts the web
   * endpoint: Let's Encrypt validates the certificate there (HTTP-01) from addresses it does not
   * publish. Port 80 only answers the challenge and redirects to HTTPS (443 keeps the allowlist).
   */
  allowPublicAcmeChallenge: z.boolean().default(false),
  sshPublicKey: z.string().startsWith("ssh-").optional(),
  /** SSH user the Docker provider connects as (the AMI's default user). */
  sshUser: z.string().default("admin"),
  /**
   * Days AWS Backup keeps each daily snapshot of the data volume (DICOM files, database and its
   * dumps), in a vault under the stack's key.
   */
  backupRetentionDays: z.number().int().min(1).max(36500).default(35),
  /** Days CloudWatch keeps the flow logs of the VPC this stack creates (none in `vpcId`'s). */
  logRetentionDays: logRetentionDays.default(365),
});

/** `orthanc:docker` (docker target only): the Docker host and what runs beside Orthanc on it. */
export const dockerSection = z.strictObject({
  /**
   * Where the containers run: `local` (this machine's engine), `ssh://user@host`,
   * `tcp://host:2376` (with `tlsCa`/`tlsCert`/`tlsKey`), or `aws-vm` (a VM this stack creates).
   */
  host: z
    .string()
    .regex(/^(local|aws-vm|ssh:\/\/[^\s]+|tcp:\/\/[^\s]+)$/, {
      error: "must be `local`, `aws-vm`, `ssh://user@host` or `tcp://host:port`",
    })
    .default("local"),
  tlsCa: secretString.optional(),
  tlsCert: secretString.optional(),
  tlsKey: secretString.optional(),
  vm: dockerVm.optional(),
  /** Host address the proxy's plain-HTTP port binds to when there is no domain. */
  bindAddress: z.ipv4().default("127.0.0.1"),
  /** Published plain-HTTP port when there is no domain (with a domain: 80 and 443). */
  httpPort: port.default(8042),
  /**
   * Days the proxy's JSON access log (`/data/access.log` in the `proxy-data` volume) keeps its
   * rolled files.
   */
  accessLogRetentionDays: accessLogRetentionDays.default(365),
  images: z
    .strictObject({
      /** The official image's tag, of the major `database.version` names (`16.10-bookworm`). */
      postgres: pinnedTag.optional(),
      caddy: pinnedTag.default("2.10.2-alpine"),
      awsCli: pinnedTag.default("2.22.0"),
      /** HAProxy: the DICOM gate that enforces `orthanc.dicom.allowedCidrs` beyond loopback. */
      haproxy: pinnedTag.default("3.2.4-alpine"),
    })
    .prefault({}),
  /**
   * Memory limit of each container, in MiB, with no swap beyond it: a container that outgrows it
   * is killed and restarted alone instead of starving the others and the host. Orthanc's (each
   * replica's) also holds its tmpfs folders (/tmp and the plugin folder).
   */
  resources: z
    .strictObject({
      orthancMemoryMiB: memoryMiB(ORTHANC_MIN_MEMORY_MIB).default(DOCKER_MEMORY_MIB.orthanc),
      postgresMemoryMiB: memoryMiB(512).default(DOCKER_MEMORY_MIB.postgres),
      proxyMemoryMiB: memoryMiB(64).default(DOCKER_MEMORY_MIB.proxy),
      dicomGateMemoryMiB: memoryMiB(32).default(DOCKER_MEMORY_MIB.dicomGate),
      /** The `pg_dump` container and, with `backup.copyToS3`, the copy to S3. */
      backupMemoryMiB: memoryMiB(128).default(DOCKER_MEMORY_MIB.backup),
    })
    .prefault({}),
  backup: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Hours between `pg_dump` runs. */
      intervalHours: z.number().int().min(1).max(168).default(24),
      retentionDays: z.number().int().min(1).max(3650).default(14),
      /**
       * Also copy every dump to the S3 bucket of `storage.s3` (under `<prefix>backups/`), off the
       * host. Give that prefix a lifecycle rule for retention there.
       */
      copyToS3: z.boolean().default(false),
    })
    .prefault({}),
});

const TLS_CLIENT_KEYS = ["tlsCa", "tlsCert", "tlsKey"] as const;

/** A port the Docker host publishes, on which address, and the key that decides it. */
interface Published {
  port: number;
  ip: string;
  key: string;
  what: string;
}

/** Two bindings clash on one port when one is on all addresses or both on the same one. */
const clash = (a: Published, b: Published) =>
  a.port === b.port && (a.ip === "0.0.0.0" || b.ip === "0.0.0.0" || a.ip === b.ip);

const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;

/** The rules that guard `orthanc:docker`. */
export const dockerRules = [
  // What the host publishes (see OrthancDocker): the proxy's 80 and 443 with a domain, else its
  // plain-HTTP port on bindAddress; DICOM on 127.0.0.1 (loopback list) or 0.0.0.0 (the gate).
  rule(
    { sections: ["orthanc", "docker", "dns", "tls"], targets: ["docker"] },
    ({ orthanc, docker, dns, tls }) => {
      const domain = (tls.enabled ?? dns.name !== undefined) ? dns.name : undefined;
      const published: Published[] = domain
        ? [80, 443].map((p) => ({
            port: p,
            ip: "0.0.0.0",
            key: "orthanc:dns.name",
            what: `the HTTPS proxy's port ${p} (published on every address with a domain)`,
          }))
        : [
            {
              port: docker.httpPort,
              ip: docker.bindAddress,
              key: "orthanc:docker.httpPort",
              what: `the plain-HTTP port on ${docker.bindAddress}`,
            },
          ];
      const cidrs = orthanc.dicom.allowedCidrs;
      if (orthanc.dicom.enabled && cidrs.length) {
        const ip = cidrs.every(isLoopbackCidr) ? "127.0.0.1" : "0.0.0.0";
        published.push({
          port: orthanc.dicom.port,
          ip,
          key: "orthanc:orthanc.dicom.port",
          what: `the DICOM port (published on ${ip})`,
        });
      }
      const issues: ConfigIssue[] = [];
      published.forEach((a, i) =>
        published.slice(i + 1).forEach((b) => {
          if (!clash(a, b)) return;
          const free = [4242, 11112, 8042, 8080, 8443].find(
            (p) => !published.some((x) => x.port === p),
          );
          issues.push({
            key: b.key,
            message:
              `${b.what} is ${b.port}, the same host port as ${a.what} (\`${a.key}\`): Docker cannot publish both. ` +
              `Fix: \`pulumi config set --path '${b.key === "orthanc:dns.name" ? a.key : b.key}' ${free}\`.`,
          });
        }),
      );
      return issues;
    },
  ),

  // The postgres container's image is the major the database was made with.
  rule({ sections: ["database", "docker"], targets: ["docker"] }, ({ database, docker }) => {
    const tag = docker.images.postgres;
    if (!tag || database.engine !== "postgresql" || database.external || tag.startsWith("sha256:"))
      return undefined;
    const major = /^(\d+)(?:[._-]|$)/.exec(tag)?.[1];
    if (major === database.version) return undefined;
    const canSwitch = major !== undefined && major in POSTGRES_TAGS;
    return {
      key: "orthanc:docker.images.postgres",
      message:
        (major === undefined
          ? `got ${JSON.stringify(tag)}, which names no PostgreSQL major version`
          : `got ${JSON.stringify(tag)}, PostgreSQL ${major}, but \`orthanc:database.version\` is ${database.version}`) +
        `: a PostgreSQL data directory only opens with the major that created it. Allowed: a tag of the official image starting with ${database.version} (such as \`${POSTGRES_TAGS[database.version]}\`). ` +
        `Fix: \`pulumi config set --path 'orthanc:docker.images.postgres' ${POSTGRES_TAGS[database.version]}\`` +
        (canSwitch
          ? `, or for a new database \`pulumi config set --path 'orthanc:database.version' ${major}\``
          : "") +
        ".",
    };
  }),

  rule({ sections: ["storage", "docker"], targets: ["docker"] }, ({ storage, docker }) =>
    docker.backup.copyToS3 && storage.kind !== "s3"
      ? {
          key: "orthanc:docker.backup.copyToS3",
          message: `copies dumps to the bucket of \`orthanc:storage.s3\`, but storage.kind is ${storage.kind}. Fix: use S3 storage, or set copyToS3 to false.`,
        }
      : undefined,
  ),

  rule({ sections: ["docker"], targets: ["docker"] }, ({ docker }) => {
    const issues: ConfigIssue[] = [];
    if (docker.host === "aws-vm" && !docker.vm) {
      issues.push({
        key: "orthanc:docker.vm",
        message: `is required when \`orthanc:docker.host\` is aws-vm (at least its region). Fix: \`pulumi config set --path 'orthanc:docker.vm.region' eu-west-1\`.`,
      });
    }
    if (docker.vm && docker.host !== "aws-vm") {
      issues.push({
        key: "orthanc:docker.vm",
        message: `is set but \`orthanc:docker.host\` is ${JSON.stringify(docker.host)}. Fix: set host to aws-vm, or remove the vm section.`,
      });
    }
    if (docker.vm?.subnetId && !docker.vm.vpcId) {
      issues.push({
        key: "orthanc:docker.vm.subnetId",
        message: `needs \`orthanc:docker.vm.vpcId\` (the VPC the subnet is in). Fix: set vpcId too.`,
      });
    }
    if (docker.vm && docker.host === "aws-vm" && !docker.vm.sshAllowedCidrs.length) {
      issues.push({
        key: "orthanc:docker.vm.sshAllowedCidrs",
        message:
          `is empty, but the Docker provider deploys onto the VM over SSH. ` +
          `Fix: add the deploying machine's network, e.g. \`pulumi config set --path 'orthanc:docker.vm.sshAllowedCidrs[0]' 198.51.100.7/32\`.`,
      });
    }
    if (docker.vm?.sshAllowedCidrs.length && !docker.vm.sshPublicKey) {
      issues.push({
        key: "orthanc:docker.vm.sshPublicKey",
        message: `is required when sshAllowedCidrs opens SSH. Fix: set it to your public key (ssh-ed25519 ...).`,
      });
    }
    const tlsParts = TLS_CLIENT_KEYS.filter((k) => docker[k] !== undefined);
    if (tlsParts.length && !docker.host.startsWith("tcp://")) {
      issues.push({
        key: `orthanc:docker.${tlsParts[0]}`,
        message: `TLS client material is only used with a tcp:// host, got host ${JSON.stringify(docker.host)}. Fix: remove it.`,
      });
    } else if (Boolean(docker.tlsCert) !== Boolean(docker.tlsKey)) {
      const missing = docker.tlsCert ? "tlsKey" : "tlsCert";
      issues.push({
        key: `orthanc:docker.${missing}`,
        message:
          `is missing: a client certificate and its key come together (\`orthanc:docker.tlsCert\` and \`orthanc:docker.tlsKey\`). ` +
          `Fix: \`pulumi config set --secret --path 'orthanc:docker.${missing}' < ${missing === "tlsKey" ? "key" : "cert"}.pem\`, or remove the other.`,
      });
    }
    return issues;
  }),

  // SSH to the VM is for the deployer and administrators: the internet needs an explicit yes.
  rule({ sections: ["docker"], targets: ["docker"] }, ({ docker }) => {
    const vm = docker.vm;
    const wide = vm && docker.host === "aws-vm" ? publicBlocks(vm.sshAllowedCidrs) : [];
    return wide.length && !vm!.allowPublicSsh
      ? {
          key: "orthanc:docker.vm.sshAllowedCidrs",
          message:
            `opens SSH (port 22) on the VM to the internet (${wide.join(", ")}: a /0 to a /7 block), where it is scanned and ` +
            `brute-forced at once. Fix: list the deploying machine's network instead (e.g. 198.51.100.7/32; administrators can ` +
            `use SSM Session Manager), or accept the exposure explicitly with ` +
            `\`pulumi config set --path 'orthanc:docker.vm.allowPublicSsh' true\`.`,
        }
      : undefined;
  }),

  // Flow logs are only created for the VPC this program creates; an existing VPC's are its owner's.
  rule({ sections: ["docker"], targets: ["docker"] }, ({ docker }, _target, given) =>
    docker.vm?.vpcId && docker.vm.subnetId && given("docker.vm.logRetentionDays")
      ? {
          key: "orthanc:docker.vm.logRetentionDays",
          message:
            `sets the retention of the flow logs of the VPC this stack creates, but the VM goes into the existing ` +
            `${docker.vm.vpcId} (\`orthanc:docker.vm.vpcId\`), whose flow logs are its owner's to set up: it would do nothing. ` +
            `Fix: ${rm("orthanc:docker.vm.logRetentionDays")}.`,
        }
      : undefined,
  ),

  // Caddy obtains the certificate with the HTTP-01 challenge on port 80, from the internet.
  rule({ sections: ["docker", "tls", "dns"], targets: ["docker"] }, ({ docker, tls, dns }) => {
    const vm = docker.vm;
    if (!vm || docker.host !== "aws-vm" || !tlsOn(tls, dns) || !dns.name) return undefined;
    if (coversInternet(vm.webAllowedCidrs) || vm.allowPublicAcmeChallenge) return undefined;
    return {
      key: "orthanc:docker.vm.webAllowedCidrs",
      message:
        `restricts ports 80 and 443 to ${JSON.stringify(vm.webAllowedCidrs)}, but Let's Encrypt validates ${dns.name}'s ` +
        `certificate on port 80 (HTTP-01) from addresses it does not publish: no certificate would be issued or renewed. ` +
        `Fix: open port 80 alone to the internet (it only answers the challenge and redirects to HTTPS; 443 keeps this list) with ` +
        `\`pulumi config set --path 'orthanc:docker.vm.allowPublicAcmeChallenge' true\`, or ${rm("orthanc:docker.vm.webAllowedCidrs")} (the default opens both to all).`,
    };
  }),

  // With a domain, the proxy publishes 80 and 443 on every interface: these keys are unused.
  rule(
    { sections: ["docker", "tls", "dns"], targets: ["docker"] },
    ({ tls, dns }, _target, given) =>
      tlsOn(tls, dns)
        ? (["bindAddress", "httpPort"] as const)
            .filter((leaf) => given(`docker.${leaf}`))
            .map((leaf) => ({
              key: `orthanc:docker.${leaf}`,
              message:
                `applies to plain HTTP without a domain, but \`orthanc:dns.name\` is set, so the proxy serves HTTPS on ports ` +
                `80 and 443 of every interface and this would do nothing. Fix: ${rm(`orthanc:docker.${leaf}`)}.`,
            }))
        : undefined,
  ),

  // The PostgreSQL container and its backups exist only when this program runs the database.
  rule(
    { sections: ["docker", "database"], targets: ["docker"] },
    ({ database }, _target, given) => {
      const why = database.external
        ? "`orthanc:database.external` is set (this program runs no PostgreSQL container)"
        : database.engine === "sqlite"
          ? "`orthanc:database.engine` is sqlite (no PostgreSQL container, no dump)"
          : undefined;
      if (!why) return undefined;
      return [
        "images.postgres",
        "resources.postgresMemoryMiB",
        "resources.backupMemoryMiB",
        "backup.enabled",
        "backup.intervalHours",
        "backup.retentionDays",
        "backup.copyToS3",
      ]
        .filter((leaf) => given(`docker.${leaf}`))
        .map((leaf) => ({
          key: `orthanc:docker.${leaf}`,
          message:
            `applies to the PostgreSQL container this program runs, but ${why}, so it would do nothing. ` +
            `Fix: ${rm(`orthanc:docker.${leaf}`)}` +
            (database.external ? "; back up the external database where it runs." : "."),
        }));
    },
  ),
];
