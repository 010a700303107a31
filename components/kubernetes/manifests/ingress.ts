/**
 * How clients outside the cluster reach Orthanc, as plain data: the web Ingress (TLS from
 * cert-manager, through ingress-nginx) and the DICOM LoadBalancer Service.
 */
import type * as k8s from "@pulumi/kubernetes";
import { labels, objectMeta } from "./conventions";

export interface IngressArgs {
  /** The public name; the TLS certificate is issued for it. */
  readonly host: string;
  /** The IngressClass (ingress-nginx's). */
  readonly className: string;
  /** The cert-manager ClusterIssuer that issues the certificate. */
  readonly certManagerIssuer: string;
  /** Browser origins allowed to call Orthanc's API; none: no CORS headers. */
  readonly corsOrigins?: string[];
}

/** HTTPS for `host` to Orthanc's Service `name` (its `http` port). */
export function orthancIngress(
  s: { readonly name: string; readonly namespace: string },
  a: IngressArgs,
): k8s.types.input.networking.v1.Ingress {
  // ingress-nginx answers CORS preflights itself, so browsers never hit Orthanc's 401 on them.
  const cors: Record<string, string> = a.corsOrigins?.length
    ? {
        "nginx.ingress.kubernetes.io/enable-cors": "true",
        "nginx.ingress.kubernetes.io/cors-allow-origin": a.corsOrigins.join(", "),
        "nginx.ingress.kubernetes.io/cors-allow-credentials": "true",
        "nginx.ingress.kubernetes.io/cors-allow-headers": "Authorization, Content-Type, Accept",
        "nginx.ingress.kubernetes.io/cors-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
      }
    : {};
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      ...objectMeta(s.name, s.namespace, s.name, "orthanc"),
      annotations: {
        "cert-manager.io/cluster-issuer": a.certManagerIssuer,
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        // Studies are uploaded and downloaded whole: no body limit, no buffering, long timeouts.
        "nginx.ingress.kubernetes.io/proxy-body-size": "0",
        "nginx.ingress.kubernetes.io/proxy-request-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-buffering": "off",
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
        "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
        ...cors,
      },
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
            ],
          },
        },
      ],
    },
  };
}

/** DICOM from outside: a load balancer that only the allowlisted networks may reach. */
export function dicomService(
  s: { readonly name: string; readonly namespace: string },
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
