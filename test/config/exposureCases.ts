/**
 * Issue 10's "exposure needs an explicit yes": the configurations refused, by class, and the
 * explicit yes each refusal points to. `shapesZeroResources.test.ts` runs every refusal of both
 * files through the whole program.
 */
import { AWS_HTTPS, Rejection } from "./helpers";
import { EXTERNAL, SHAPE_CASES, VM, vmWith } from "./shapeCases";

/** Exposure: each refused with what is exposed and the key that accepts it. */
export const EXPOSURE_CASES: Record<string, Rejection[]> = {
  "DICOM open to the internet": [
    [
      "0.0.0.0/0 on Kubernetes",
      { target: "kubernetes", orthanc: { dicom: { allowedCidrs: ["0.0.0.0/0"] } } },
      "orthanc:orthanc.dicom.allowedCidrs",
      /opens the DICOM port 4242 to the internet \(0.0.0.0\/0.*no user authentication.*`pulumi config set --path 'orthanc:orthanc.dicom.allowPublic' true`/,
    ],
    [
      "two /1 halves on aws",
      {
        target: "aws",
        ...AWS_HTTPS,
        orthanc: { dicom: { allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } },
      },
      "orthanc:orthanc.dicom.allowedCidrs",
      /to the internet \(0.0.0.0\/1, 128.0.0.0\/1.*orthanc.dicom.allowPublic/,
    ],
    [
      "a /4 on a Docker host",
      { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8", "64.0.0.0/4"] } } },
      "orthanc:orthanc.dicom.allowedCidrs",
      /to the internet \(64.0.0.0\/4/,
    ],
  ],

  "SSH open to the internet": [
    [
      "0.0.0.0/0",
      vmWith({ sshAllowedCidrs: ["0.0.0.0/0"] }),
      "orthanc:docker.vm.sshAllowedCidrs",
      /opens SSH \(port 22\) on the VM to the internet \(0.0.0.0\/0.*`pulumi config set --path 'orthanc:docker.vm.allowPublicSsh' true`/,
    ],
    [
      "a /2 beside the deployer's network",
      vmWith({ sshAllowedCidrs: ["198.51.100.0/28", "192.0.0.0/2"] }),
      "orthanc:docker.vm.sshAllowedCidrs",
      /to the internet \(192.0.0.0\/2/,
    ],
  ],

  "plain HTTP beyond loopback": [
    [
      "a Docker host's plain HTTP on every interface",
      { target: "docker", docker: { bindAddress: "0.0.0.0" } },
      "orthanc:docker.bindAddress",
      /publishes plain HTTP on 0.0.0.0:8042, beyond this host's loopback.*Fix: keep the default 127.0.0.1.*`pulumi config set --path 'orthanc:tls.allowPlainHttp' true`/,
    ],
    [
      "a remote Docker host's plain HTTP on its LAN address, TLS off",
      {
        target: "docker",
        dns: { name: "pacs.example.org" },
        tls: { enabled: false },
        docker: { host: "ssh://admin@pacs.example.org", bindAddress: "10.20.0.5" },
      },
      "orthanc:docker.bindAddress",
      /plain HTTP on 10.20.0.5:8042.*`orthanc:tls.enabled` is false.*orthanc:tls.allowPlainHttp/,
    ],
    [
      "the aws target without a domain",
      { target: "aws", aws: { region: "eu-west-1" } },
      "orthanc:dns.name",
      /is not set: the web endpoint would be plain HTTP on an internet-facing load balancer.*`pulumi config set --path 'orthanc:tls.allowPlainHttp' true`/,
    ],
    [
      "the aws target with TLS off",
      { target: "aws", ...AWS_HTTPS, tls: { enabled: false } },
      "orthanc:tls.enabled",
      /is false: the web endpoint would be plain HTTP on an internet-facing load balancer.*`pulumi config rm --path 'orthanc:tls.enabled'`.*orthanc:tls.allowPlainHttp/,
    ],
  ],

  "DICOM in clear text from public networks": [
    [
      "a documentation range on a Docker host without a domain",
      { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"] } } },
      "orthanc:orthanc.dicom.allowedCidrs",
      /lets public networks \(192.0.2.0\/24\) reach DICOM on port 4242 in clear text: DICOM TLS is off because there is no name for its certificate \(`orthanc:dns.name`\).*`pulumi config set --path 'orthanc:dns.name' pacs.example.org`.*`pulumi config set --path 'orthanc:orthanc.dicom.tls.allowPlaintext' true`/,
    ],
    [
      "DICOM TLS switched off on aws with a public range",
      {
        target: "aws",
        ...AWS_HTTPS,
        orthanc: { dicom: { allowedCidrs: ["198.51.100.0/24"], tls: { enabled: false } } },
      },
      "orthanc:orthanc.dicom.allowedCidrs",
      /public networks \(198.51.100.0\/24\).*`orthanc:orthanc.dicom.tls.enabled` is false.*Fix: turn DICOM TLS on with `pulumi config rm --path 'orthanc:orthanc.dicom.tls.enabled'`; or accept clear text explicitly with `pulumi config set --path 'orthanc:orthanc.dicom.tls.allowPlaintext' true`/,
    ],
    [
      "a carrier-grade NAT block is private, its neighbour is not (Kubernetes without a DICOM name)",
      {
        target: "kubernetes",
        orthanc: { dicom: { allowedCidrs: ["100.64.0.0/10", "100.0.0.0/10"] } },
      },
      "orthanc:orthanc.dicom.allowedCidrs",
      /lets public networks \(100.0.0.0\/10\) reach DICOM.*`pulumi config set --path 'orthanc:dns.dicomName' dicom.pacs.example.org`.*orthanc.dicom.tls.allowPlaintext/,
    ],
  ],

  "TLS off on an internet-facing VM": [
    [
      "tls.enabled false on aws-vm",
      { ...VM, tls: { enabled: false } },
      "orthanc:tls.enabled",
      /is false on an internet-facing VM \(`orthanc:docker.host` aws-vm.*`pulumi config set --path 'orthanc:tls.allowPlainHttp' true`/,
    ],
    [
      "no domain on aws-vm",
      { ...VM, dns: {} },
      "orthanc:dns.name",
      /is required for an aws-vm host.*orthanc:tls.allowPlainHttp/,
    ],
  ],

  "web access that Let's Encrypt cannot validate": [
    [
      "HTTP(S) restricted to a private network",
      vmWith({ webAllowedCidrs: ["10.0.0.0/8"] }),
      "orthanc:docker.vm.webAllowedCidrs",
      /restricts ports 80 and 443 to \["10.0.0.0\/8"\], but Let's Encrypt validates pacs.example.org's certificate on port 80.*`pulumi config set --path 'orthanc:docker.vm.allowPublicAcmeChallenge' true`/,
    ],
    [
      "HTTP(S) restricted to two offices, with the staging CA",
      vmWith(
        { webAllowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"] },
        { tls: { staging: true } },
      ),
      "orthanc:docker.vm.webAllowedCidrs",
      /Let's Encrypt validates.*allowPublicAcmeChallenge/,
    ],
  ],
};

/** Every configuration above: none may register a single resource. */
export const SHAPES_REJECTED: Rejection[] = [
  ...Object.values(SHAPE_CASES).flat(),
  ...Object.values(EXPOSURE_CASES).flat(),
];

/** The explicit yes (and the secure alternatives) that the refusals above point to: accepted. */
export const OPT_INS: [name: string, raw: Record<string, unknown>][] = [
  [
    "DICOM open to the internet with allowPublic",
    {
      target: "kubernetes",
      orthanc: {
        dicom: { allowedCidrs: ["0.0.0.0/0"], allowPublic: true, tls: { allowPlaintext: true } },
      },
    },
  ],
  [
    "DICOM from a public network in clear text with allowPlaintext",
    {
      target: "docker",
      orthanc: { dicom: { allowedCidrs: ["192.0.2.0/24"], tls: { allowPlaintext: true } } },
    },
  ],
  [
    "DICOM from a public network over TLS (a domain on Docker)",
    {
      target: "docker",
      dns: { name: "pacs.example.org" },
      orthanc: { dicom: { allowedCidrs: ["192.0.2.0/24"] } },
    },
  ],
  [
    "SSH open to the internet with allowPublicSsh",
    vmWith({ sshAllowedCidrs: ["0.0.0.0/0"], allowPublicSsh: true }),
  ],
  [
    "plain HTTP on every interface with allowPlainHttp",
    { target: "docker", docker: { bindAddress: "0.0.0.0" }, tls: { allowPlainHttp: true } },
  ],
  [
    "the aws target without a domain with allowPlainHttp",
    { target: "aws", aws: { region: "eu-west-1" }, tls: { allowPlainHttp: true } },
  ],
  [
    "TLS off on aws-vm with allowPlainHttp",
    { ...VM, tls: { enabled: false, allowPlainHttp: true } },
  ],
  [
    "restricted web with port 80 public for Let's Encrypt",
    vmWith({ webAllowedCidrs: ["10.0.0.0/8"], allowPublicAcmeChallenge: true }),
  ],
  ["plain HTTP on the host's loopback (the default)", { target: "docker" }],
  [
    "a registry with a port in the repository",
    {
      target: "docker",
      orthanc: { image: { repository: "registry.example.org:5000/pacs/orthanc" } },
    },
  ],
  [
    "a /8 private network for DICOM",
    { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"] } } },
  ],
  [
    "RDS defaults with an external database (nothing written)",
    { target: "aws", ...AWS_HTTPS, database: { external: EXTERNAL } },
  ],
];
