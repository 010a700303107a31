/** The ways in from outside the cluster, validated against the Kubernetes schema. */
import { Middleware } from "@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { Service } from "kubernetes-models/v1";
import {
  dicomService,
  IngressArgs,
  orthancIngress,
  programAnnotations,
  traefikHeadersMiddleware,
} from "../../../../components/kubernetes/manifests/ingress";
import { Any, spec, validate } from "./helpers";

const VIEWER = "https://viewer.example.org";
const ingressArgs = (a: Partial<IngressArgs>): IngressArgs => ({
  host: "pacs.example.org",
  className: "nginx",
  controller: "nginx",
  certManagerIssuer: "letsencrypt",
  ...a,
});

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

  test("every Ingress: TLS from cert-manager for the host, to the Service's http port", () => {
    for (const controller of ["nginx", "traefik", "other"] as const) {
      const i = orthancIngress(spec, ingressArgs({ controller, className: "x" })) as Any;
      validate(Ingress, i);
      expect(i.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt");
      expect(i.spec.ingressClassName).toBe("x");
      expect(i.spec.tls).toEqual([{ hosts: ["pacs.example.org"], secretName: "pacs-tls" }]);
      expect(i.spec.rules[0].http.paths[0].backend).toEqual({
        service: { name: "pacs", port: { name: "http" } },
      });
    }
  });

  // Each controller gets only the annotations it reads; `other` none of anyone's.
  const NGINX = {
    "nginx.ingress.kubernetes.io/ssl-redirect": "true",
    "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
    "nginx.ingress.kubernetes.io/proxy-body-size": "0",
    "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
    "nginx.ingress.kubernetes.io/proxy-buffering": "off",
    "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
    "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
  };
  test.each<[string, Partial<IngressArgs>, Record<string, string>]>([
    ["nginx: forced HTTPS, no body limit, unbuffered, long timeouts", {}, NGINX],
    [
      "nginx with CORS: answered by the controller",
      { corsOrigins: [VIEWER] },
      {
        ...NGINX,
        "nginx.ingress.kubernetes.io/enable-cors": "true",
        "nginx.ingress.kubernetes.io/cors-allow-origin": VIEWER,
        "nginx.ingress.kubernetes.io/cors-allow-credentials": "true",
        "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type, Accept",
        "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
      },
    ],
    [
      "traefik: the TLS entry point and the headers Middleware, by namespace and name",
      { controller: "traefik", className: "traefik", corsOrigins: [VIEWER] },
      {
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
        "traefik.ingress.kubernetes.io/router.middlewares": "orthanc-pacs-headers@kubernetescrd",
      },
    ],
    [
      "other: the stack's own annotations and the issuer, nothing else",
      {
        controller: "other",
        className: "haproxy",
        annotations: { "haproxy.org/timeout-server": "1h" },
      },
      { "haproxy.org/timeout-server": "1h" },
    ],
  ])("%s", (_name, a, expected) => {
    const i = orthancIngress(spec, ingressArgs(a)) as Any;
    validate(Ingress, i);
    const { "cert-manager.io/cluster-issuer": issuer, ...rest } = i.metadata.annotations;
    expect(issuer).toBe("letsencrypt");
    if (_name.includes("CORS")) expect(rest).toMatchObject(expected);
    else expect(rest).toEqual(expected);
  });

  test("the annotations the program writes, which a stack may not set itself", () => {
    expect(programAnnotations("nginx")).toEqual([
      ...Object.keys(NGINX),
      "nginx.ingress.kubernetes.io/enable-cors",
      "nginx.ingress.kubernetes.io/cors-allow-origin",
      "nginx.ingress.kubernetes.io/cors-allow-credentials",
      "nginx.ingress.kubernetes.io/cors-allow-headers",
      "nginx.ingress.kubernetes.io/cors-allow-methods",
      "cert-manager.io/cluster-issuer",
    ]);
    expect(programAnnotations("other")).toEqual(["cert-manager.io/cluster-issuer"]);
  });

  test("Traefik's headers Middleware: HSTS; with origins, CORS with credentials, Orthanc's headers and methods", () => {
    const plain = traefikHeadersMiddleware(spec, []) as Any;
    validate(Middleware, plain);
    expect(plain.spec).toEqual({ headers: { stsSeconds: 31536000 } });
    const m = traefikHeadersMiddleware(spec, [VIEWER]) as Any;
    validate(Middleware, m);
    expect(m.metadata.name).toBe("pacs-headers");
    expect(m.spec).toEqual({
      headers: {
        stsSeconds: 31536000,
        accessControlAllowOriginList: [VIEWER],
        accessControlAllowCredentials: true,
        accessControlAllowHeaders: ["Authorization", "Content-Type", "Accept"],
        accessControlAllowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      },
    });
  });
});
