import { testRejections } from "../helpers";

describe("orthanc:docker cross-field rules", () => {
  testRejections([
    [
      "an aws-vm host needs its vm section",
      { target: "docker", docker: { host: "aws-vm" } },
      "orthanc:docker.vm",
      /is required when `orthanc:docker.host` is aws-vm/,
    ],
    [
      "an aws-vm host needs the deployer's SSH network",
      {
        target: "docker",
        dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
        docker: { host: "aws-vm", vm: { region: "eu-west-1" } },
      },
      "orthanc:docker.vm.sshAllowedCidrs",
      /deploys onto the VM over SSH/,
    ],
    [
      "backup copies need an S3 bucket",
      { target: "docker", docker: { backup: { copyToS3: true } } },
      "orthanc:docker.backup.copyToS3",
      /copies dumps to the bucket of `orthanc:storage.s3`, but storage.kind is volume/,
    ],
  ]);
});
