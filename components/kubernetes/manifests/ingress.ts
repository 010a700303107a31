/**
 * How clients outside the cluster reach Orthanc through an Ingress, as plain data: the Ingress
 * (TLS from cert-manager, with the annotations of the controller that serves its class), Traefik's
 * CORS Middleware, and the DICOM LoadBalancer Service.
 */
import type * as k8s from "@pulumi/kubernetes";
import { labels, objectMeta } from "./conventions";

/** The Ingress controllers whose annotations the program writes; `other` gets none. */
export const INGRESS_CONTROLLERS = ["nginx", "traefik", "other"] as const;
export type IngressController = (typeof INGRESS_CONTROLLERS)[number];

/**
 * Each controller's annotation prefix and the namespace its chart installs it in by default.
 * `nginx` is whatever reads ingress-nginx's annotations: ingress-nginx itself (retired in March
 * 2026) and Traefik's NGINX provider.
 */
export const INGRESS_CONTROLLER_FACTS: Record<
  IngressController,
  { readonly prefix?: string; readonly namespace?: string }
> = {
  nginx: { prefix: "nginx.ingress.kubernetes.io/", namespace: "ingress-nginx" },
  traefik: { prefix: "traefik.ingress.kubernetes.io/", namespace: "traefik" },
  other: {},
};

export interface IngressArgs {
  /** The public name; the TLS certificate is issued for it. */
  readonly host: string;
  readonly className: string;
  /** Whose annotations the Ingress gets. */
  readonly controller: IngressController;
  /** The cert-manager ClusterIssuer that issues the certificate. */
  readonly certManagerIssuer: string;
  /** Browser origins allowed to call Orthanc's API; none: no CORS headers. */
  readonly corsOrigins?: string[];
  /** The stack's own further annotations (validated for the controller in the config). */
  readonly annotations?: Record<string, string>;
  /** Keycloak's prefix to its Service (its `http` port), as it is: Keycloak serves under it. */
  readonly keycloak?: {
    readonly pathPrefix: string;
    /** A prefix below it that stays with Orthanc (Keycloak's `master` realm). */
    readonly hiddenPrefix: string;
    readonly service: string;
  };
}

type Named = { readonly name: string; readonly namespace: string };

const CORS_HEADERS = ["Authorization", "Content-Type", "Accept"];
const CORS_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];

/**
 * The Traefik Middleware that sends HSTS and answers CORS (Traefik has no annotation for either).
 */
export const traefikHeadersName = (s: Named) => `${s.name}-headers`;

/**
 * The annotations `controller` needs for Orthanc: HTTPS only, studies uploaded and downloaded
 * whole (no body limit, no buffering, long timeouts), CORS answered at the edge so browsers never
 * hit Orthanc's 401 on a preflight.
 */
function controllerAnnotations(s: Named, a: IngressArgs): Record<string, string> {
  const cors = Boolean(a.corsOrigins?.length);
  switch (a.controller) {
    case "nginx":
      return {
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
        "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        ...(cors
          ? {
              "nginx.ingress.kubernetes.io/enable-cors": "true",
              "nginx.ingress.kubernetes.io/cors-allow-origin": a.corsOrigins!.join(", "),
              "nginx.ingress.kubernetes.io/cors-allow-credentials": "true",
              "nginx.ingress.kubernetes.io/cors-allow-headers": CORS_HEADERS.join(", "),
              "nginx.ingress.kubernetes.io/cors-allow-methods": CORS_METHODS.join(", "),
            }
          : {}),
      };
    case "traefik":
      // Traefik streams bodies without a limit by default; its read timeout is the entry
      // point's (static configuration, see the README).
      return {
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
        "traefik.ingress.kubernetes.io/router.middlewares": `${s.namespace}-${traefikHeadersName(s)}@kubernetescrd`,
      };
    case "other":
      return {};
  }
}

/** What the program annotates an Ingress with: the controller's annotations and the issuer. */
const programWritten = (s: Named, a: IngressArgs): Record<string, string> => ({
  ...controllerAnnotations(s, a),
  "cert-manager.io/cluster-issuer": a.certManagerIssuer,
});

/**
 * HTTPS for `host` to Orthanc's Service `name` (its `http` port); with `keycloak`, its prefix to
 * Keycloak's Service (the longest matching path wins).
 */
export function orthancIngress(s: Named, a: IngressArgs): k8s.types.input.networking.v1.Ingress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      ...objectMeta(s.name, s.namespace, s.name, "orthanc"),
      annotations: { ...a.annotations, ...programWritten(s, a) },
    },
    spec: {
      ingressClassName: a.className,
      tls: [{ hosts: [a.host], secretName: `${s.name}-tls` }],
      rules: [
        {
          host: a.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: s.name, port: { name: "http" } } },
              },
              ...(a.keycloak
                ? [
                    {
                      path: a.keycloak.pathPrefix,
                      pathType: "Prefix",
                      backend: { service: { name: a.keycloak.service, port: { name: "http" } } },
                    },
                    // Keycloak's own `master` realm is never served: Orthanc has no such path.
                    {
                      path: a.keycloak.hiddenPrefix,
                      pathType: "Prefix",
                      backend: { service: { name: s.name, port: { name: "http" } } },
                    },
                  ]
                : []),
            ],
          },
        },
      ],
    },
  };
}

/** The annotations the program writes for `controller` (with CORS on): a stack may not set them. */
export const programAnnotations = (controller: IngressController): string[] =>
  Object.keys(
    programWritten(
      { name: "x", namespace: "x" },
      { host: "x", className: "x", controller, certManagerIssuer: "x", corsOrigins: ["x"] },
    ),
  );

/** Traefik's HSTS and CORS answer for Orthanc (traefik.io/v1alpha1 Middleware). */
export function traefikHeadersMiddleware(s: Named, corsOrigins: string[]) {
  return {
    apiVersion: "traefik.io/v1alpha1",
    kind: "Middleware",
    metadata: objectMeta(traefikHeadersName(s), s.namespace, s.name, "orthanc"),
    spec: {
      headers: {
        stsSeconds: 31536000,
        ...(corsOrigins.length
          ? {
              accessControlAllowOriginList: corsOrigins,
              accessControlAllowCredentials: true,
              accessControlAllowHeaders: CORS_HEADERS,
              accessControlAllowMethods: CORS_METHODS,
            }
          : {}),
      },
    },
  };
}

/** DICOM from outside: a load balancer that only the allowlisted networks may reach. */
export function dicomService(
  s: Named,
  port: number,
  allowedCidrs: string[],
): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(`${s.name}-dicom`, s.namespace, s.name, "dicom"),
    spec: {
      type: "LoadBalancer",
      loadBalancerSourceRanges: allowedCidrs,
      // Orthanc and the network policy see the modality's own address.
      externalTrafficPolicy: "Local",
      selector: labels(s.name, "orthanc"),
      ports: [{ name: "dicom", port, targetPort: "dicom", protocol: "TCP" }],
    },
  };
}
