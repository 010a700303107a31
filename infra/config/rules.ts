import { z } from "zod";
import type { ConfigIssue } from "./errors";
import type { TargetName } from "./targets";
import { RESERVED_DB_CONNECTIONS } from "../../components/shared/sizing";
import { isLoopbackCidr } from "../../components/shared/cidr";

// Rules see the parsed sections loosely typed: each one runs only when all the sections it
// names parsed, so a broken section elsewhere does not hide its message.
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Sections = Record<string, Any>;

interface Rule {
  sections: string[];
  targets?: TargetName[];
  check(c: Sections, target: TargetName): ConfigIssue | ConfigIssue[] | undefined;
}

const RESERVED_USERS = ["healthcheck"];

const rules: Rule[] = [
  {
    sections: ["orthanc", "database"],
    check: ({ orthanc, database }) =>
      orthanc.replicas > 1 && database.engine !== "postgresql"
        ? {
            key: "orthanc:orthanc.replicas",
            message:
              `${orthanc.replicas} replicas need \`orthanc:database.engine\` postgresql (SQLite allows one writer), ` +
              `got engine ${database.engine}. Fix: set \`orthanc:database.engine\` to postgresql or replicas to 1.`,
          }
        : undefined,
  },
  {
    sections: ["orthanc", "storage", "kubernetes"],
    targets: ["kubernetes"],
    check: ({ orthanc, storage, kubernetes }) => {
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
  },
  {
    sections: ["storage"],
    check: ({ storage }) =>
      storage.encryption && storage.kind !== "s3"
        ? {
            key: "orthanc:storage.encryption",
            message:
              `Orthanc storage encryption works only with object storage, got \`orthanc:storage.kind\` ${storage.kind}. ` +
              `Allowed: encryption true with kind s3. Fix: set \`orthanc:storage.kind\` to s3, or encryption to false.`,
          }
        : undefined,
  },
  {
    sections: ["storage"],
    check: ({ storage }, target) => {
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
    },
  },
  {
    sections: ["storage", "docker"],
    targets: ["docker"],
    check: ({ storage, docker }) => {
      if (storage.kind !== "s3") return undefined;
      const s3 = storage.s3 ?? {};
      if (Boolean(s3.accessKeyId) !== Boolean(s3.secretAccessKey)) {
        return {
          key: `orthanc:storage.s3.${s3.accessKeyId ? "secretAccessKey" : "accessKeyId"}`,
          message: `static S3 keys come in pairs: set both accessKeyId and secretAccessKey (--secret), or neither.`,
        };
      }
      if (docker.host !== "aws-vm" && !s3.accessKeyId) {
        return {
          key: "orthanc:storage.s3.accessKeyId",
          message:
            `is required for S3 on a Docker host outside AWS (only an aws-vm host has a role). ` +
            `Fix: set storage.s3.accessKeyId and, with --secret, storage.s3.secretAccessKey.`,
        };
      }
      return undefined;
    },
  },
  {
    sections: ["storage", "docker"],
    targets: ["docker"],
    check: ({ storage, docker }) =>
      docker.backup.copyToS3 && storage.kind !== "s3"
        ? {
            key: "orthanc:docker.backup.copyToS3",
            message: `copies dumps to the bucket of \`orthanc:storage.s3\`, but storage.kind is ${storage.kind}. Fix: use S3 storage, or set copyToS3 to false.`,
          }
        : undefined,
  },
  {
    sections: ["database"],
    check: ({ database }) =>
      database.external && database.engine !== "postgresql"
        ? {
            key: "orthanc:database.external",
            message: `an external database must be PostgreSQL, got engine ${database.engine}. Fix: remove \`orthanc:database.engine\` or the external section.`,
          }
        : undefined,
  },
  {
    sections: ["database"],
    targets: ["kubernetes"],
    check: ({ database }) =>
      database.external && database.kind === "cloudnativepg"
        ? {
            key: "orthanc:database.kind",
            message: `cloudnativepg creates a database, but \`orthanc:database.external\` is also set. Fix: remove one of them.`,
          }
        : undefined,
  },
  {
    sections: ["orthanc", "database"],
    check: ({ orthanc, database }) => {
      const max = database.external?.maxConnections;
      const per = database.connectionsPerReplica;
      if (!max || !per || per * orthanc.replicas <= max - RESERVED_DB_CONNECTIONS) return undefined;
      return {
        key: "orthanc:database.connectionsPerReplica",
        message:
          `${orthanc.replicas} replicas x ${per} connections = ${orthanc.replicas * per}, over the server's limit ` +
          `of ${max} minus ${RESERVED_DB_CONNECTIONS} reserved. Fix: lower connectionsPerReplica to at most ` +
          `${Math.max(1, Math.floor((max - RESERVED_DB_CONNECTIONS) / orthanc.replicas))}, or omit it to size it automatically.`,
      };
    },
  },
  {
    sections: ["dns"],
    check: ({ dns }, target) => {
      const issues: ConfigIssue[] = [];
      if (dns.dicomName && !dns.name) {
        issues.push({
          key: "orthanc:dns.dicomName",
          message: `needs \`orthanc:dns.name\` (the web name) too. Fix: set \`orthanc:dns.name\`.`,
        });
      }
      if (dns.zoneId && !dns.name) {
        issues.push({
          key: "orthanc:dns.zoneId",
          message: `is set but there is no name to create in it. Fix: set \`orthanc:dns.name\`, e.g. pacs.example.org.`,
        });
      }
      if (dns.createZone && (!dns.name || dns.zoneId || target !== "aws")) {
        issues.push({
          key: "orthanc:dns.createZone",
          message:
            `creates a zone for dns.name on the aws target; it needs dns.name, no dns.zoneId, and target aws ` +
            `(got name ${JSON.stringify(dns.name)}, zoneId ${JSON.stringify(dns.zoneId)}, target ${target}). Fix: adjust those keys, or remove createZone.`,
        });
      }
      if (
        dns.createZone &&
        dns.name &&
        dns.dicomName &&
        dns.dicomName !== dns.name &&
        !dns.dicomName.endsWith(`.${dns.name}`)
      ) {
        issues.push({
          key: "orthanc:dns.dicomName",
          message: `${JSON.stringify(dns.dicomName)} is outside the zone that dns.createZone makes for ${JSON.stringify(dns.name)}. Fix: use a name under ${dns.name}, or drop dicomName.`,
        });
      }
      if (dns.name && !dns.zoneId && !dns.createZone && target === "aws") {
        issues.push({
          key: "orthanc:dns.name",
          message:
            `${JSON.stringify(dns.name)} needs the Route 53 zone that holds it (for the record and certificate validation). ` +
            `Fix: \`pulumi config set --path 'orthanc:dns.zoneId' Z0123456789ABC\`, or set dns.createZone to true.`,
        });
      }
      return issues;
    },
  },
  {
    sections: ["dns", "docker"],
    targets: ["docker"],
    check: ({ dns, docker }) =>
      dns.name && !dns.zoneId && docker.host === "aws-vm"
        ? {
            key: "orthanc:dns.name",
            message:
              `${JSON.stringify(dns.name)} on an \`aws-vm\` host needs the Route 53 zone for its record. ` +
              `Fix: \`pulumi config set --path 'orthanc:dns.zoneId' Z0123456789ABC\`.`,
          }
        : undefined,
  },
  {
    // Loopback clients reach a published port through Docker's proxy, which hides their address
    // from the DICOM gate: a list is either loopback only (bound to 127.0.0.1) or networks only.
    sections: ["orthanc"],
    targets: ["docker"],
    check: ({ orthanc }) => {
      const cidrs: string[] = orthanc.dicom.allowedCidrs;
      const loopback = cidrs.filter(isLoopbackCidr);
      return loopback.length && loopback.length < cidrs.length
        ? {
            key: "orthanc:orthanc.dicom.allowedCidrs",
            message:
              `mixes loopback (${loopback.join(", ")}) with other networks; on a Docker host the list is either loopback only ` +
              `(published on 127.0.0.1) or networks only (published through the DICOM gate, which sees each client's address). ` +
              `Fix: remove ${loopback.join(", ")}; clients on this host then connect to its address in one of the listed networks.`,
          }
        : undefined;
    },
  },
  {
    // Where Orthanc compares each client's address with the modality's host (as text).
    sections: ["orthanc"],
    check: ({ orthanc }, target) => {
      const dicom = orthanc.dicom;
      const open = dicom.enabled && dicom.allowedCidrs.length > 0;
      if (target === "docker")
        return dicom.checkModalityHost && open
          ? {
              key: "orthanc:orthanc.dicom.checkModalityHost",
              message:
                `is true, but on a Docker host every association reaches Orthanc from the DICOM gate's (or Docker's proxy's) ` +
                `address, so every listed modality would be refused. Fix: \`pulumi config set --path 'orthanc:orthanc.dicom.checkModalityHost' false\`.`,
            }
          : undefined;
      if (!open || dicom.checkModalityHost === false) return undefined;
      return Object.entries(dicom.modalities as Record<string, { host: string }>)
        .filter(([, m]) => !z.ipv4().safeParse(m.host).success)
        .map(([name, m]) => ({
          key: `orthanc:orthanc.dicom.modalities.${name}.host`,
          message:
            `${JSON.stringify(m.host)} is not an IPv4 address; with DICOM open to networks on ${target}, Orthanc accepts this ` +
            `modality's AE title only from its host (checkModalityHost), comparing the client's address as text. ` +
            `Fix: give the modality's IPv4 address, or set orthanc.dicom.checkModalityHost to false (behind NAT, or a load balancer that hides client addresses).`,
        }));
    },
  },
  {
    // ECS pulls with the task execution role through the tasks' security group (443 only).
    sections: ["registry"],
    targets: ["aws"],
    check: ({ registry }) => {
      const mirror: string | undefined = registry.mirror;
      const host = mirror?.split("/")[0] ?? "";
      if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host))
        return {
          key: "orthanc:registry.mirror",
          message:
            `${JSON.stringify(mirror)} is an ECR pull-through cache, which needs ECR permissions on the task execution role that ` +
            `this program does not grant yet. Fix: use an HTTPS mirror that allows anonymous pulls on port 443, or remove registry.mirror on the aws target.`,
        };
      if (/:\d+$/.test(host) && !host.endsWith(":443"))
        return {
          key: "orthanc:registry.mirror",
          message:
            `${JSON.stringify(mirror)} names port ${host.split(":")[1]}, but ECS tasks may only reach port 443 (their security group). ` +
            `Fix: serve the mirror on 443 (e.g. behind a TLS proxy) and drop the port.`,
        };
      return undefined;
    },
  },
  {
    // AWS and Kubernetes publish DICOM on a load balancer of its own, not the web one.
    sections: ["dns", "orthanc"],
    targets: ["aws", "kubernetes"],
    check: ({ dns, orthanc }, target) =>
      dns.name &&
      dns.dicomName === dns.name &&
      orthanc.dicom.enabled &&
      orthanc.dicom.allowedCidrs.length
        ? {
            key: "orthanc:dns.dicomName",
            message:
              `is the web name ${JSON.stringify(dns.name)}, but on the ${target} target DICOM has a load balancer of its own ` +
              `and one DNS name cannot point at two. Fix: set dicomName to another name such as dicom.${dns.name}` +
              (target === "aws"
                ? `, or remove it (the aws target then uses dicom.${dns.name}).`
                : "."),
          }
        : undefined,
  },
  {
    sections: ["dns", "docker"],
    targets: ["docker"],
    check: ({ dns, docker }) =>
      docker.host === "aws-vm" && !dns.name
        ? {
            key: "orthanc:dns.name",
            message:
              `is required for an aws-vm host: without a domain there is no TLS certificate, and a PACS must not ` +
              `serve plain HTTP on the internet. Fix: \`pulumi config set --path 'orthanc:dns.name' pacs.example.org\` (and dns.zoneId).`,
          }
        : undefined,
  },
  {
    sections: ["dns", "docker"],
    targets: ["docker"],
    check: ({ dns, docker }) =>
      dns.zoneId && docker.host !== "aws-vm"
        ? {
            key: "orthanc:dns.zoneId",
            message:
              `records are created only for a VM this stack creates (docker.host aws-vm), got host ${JSON.stringify(docker.host)}. ` +
              `Fix: remove dns.zoneId and point ${dns.name ?? "the name"} at your host in your own DNS.`,
          }
        : undefined,
  },
  {
    sections: ["tls", "dns"],
    check: ({ tls, dns }) =>
      tls.enabled === true && !dns.name
        ? {
            key: "orthanc:tls.enabled",
            message: `TLS needs a domain for its certificate, but \`orthanc:dns.name\` is not set. Fix: set \`orthanc:dns.name\`, or tls.enabled to false.`,
          }
        : undefined,
  },
  {
    sections: ["orthanc"],
    check: ({ orthanc }) => {
      const issues: ConfigIssue[] = [];
      if (orthanc.dicom.allowedCidrs.length && !orthanc.dicom.enabled) {
        issues.push({
          key: "orthanc:orthanc.dicom.allowedCidrs",
          message: `opens the DICOM port, but \`orthanc:orthanc.dicom.enabled\` is false. Fix: enable DICOM or remove allowedCidrs.`,
        });
      }
      if (orthanc.plugins.viewer !== "none" && !orthanc.plugins.dicomWeb) {
        issues.push({
          key: "orthanc:orthanc.plugins.viewer",
          message: `the ${orthanc.plugins.viewer} viewer reads images over DICOMweb, but plugins.dicomWeb is false. Fix: enable dicomWeb or set viewer to none.`,
        });
      }
      for (const name of Object.keys(orthanc.users)) {
        if (RESERVED_USERS.includes(name)) {
          issues.push({
            key: `orthanc:orthanc.users.${name}`,
            message: `the user name ${JSON.stringify(name)} is reserved for the health probe. Fix: choose another name.`,
          });
        }
      }
      if (RESERVED_USERS.includes(orthanc.adminUser)) {
        issues.push({
          key: "orthanc:orthanc.adminUser",
          message: `${JSON.stringify(orthanc.adminUser)} is reserved for the health probe. Fix: choose another name.`,
        });
      }
      return issues;
    },
  },
  {
    sections: ["docker"],
    targets: ["docker"],
    check: ({ docker }) => {
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
      const tlsParts = ["tlsCa", "tlsCert", "tlsKey"].filter((k) => docker[k] !== undefined);
      if (tlsParts.length && !String(docker.host).startsWith("tcp://")) {
        issues.push({
          key: `orthanc:docker.${tlsParts[0]}`,
          message: `TLS client material is only used with a tcp:// host, got host ${JSON.stringify(docker.host)}. Fix: remove it.`,
        });
      }
      return issues;
    },
  },
  {
    sections: ["orthanc"],
    targets: ["aws"],
    check: ({ orthanc }) =>
      orthanc.corsOrigins.length
        ? {
            key: "orthanc:orthanc.corsOrigins",
            message: `the aws target's load balancer cannot add CORS headers, got ${JSON.stringify(orthanc.corsOrigins)}. Fix: remove corsOrigins, or serve the viewer from the same origin.`,
          }
        : undefined,
  },
  {
    sections: ["storage"],
    targets: ["aws"],
    check: ({ storage }) =>
      storage.glacierInstantRetrievalAfterDays !== undefined &&
      (storage.kind !== "s3" || storage.s3?.bucket)
        ? {
            key: "orthanc:storage.glacierInstantRetrievalAfterDays",
            message: `applies to a bucket this stack creates (storage.kind s3 without storage.s3.bucket). Fix: remove it, or manage your own bucket's lifecycle.`,
          }
        : undefined,
  },
  {
    sections: ["aws", "orthanc"],
    targets: ["aws"],
    check: ({ aws, orthanc }) =>
      aws.autoscaling && aws.autoscaling.maxReplicas <= orthanc.replicas
        ? {
            key: "orthanc:aws.autoscaling.maxReplicas",
            message: `must be above \`orthanc:orthanc.replicas\` (${orthanc.replicas}), got ${aws.autoscaling.maxReplicas}. Fix: raise maxReplicas, or remove autoscaling.`,
          }
        : undefined,
  },
  {
    sections: ["aws"],
    targets: ["aws"],
    check: ({ aws }) =>
      aws.instanceType && aws.compute !== "ec2"
        ? {
            key: "orthanc:aws.instanceType",
            message: `is only used with \`orthanc:aws.compute\` ec2, got compute ${aws.compute}. Fix: set compute to ec2, or remove instanceType.`,
          }
        : undefined,
  },
  {
    sections: ["aws"],
    targets: ["aws"],
    check: ({ aws }) => {
      const given = ["privateSubnetIds", "publicSubnetIds"].filter((k) => aws[k] !== undefined);
      if (aws.vpcId && (aws.privateSubnetIds?.length ?? 0) < 2) {
        return {
          key: "orthanc:aws.privateSubnetIds",
          message: `an existing VPC needs at least two private subnets in different AZs, got ${aws.privateSubnetIds?.length ?? 0}. Fix: list them.`,
        };
      }
      if (!aws.vpcId && given.length) {
        return {
          key: `orthanc:aws.${given[0]}`,
          message: `subnets are only used with an existing VPC. Fix: set \`orthanc:aws.vpcId\`, or remove the subnet ids.`,
        };
      }
      return undefined;
    },
  },
];

export function crossFieldIssues(parsed: Sections, target: TargetName): ConfigIssue[] {
  return rules
    .filter(
      (r) => (!r.targets || r.targets.includes(target)) && r.sections.every((s) => s in parsed),
    )
    .flatMap((r) => {
      const out = r.check(parsed, target);
      return out === undefined ? [] : Array.isArray(out) ? out : [out];
    });
}
