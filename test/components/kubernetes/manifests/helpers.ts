/** What the manifest tests share: a schema check against kubernetes-models, and one pod spec. */
import { OrthancPodSpec } from "../../../../components/kubernetes/manifests/workload";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

/** The object is valid against the Kubernetes schema of `Kind`. */
export const validate = (Kind: new (o: Any) => { validate(): void }, obj: unknown) =>
  expect(() => new Kind(obj as Any).validate()).not.toThrow();

export const spec: OrthancPodSpec = {
  name: "pacs",
  namespace: "orthanc",
  image: "orthancteam/orthanc:26.8.1",
  replicas: 1,
  httpPort: 8042,
  dicomPort: 4242,
  environment: { TCP_NODELAY: "1" },
  configMapName: "pacs-config",
  credentialsSecretName: "pacs-credentials",
  storageClaimName: "pacs-dicom",
  serviceAccountName: "pacs",
  resources: { cpu: "500m", memory: "1Gi" },
  configChecksum: "abc123",
};
