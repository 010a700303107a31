import { imageReference, throughMirror } from "../../../components/shared/images";

test.each([
  ["orthancteam/orthanc", "26.8.1", "orthancteam/orthanc:26.8.1"],
  ["postgres", "16.10-bookworm", "postgres:16.10-bookworm"],
  // A digest pin is `@sha256:...`: `:sha256:...` is not a valid reference.
  ["caddy", `sha256:${"a".repeat(64)}`, `caddy@sha256:${"a".repeat(64)}`],
])("imageReference(%s, %s) = %s", (repository, tag, expected) => {
  expect(imageReference(repository, tag)).toBe(expected);
});

test.each<[string, string | undefined, string]>([
  ["orthancteam/orthanc:26.8.1", undefined, "orthancteam/orthanc:26.8.1"],
  [
    "orthancteam/orthanc:26.8.1",
    "harbor.example.org/dockerhub",
    "harbor.example.org/dockerhub/orthancteam/orthanc:26.8.1",
  ],
  // Docker Hub's official images live under library/ on every mirror.
  [
    "postgres:16.10-bookworm",
    "nexus.example.org:8083",
    "nexus.example.org:8083/library/postgres:16.10-bookworm",
  ],
  [
    `caddy@sha256:${"a".repeat(64)}`,
    "mirror.local",
    `mirror.local/library/caddy@sha256:${"a".repeat(64)}`,
  ],
  [
    "amazon/aws-cli:2.22.0",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/amazon/aws-cli:2.22.0",
  ],
  // An image with a registry host of its own is not Docker Hub's: kept.
  [
    "registry.example.org/pacs/orthanc:1.0",
    "harbor.example.org/dockerhub",
    "registry.example.org/pacs/orthanc:1.0",
  ],
  ["localhost:5000/orthanc:1.0", "harbor.example.org/dockerhub", "localhost:5000/orthanc:1.0"],
  ["localhost/orthanc:1.0", "harbor.example.org/dockerhub", "localhost/orthanc:1.0"],
  // A local mirror name without a dot (the real-engine suite's stand-in images).
  [
    "postgres:16.10-bookworm",
    "orthanc-deploy-standin",
    "orthanc-deploy-standin/library/postgres:16.10-bookworm",
  ],
])("throughMirror(%s, %s) = %s", (reference, mirror, expected) => {
  expect(throughMirror(reference, mirror)).toBe(expected);
});
