import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { orthancDocuments } from "../shared/documents";
import { unauthenticatedProbeCommand } from "../shared/orthancImage";
import type { DockerAccessControl } from "./accessControl";
import { storageMasterKey } from "../shared/storageKey";
import { createOrthancContainer } from "./containers";
import type { DicomTlsFiles } from "./dicomTls";
import type { DockerDatabase } from "./database";
import type { DockerHost } from "./host";
import type { OrthancDockerArgs } from "./orthancDocker";

/** Where DICOM is published: nowhere, on loopback by Orthanc itself, or through the gate. */
export type DicomExposure = "none" | "loopback" | "gate";

/**
 * Orthanc's replicas, each with its own documents (they differ in the server identifier only),
 * the storage volume and the storage master key. The first publishes DICOM on loopback when that
 * is all the allowlist names; otherwise the gate reaches every replica.
 */
export function createOrthancReplicas(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<
    OrthancDockerArgs,
    "orthanc" | "storage" | "database" | "proxy" | "protectData" | "resources"
  >,
  resolved: {
    database: DockerDatabase;
    users: pulumi.Output<Record<string, string>>;
    dicomExposure: DicomExposure;
    /** Orthanc's DICOM TLS files, the same for every replica; undefined: plain DICOM. */
    dicomTls?: DicomTlsFiles;
    /** Access control: Orthanc asks the auth service; undefined: Orthanc's Basic-auth users. */
    accessControl?: Pick<DockerAccessControl, "orthanc" | "servicePassword" | "dependsOn">;
  },
): docker.Container[] {
  const st = args.storage;
  // SQLite keeps its index in Orthanc's storage directory (IndexDirectory defaults to it): with
  // S3 storage that directory still needs a protected volume, or an upgrade loses the index.
  const storageVolume =
    st.kind === "volume"
      ? host.volume("dicom")
      : args.database.kind === "sqlite"
        ? host.volume("index")
        : undefined;
  const masterKey =
    st.kind === "s3" && st.encryption
      ? storageMasterKey(`${name}-storage-key`, args.protectData, { parent })
      : undefined;
  const orthancImage = host.image("orthanc", args.orthanc.image);
  const publicUrl = args.proxy.domain ? { host: args.proxy.domain, https: true } : undefined;
  const dicomPort = args.orthanc.dicom.port;
  const ac = resolved.accessControl;

  return Array.from({ length: args.orthanc.replicas }, (_, index) => {
    const replicaName = index === 0 ? name : `${name}-${index + 1}`;
    const documents = orthancDocuments(
      args.orthanc,
      {
        database: resolved.database.runtime,
        storage:
          st.kind === "volume"
            ? { kind: "filesystem" }
            : {
                kind: "s3",
                bucket: st.bucket,
                region: st.region,
                endpoint: st.endpoint,
                prefix: st.prefix,
                encryption: st.encryption,
                staticKeys: !!st.accessKeyId,
              },
        publicUrl,
        serverIdentifier: `${replicaName}-orthanc`,
        dicomTls: resolved.dicomTls ? { mutual: resolved.dicomTls.mutual } : undefined,
        ...(ac ? { accessControl: ac.orthanc } : {}),
      },
      {
        users: resolved.users,
        databasePassword: resolved.database.password,
        s3AccessKey: st.kind === "s3" ? st.accessKeyId : undefined,
        s3SecretKey: st.kind === "s3" ? st.secretAccessKey : undefined,
        ...(ac ? { authServicePassword: ac.servicePassword } : {}),
      },
    );
    return createOrthancContainer(replicaName, parent, {
      image: orthancImage.imageId,
      backendNetwork: host.backend.name,
      frontendNetwork: host.frontend.name,
      storageVolume: storageVolume?.name,
      storageMasterKey: masterKey,
      orthancJson: documents.orthancJson,
      credentialsJson: documents.credentialsJson,
      environment: documents.environment,
      dicomTls: resolved.dicomTls,
      // Only one replica can own a published port; the gate reaches them all.
      dicom:
        index === 0 && resolved.dicomExposure === "loopback"
          ? { port: dicomPort, publishAddress: "127.0.0.1", publishPort: dicomPort }
          : undefined,
      // Without Basic auth the image's probe cannot log in: the unchecked path, no credentials.
      probe: ac ? unauthenticatedProbeCommand(args.orthanc.httpPort) : undefined,
      memoryMiB: args.resources.orthancMemoryMiB,
      provider: host.provider,
      dependsOn: [...resolved.database.dependsOn, ...(ac?.dependsOn ?? [])],
    });
  });
}

/**
 * Every replica's own container name, for the proxy and the DICOM gate. Not the shared `orthanc`
 * alias: every replica carries it, so it resolves to whichever replica Docker lists first.
 */
export function orthancHosts(name: string, replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) =>
    i === 0 ? `${name}-orthanc` : `${name}-${i + 1}-orthanc`,
  );
}
