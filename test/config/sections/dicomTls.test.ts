/**
 * `orthanc:orthanc.dicom.tls`: the derived default per target, every rule, and no secret in any
 * message.
 */
import { parseConfig, safeParseConfig } from "../../../infra/config";
import { dicomTlsArgs, dicomTlsEnabled } from "../../../infra/targets/common";
import { AWS_HTTPS, issuesOf, K8S_EDGE, Rejection, testRejections } from "../helpers";

const KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDKEYBODYISSECRET";
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const CERT =
  "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUCERTIFICATEBODY0000000000000AwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";
const PUBLIC = { allowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"] };
const PRIVATE = { allowedCidrs: ["10.20.0.0/16"] };

describe("on by default wherever DICOM is published and the stack has a name for it", () => {
  test.each([
    ["aws with a domain", { target: "aws", ...AWS_HTTPS, orthanc: { dicom: PRIVATE } }, true],
    [
      "aws with HTTPS off (no ACM certificate)",
      {
        target: "aws",
        ...AWS_HTTPS,
        tls: { enabled: false, allowPlainHttp: true },
        orthanc: { dicom: PRIVATE },
      },
      false,
    ],
    ["aws, DICOM unpublished", { target: "aws", ...AWS_HTTPS }, false],
    [
      "docker with a domain",
      { target: "docker", dns: { name: "pacs.example.org" }, orthanc: { dicom: PRIVATE } },
      true,
    ],
    ["docker without a domain", { target: "docker", orthanc: { dicom: PRIVATE } }, false],
    [
      "docker with a given certificate and no domain",
      {
        target: "docker",
        orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT, privateKey: KEY } } },
      },
      true,
    ],
    [
      "docker, switched off",
      {
        target: "docker",
        dns: { name: "pacs.example.org" },
        orthanc: { dicom: { ...PRIVATE, tls: { enabled: false } } },
      },
      false,
    ],
    [
      "kubernetes with a web name only (no DICOM name)",
      {
        target: "kubernetes",
        dns: { name: "pacs.example.org" },
        kubernetes: K8S_EDGE,
        orthanc: { dicom: PRIVATE },
      },
      false,
    ],
    [
      "kubernetes with a DICOM name",
      {
        target: "kubernetes",
        kubernetes: K8S_EDGE,
        dns: { name: "pacs.example.org", dicomName: "dicom.example.org" },
        orthanc: { dicom: PRIVATE },
      },
      true,
    ],
    [
      "aws, the deprecated aws.dicomTls false",
      {
        target: "aws",
        ...AWS_HTTPS,
        aws: { region: "eu-west-1", dicomTls: false },
        orthanc: { dicom: PRIVATE },
      },
      false,
    ],
  ])("%s", (_name, raw, expected) => {
    expect(dicomTlsEnabled(parseConfig(raw))).toBe(expected);
  });

  test("the components get the DICOM host name per target, the given pair, and the client CAs", () => {
    const docker = parseConfig({
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { ...PUBLIC, tls: { clientCertificates: CERT } } },
    });
    expect(docker.target === "docker" && dicomTlsArgs(docker)).toEqual({
      provided: undefined,
      hostName: "pacs.example.org",
      clientCertificates: CERT,
    });
    const k8s = parseConfig({
      target: "kubernetes",
      kubernetes: K8S_EDGE,
      dns: { name: "pacs.example.org", dicomName: "dicom.example.org" },
      orthanc: { dicom: PUBLIC },
    });
    expect(k8s.target === "kubernetes" && dicomTlsArgs(k8s)).toEqual({
      provided: undefined,
      hostName: "dicom.example.org",
      clientCertificates: undefined,
    });
    const given = parseConfig({
      target: "docker",
      orthanc: { dicom: { ...PUBLIC, tls: { certificate: CERT, privateKey: KEY } } },
    });
    const args = given.target === "docker" ? dicomTlsArgs(given) : undefined;
    expect(args?.provided?.certificate).toBe(CERT);
    expect(args?.hostName).toBeUndefined();
  });
});

