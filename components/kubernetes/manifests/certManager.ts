/**
 * cert-manager objects as plain data (cert-manager.io/v1; @pulumi/kubernetes has no types for its
 * custom resources, so the types below cover the fields this target sets): a CA private to a
 * namespace, shared by the two chains this target makes, and the PostgreSQL StatefulSet's chain
 * (its CA and the server Certificate for the Service's names; internal trust only: nothing outside
 * the namespace needs this CA). The DICOM chain is in dicomTls.ts.
 */
import type { IKeyUsage } from "@kubernetes-models/cert-manager/cert-manager.io/v1/KeyUsage";
import { ObjectMeta, objectMeta } from "./conventions";

/** A cert-manager object as `k8s.apiextensions.CustomResource` takes it. */
export type CertManagerObject<Kind extends string, Spec> = {
  apiVersion: "cert-manager.io/v1";
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
};

export type IssuerSpec = { selfSigned: Record<string, never> } | { ca: { secretName: string } };

export type IssuerRef = {
  name: string;
  kind: "Issuer" | "ClusterIssuer";
  group: "cert-manager.io";
};

/** A new key at every renewal. */
export type PrivateKeySpec =
  | { algorithm: "ECDSA"; size: 256; rotationPolicy: "Always" }
  | { algorithm: "RSA"; size: number; rotationPolicy: "Always" };

export type CertificateSpec = {
  secretName: string;
  commonName: string;
  dnsNames?: string[];
  isCA?: boolean;
  duration: string;
  renewBefore: string;
  privateKey: PrivateKeySpec;
  /** As cert-manager's models type them (tests check every object against its schema too). */
  usages: IKeyUsage[];
  issuerRef: IssuerRef;
};

export type Issuer = CertManagerObject<"Issuer", IssuerSpec>;
export type Certificate = CertManagerObject<"Certificate", CertificateSpec>;

export const issuerRef = (name: string, kind: IssuerRef["kind"] = "Issuer"): IssuerRef => ({
  name,
  kind,
  group: "cert-manager.io",
});

/*
 * A CA private to a namespace, in three objects: a self-signed Issuer that signs only the CA
 * Certificate, and a CA Issuer that signs with that certificate's key. The PostgreSQL server's
 * chain and the DICOM chain are two such CAs, kept apart (one is internal, the other is handed to
 * modalities).
 */

/** The self-signed Issuer that signs the CA certificate only. */
export const selfSignedIssuer = (metadata: ObjectMeta): Issuer => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata,
  spec: { selfSigned: {} },
});

/**
 * The CA certificate, in the Secret of its own name: ten years, renewed a year ahead (with a new
 * key: whoever trusts the CA then needs the new one).
 */
export const caCertificate = (
  metadata: ObjectMeta,
  a: {
    secretName: string;
    commonName: string;
    privateKey: PrivateKeySpec;
    selfSignedIssuer: string;
  },
): Certificate => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata,
  spec: {
    secretName: a.secretName,
    commonName: a.commonName,
    isCA: true,
    duration: "87600h",
    renewBefore: "8760h",
    privateKey: a.privateKey,
    usages: ["cert sign", "crl sign"],
    issuerRef: issuerRef(a.selfSignedIssuer),
  },
});

/** The Issuer that signs with the key in the CA certificate's Secret. */
export const caIssuer = (metadata: ObjectMeta, caSecretName: string): Issuer => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Issuer",
  metadata,
  spec: { ca: { secretName: caSecretName } },
});

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

/** Signs the PostgreSQL CA certificate only. */
export function postgresSelfSignedIssuer(a: PostgresCertificateArgs): Issuer {
  const n = postgresTlsNames(a.name);
  return selfSignedIssuer(objectMeta(n.selfSignedIssuer, a.namespace, a.name, "postgres"));
}

/** The namespace's PostgreSQL CA: ten years, renewed a year ahead (a new key each time). */
export function postgresCaCertificate(a: PostgresCertificateArgs): Certificate {
  const n = postgresTlsNames(a.name);
  return caCertificate(objectMeta(n.ca, a.namespace, a.name, "postgres"), {
    secretName: n.ca,
    commonName: `${a.name} PostgreSQL CA (${a.namespace})`,
    privateKey: ECDSA_P256,
    selfSignedIssuer: n.selfSignedIssuer,
  });
}

/** Issues the server certificate with the CA's key. */
export function postgresCaIssuer(a: PostgresCertificateArgs): Issuer {
  const n = postgresTlsNames(a.name);
  return caIssuer(objectMeta(n.ca, a.namespace, a.name, "postgres"), n.ca);
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
