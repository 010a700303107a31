/**
 * Orthanc's DICOM TLS on Kubernetes as plain data: cert-manager objects (cert-manager.io/v1) for
 * the DICOM name, and the pod's view of the certificate. The DICOM certificate comes from the
 * hospital's ClusterIssuer when one is named, else from a CA of the namespace's own (a
 * self-signed Issuer signs the CA Certificate, whose Issuer signs the DICOM Certificate). That CA
 * is the one handed to modalities; it is apart from any other CA of this program.
 */
import { ORTHANC_PATHS } from "../../shared/orthancImage";
import {
  caCertificate as namespaceCaCertificate,
  caIssuer as namespaceCaIssuer,
  Certificate,
  Issuer,
  issuerRef,
  selfSignedIssuer as namespaceSelfSignedIssuer,
} from "./certManager";
import { objectMeta } from "./conventions";

/** The objects' names in the namespace (one Orthanc per namespace). */
export const DICOM_TLS_NAMES = {
  /** The Secret cert-manager writes the DICOM certificate into (tls.crt, tls.key, ca.crt). */
  secret: "orthanc-dicom-tls",
  certificate: "orthanc-dicom-tls",
  selfSignedIssuer: "orthanc-dicom-selfsigned",
  /** The namespace's DICOM CA: its Certificate, Secret and Issuer share the name. */
  ca: "orthanc-dicom-ca",
  /** The modalities' CAs (ca.crt), for mutual TLS. */
  clients: "orthanc-dicom-clients",
} as const;

// RSA 3072: older modalities' DICOM TLS profiles know RSA certificates only.
const PRIVATE_KEY = { algorithm: "RSA", size: 3072, rotationPolicy: "Always" } as const;

const fileName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

const meta = (name: string, namespace: string) =>
  objectMeta(name, namespace, "orthanc", "dicom-tls");

/** The self-signed Issuer that only signs the namespace's DICOM CA. */
export function selfSignedIssuer(namespace: string): Issuer {
  return namespaceSelfSignedIssuer(meta(DICOM_TLS_NAMES.selfSignedIssuer, namespace));
}

/** The namespace's DICOM CA: 10 years, renewed in its last year (modalities then re-trust it). */
export function caCertificate(namespace: string, hostName: string): Certificate {
  return namespaceCaCertificate(meta(DICOM_TLS_NAMES.ca, namespace), {
    secretName: DICOM_TLS_NAMES.ca,
    commonName: `${hostName} DICOM CA`,
    privateKey: PRIVATE_KEY,
    selfSignedIssuer: DICOM_TLS_NAMES.selfSignedIssuer,
  });
}

/** The Issuer that signs with the namespace's DICOM CA. */
export function caIssuer(namespace: string): Issuer {
  return namespaceCaIssuer(meta(DICOM_TLS_NAMES.ca, namespace), DICOM_TLS_NAMES.ca);
}

/**
 * Orthanc's DICOM certificate for `hostName`: a year, renewed 30 days before it ends, from the
 * given ClusterIssuer or the namespace's DICOM CA.
 */
export function dicomCertificate(
  namespace: string,
  hostName: string,
  clusterIssuer?: string,
): Certificate {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: meta(DICOM_TLS_NAMES.certificate, namespace),
    spec: {
      secretName: DICOM_TLS_NAMES.secret,
      commonName: hostName,
      dnsNames: [hostName],
      duration: "8760h",
      renewBefore: "720h",
      privateKey: PRIVATE_KEY,
      // Orthanc presents the same certificate as a client (C-STORE to a modality over TLS).
      usages: ["digital signature", "key encipherment", "server auth", "client auth"],
      issuerRef: clusterIssuer
        ? issuerRef(clusterIssuer, "ClusterIssuer")
        : issuerRef(DICOM_TLS_NAMES.ca, "Issuer"),
    },
  };
}

/**
 * The projected volume of Orthanc's DICOM TLS files: the certificate and key from the
 * certificate's Secret, and the trusted CAs, from the modalities' CAs (mutual TLS) or else the
 * server's own certificate (Orthanc will not start without the file). Readable by the pod's user
 * only.
 */
export function dicomTlsVolume(s: { certificateSecret: string; clientsSecret?: string }) {
  return {
    name: "dicom-tls",
    projected: {
      defaultMode: 0o400,
      sources: [
        {
          secret: {
            name: s.certificateSecret,
            items: [
              { key: "tls.crt", path: fileName(ORTHANC_PATHS.dicomTlsCertificate) },
              { key: "tls.key", path: fileName(ORTHANC_PATHS.dicomTlsPrivateKey) },
              ...(s.clientsSecret
                ? []
                : [{ key: "tls.crt", path: fileName(ORTHANC_PATHS.dicomTlsTrusted) }]),
            ],
          },
        },
        ...(s.clientsSecret
          ? [
              {
                secret: {
                  name: s.clientsSecret,
                  items: [{ key: "ca.crt", path: fileName(ORTHANC_PATHS.dicomTlsTrusted) }],
                },
              },
            ]
          : []),
      ],
    },
  };
}

/** File by file at the image's paths, read-only (the rest of /run/secrets stays as it is). */
export const dicomTlsMounts = () =>
  [
    ORTHANC_PATHS.dicomTlsCertificate,
    ORTHANC_PATHS.dicomTlsPrivateKey,
    ORTHANC_PATHS.dicomTlsTrusted,
  ].map((path) => ({
    name: "dicom-tls",
    mountPath: path,
    subPath: fileName(path),
    readOnly: true,
  }));
