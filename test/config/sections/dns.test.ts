import { testRejections } from "../helpers";

describe("orthanc:dns cross-field rules", () => {
  testRejections([
    [
      "a DNS name on AWS needs a zone",
      { target: "aws", aws: { region: "eu-west-1" }, dns: { name: "pacs.example.org" } },
      "orthanc:dns.name",
      /needs the Route 53 zone/,
    ],
    [
      "a zone without a name",
      { target: "docker", dns: { zoneId: "Z0123456789ABC" } },
      "orthanc:dns.zoneId",
      /no name to create/,
    ],
    [
      "createZone needs a name and no zone id",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        dns: { createZone: true, zoneId: "Z0123456789ABC", name: "pacs.example.org" },
      },
      "orthanc:dns.createZone",
      /needs dns.name, no dns.zoneId, and target aws/,
    ],
    [
      "a created zone holds only names under it",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        dns: { createZone: true, name: "pacs.example.org", dicomName: "dicom.example.org" },
      },
      "orthanc:dns.dicomName",
      /is outside the zone that dns.createZone makes/,
    ],
    [
      "one DNS name for the web and DICOM balancers on AWS",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"] } },
        dns: { name: "pacs.example.org", dicomName: "pacs.example.org", zoneId: "Z0123456789ABC" },
      },
      "orthanc:dns.dicomName",
      /is the web name "pacs.example.org", but on the aws target DICOM has a load balancer of its own.*Fix: .*dicom.pacs.example.org/,
    ],
    [
      "one DNS name for the ingress and the DICOM load balancer on Kubernetes",
      {
        target: "kubernetes",
        orthanc: { dicom: { allowedCidrs: ["10.0.0.0/8"] } },
        dns: { name: "pacs.example.org", dicomName: "pacs.example.org", zoneId: "Z0123456789ABC" },
      },
      "orthanc:dns.dicomName",
      /on the kubernetes target DICOM has a load balancer of its own/,
    ],
    [
      "an aws-vm host needs a domain (no plain HTTP on the internet)",
      {
        target: "docker",
        docker: {
          host: "aws-vm",
          vm: {
            region: "eu-west-1",
            sshAllowedCidrs: ["198.51.100.0/28"],
            sshPublicKey: "ssh-ed25519 AAAA x",
          },
        },
      },
      "orthanc:dns.name",
      /is required for an aws-vm host/,
    ],
    [
      "a zone on a Docker host this stack does not create",
      {
        target: "docker",
        dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
        docker: { host: "ssh://admin@pacs.example.org" },
      },
      "orthanc:dns.zoneId",
      /records are created only for a VM this stack creates/,
    ],
  ]);
});
