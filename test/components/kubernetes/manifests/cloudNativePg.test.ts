/** CloudNativePG's objects: the fields that matter, exactly, and valid against its schema. */
import {
  Cluster,
  ICluster,
  IScheduledBackup,
  ScheduledBackup,
} from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1";
import { validate } from "./helpers";
import {
  barmanObjectStore,
  cnpgCluster,
  cnpgScheduledBackup,
} from "../../../../components/kubernetes/manifests/cloudNativePg";

const args = {
  name: "pacs",
  namespace: "orthanc",
  instances: 3,
  storageGiB: 50,
  database: "orthanc",
  owner: "orthanc",
  ownerSecretName: "pacs-db-owner",
  maxConnections: 100,
};

describe("CloudNativePG", () => {
  test("a Cluster whose database Orthanc's role owns, without superuser access or backups by default", () => {
    const cluster = cnpgCluster(args);
    expect(cluster.metadata).toMatchObject({ name: "pacs-db", namespace: "orthanc" });
    expect(cluster.spec).toEqual({
      instances: 3,
      enableSuperuserAccess: false,
      bootstrap: {
        initdb: { database: "orthanc", owner: "orthanc", secret: { name: "pacs-db-owner" } },
      },
      storage: { size: "50Gi" },
      postgresql: { parameters: { log_statement: "none", max_connections: "100" } },
      inheritedMetadata: {
        labels: {
          "app.kubernetes.io/name": "orthanc",
          "app.kubernetes.io/instance": "pacs",
          "app.kubernetes.io/component": "postgres",
        },
      },
    });
  });

  test("backups to the bucket under their own prefix, kept 30 days, daily at 03:00 UTC", () => {
    const store = barmanObjectStore({
      bucket: "dicom",
      prefix: "orthanc/",
      endpoint: "https://s3.example.org",
      keysSecretName: "pacs-db-backup-keys",
    });
    expect(store).toMatchObject({
      destinationPath: "s3://dicom/orthanc/postgres/",
      endpointURL: "https://s3.example.org",
      s3Credentials: { accessKeyId: { name: "pacs-db-backup-keys", key: "ACCESS_KEY_ID" } },
    });
    expect(cnpgCluster({ ...args, backup: store }).spec.backup).toEqual({
      barmanObjectStore: store,
      retentionPolicy: "30d",
    });
    expect(cnpgScheduledBackup(args).spec).toEqual({
      schedule: "0 0 3 * * *",
      backupOwnerReference: "self",
      cluster: { name: "pacs-db" },
    });
  });
});

test("every object is valid against CloudNativePG's own schema, and typed as its models type it", () => {
  const store = barmanObjectStore({
    bucket: "dicom",
    prefix: "orthanc/",
    keysSecretName: "pacs-db-backup-keys",
  });
  const clusters: ICluster[] = [cnpgCluster(args), cnpgCluster({ ...args, backup: store })];
  const backup: IScheduledBackup = cnpgScheduledBackup(args);
  clusters.forEach((c) => validate(Cluster, c));
  validate(ScheduledBackup, backup);
});