const rejections: Rejection[] = [
  [
    "TLS switched on with DICOM unpublished",
    {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { tls: { enabled: true } } },
    },
    "orthanc:orthanc.dicom.tls.enabled",
    /turns DICOM TLS on, but DICOM is not published \(`orthanc:orthanc.dicom.allowedCidrs` is empty\).*`pulumi config rm --path 'orthanc:orthanc.dicom.tls.enabled'`/,
  ],
  [
    "the deprecated aws.dicomTls with DICOM closed",
    { target: "aws", ...AWS_HTTPS, aws: { region: "eu-west-1", dicomTls: true } },
    "orthanc:aws.dicomTls",
    /DICOM is not published.*`pulumi config rm --path 'orthanc:aws.dicomTls'`/,
  ],
  [
    "both the deprecated and the new switch",
    {
      target: "aws",
      ...AWS_HTTPS,
      aws: { region: "eu-west-1", dicomTls: true },
      orthanc: { dicom: { ...PRIVATE, tls: { enabled: true } } },
    },
    "orthanc:aws.dicomTls",
    /former name of `orthanc:orthanc.dicom.tls.enabled`.*`pulumi config rm --path 'orthanc:aws.dicomTls'`/,
  ],
  [
    "TLS switched on on Docker without a name or a certificate",
    { target: "docker", orthanc: { dicom: { ...PRIVATE, tls: { enabled: true } } } },
    "orthanc:orthanc.dicom.tls.enabled",
    /there is no certificate.*`pulumi config set --path 'orthanc:dns.name' pacs.example.org`.*orthanc.dicom.tls.certificate/,
  ],
  [
    "TLS switched on on Kubernetes without a DICOM name",
    {
      target: "kubernetes",
      kubernetes: K8S_EDGE,
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { ...PRIVATE, tls: { enabled: true } } },
    },
    "orthanc:orthanc.dicom.tls.enabled",
    /no name to issue one for \(`orthanc:dns.dicomName`\).*`pulumi config set --path 'orthanc:dns.dicomName' dicom.pacs.example.org`/,
  ],
  [
    "a certificate without its key",
    { target: "docker", orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT } } } },
    "orthanc:orthanc.dicom.tls.privateKey",
    /is missing: a certificate and its private key come together.*`pulumi config set --secret --path 'orthanc:orthanc.dicom.tls.privateKey' < dicom.key`/,
  ],
  [
    "a key without its certificate",
    {
      target: "kubernetes",
      kubernetes: K8S_EDGE,
      dns: { name: "p.example.org", dicomName: "d.example.org" },
      orthanc: { dicom: { ...PRIVATE, tls: { privateKey: KEY } } },
    },
    "orthanc:orthanc.dicom.tls.certificate",
    /is missing.*`pulumi config set --path 'orthanc:orthanc.dicom.tls.certificate' < dicom.crt`/,
  ],
  [
    "a certificate on aws (the load balancer uses ACM)",
    {
      target: "aws",
      ...AWS_HTTPS,
      orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT, privateKey: KEY } } },
    },
    "orthanc:orthanc.dicom.tls.certificate",
    /not used on the aws target: DICOM TLS ends at the network load balancer.*`pulumi config rm --path 'orthanc:orthanc.dicom.tls.certificate'`/,
  ],
  [
    "client certificates on aws",
    {
      target: "aws",
      ...AWS_HTTPS,
      orthanc: { dicom: { ...PRIVATE, tls: { clientCertificates: CERT } } },
    },
    "orthanc:orthanc.dicom.tls.clientCertificates",
    /cannot ask modalities for client certificates/,
  ],
  [
    "client CAs with DICOM TLS off",
    {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { ...PRIVATE, tls: { enabled: false, clientCertificates: CERT } } },
    },
    "orthanc:orthanc.dicom.tls.clientCertificates",
    /is for DICOM TLS, which is off \(`orthanc:orthanc.dicom.tls.enabled` is false\).*`pulumi config rm --path 'orthanc:orthanc.dicom.tls.clientCertificates'`/,
  ],
  [
    "allowPlaintext with TLS on",
    {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { ...PUBLIC, tls: { allowPlaintext: true } } },
    },
    "orthanc:orthanc.dicom.tls.allowPlaintext",
    /DICOM TLS is on, so it does nothing/,
  ],
  [
    "a DICOM issuer with a given certificate",
    {
      target: "kubernetes",
      kubernetes: { dicomTlsIssuer: "hospital-ca" },
      orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT, privateKey: KEY } } },
    },
    "orthanc:kubernetes.dicomTlsIssuer",
    /`orthanc:orthanc.dicom.tls.certificate` gives one, so it would do nothing/,
  ],
  [
    "a DICOM issuer with DICOM TLS off",
    { target: "kubernetes", kubernetes: { dicomTlsIssuer: "hospital-ca" } },
    "orthanc:kubernetes.dicomTlsIssuer",
    /DICOM TLS is off.*`pulumi config rm --path 'orthanc:kubernetes.dicomTlsIssuer'`/,
  ],
  [
    "a key that is not PEM",
    {
      target: "docker",
      orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT, privateKey: `${KEY_BODY}` } } },
    },
    "orthanc:orthanc.dicom.tls.privateKey",
    /must be one unencrypted PEM private key/,
  ],
  [
    "a private key given as the certificate",
    {
      target: "docker",
      orthanc: { dicom: { ...PRIVATE, tls: { certificate: KEY, privateKey: KEY } } },
    },
    "orthanc:orthanc.dicom.tls.certificate",
    /holds a PEM private key \(hidden\), but this key is not secret/,
  ],
  [
    "a certificate with a key pasted after it",
    {
      target: "docker",
      orthanc: { dicom: { ...PRIVATE, tls: { certificate: CERT + KEY, privateKey: KEY } } },
    },
    "orthanc:orthanc.dicom.tls.certificate",
    /PEM private key \(hidden\)/,
  ],
  [
    "client CAs that are not certificates",
    {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { ...PRIVATE, tls: { clientCertificates: "ca.pem" } } },
    },
    "orthanc:orthanc.dicom.tls.clientCertificates",
    /must be PEM certificates/,
  ],
];

describe("refused, with the key, what is wrong and the fix", () => testRejections(rejections));

test("no message repeats the private key", () => {
  for (const [, raw] of rejections) {
    const r = safeParseConfig(raw);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.ok ? [] : r.issues)).not.toContain(KEY_BODY);
  }
  expect(JSON.stringify(issuesOf(rejections[0][1]))).not.toContain(KEY_BODY);
});

test("a given pair is accepted, the key parsed as a Pulumi secret", async () => {
  const cfg = parseConfig({
    target: "kubernetes",
    orthanc: {
      dicom: { ...PUBLIC, tls: { certificate: CERT, privateKey: KEY, clientCertificates: CERT } },
    },
  });
  const key = cfg.orthanc.dicom.tls.privateKey!;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  expect(await (key as any).isSecret).toBe(true);
});
