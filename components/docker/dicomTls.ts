import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { DicomTlsArgs } from "../shared/settings";

/** What Orthanc reads for DICOM TLS, as file contents; the key stays a secret. */
export interface DicomTlsFiles {
  readonly certificate: pulumi.Input<string>;
  readonly privateKey: pulumi.Input<string>;
  /**
   * The CAs a client certificate must chain to: the modalities' CAs for mutual TLS, else the
   * server's own certificate (Orthanc refuses to start without the file; a modality without a
   * certificate of its own is still accepted).
   */
  readonly trusted: pulumi.Input<string>;
  /** The stack's own CA certificate, for the modalities to trust; absent with a given certificate. */
  readonly caCertificate?: pulumi.Output<string>;
  /** Modalities must present a certificate from `clientCertificates`. */
  readonly mutual: boolean;
}

// RSA 3072 (NIST's level through 2030) rather than ECDSA: older modalities' DICOM TLS profiles
// (the retired AES profile, TLS_RSA_* suites) know RSA certificates only.
const KEY = { algorithm: "RSA", rsaBits: 3072 } as const;
const HOURS_PER_DAY = 24;
/** The CA lives 10 years and is renewed by a `pulumi up` in its last year (modalities re-trust it then). */
const CA_VALIDITY_HOURS = 10 * 365 * HOURS_PER_DAY;
const CA_EARLY_RENEWAL_HOURS = 365 * HOURS_PER_DAY;
/** The server certificate lives a year and is renewed by a `pulumi up` in its last 30 days. */
const SERVER_VALIDITY_HOURS = 365 * HOURS_PER_DAY;
const SERVER_EARLY_RENEWAL_HOURS = 30 * HOURS_PER_DAY;

/**
 * The DICOM TLS material of a Docker host: the given certificate and key, or a private CA of the
 * stack's own and a server certificate it signs for the DICOM host name. The keys live in the
 * state as secrets and reach Orthanc only as files.
 */
export function createDicomTlsFiles(
  name: string,
  parent: pulumi.Resource,
  args: DicomTlsArgs,
): DicomTlsFiles {
  const mutual = args.clientCertificates !== undefined;
  if (args.provided)
    return {
      certificate: args.provided.certificate,
      privateKey: args.provided.privateKey,
      trusted: args.clientCertificates ?? args.provided.certificate,
      mutual,
    };
  const host = args.hostName;
  if (!host)
    throw new pulumi.ResourceError(
      "DICOM TLS needs a certificate: give one, or a DICOM host name to issue one for",
      parent,
    );
  const opts = { parent };
  const caKey = new tls.PrivateKey(`${name}-dicom-ca-key`, KEY, opts);
  const ca = new tls.SelfSignedCert(
    `${name}-dicom-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: `${host} DICOM CA` },
      isCaCertificate: true,
      // Only the server certificate below hangs from it.
      maxPathLength: 0,
      validityPeriodHours: CA_VALIDITY_HOURS,
      earlyRenewalHours: CA_EARLY_RENEWAL_HOURS,
      allowedUses: ["cert_signing", "crl_signing"],
    },
    opts,
  );
  const key = new tls.PrivateKey(`${name}-dicom-key`, KEY, opts);
  const request = new tls.CertRequest(
    `${name}-dicom-csr`,
    { privateKeyPem: key.privateKeyPem, subject: { commonName: host }, dnsNames: [host] },
    opts,
  );
  const certificate = new tls.LocallySignedCert(
    `${name}-dicom-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: SERVER_VALIDITY_HOURS,
      earlyRenewalHours: SERVER_EARLY_RENEWAL_HOURS,
      // Orthanc presents the same certificate as a client (C-STORE to a modality over TLS).
      allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    },
    opts,
  );
  return {
    certificate: certificate.certPem,
    privateKey: pulumi.secret(key.privateKeyPem),
    trusted: args.clientCertificates ?? certificate.certPem,
    caCertificate: ca.certPem,
    mutual,
  };
}
