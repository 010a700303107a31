import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StorageSettings } from "../shared/orthancConfig";
import { S3StorageArgs } from "../shared/settings";
import { storageMasterKey } from "../shared/storageKey";
import { APP, InNamespace, keptData } from "./namespace";

/** DICOM files on a PersistentVolumeClaim. */
export interface PvcStorage {
  readonly kind: "pvc";
  readonly sizeGiB: number;
  /** The cluster's default StorageClass when undefined. */
  readonly storageClass?: string;
  /** ReadWriteMany, which several replicas on several nodes need; else ReadWriteOnce. */
  readonly readWriteMany: boolean;
}

/** Where the DICOM files live. */
export type KubernetesStorage = PvcStorage | S3StorageArgs;

export interface StorageArgs {
  readonly ns: InNamespace;
  readonly storage: KubernetesStorage;
  /** Protect the volume and the storage-encryption key. */
  readonly protectData: boolean;
}

/** Static S3 keys, where no pod role is used. */
export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: pulumi.Output<string>;
}

/** What Orthanc's pods and configuration need to know of the storage. */
export interface Storage {
  /** Orthanc's storage settings. */
  readonly settings: StorageSettings;
  /** The PVC mounted as Orthanc's storage folder; none with S3. */
  readonly claimName?: string;
  /** The Secret holding the storage-encryption master key, when S3 objects are encrypted. */
  readonly keySecretName?: string;
  /** Static S3 keys, for the credentials document; none where a pod role is used. */
  readonly staticKeys?: StaticKeys;
}

/**
 * The DICOM files' place: a protected PVC, or an S3 bucket (nothing to create) with, when its
 * objects are encrypted, the master key generated once into a protected Secret.
 */
export function createStorage(name: string, parent: pulumi.Resource, args: StorageArgs): Storage {
  const { ns, storage: st } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  if (st.kind === "pvc") {
    const claimName = `${APP}-dicom`;
    new k8s.core.v1.PersistentVolumeClaim(
      `${name}-dicom`,
      {
        metadata: ns.meta(claimName, "orthanc"),
        spec: {
          accessModes: [st.readWriteMany ? "ReadWriteMany" : "ReadWriteOnce"],
          ...(st.storageClass ? { storageClassName: st.storageClass } : {}),
          resources: { requests: { storage: `${st.sizeGiB}Gi` } },
        },
      },
      { ...inNs, ...keptData(args.protectData) },
    );
    return { settings: { kind: "filesystem" }, claimName };
  }
  // The keys go to the credentials document, never into the settings.
  const { accessKeyId, secretAccessKey, ...s3 } = st;
  const staticKeys = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
  const settings: StorageSettings = { ...s3, staticKeys: !!staticKeys };
  if (!st.encryption) return { settings, staticKeys };
  const keySecretName = `${APP}-storage-key`;
  new k8s.core.v1.Secret(
    `${name}-storage-key`,
    {
      metadata: ns.meta(keySecretName, "orthanc"),
      stringData: {
        "master-key": storageMasterKey(`${name}-storage-key-bytes`, args.protectData, { parent }),
      },
    },
    { ...inNs, ...keptData(args.protectData) },
  );
  return { settings, keySecretName, staticKeys };
}
