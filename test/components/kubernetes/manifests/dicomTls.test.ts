import {
  Certificate,
  ICertificate,
  IIssuer,
  Issuer,
} from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { validate } from "./helpers";
import {
  caCertificate,
  caIssuer,
  dicomCertificate,
  dicomTlsMounts,
  dicomTlsVolume,
  selfSignedIssuer,
} from "../../../../components/kubernetes/manifests/dicomTls";

const meta = (name: string) => ({
  name,
  namespace: "pacs",
  labels: {
    "app.kubernetes.io/name": "orthanc",
    "app.kubernetes.io/instance": "orthanc",
    "app.kubernetes.io/component": "dicom-tls",
  },
});

test("the namespace's DICOM CA chain: self-signed Issuer -> CA Certificate -> CA Issuer", () => {
  expect(selfSignedIssuer("pacs")).toEqual({
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: meta("orthanc-dicom-selfsigned"),
    spec: { selfSigned: {} },
  });
  expect(caCertificate("pacs", "dicom.example.org").spec).toEqual({
    secretName: "orthanc-dicom-ca",
    commonName: "dicom.example.org DICOM CA",
    isCA: true,
    duration: "87600h",
    renewBefore: "8760h",
    privateKey: { algorithm: "RSA", size: 3072, rotationPolicy: "Always" },
    usages: ["cert sign", "crl sign"],
    issuerRef: { name: "orthanc-dicom-selfsigned", kind: "Issuer", group: "cert-manager.io" },
  });
  expect(caIssuer("pacs").spec).toEqual({ ca: { secretName: "orthanc-dicom-ca" } });
});

test("the DICOM certificate for the DICOM name, from the CA or the hospital's ClusterIssuer", () => {
  const own = dicomCertificate("pacs", "dicom.example.org");
  expect(own.metadata).toEqual(meta("orthanc-dicom-tls"));
  expect(own.spec).toEqual({
    secretName: "orthanc-dicom-tls",
    commonName: "dicom.example.org",
    dnsNames: ["dicom.example.org"],
    duration: "8760h",
    renewBefore: "720h",
    privateKey: { algorithm: "RSA", size: 3072, rotationPolicy: "Always" },
    usages: ["digital signature", "key encipherment", "server auth", "client auth"],
    issuerRef: { name: "orthanc-dicom-ca", kind: "Issuer", group: "cert-manager.io" },
  });
  expect(dicomCertificate("pacs", "dicom.example.org", "hospital-ca").spec.issuerRef).toEqual({
    name: "hospital-ca",
    kind: "ClusterIssuer",
    group: "cert-manager.io",
  });
});

test("the pod reads the certificate, key and trusted CAs read-only at the image's paths", () => {
  expect(dicomTlsVolume({ certificateSecret: "orthanc-dicom-tls" })).toEqual({
    name: "dicom-tls",
    projected: {
      defaultMode: 0o400,
      sources: [
        {
          secret: {
            name: "orthanc-dicom-tls",
            items: [
              { key: "tls.crt", path: "orthanc-dicom-tls.crt" },
              { key: "tls.key", path: "orthanc-dicom-tls.key" },
              { key: "tls.crt", path: "orthanc-dicom-tls-trusted.crt" },
            ],
          },
        },
      ],
    },
  });
  expect(
    dicomTlsVolume({
      certificateSecret: "orthanc-dicom-tls",
      clientsSecret: "orthanc-dicom-clients",
    }).projected.sources,
  ).toEqual([
    {
      secret: {
        name: "orthanc-dicom-tls",
        items: [
          { key: "tls.crt", path: "orthanc-dicom-tls.crt" },
          { key: "tls.key", path: "orthanc-dicom-tls.key" },
        ],
      },
    },
    {
      secret: {
        name: "orthanc-dicom-clients",
        items: [{ key: "ca.crt", path: "orthanc-dicom-tls-trusted.crt" }],
      },
    },
  ]);
  expect(dicomTlsMounts()).toEqual([
    {
      name: "dicom-tls",
      mountPath: "/run/secrets/orthanc-dicom-tls.crt",
      subPath: "orthanc-dicom-tls.crt",
      readOnly: true,
    },
    {
      name: "dicom-tls",
      mountPath: "/run/secrets/orthanc-dicom-tls.key",
      subPath: "orthanc-dicom-tls.key",
      readOnly: true,
    },
    {
      name: "dicom-tls",
      mountPath: "/run/secrets/orthanc-dicom-tls-trusted.crt",
      subPath: "orthanc-dicom-tls-trusted.crt",
      readOnly: true,
    },
  ]);
});

test("every object is valid against cert-manager's own schema, and typed as its models type it", () => {
  const certificates: ICertificate[] = [
    caCertificate("pacs", "dicom.example.org"),
    dicomCertificate("pacs", "dicom.example.org"),
    dicomCertificate("pacs", "dicom.example.org", "hospital-ca"),
  ];
  const issuers: IIssuer[] = [selfSignedIssuer("pacs"), caIssuer("pacs")];
  certificates.forEach((c) => validate(Certificate, c));
  issuers.forEach((i) => validate(Issuer, i));
});
