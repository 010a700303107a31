import { readStackFile, shippedStacks, stackFilePath } from "../../infra/stackFiles";
import { K8S_EDGE } from "../config/helpers";

/**
 * Every shipped stack, plus configurations that exercise what the shipped ones may not: a DICOM
 * allowlist, DICOM TLS on Kubernetes, SQLite, and no DICOMweb.
 */
export function labStacks(): [string, Record<string, unknown>][] {
  // Stacks with access control have no Basic auth: accessControl.test.ts boots them.
  const shipped = shippedStacks()
    .map((s): [string, Record<string, unknown>] => [s, readStackFile(stackFilePath(s))])
    .filter(([, raw]) => !accessControlOn(raw));
  return [
    ...shipped,
    [
      "fixture:dicom-allowlist",
      {
        target: "docker",
        orthanc: {
          name: "Allowlist PACS",
          dicom: {
            aet: "PACS01",
            modalities: { ct1: { aet: "CT01", host: "127.0.0.1", port: 11112 } },
          },
        },
      },
    ],
    [
      // Orthanc's own DICOM TLS as the Kubernetes target renders and mounts it (cert-manager's
      // certificate stands in as the lab's chain), with mutual TLS off.
      "fixture:kubernetes-dicom-tls",
      {
        target: "kubernetes",
        dns: { name: "pacs.example.org", dicomName: "dicom.example.org" },
        kubernetes: K8S_EDGE,
        orthanc: { dicom: { allowedCidrs: ["192.0.2.0/24"] } },
      },
    ],
    [
      "fixture:sqlite-no-dicomweb",
      {
        target: "docker",
        database: { engine: "sqlite" },
        orthanc: { plugins: { dicomWeb: false, viewer: "none" } },
      },
    ],
  ];
}

/** Whether a stack turns access control on. */
export const accessControlOn = (raw: Record<string, unknown>) =>
  (raw.accessControl as { enabled?: boolean } | undefined)?.enabled === true;

/** Every shipped stack with access control. */
export const accessControlStacks = (): [string, Record<string, unknown>][] =>
  shippedStacks()
    .map((s): [string, Record<string, unknown>] => [s, readStackFile(stackFilePath(s))])
    .filter(([, raw]) => accessControlOn(raw));

/** Two replicas of a Kubernetes Deployment: one template, so each names itself after its pod. */
export const KUBERNETES_REPLICAS: Record<string, unknown> = {
  target: "kubernetes",
  orthanc: { replicas: 2 },
  storage: { accessMode: "ReadWriteMany" },
};
