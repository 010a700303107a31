import { readStackFile, shippedStacks, stackFilePath } from "../../infra/stackFiles";
import { K8S_EDGE } from "../config/helpers";

/**
 * Every shipped stack, plus configurations that exercise what the shipped ones may not: a DICOM
 * allowlist, DICOM TLS on Kubernetes, SQLite, and no DICOMweb.
 */
export function labStacks(): [string, Record<string, unknown>][] {
  const shipped = shippedStacks().map((s): [string, Record<string, unknown>] => [
    s,
    readStackFile(stackFilePath(s)),
  ]);
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

/** Two replicas of a Kubernetes Deployment: one template, so each names itself after its pod. */
export const KUBERNETES_REPLICAS: Record<string, unknown> = {
  target: "kubernetes",
  orthanc: { replicas: 2 },
  storage: { accessMode: "ReadWriteMany" },
};
