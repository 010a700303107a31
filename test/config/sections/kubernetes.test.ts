import { parseConfig } from "../../../infra/config";
import { testRejections } from "../helpers";

describe("orthanc:kubernetes", () => {
  testRejections([
    [
      "a namespace that is not a DNS label",
      { target: "kubernetes", kubernetes: { namespace: "Bad_NS" } },
      "orthanc:kubernetes.namespace",
      /must be a DNS-1123 label.*got "Bad_NS"\. Fix: `pulumi config set --path 'orthanc:kubernetes.namespace' bad-ns`/,
    ],
    [
      "a service account annotation with an invalid key",
      { target: "kubernetes", kubernetes: { serviceAccountAnnotations: { "bad key!": "x" } } },
      "orthanc:kubernetes.serviceAccountAnnotations.bad key!",
      /has an invalid name "bad key!": must be an annotation key such as `eks.amazonaws.com\/role-arn`/,
    ],
  ]);
});

describe("orthanc:kubernetes, checked against what Kubernetes accepts", () => {
  const k8s = (kubernetes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    target: "kubernetes",
    kubernetes,
    ...extra,
  });

  describe("CPU and memory are quantities", () => {
    testRejections([
      [
        "memory without a unit is bytes",
        k8s({ memory: "512" }),
        "orthanc:kubernetes.memory",
        /is 512 bytes \(a number without a unit is bytes\); Orthanc needs at least 128Mi.*got "512"\. Fix: `pulumi config set --path 'orthanc:kubernetes.memory' 512Mi`/,
      ],
      [
        "memory as a YAML number",
        k8s({ memory: 1024 }),
        "orthanc:kubernetes.memory",
        /is 1024 bytes.*Fix: `pulumi config set --path 'orthanc:kubernetes.memory' 1024Mi`/,
      ],
      [
        "memory in millibytes (`m` for `Mi`)",
        k8s({ memory: "512m" }),
        "orthanc:kubernetes.memory",
        /is in millibytes.*Fix: `pulumi config set --path 'orthanc:kubernetes.memory' 512Mi`/,
      ],
      [
        "memory in gigabytes written GB",
        k8s({ memory: "2GB" }),
        "orthanc:kubernetes.memory",
        /must be a Kubernetes quantity.*no `B`.*Fix: `pulumi config set --path 'orthanc:kubernetes.memory' 2Gi`/,
      ],
      [
        "memory with a lower-case unit",
        k8s({ memory: "1gi" }),
        "orthanc:kubernetes.memory",
        /case-sensitive: Gi.*Fix: .* 1Gi`/,
      ],
      [
        "too little memory for Orthanc",
        k8s({ memory: "64Mi" }),
        "orthanc:kubernetes.memory",
        /is less than 128Mi; Orthanc needs at least 128Mi/,
      ],
      [
        "CPU in cores where millicores were meant",
        k8s({ cpu: "500" }),
        "orthanc:kubernetes.cpu",
        /is 500 cores: more than 64.*Fix: `pulumi config set --path 'orthanc:kubernetes.cpu' 500m`/,
      ],
      [
        "CPU as free text",
        k8s({ cpu: "half a core" }),
        "orthanc:kubernetes.cpu",
        /must be a Kubernetes quantity \(cores such as `2` or `0.5`, or millicores such as `500m`\)/,
      ],
      [
        "CPU in thousandths of a millicore",
        k8s({ cpu: "0.5m" }),
        "orthanc:kubernetes.cpu",
        /must be at least 10m.*Fix: .* 500m`/,
      ],
      ["no CPU at all", k8s({ cpu: "0" }), "orthanc:kubernetes.cpu", /must be at least 10m/],
    ]);

    test.each([
      ["500m", "1Gi"],
      ["0.5", "512Mi"],
      [2, "1.5Gi"],
      ["1", "2G"],
      ["250m", "2147483648"], // bytes, written out
    ])("cpu %j and memory %j are accepted as written", (cpu, memory) => {
      const cfg = parseConfig(k8s({ cpu, memory }));
      expect(cfg.target === "kubernetes" && cfg.kubernetes).toMatchObject({
        cpu: String(cpu),
        memory,
      });
    });
  });

  describe("names are DNS-1123 names", () => {
    testRejections([
      [
        "a storage class with an underscore and capitals",
        k8s({ storageClass: "Fast_SSD" }),
        "orthanc:kubernetes.storageClass",
        /must be a DNS-1123 subdomain.*StorageClass.*Fix: `pulumi config set --path 'orthanc:kubernetes.storageClass' fast-ssd`/,
      ],
      [
        "a namespace with a dot (a subdomain, not a label)",
        k8s({ namespace: "pacs.prod" }),
        "orthanc:kubernetes.namespace",
        /must be a DNS-1123 label.*Fix: .* pacs-prod`/,
      ],
      [
        "a namespace longer than 63 characters",
        k8s({ namespace: "a".repeat(64) }),
        "orthanc:kubernetes.namespace",
        /at most 63/,
      ],
      [
        "an ingress controller namespace with a space",
        k8s({ ingressControllerNamespace: "ingress nginx" }),
        "orthanc:kubernetes.ingressControllerNamespace",
        /DNS-1123 label.*Fix: .* ingress-nginx`/,
      ],
      [
        "an ingress class ending in a dash",
        k8s({ ingressClassName: "nginx-" }),
        "orthanc:kubernetes.ingressClassName",
        /DNS-1123 subdomain.*IngressClass/,
      ],
    ]);

    test("a storage class with dots (a subdomain) is accepted", () => {
      const cfg = parseConfig(k8s({ storageClass: "ebs.csi.aws.com-gp3" }));
      expect(cfg.target === "kubernetes" && cfg.kubernetes.storageClass).toBe(
        "ebs.csi.aws.com-gp3",
      );
    });
  });

  describe("the HPA's maximum is above the replicas", () => {
    testRejections([
      [
        "a maximum below the replicas",
        k8s(
          { autoscaling: { enabled: true, maxReplicas: 2 } },
          { orthanc: { replicas: 3 }, storage: { accessMode: "ReadWriteMany" } },
        ),
        "orthanc:kubernetes.autoscaling.maxReplicas",
        /must be above `orthanc:orthanc.replicas` \(3\), got 2.*Fix: `pulumi config set --path 'orthanc:kubernetes.autoscaling.maxReplicas' 6`/,
      ],
      [
        "a maximum equal to the replicas",
        k8s(
          { autoscaling: { enabled: true, maxReplicas: 4 } },
          { orthanc: { replicas: 4 }, storage: { accessMode: "ReadWriteMany" } },
        ),
        "orthanc:kubernetes.autoscaling.maxReplicas",
        /must be above `orthanc:orthanc.replicas` \(4\), got 4/,
      ],
    ]);
  });
});
