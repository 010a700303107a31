/**
 * The PostgreSQL StatefulSet's certificate, as plain data: a CA private to the namespace (a
 * self-signed Issuer signs a CA Certificate, a CA Issuer signs with it) and the server
 * Certificate for the Service's names. Internal trust only: nothing outside the namespace needs
 * this CA. @pulumi/kubernetes has no types for cert-manager's custom resources; the types below
 * cover the fields this target sets (cert-manager.io/v1).
 */
import { ObjectMeta, objectMeta } from "./conventions";

/** A cert-manager object as `k8s.apiextensions.CustomResource` takes it. */
export type CertManagerObject<Kind extends string, Spec> = {
  apiVersion: "cert-manager.io/v1";
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
};

export type IssuerSpec = { selfSigned: Record<string, never> } | { ca: { secretName: string } };

export type CertificateSpec = {
  secretName: string;
  commonName: string;
  dnsNames?: string[];
  isCA?: boolean;
  duration: string;
  renewBefore: string;
  privateKey: { algorithm: "ECDSA"; size: 256; rotationPolicy: "Always" };
  usages: string[];
  issuerRef: { name: string; kind: "Issuer"; group: "cert-manager.io" };
};

export type Issuer = CertManagerObject<"Issuer", IssuerSpec>;
export type Certificate = CertManagerObject<"Certificate", CertificateSpec>;

export interface PostgresCertificateArgs {
  /** The instance name: the Service is `<name>-postgres`, these objects `<name>-postgres-…`. */
  readonly name: string;
  readonly namespace: string;
}

/** The names of the CA chain's objects and of the server certificate's Secret. */
export const postgresTlsNames = (name: string) => ({
  selfSignedIssuer: `${name}-postgres-selfsigned`,
  /** The CA Certificate, its Secret (with the CA's key) and the Issuer that signs with it. */
  ca: `${name}-postgres-ca`,
  /** The server Certificate and its Secret (`tls.crt`, `tls.key`, `ca.crt`). */
  server: `${name}-postgres-tls`,
});

/** The Service's names, short to fully qualified: any of them verifies against the certificate. */
export const postgresDnsNames = (name: string, namespace: string): string[] => {
  const svc = `${name}-postgres`;
  return [
    svc,
    `${svc}.${namespace}`,
    `${svc}.${namespace}.svc`,
    `${svc}.${namespace}.svc.cluster.local`,
  ];
};

const ECDSA_P256 = { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } as const;
const issuerRef = (name: string) => ({ name, kind: "Issuer", group: "cert-manager.io" }) as const;

/** Signs the CA certificate only. */
export function postgresSelfSignedIssuer(a: PostgresCertificateArgs): Issuer {
  const n = postgresTlsNames(a.name);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: objectMeta(n.selfSignedIssuer, a.namespace, a.name, "postgres"),
    spec: { selfSigned: {} },
  };
}

/** The namespace's PostgreSQL CA: ten years, renewed a year ahead (a new key each time). */
export function postgresCaCertificate(a: PostgresCertificateArgs): Certificate {
  const n = postgresTlsNames(a.name);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: objectMeta(n.ca, a.namespace, a.name, "postgres"),
    spec: {
      secretName: n.ca,
      commonName: `${a.name} PostgreSQL CA (${a.namespace})`,
      isCA: true,
      duration: "87600h",
      renewBefore: "8760h",
      privateKey: ECDSA_P256,
      usages: ["cert sign", "crl sign"],
      issuerRef: issuerRef(n.selfSignedIssuer),
    },
  };
}

/** Issues the server certificate with the CA's key. */
export function postgresCaIssuer(a: PostgresCertificateArgs): Issuer {
  const n = postgresTlsNames(a.name);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Issuer",
    metadata: objectMeta(n.ca, a.namespace, a.name, "postgres"),
    spec: { ca: { secretName: n.ca } },
  };
}

/**
 * The server's certificate for the Service's names: 90 days, renewed 30 days ahead with a new
 * key. Its Secret also holds the CA certificate (`ca.crt`) that clients verify it with.
 */
export function postgresServerCertificate(a: PostgresCertificateArgs): Certificate {
  const n = postgresTlsNames(a.name);
  const dnsNames = postgresDnsNames(a.name, a.namespace);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: {
      ...objectMeta(n.server, a.namespace, a.name, "postgres"),
      // The deployment waits until the Secret is issued: the StatefulSet's pod mounts it.
      annotations: { "pulumi.com/waitFor": "condition=Ready" },
    },
    spec: {
      secretName: n.server,
      commonName: dnsNames[2],
      dnsNames,
      duration: "2160h",
      renewBefore: "720h",
      privateKey: ECDSA_P256,
      // An ECDSA key signs the handshake; it never enciphers a key.
      usages: ["server auth", "digital signature"],
      issuerRef: issuerRef(n.ca),
    },
  };
}
