import { testRejections } from "../helpers";

describe("orthanc:registry", () => {
  testRejections([
    [
      "a registry mirror given as a URL",
      { target: "docker", registry: { mirror: "https://harbor.example.org/dockerhub/" } },
      "orthanc:registry.mirror",
      /without scheme or trailing slash, such as `harbor.example.org\/dockerhub`/,
    ],
    [
      "an ECR pull-through cache as the mirror on aws (no ECR permissions yet)",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        registry: { mirror: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub" },
      },
      "orthanc:registry.mirror",
      /is an ECR pull-through cache.*Fix: use an HTTPS mirror that allows anonymous pulls on port 443/,
    ],
    [
      "a mirror on another port than 443 on aws (the tasks reach only 443)",
      {
        target: "aws",
        aws: { region: "eu-west-1" },
        registry: { mirror: "nexus.example.org:8083" },
      },
      "orthanc:registry.mirror",
      /names port 8083, but ECS tasks may only reach port 443/,
    ],
  ]);
});
