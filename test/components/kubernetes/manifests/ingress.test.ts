/** The ways in from outside the cluster, validated against the Kubernetes schema. */
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { Service } from "kubernetes-models/v1";
import { dicomService, orthancIngress } from "../../../../components/kubernetes/manifests/ingress";
import { Any, spec, validate } from "./helpers";

describe("DICOM load balancer and Ingress", () => {
  test("DICOM from outside only from the allowlist, keeping client addresses", () => {
    const s = dicomService(spec, 4242, ["10.20.0.0/16"]) as Any;
    validate(Service, s);
    expect(s.spec).toMatchObject({
      type: "LoadBalancer",
      loadBalancerSourceRanges: ["10.20.0.0/16"],
      externalTrafficPolicy: "Local",
    });
  });

  test("Ingress: TLS from cert-manager, forced HTTPS, no body limit, unbuffered, long timeouts, to the Service", () => {
    const i = orthancIngress(spec, {
      host: "pacs.example.org",
      className: "nginx",
      certManagerIssuer: "letsencrypt",
    }) as Any;
    validate(Ingress, i);
    expect(i.metadata.annotations).toMatchObject({
      "cert-manager.io/cluster-issuer": "letsencrypt",
      "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/proxy-body-size": "0",
      "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
    });
    expect(i.spec.tls).toEqual([{ hosts: ["pacs.example.org"], secretName: "pacs-tls" }]);
    const withCors = orthancIngress(spec, {
      host: "pacs.example.org",
      className: "nginx",
      certManagerIssuer: "letsencrypt",
      corsOrigins: ["https://viewer.example.org"],
    }) as Any;
    validate(Ingress, withCors);
    expect(withCors.metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/enable-cors": "true",
      "nginx.ingress.kubernetes.io/cors-allow-origin": "https://viewer.example.org",
    });
    expect(i.metadata.annotations).not.toHaveProperty("nginx.ingress.kubernetes.io/enable-cors");
    expect(i.spec.rules[0].http.paths[0].backend).toEqual({
      service: { name: "pacs", port: { name: "http" } },
    });
  });
});
