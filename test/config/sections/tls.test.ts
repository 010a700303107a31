import { testRejections } from "../helpers";

describe("orthanc:tls cross-field rules", () => {
  testRejections([
    [
      "TLS needs a domain",
      { target: "docker", tls: { enabled: true } },
      "orthanc:tls.enabled",
      /TLS needs a domain/,
    ],
  ]);
});
