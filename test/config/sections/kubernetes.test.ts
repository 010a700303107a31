import { testRejections } from "../helpers";

describe("orthanc:kubernetes", () => {
  testRejections([
    [
      "a namespace that is not a DNS label",
      { target: "kubernetes", kubernetes: { namespace: "Bad_NS" } },
      "orthanc:kubernetes.namespace",
      /got "Bad_NS"\. Fix: `pulumi config set --path 'orthanc:kubernetes.namespace' <value>`/,
    ],
    [
      "a service account annotation with an invalid key",
      { target: "kubernetes", kubernetes: { serviceAccountAnnotations: { "bad key!": "x" } } },
      "orthanc:kubernetes.serviceAccountAnnotations.bad key!",
      /has an invalid name "bad key!": must be an annotation key such as `eks.amazonaws.com\/role-arn`/,
    ],
  ]);
});
