/** The StatefulSet's CA chain and server certificate, exactly as cert-manager receives them. */
import {
  Certificate,
  ICertificate,
  IIssuer,
  Issuer,
} from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { validate } from "./helpers";
import {
  postgresCaCertificate,
  postgresCaIssuer,
  postgresDnsNames,
  postgresSelfSignedIssuer,
  postgresServerCertificate,
} from "../../../../components/kubernetes/manifests/certManager";

const a = { name: "pacs", namespace: "imaging" };
const labels = {
  "app.kubernetes.io/name": "orthanc",
  "app.kubernetes.io/instance": "pacs",
  "app.kubernetes.io/component": "postgres",
};
const key = { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" };

describe("PostgreSQL's CA chain and certificate (cert-manager)", () => {
  test("a self-signed Issuer that signs only the CA", () => {
    expect(postgresSelfSignedIssuer(a)).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "pacs-postgres-selfsigned", namespace: "imaging", labels },
      spec: { selfSigned: {} },
    });
  });

  test("the namespace's CA: ten years, renewed a year ahead with a new key", () => {
    expect(postgresCaCertificate(a)).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: "pacs-postgres-ca", namespace: "imaging", labels },
      spec: {
        secretName: "pacs-postgres-ca",
        commonName: "pacs PostgreSQL CA (imaging)",
        isCA: true,
        duration: "87600h",
        renewBefore: "8760h",
        privateKey: key,
        usages: ["cert sign", "crl sign"],
        issuerRef: { name: "pacs-postgres-selfsigned", kind: "Issuer", group: "cert-manager.io" },
      },
    });
  });

  test("a CA Issuer signing with the CA's Secret", () => {
    expect(postgresCaIssuer(a)).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Issuer",
      metadata: { name: "pacs-postgres-ca", namespace: "imaging", labels },
      spec: { ca: { secretName: "pacs-postgres-ca" } },
    });
  });

  test("the server's certificate for every form of the Service's name, 90 days, renewed 30 days ahead; the deployment waits for it", () => {
    expect(postgresServerCertificate(a)).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: {
        name: "pacs-postgres-tls",
        namespace: "imaging",
        labels,
        annotations: { "pulumi.com/waitFor": "condition=Ready" },
      },
      spec: {
        secretName: "pacs-postgres-tls",
        commonName: "pacs-postgres.imaging.svc",
        dnsNames: [
          "pacs-postgres",
          "pacs-postgres.imaging",
          "pacs-postgres.imaging.svc",
          "pacs-postgres.imaging.svc.cluster.local",
        ],
        duration: "2160h",
        renewBefore: "720h",
        privateKey: key,
        usages: ["server auth", "digital signature"],
        issuerRef: { name: "pacs-postgres-ca", kind: "Issuer", group: "cert-manager.io" },
      },
    });
  });

  test.each([
    ["orthanc", "orthanc", "orthanc-postgres.orthanc.svc.cluster.local"],
    ["pacs", "radiology-prod", "pacs-postgres.radiology-prod.svc.cluster.local"],
  ])("names of %s in %s end with the cluster's FQDN", (name, ns, fqdn) => {
    expect(postgresDnsNames(name, ns)).toHaveLength(4);
    expect(postgresDnsNames(name, ns)[3]).toBe(fqdn);
  });
});

test("every object is valid against cert-manager's own schema, and typed as its models type it", () => {
  const certificates: ICertificate[] = [postgresCaCertificate(a), postgresServerCertificate(a)];
  const issuers: IIssuer[] = [postgresSelfSignedIssuer(a), postgresCaIssuer(a)];
  certificates.forEach((c) => validate(Certificate, c));
  issuers.forEach((i) => validate(Issuer, i));
});
