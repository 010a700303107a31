import { randomBytes } from "node:crypto";
import { OrthancConfig } from "../../infra/config";
import {
  renderOrthanc,
  RenderedOrthanc,
  StorageSettings,
} from "../../components/shared/orthancConfig";
import { PROBE_USER } from "../../components/shared/orthancImage";
import { orthancSettings } from "../../components/shared/settings";

export interface LabRuntime {
  httpPort: number;
  dicomPort: number;
  pgPort: number;
  database: string;
  serverIdentifier: string;
  /** As on the AWS and Kubernetes targets, whose DICOM load balancers keep client addresses. */
  clientAddressesPreserved?: boolean;
}

export interface LabSecrets {
  users: Record<string, string>;
  databasePassword: string;
}

export const password = () => randomBytes(18).toString("base64url");

export function labSecrets(cfg: OrthancConfig): LabSecrets {
  const users: Record<string, string> = {
    [cfg.orthanc.adminUser]: password(),
    [PROBE_USER]: password(),
  };
  for (const name of Object.keys(cfg.orthanc.users)) users[name] = password();
  return { users, databasePassword: password() };
}

/**
 * A re-implementation of the targets' mapping, kept only for `bench/` (which is outside the lab's
 * scope): it has drifted from what the program deploys before (k8s-ha's connection count and S3
 * section, aws-fargate-efs's DICOM host check). The real-Orthanc suite boots the program's own
 * documents instead (`shippedDocuments.ts`, `location.ts`); do not use this in a test.
 */
export function renderForLab(
  cfg: OrthancConfig,
  rt: LabRuntime,
  secrets: LabSecrets,
): RenderedOrthanc {
  const storage: StorageSettings =
    cfg.storage.kind === "s3"
      ? {
          kind: "s3",
          bucket: cfg.storage.s3?.bucket ?? "lab-bucket",
          region: cfg.storage.s3?.region ?? "eu-west-1",
          endpoint: cfg.storage.s3?.endpoint,
          prefix: cfg.storage.s3?.prefix ?? "",
          encryption: cfg.storage.encryption,
          staticKeys: false,
        }
      : { kind: "filesystem" };
  const settings = orthancSettings(
    { ...cfg.orthanc, httpPort: rt.httpPort, dicom: { ...cfg.orthanc.dicom, port: rt.dicomPort } },
    {
      database:
        cfg.database.engine === "sqlite"
          ? { kind: "sqlite" }
          : {
              kind: "postgresql",
              host: "127.0.0.1",
              port: rt.pgPort,
              database: rt.database,
              username: "orthanc",
              // The lab's cluster has no TLS; the deployed setting is checked by the unit tests.
              ssl: false,
              maxConnections: 100,
              connectionsPerReplica: cfg.database.connectionsPerReplica,
            },
      storage,
      publicUrl: undefined,
      serverIdentifier: rt.serverIdentifier,
      clientAddressesPreserved: rt.clientAddressesPreserved,
    },
  );
  return renderOrthanc(settings, secrets);
}
