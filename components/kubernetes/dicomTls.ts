import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DicomTlsArgs } from "../shared/settings";
import {
  caCertificate,
  caIssuer,
  DICOM_TLS_NAMES,
  dicomCertificate,
  selfSignedIssuer,
} from "./manifests/dicomTls";
import { customResources, InNamespace } from "./namespace";

/** Orthanc's DICOM TLS on Kubernetes: a given certificate, or cert-manager's for the DICOM name. */
export interface KubernetesDicomTlsArgs extends DicomTlsArgs {
  /** An existing ClusterIssuer (the hospital's CA); none: a CA of the namespace's own. */
  readonly issuer?: string;
}

export interface KubernetesDicomTls {
  /** The Secret holding tls.crt and tls.key (cert-manager's, or the given certificate's). */
  readonly certificateSecret: string;
  /** The Secret holding the modalities' CAs (ca.crt): mutual TLS. */
  readonly clientsSecret?: string;
  /** The Secret whose `tls.crt` is the namespace's DICOM CA, for modalities to trust. */
  readonly caSecret?: string;
  /** What the pods wait for. */
  readonly dependsOn: pulumi.Resource[];
}

/**
 * The certificate Orthanc serves DICOM TLS with. cert-manager renews it before it ends; Orthanc
 * reads it at start, so a renewed one is served from the next pod restart (see the README).
 */
export function createDicomTls(
  name: string,
  parent: pulumi.Resource,
  args: { ns: InNamespace; tls: KubernetesDicomTlsArgs },
): KubernetesDicomTls {
  const { ns, tls } = args;
  const inNs = { parent, dependsOn: ns.dependsOn };
  const custom = customResources(name, parent, ns);
  const dependsOn: pulumi.Resource[] = [];
  let caSecret: string | undefined;
  if (tls.provided) {
    dependsOn.push(
      new k8s.core.v1.Secret(
        `${name}-dicom-tls`,
        {
          metadata: ns.meta(DICOM_TLS_NAMES.secret, "dicom-tls"),
          type: "kubernetes.io/tls",
          stringData: {
            "tls.crt": tls.provided.certificate,
            "tls.key": tls.provided.privateKey,
          },
        },
        inNs,
      ),
    );
  } else {
    const host = tls.hostName;
    if (!host)
      throw new pulumi.ResourceError(
        "DICOM TLS needs a certificate: give one, or a DICOM host name to issue one for",
        parent,
      );
    const issuers: pulumi.Resource[] = [];
    if (!tls.issuer) {
      const selfSigned = custom("dicom-selfsigned", selfSignedIssuer(ns.name));
      const ca = custom("dicom-ca", caCertificate(ns.name, host), [selfSigned]);
      issuers.push(custom("dicom-ca-issuer", caIssuer(ns.name), [ca]));
      caSecret = DICOM_TLS_NAMES.ca;
    }
    dependsOn.push(custom("dicom-tls", dicomCertificate(ns.name, host, tls.issuer), issuers));
  }
  const clients = tls.clientCertificates
    ? new k8s.core.v1.Secret(
        `${name}-dicom-clients`,
        {
          metadata: ns.meta(DICOM_TLS_NAMES.clients, "dicom-tls"),
          stringData: { "ca.crt": tls.clientCertificates },
        },
        inNs,
      )
    : undefined;
  if (clients) dependsOn.push(clients);
  return {
    certificateSecret: DICOM_TLS_NAMES.secret,
    clientsSecret: clients ? DICOM_TLS_NAMES.clients : undefined,
    caSecret,
    dependsOn,
  };
}
