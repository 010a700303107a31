/** `orthanc:kubernetes.gateway` and `.ingress`: the HTTPS edge, refused before anything is made. */
import { parseConfig } from "../../../infra/config";
import { kubernetesArgs } from "../../../infra/targets/kubernetes";
import { testRejections } from "../helpers";

const NAME = { name: "pacs.example.org" };
const k8s = (kubernetes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  target: "kubernetes",
  dns: NAME,
  kubernetes,
  ...extra,
});
const SHARED = { name: "shared", namespace: "gateway-system", listener: "https" };
const CORS = { orthanc: { corsOrigins: ["https://viewer.example.org"] } };

describe("the edge is chosen, once, and only where there is HTTPS", () => {
  testRejections([
    [
      "a public name without an edge: the Gateway API first, ingress-nginx's retirement said",
      k8s({}),
      "orthanc:kubernetes.gateway",
      /is not set, and `orthanc:dns.name` \(pacs.example.org\) needs an HTTPS edge.*ingress-nginx.*retired in March 2026.*Fix: .*'orthanc:kubernetes.gateway.name' shared-gateway.*'orthanc:kubernetes.gateway.create' true.*'orthanc:kubernetes.ingress.className'/,
    ],
    [
      "a Gateway and an Ingress",
      k8s({ gateway: { ...SHARED, implementation: "istio" }, ingress: { className: "nginx" } }),
      "orthanc:kubernetes.ingress",
      /one edge only. Fix: `pulumi config rm --path 'orthanc:kubernetes.ingress'`, or .*'orthanc:kubernetes.gateway'/,
    ],
    [
      "a Gateway and the deprecated ingress class",
      k8s({ gateway: { ...SHARED, implementation: "istio" }, ingressClassName: "nginx" }),
      "orthanc:kubernetes.ingressClassName",
      /already routes HTTPS through a Gateway/,
    ],
    [
      "the deprecated keys beside the new ones",
      k8s({ ingress: { className: "nginx" }, ingressControllerNamespace: "ingress-nginx" }),
      "orthanc:kubernetes.ingressControllerNamespace",
      /is the deprecated form of `orthanc:kubernetes.ingress`, which is set. Fix: `pulumi config rm/,
    ],
    [
      "an edge without a public name",
      { target: "kubernetes", kubernetes: { gateway: { ...SHARED, implementation: "istio" } } },
      "orthanc:kubernetes.gateway",
      /there is none without TLS: `orthanc:dns.name` is not set.*Fix: set `orthanc:dns.name` for HTTPS, or `pulumi config rm --path 'orthanc:kubernetes.gateway'`/,
    ],
  ]);
});

describe("a Gateway that exists", () => {
  testRejections([
    [
      "without its name",
      k8s({ gateway: { namespace: "gateway-system", implementation: "istio" } }),
      "orthanc:kubernetes.gateway.name",
      /is required: the Gateway the HTTPRoute attaches to.*kubectl get gateways -A/,
    ],
    [
      "without its HTTPS listener (the route would attach to plain HTTP too)",
      k8s({ gateway: { name: "shared", namespace: "gw", implementation: "istio" } }),
      "orthanc:kubernetes.gateway.listener",
      /is required for an existing Gateway: without it the route attaches to every listener of the Gateway, its plain-HTTP one included/,
    ],
    [
      "with a class (only the stack's own Gateway has one)",
      k8s({ gateway: { ...SHARED, implementation: "istio", className: "istio" } }),
      "orthanc:kubernetes.gateway.className",
      /the existing Gateway's class is its owner's/,
    ],
    [
      "with a certificate issuer (the Gateway's owner holds its certificates)",
      k8s({ gateway: { ...SHARED, implementation: "istio" }, certManagerIssuer: "letsencrypt" }),
      "orthanc:kubernetes.certManagerIssuer",
      /names the issuer of a certificate this stack does not make/,
    ],
    [
      "without an implementation or where its proxies run",
      k8s({ gateway: SHARED }),
      "orthanc:kubernetes.gateway.implementation",
      /is required unless `orthanc:kubernetes.gateway.proxyNamespace` is set.*Allowed: envoy-gateway, istio, cilium, nginx-gateway-fabric, traefik, other/,
    ],
    [
      "an unknown implementation",
      k8s({ gateway: { ...SHARED, implementation: "envoy" } }),
      "orthanc:kubernetes.gateway.implementation",
      /envoy-gateway/,
    ],
    [
      "`other` without where its proxies run",
      k8s({ gateway: { ...SHARED, implementation: "other" } }),
      "orthanc:kubernetes.gateway.proxyNamespace",
      /is required with implementation "other"/,
    ],
    [
      "Cilium with a proxy namespace (its proxies are no pods)",
      k8s({ gateway: { ...SHARED, implementation: "cilium", proxyNamespace: "kube-system" } }),
      "orthanc:kubernetes.gateway.proxyNamespace",
      /reserved `ingress` identity/,
    ],
    [
      "CORS through an implementation not known to honour the filter",
      k8s({ gateway: { ...SHARED, implementation: "traefik" } }, CORS),
      "orthanc:orthanc.corsOrigins",
      /not known to honour the HTTPRoute CORS filter.*honoured here for envoy-gateway, istio, nginx-gateway-fabric/,
    ],
  ]);
});

describe("the stack's own Gateway", () => {
  testRejections([
    [
      "without a class",
      k8s({ gateway: { create: true, implementation: "istio" } }),
      "orthanc:kubernetes.gateway.className",
      /is required with `orthanc:kubernetes.gateway.create`.*kubectl get gatewayclass/,
    ],
    [
      "in another namespace",
      k8s({
        gateway: { create: true, className: "istio", implementation: "istio", namespace: "gw" },
      }),
      "orthanc:kubernetes.gateway.namespace",
      /is made in Orthanc's namespace "orthanc"/,
    ],
    [
      "a listener it does not have",
      k8s({
        gateway: { create: true, className: "istio", implementation: "istio", listener: "web" },
      }),
      "orthanc:kubernetes.gateway.listener",
      /names "web", a listener the stack's own Gateway does not have \(it has https, http/,
    ],
    [
      "Traefik (it serves Gateways on its entry points' ports)",
      k8s({ gateway: { create: true, className: "traefik", implementation: "traefik" } }),
      "orthanc:kubernetes.gateway.create",
      /traefik serves Gateways only on its own entry points' ports/,
    ],
    [
      "a control plane's namespace where no in-namespace proxies reach one",
      k8s({ gateway: { ...SHARED, implementation: "istio", controlPlaneNamespace: "istio" } }),
      "orthanc:kubernetes.gateway.controlPlaneNamespace",
      /with istio or nginx-gateway-fabric\); here it would do nothing/,
    ],
    [
      "an unknown implementation whose proxies would run in Orthanc's namespace",
      k8s({ gateway: { create: true, className: "kong", implementation: "other" } }),
      "orthanc:kubernetes.gateway.proxyNamespace",
      /default deny cuts them off from their control plane/,
    ],
  ]);
});

describe("an Ingress", () => {
  testRejections([
    [
      "nginx annotations on a Traefik class",
      k8s({
        ingress: {
          className: "traefik",
          annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "0" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/proxy-body-size",
      /is a nginx annotation, but the Ingress is for traefik: it would be ignored/,
    ],
    [
      "nginx annotations on a class of an unknown controller",
      k8s({
        ingress: {
          className: "haproxy",
          controllerNamespace: "haproxy",
          annotations: { "nginx.ingress.kubernetes.io/enable-cors": "true" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/enable-cors",
      /the class "haproxy", which is neither nginx nor traefik.*Traefik's NGINX provider/,
    ],
    [
      "nginx's controller named for Traefik's class",
      k8s({ ingress: { className: "traefik", controller: "nginx" } }),
      "orthanc:kubernetes.ingress.controller",
      /the IngressClass is "traefik", traefik's/,
    ],
    [
      "a configuration snippet (IngressNightmare's door)",
      k8s({
        ingress: {
          className: "nginx",
          annotations: { "nginx.ingress.kubernetes.io/configuration-snippet": "deny all;" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/configuration-snippet",
      /injects raw controller configuration/,
    ],
    [
      "F5 NGINX's snippets (plural)",
      k8s({
        ingress: {
          className: "nginx",
          annotations: { "nginx.org/server-snippets": "location /x {}" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.org/server-snippets",
      /injects raw controller configuration/,
    ],
    [
      "ingress-nginx's auth-url (CVE-2025-24514)",
      k8s({
        ingress: {
          className: "nginx",
          annotations: { "nginx.ingress.kubernetes.io/auth-url": "http://a/\n}" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/auth-url",
      /passes its value unchecked into the controller's configuration \(CVE-2025-24514/,
    ],
    [
      "ingress-nginx's mirror annotations (CVE-2025-1098)",
      k8s({
        ingress: {
          className: "nginx",
          annotations: { "nginx.ingress.kubernetes.io/mirror-target": "http://x" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/mirror-target",
      /CVE-2025-1098/,
    ],
    [
      "an annotation the program writes",
      k8s({
        ingress: {
          className: "nginx",
          annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "1m" },
        },
      }),
      "orthanc:kubernetes.ingress.annotations.nginx.ingress.kubernetes.io/proxy-body-size",
      /is written by the program for Orthanc/,
    ],
    [
      "a certificate annotation (the issuer key sets it)",
      k8s({ ingress: { className: "nginx", annotations: { "cert-manager.io/issuer": "x" } } }),
      "orthanc:kubernetes.ingress.annotations.cert-manager.io/issuer",
      /`orthanc:kubernetes.certManagerIssuer` sets it/,
    ],
    [
      "an unknown controller without its namespace",
      k8s({ ingress: { className: "haproxy" } }),
      "orthanc:kubernetes.ingress.controllerNamespace",
      /is required for the IngressClass "haproxy" \(controller other\)/,
    ],
    [
      "CORS through a controller whose annotations the program does not write",
      k8s({ ingress: { className: "haproxy", controllerNamespace: "haproxy" } }, CORS),
      "orthanc:orthanc.corsOrigins",
      /has no controller whose annotations the program writes/,
    ],
  ]);
});

describe("what the component gets", () => {
  const web = (raw: Record<string, unknown>) => {
    const cfg = parseConfig(raw);
    return cfg.target === "kubernetes" ? kubernetesArgs(cfg).web : "not kubernetes";
  };

  test.each<[string, Record<string, unknown>, unknown]>([
    ["no public name: no edge", { target: "kubernetes" }, undefined],
    [
      "an existing Gateway: its namespace by default Orthanc's",
      k8s({ gateway: { name: "shared", listener: "https", implementation: "istio" } }),
      {
        kind: "gateway",
        host: "pacs.example.org",
        gateway: { name: "shared", namespace: "orthanc", listener: "https" },
        own: undefined,
        implementation: "istio",
        proxyNamespace: undefined,
      },
    ],
    [
      "the stack's own Gateway: named orthanc, the issuer's certificate",
      k8s({ gateway: { create: true, className: "eg", implementation: "envoy-gateway" } }),
      {
        kind: "gateway",
        host: "pacs.example.org",
        gateway: { name: "orthanc", namespace: "orthanc", listener: undefined },
        own: { className: "eg", certManagerIssuer: "letsencrypt" },
        implementation: "envoy-gateway",
        proxyNamespace: undefined,
      },
    ],
    [
      "the deprecated keys: the ingress-nginx Ingress they always meant",
      k8s({ ingressClassName: "nginx" }),
      {
        kind: "ingress",
        host: "pacs.example.org",
        className: "nginx",
        controller: "nginx",
        controllerNamespace: "ingress-nginx",
        certManagerIssuer: "letsencrypt",
        annotations: {},
      },
    ],
    [
      "a Traefik Ingress: Traefik's namespace by default",
      k8s({ ingress: { className: "traefik" } }),
      {
        kind: "ingress",
        host: "pacs.example.org",
        className: "traefik",
        controller: "traefik",
        controllerNamespace: "traefik",
        certManagerIssuer: "letsencrypt",
        annotations: {},
      },
    ],
  ])("%s", (_name, raw, expected) => {
    expect(web(raw)).toEqual(expected);
  });

  test("the stack's own Istio Gateway: its proxies reach istiod only in the namespace given", async () => {
    const { gatewaySources } = await import("../../../components/kubernetes/edge");
    const raw = k8s({
      gateway: {
        create: true,
        className: "istio",
        implementation: "istio",
        controlPlaneNamespace: "istio-prod",
      },
    });
    const w = web(raw);
    if (typeof w !== "object" || w.kind !== "gateway") throw new Error("expected a gateway");
    expect(
      gatewaySources(w, { name: "orthanc", namespace: "orthanc" }, "orthanc").gatewayProxies
        ?.controlPlane,
    ).toEqual({ namespace: "istio-prod", ports: [15012] });
  });
});
