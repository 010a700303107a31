import { parseConfig } from "../../../infra/config";
import { testRejections } from "../helpers";

describe("orthanc:orthanc", () => {
  describe("fields", () => {
    testRejections([
      [
        "a user password with `${` (Orthanc would expand it as a variable)",
        { target: "docker", orthanc: { users: { reader: { password: "pa${HOME}ss" } } } },
        "orthanc:orthanc.users.reader.password",
        /must not contain `\$\{`.*a lone `\$` is fine\); got a value \(hidden: secret\)/,
      ],
      [
        "an AE title too long",
        { target: "docker", orthanc: { dicom: { aet: "A_VERY_LONG_AE_TITLE" } } },
        "orthanc:orthanc.dicom.aet",
        /must be 1-16 characters/,
      ],
      [
        "an unpinned image",
        { target: "docker", orthanc: { image: { tag: "latest" } } },
        "orthanc:orthanc.image.tag",
        /must be a pinned release tag .*got "latest"/,
      ],
      [
        "a bad CIDR in a list",
        { target: "docker", orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8", "everyone"] } } },
        "orthanc:orthanc.dicom.allowedCidrs[1]",
        /IPv4 CIDR/,
      ],
    ]);
  });

  describe("cross-field rules", () => {
    testRejections([
      [
        "several replicas need PostgreSQL",
        { target: "docker", orthanc: { replicas: 2 }, database: { engine: "sqlite" } },
        "orthanc:orthanc.replicas",
        /need `orthanc:database.engine` postgresql/,
      ],
      [
        "a Docker DICOM allowlist mixing loopback and networks",
        {
          target: "docker",
          orthanc: { dicom: { allowedCidrs: ["127.0.0.1/32", "10.20.0.0/16"] } },
        },
        "orthanc:orthanc.dicom.allowedCidrs",
        /mixes loopback \(127.0.0.1\/32\) with other networks.*Fix: remove 127.0.0.1\/32/,
      ],
      [
        "the modality host check on a Docker host (the gate hides client addresses)",
        {
          target: "docker",
          orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"], checkModalityHost: true } },
        },
        "orthanc:orthanc.dicom.checkModalityHost",
        /every association reaches Orthanc from the DICOM gate's.*Fix: `pulumi config set --path 'orthanc:orthanc.dicom.checkModalityHost' false`/,
      ],
      [
        "a modality by host name where Orthanc checks the client's address",
        {
          target: "kubernetes",
          orthanc: {
            dicom: {
              allowedCidrs: ["10.0.0.0/8"],
              modalities: { ct: { aet: "CT01", host: "ct01.hospital.example" } },
            },
          },
        },
        "orthanc:orthanc.dicom.modalities.ct.host",
        /"ct01.hospital.example" is not an IPv4 address.*checkModalityHost.*Fix: give the modality's IPv4 address, or set orthanc.dicom.checkModalityHost to false/,
      ],
      [
        "a modality address that only looks like IPv4",
        {
          target: "aws",
          aws: { region: "eu-west-1" },
          orthanc: {
            dicom: {
              allowedCidrs: ["10.0.0.0/8"],
              modalities: { ct: { aet: "CT01", host: "999.1.1.1" } },
            },
          },
        },
        "orthanc:orthanc.dicom.modalities.ct.host",
        /"999.1.1.1" is not an IPv4 address/,
      ],
      [
        "DICOM allowlist with DICOM off",
        { target: "docker", orthanc: { dicom: { enabled: false, allowedCidrs: ["10.1.0.0/16"] } } },
        "orthanc:orthanc.dicom.allowedCidrs",
        /opens the DICOM port/,
      ],
      [
        "a viewer needs DICOMweb",
        { target: "docker", orthanc: { plugins: { dicomWeb: false } } },
        "orthanc:orthanc.plugins.viewer",
        /reads images over DICOMweb/,
      ],
      [
        "the probe user name is reserved",
        { target: "docker", orthanc: { users: { healthcheck: {} } } },
        "orthanc:orthanc.users.healthcheck",
        /reserved for the health probe/,
      ],
      [
        "CORS cannot be done by the AWS load balancer",
        {
          target: "aws",
          aws: { region: "eu-west-1" },
          orthanc: { corsOrigins: ["https://viewer.example.org"] },
        },
        "orthanc:orthanc.corsOrigins",
        /cannot add CORS headers/,
      ],
    ]);
  });
});

describe("orthanc:orthanc ports: HTTP and DICOM on one interface", () => {
  testRejections([
    [
      "the DICOM port on the HTTP port",
      { target: "kubernetes", orthanc: { dicom: { port: 8042 } } },
      "orthanc:orthanc.dicom.port",
      /is 8042, the same port as `orthanc:orthanc.httpPort`: Orthanc serves HTTP and DICOM on one interface.*Fix: `pulumi config set --path 'orthanc:orthanc.dicom.port' 4242`/,
    ],
    [
      "the HTTP port moved onto DICOM's",
      { target: "aws", aws: { region: "eu-west-1" }, orthanc: { httpPort: 4242 } },
      "orthanc:orthanc.dicom.port",
      /is 4242, the same port as `orthanc:orthanc.httpPort`.*Fix: .* 11112`/,
    ],
    [
      "a port out of range",
      { target: "docker", orthanc: { dicom: { port: 70000 } } },
      "orthanc:orthanc.dicom.port",
      /must be at most 65535, got 70000/,
    ],
  ]);

  test("with DICOM off, its port is not in use", () => {
    expect(() =>
      parseConfig({ target: "docker", orthanc: { dicom: { enabled: false, port: 8042 } } }),
    ).not.toThrow();
  });
});
