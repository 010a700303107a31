/**
 * Issue 10's "shapes users get wrong": the configurations refused, by class (the exposure classes
 * are in `exposureCases.ts`). `shapes.test.ts` and `exposure.test.ts` check each message;
 * `shapesZeroResources.test.ts` runs every one through the whole program (the list to append to
 * the shared `REJECTED` of `zeroResources.test.ts`).
 */
import { AWS_HTTPS, Rejection } from "./helpers";

const ZONE = "Z0123456789ABC";
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleExampleExample operator@example.org";
/** An aws-vm Docker host that is accepted as it is. */
export const VM = {
  target: "docker",
  dns: { name: "pacs.example.org", zoneId: ZONE },
  docker: {
    host: "aws-vm",
    vm: { region: "eu-west-1", sshAllowedCidrs: ["198.51.100.0/28"], sshPublicKey: SSH_KEY },
  },
};
export const vmWith = (vm: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...VM,
  ...extra,
  docker: { host: "aws-vm", vm: { ...VM.docker.vm, ...vm } },
});
export const EXTERNAL = { host: "db.example.org", password: "pw-0123456789" };
const KEYS = { accessKeyId: "AKIAEXAMPLEKEY000001", secretAccessKey: "minio-secret-key" };

/** Shapes: each refused with the key, what was given and the value(s) that fix it. */
export const SHAPE_CASES: Record<string, Rejection[]> = {
  "an image repository that carries a tag or digest": [
    [
      "a tag in the repository",
      { target: "docker", orthanc: { image: { repository: "orthancteam/orthanc:24.1" } } },
      "orthanc:orthanc.image.repository",
      /"orthancteam\/orthanc:24.1" carries a tag \(`24.1`\), but the pin belongs in `orthanc:orthanc.image.tag`.*Fix: `pulumi config set --path 'orthanc:orthanc.image.repository' orthancteam\/orthanc` and `pulumi config set --path 'orthanc:orthanc.image.tag' 24.1`/,
    ],
    [
      "a digest in a repository on a registry with a port",
      {
        target: "kubernetes",
        orthanc: {
          image: { repository: `registry.example.org:5000/pacs/orthanc@sha256:${"a".repeat(64)}` },
        },
      },
      "orthanc:orthanc.image.repository",
      /carries a digest.*Fix: .*'orthanc:orthanc.image.repository' registry.example.org:5000\/pacs\/orthanc` and .*'orthanc:orthanc.image.tag' sha256:a{64}`/,
    ],
    [
      "`latest` in the repository: the fix asks for a pinned release",
      { target: "docker", orthanc: { image: { repository: "orthancteam/orthanc:latest" } } },
      "orthanc:orthanc.image.repository",
      /carries a tag \(`latest`\).*'orthanc:orthanc.image.tag' <release>` with a pinned release such as 26.8.1/,
    ],
    [
      "a scheme in the repository",
      {
        target: "docker",
        orthanc: { image: { repository: "https://harbor.example.org/orthanc" } },
      },
      "orthanc:orthanc.image.repository",
      /has a scheme.*Fix: `pulumi config set --path 'orthanc:orthanc.image.repository' harbor.example.org\/orthanc`/,
    ],
  ],

  "a modality host with a port or scheme": [
    [
      "host:port",
      {
        target: "docker",
        orthanc: { dicom: { modalities: { ct: { aet: "CT01", host: "10.20.1.15:11112" } } } },
      },
      "orthanc:orthanc.dicom.modalities.ct.host",
      /"10.20.1.15:11112" includes a port; the port goes in `orthanc:orthanc.dicom.modalities.ct.port` \(now 104\).*Fix: .*'orthanc:orthanc.dicom.modalities.ct.host' 10.20.1.15` and .*'orthanc:orthanc.dicom.modalities.ct.port' 11112`/,
    ],
    [
      "a host name with a port, where Orthanc checks modality hosts",
      {
        target: "aws",
        ...AWS_HTTPS,
        orthanc: {
          dicom: {
            allowedCidrs: ["10.20.0.0/16"],
            modalities: { mr: { aet: "MR01", host: "mr01.hospital.example:104" } },
          },
        },
      },
      "orthanc:orthanc.dicom.modalities.mr.host",
      /includes a port.*'orthanc:orthanc.dicom.modalities.mr.host' mr01.hospital.example`/,
    ],
    [
      "a URL",
      {
        target: "kubernetes",
        orthanc: {
          dicom: { modalities: { us: { aet: "US01", host: "dicom://10.20.1.30:4242" } } },
        },
      },
      "orthanc:orthanc.dicom.modalities.us.host",
      /is a dicom:\/\/ URL.*'orthanc:orthanc.dicom.modalities.us.host' 10.20.1.30` and .*'orthanc:orthanc.dicom.modalities.us.port' 4242`/,
    ],
  ],

  "duplicate AE titles": [
    [
      "two modalities with one AE title",
      {
        target: "docker",
        orthanc: {
          dicom: {
            modalities: {
              ct: { aet: "MODALITY", host: "10.20.1.15" },
              mr: { aet: "MODALITY", host: "10.20.1.16" },
            },
          },
        },
      },
      "orthanc:orthanc.dicom.modalities.mr.aet",
      /"MODALITY" is also the AE title of modality `ct` \(`orthanc:orthanc.dicom.modalities.ct.aet`\).*C-MOVE.*Fix: give each modality its own AE title/,
    ],
    [
      "a modality with Orthanc's own AE title",
      {
        target: "aws",
        ...AWS_HTTPS,
        orthanc: {
          dicom: { aet: "PACS", modalities: { ws: { aet: "PACS", host: "10.20.1.40" } } },
        },
      },
      "orthanc:orthanc.dicom.modalities.ws.aet",
      /"PACS" is Orthanc's own AE title \(`orthanc:orthanc.dicom.aet`\).*Fix: give the modality its own AE title/,
    ],
  ],

  "a database host given as a URL": [
    [
      "a postgres:// URL with a password (never echoed)",
      {
        target: "docker",
        database: {
          external: {
            ...EXTERNAL,
            host: "postgres://orthanc:Sup3rSecret@db.example.org:5433/pacs",
          },
        },
      },
      "orthanc:database.external.host",
      /is a postgres:\/\/ connection URL \(not shown.*Fix: .*'orthanc:database.external.host' db.example.org`, .*'orthanc:database.external.port' 5433`, .*'orthanc:database.external.database' pacs`, .*'orthanc:database.external.username' orthanc`, and the password with `pulumi config set --secret/,
    ],
    [
      "host:port",
      {
        target: "aws",
        ...AWS_HTTPS,
        database: { external: { ...EXTERNAL, host: "db.example.org:5432" } },
      },
      "orthanc:database.external.host",
      /includes a port; the port goes in `orthanc:database.external.port`; got "db.example.org:5432".*'orthanc:database.external.host' db.example.org`/,
    ],
    [
      "a libpq keyword string (never echoed)",
      {
        target: "kubernetes",
        database: {
          external: { ...EXTERNAL, host: "host=db.example.org password=Sup3rSecret" },
        },
      },
      "orthanc:database.external.host",
      /is not a host name or IP address \(not shown/,
    ],
  ],

  "an S3 bucket given as a URL or ARN": [
    [
      "s3://bucket/prefix",
      {
        target: "kubernetes",
        storage: { kind: "s3", s3: { bucket: "s3://pacs-dicom/orthanc", ...KEYS } },
      },
      "orthanc:storage.s3.bucket",
      /must be the bucket's name alone, not a URL or ARN \(this one names `pacs-dicom`\).*got "s3:\/\/pacs-dicom\/orthanc". Fix: `pulumi config set --path 'orthanc:storage.s3.bucket' pacs-dicom`/,
    ],
    [
      "an https:// URL of an S3-compatible server",
      {
        target: "docker",
        storage: { kind: "s3", s3: { bucket: "https://minio.example.org:9000/pacs", ...KEYS } },
      },
      "orthanc:storage.s3.bucket",
      /the server goes in `orthanc:storage.s3.endpoint` \(`https:\/\/minio.example.org:9000`\).*'orthanc:storage.s3.bucket' pacs`/,
    ],
    [
      "an AWS virtual-hosted URL",
      {
        target: "aws",
        ...AWS_HTTPS,
        storage: { kind: "s3", s3: { bucket: "https://pacs.s3.eu-west-1.amazonaws.com" } },
      },
      "orthanc:storage.s3.bucket",
      /this one names `pacs`/,
    ],
    [
      "an ARN",
      {
        target: "aws",
        ...AWS_HTTPS,
        storage: { kind: "s3", s3: { bucket: "arn:aws:s3:::pacs-archive" } },
      },
      "orthanc:storage.s3.bucket",
      /'orthanc:storage.s3.bucket' pacs-archive`/,
    ],
  ],

  "an S3 endpoint without a scheme": [
    [
      "host:port",
      {
        target: "kubernetes",
        storage: {
          kind: "s3",
          s3: { bucket: "pacs", endpoint: "minio.example.org:9000", ...KEYS },
        },
      },
      "orthanc:storage.s3.endpoint",
      /needs a scheme.*got "minio.example.org:9000". Fix: `pulumi config set --path 'orthanc:storage.s3.endpoint' https:\/\/minio.example.org:9000`/,
    ],
    [
      "a bare host",
      {
        target: "docker",
        storage: { kind: "s3", s3: { bucket: "pacs", endpoint: "minio.internal", ...KEYS } },
      },
      "orthanc:storage.s3.endpoint",
      /needs a scheme.*'orthanc:storage.s3.endpoint' https:\/\/minio.internal`/,
    ],
    [
      "an endpoint with the bucket in its path",
      {
        target: "docker",
        storage: {
          kind: "s3",
          s3: { bucket: "pacs", endpoint: "https://minio.example.org/pacs", ...KEYS },
        },
      },
      "orthanc:storage.s3.endpoint",
      /must be the server alone.*'orthanc:storage.s3.endpoint' https:\/\/minio.example.org`/,
    ],
  ],

  "a CORS origin with a path or trailing slash": [
    [
      "a trailing slash",
      { target: "docker", orthanc: { corsOrigins: ["https://viewer.example.org/"] } },
      "orthanc:orthanc.corsOrigins[0]",
      /must be an origin, scheme:\/\/host\[:port\].*got "https:\/\/viewer.example.org\/". Fix: `pulumi config set --path 'orthanc:orthanc.corsOrigins\[0\]' https:\/\/viewer.example.org`/,
    ],
    [
      "a path",
      {
        target: "kubernetes",
        orthanc: {
          corsOrigins: ["https://ohif.example.org", "https://apps.example.org:8443/viewer"],
        },
      },
      "orthanc:orthanc.corsOrigins[1]",
      /must be an origin.*'orthanc:orthanc.corsOrigins\[1\]' https:\/\/apps.example.org:8443`/,
    ],
  ],

  "CIDRs without a mask, with host bits, or as a map": [
    [
      "an address without a mask",
      { target: "docker", orthanc: { dicom: { allowedCidrs: ["192.0.2.10"] } } },
      "orthanc:orthanc.dicom.allowedCidrs[0]",
      /must be a CIDR block with a mask: one address is `192.0.2.10\/32`.*Fix: .*'orthanc:orthanc.dicom.allowedCidrs\[0\]' 192.0.2.10\/32`/,
    ],
    [
      "an SSH address without a mask",
      vmWith({ sshAllowedCidrs: ["198.51.100.7"] }),
      "orthanc:docker.vm.sshAllowedCidrs[0]",
      /198.51.100.7\/32/,
    ],
    [
      "a VPC CIDR with host bits set",
      { target: "aws", ...AWS_HTTPS, aws: { region: "eu-west-1", vpcCidr: "10.40.1.0/16" } },
      "orthanc:aws.vpcCidr",
      /has host bits set: the network of this \/16 block is `10.40.0.0\/16`.*Fix: `pulumi config set --path 'orthanc:aws.vpcCidr' 10.40.0.0\/16`/,
    ],
    [
      "an allowlist entry with host bits set",
      {
        target: "aws",
        ...AWS_HTTPS,
        aws: { region: "eu-west-1", webAllowedCidrs: ["203.0.113.77/24"] },
      },
      "orthanc:aws.webAllowedCidrs[0]",
      /the network of this \/24 block is `203.0.113.0\/24`/,
    ],
    [
      "a map instead of a list",
      {
        target: "kubernetes",
        orthanc: { dicom: { allowedCidrs: { hospital: "10.20.0.0/16", lab: "192.0.2.0/24" } } },
      },
      "orthanc:orthanc.dicom.allowedCidrs",
      /must be a list, got a map.*Fix: .*`- 10.20.0.0\/16`.*`pulumi config rm --path 'orthanc:orthanc.dicom.allowedCidrs'`, then `pulumi config set --path 'orthanc:orthanc.dicom.allowedCidrs\[0\]' 10.20.0.0\/16`, `pulumi config set --path 'orthanc:orthanc.dicom.allowedCidrs\[1\]' 192.0.2.0\/24`/,
    ],
    [
      "one block instead of a list",
      vmWith({ webAllowedCidrs: "0.0.0.0/0" }),
      "orthanc:docker.vm.webAllowedCidrs",
      /must be a list, got one value: "0.0.0.0\/0"/,
    ],
    [
      "several blocks in one entry",
      { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8, 192.168.0.0/16"] } } },
      "orthanc:orthanc.dicom.allowedCidrs[0]",
      /must be one CIDR block/,
    ],
  ],

  "settings that only apply with another option": [
    [
      "RDS settings with an external database",
      {
        target: "aws",
        ...AWS_HTTPS,
        database: { instanceClass: "db.r6g.large", multiAz: true, external: EXTERNAL },
      },
      "orthanc:database.instanceClass",
      /configures the RDS instance this program creates, but `orthanc:database.external` is set.*Fix: `pulumi config rm --path 'orthanc:database.instanceClass'`/,
    ],
    [
      "RDS storage with an external database",
      {
        target: "aws",
        ...AWS_HTTPS,
        database: { allocatedStorageGiB: 100, external: EXTERNAL },
      },
      "orthanc:database.allocatedStorageGiB",
      /`orthanc:database.external` is set/,
    ],
    [
      "a PostgreSQL version with an external database",
      { target: "docker", database: { version: "17", external: EXTERNAL } },
      "orthanc:database.version",
      /the PostgreSQL container this program creates, but `orthanc:database.external` is set/,
    ],
    [
      "StatefulSet storage with an external database",
      { target: "kubernetes", database: { storageGiB: 50, external: EXTERNAL } },
      "orthanc:database.storageGiB",
      /`orthanc:database.external` is set/,
    ],
    [
      "database instances without CloudNativePG",
      { target: "kubernetes", database: { instances: 3 } },
      "orthanc:database.instances",
      /need `orthanc:database.kind` cloudnativepg/,
    ],
    [
      "a connection count with SQLite",
      { target: "docker", database: { engine: "sqlite", connectionsPerReplica: 4 } },
      "orthanc:database.connectionsPerReplica",
      /applies to PostgreSQL, but `orthanc:database.engine` is sqlite/,
    ],
    [
      "a PostgreSQL image with an external database",
      {
        target: "docker",
        database: { external: EXTERNAL },
        docker: { images: { postgres: "16.10-bookworm" } },
      },
      "orthanc:docker.images.postgres",
      /applies to the PostgreSQL container this program runs, but `orthanc:database.external` is set/,
    ],
    [
      "backup settings with SQLite",
      {
        target: "docker",
        database: { engine: "sqlite" },
        docker: { backup: { retentionDays: 30 } },
      },
      "orthanc:docker.backup.retentionDays",
      /`orthanc:database.engine` is sqlite/,
    ],
    [
      "aws.dicomTls without a domain",
      {
        target: "aws",
        aws: { region: "eu-west-1", dicomTls: true },
        tls: { allowPlainHttp: true },
        orthanc: { dicom: { allowedCidrs: ["10.20.0.0/16"] } },
      },
      "orthanc:aws.dicomTls",
      /needs a certificate for the DICOM name.*`orthanc:dns.name` is not set/,
    ],
    [
      "aws.dicomTls with DICOM closed",
      { target: "aws", ...AWS_HTTPS, aws: { region: "eu-west-1", dicomTls: true } },
      "orthanc:aws.dicomTls",
      /DICOM is not published \(`orthanc:orthanc.dicom.allowedCidrs` is empty\)/,
    ],
    [
      "an existing VPC without public subnets",
      {
        target: "aws",
        ...AWS_HTTPS,
        aws: {
          region: "eu-west-1",
          vpcId: "vpc-0a1b2c3d",
          privateSubnetIds: ["subnet-0a", "subnet-0b"],
        },
      },
      "orthanc:aws.publicSubnetIds",
      /an existing VPC \(`orthanc:aws.vpcId`\) needs at least two public subnets/,
    ],
    [
      "a VPC CIDR with an existing VPC",
      {
        target: "aws",
        ...AWS_HTTPS,
        aws: {
          region: "eu-west-1",
          vpcId: "vpc-0a1b2c3d",
          vpcCidr: "10.50.0.0/16",
          privateSubnetIds: ["subnet-0a", "subnet-0b"],
          publicSubnetIds: ["subnet-0c", "subnet-0d"],
        },
      },
      "orthanc:aws.vpcCidr",
      /shapes a VPC this program creates, but `orthanc:aws.vpcId` uses an existing one/,
    ],
    [
      "an S3 endpoint on the aws target",
      {
        target: "aws",
        ...AWS_HTTPS,
        storage: { kind: "s3", s3: { endpoint: "https://minio.example.org" } },
      },
      "orthanc:storage.s3.endpoint",
      /is not used on the aws target/,
    ],
    [
      "a PVC size with S3 storage",
      {
        target: "kubernetes",
        storage: { kind: "s3", sizeGiB: 500, s3: { bucket: "pacs", ...KEYS } },
      },
      "orthanc:storage.sizeGiB",
      /configures the PVC.*`orthanc:storage.kind` is s3/,
    ],
    [
      "HPA settings without enabling it",
      { target: "kubernetes", kubernetes: { autoscaling: { maxReplicas: 6 } } },
      "orthanc:kubernetes.autoscaling.maxReplicas",
      /`orthanc:kubernetes.autoscaling.enabled` is not set.*Fix: `pulumi config set --path 'orthanc:kubernetes.autoscaling.enabled' true`/,
    ],
    [
      "a Let's Encrypt address on the aws target",
      { target: "aws", ...AWS_HTTPS, tls: { acmeEmail: "ops@example.org" } },
      "orthanc:tls.acmeEmail",
      /only the docker target uses; on aws the certificate comes from ACM/,
    ],
    [
      "a Let's Encrypt address without a domain",
      { target: "docker", tls: { acmeEmail: "ops@example.org" } },
      "orthanc:tls.acmeEmail",
      /the endpoint has no TLS: there is no domain \(`orthanc:dns.name`\)/,
    ],
    [
      "a plain-HTTP port with a domain",
      {
        target: "docker",
        dns: { name: "pacs.example.org" },
        docker: { host: "ssh://admin@pacs.example.org", httpPort: 8080 },
      },
      "orthanc:docker.httpPort",
      /applies to plain HTTP without a domain, but `orthanc:dns.name` is set/,
    ],
    [
      "a client certificate without its key",
      { target: "docker", docker: { host: "tcp://docker.example.org:2376", tlsCert: "CERT" } },
      "orthanc:docker.tlsKey",
      /a client certificate and its key come together/,
    ],
  ],
};
