/**
 * `orthanc:kubernetes.gateway` and `orthanc:kubernetes.ingress`: how HTTPS reaches Orthanc on the
 * kubernetes target. A Gateway API HTTPRoute is the default edge (on a Gateway the cluster runs,
 * or on one of the stack's own); an Ingress serves clusters that keep an Ingress controller.
 */
import { z } from "zod";
import {
  GATEWAY_IMPLEMENTATIONS,
  IMPLEMENTATIONS,
} from "../../../components/kubernetes/manifests/gatewayImplementations";
import {
  INGRESS_CONTROLLER_FACTS,
  INGRESS_CONTROLLERS,
  IngressController,
  programAnnotations,
} from "../../../components/kubernetes/manifests/ingress";
import type { ConfigIssue } from "../errors";
import { dns1123Label, dns1123Subdomain } from "../platform/kubernetes";
import { rule } from "../rule";
import { tlsOn } from "./tls";

/** The listeners of the stack's own Gateway; its HTTPRoute attaches to `https`. */
export const OWN_GATEWAY_LISTENERS = ["https", "http"] as const;

/**
 * Annotations that would let an Ingress object run configuration in the controller (the snippets
 * behind CVE-2025-1974 and its kin) or take over what the program owns (the certificate).
 */
const REFUSED_ANNOTATIONS: [RegExp, string][] = [
  // `server-snippet` (ingress-nginx), `server-snippets` (F5 NGINX), and their kin.
  [/snippets?$/i, "injects raw controller configuration, which the stack's reviewers cannot see"],
  // ingress-nginx annotations behind the 2025 configuration-injection CVEs.
  [
    /^nginx\.ingress\.kubernetes\.io\/(auth-url|auth-signin|auth-tls-match-cn|mirror-.*)$/,
    "passes its value unchecked into the controller's configuration (CVE-2025-24514, CVE-2025-1097, CVE-2025-1098)",
  ],
  [/^cert-manager\.io\//, "is the program's: `orthanc:kubernetes.certManagerIssuer` sets it"],
];

const annotationKey = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
    error: "must be an annotation key such as `nginx.ingress.kubernetes.io/proxy-body-size`",
  });

export const gatewaySection = z.strictObject({
  /** The Gateway the HTTPRoute attaches to; with `create`, the name of the stack's own. */
  name: dns1123Subdomain("a Gateway's name").optional(),
  /** The existing Gateway's namespace; Orthanc's namespace by default. */
  namespace: dns1123Label("a namespace's name").optional(),
  /** The existing Gateway's HTTPS listener (the route's `sectionName`); any listener by default. */
  listener: dns1123Subdomain("a listener's name").optional(),
  /** Create a Gateway of the stack's own in Orthanc's namespace (HTTPS from cert-manager). */
  create: z.boolean().default(false),
  /** The GatewayClass of the stack's own Gateway. */
  className: dns1123Subdomain("a GatewayClass's name").optional(),
  /** What runs the Gateway: where its proxies are and what it honours. */
  implementation: z.enum(GATEWAY_IMPLEMENTATIONS).optional(),
  /** Where the Gateway's proxy pods run, when not where the implementation puts them by default. */
  proxyNamespace: dns1123Label("a namespace's name").optional(),
  /**
   * Where the implementation's control plane runs (istiod, NGF's controller), when not where its
   * chart installs it: the only place the stack's own Gateway's in-namespace proxies may reach.
   */
  controlPlaneNamespace: dns1123Label("a namespace's name").optional(),
});

export const ingressSection = z.strictObject({
  className: dns1123Subdomain("an IngressClass's name"),
  /** Whose annotations the Ingress gets; by default the one the class is named after. */
  controller: z.enum(INGRESS_CONTROLLERS).optional(),
  /** Where the controller runs: the only namespace allowed to reach Orthanc's HTTP port. */
  controllerNamespace: dns1123Label("a namespace's name").optional(),
  /** Further annotations, for the chosen controller only. */
  annotations: z.record(annotationKey, z.string()).default({}),
});

/** The edge keys of `orthanc:kubernetes`, spread into its schema. */
export const edgeKeys = {
  gateway: gatewaySection.optional(),
  ingress: ingressSection.optional(),
  /** Deprecated: `orthanc:kubernetes.ingress.className`. */
  ingressClassName: dns1123Subdomain("an IngressClass's name").optional(),
  /** Deprecated: `orthanc:kubernetes.ingress.controllerNamespace`. */
  ingressControllerNamespace: dns1123Label("a namespace's name").optional(),
};

type EdgeInput = {
  namespace: string;
  gateway?: z.output<typeof gatewaySection>;
  ingress?: z.output<typeof ingressSection>;
  ingressClassName?: string;
  ingressControllerNamespace?: string;
};

/** The Ingress a stack asked for, through `ingress` or the deprecated top-level keys. */
export function ingressOf(k: EdgeInput): z.output<typeof ingressSection> | undefined {
  if (k.ingress) return k.ingress;
  if (k.ingressClassName === undefined && k.ingressControllerNamespace === undefined)
    return undefined;
  // Before the Gateway API, ingress-nginx was the default: the old keys keep meaning it.
  return {
    className: k.ingressClassName ?? "nginx",
    controllerNamespace: k.ingressControllerNamespace ?? "ingress-nginx",
    annotations: {},
  };
}

/** The controller an Ingress's annotations are written for. */
export const controllerOf = (i: z.output<typeof ingressSection>): IngressController =>
  i.controller ?? (i.className === "nginx" || i.className === "traefik" ? i.className : "other");

const set = (key: string, value: string) => `\`pulumi config set --path '${key}' ${value}\``;
const rm = (key: string) => `\`pulumi config rm --path '${key}'\``;
const G = "orthanc:kubernetes.gateway";
const I = "orthanc:kubernetes.ingress";

const CHOOSE_EDGE =
  `Fix: attach to a Gateway the cluster runs, e.g. ${set(`${G}.name`, "shared-gateway")}, ` +
  `${set(`${G}.namespace`, "gateway-system")}, ${set(`${G}.listener`, "https")} and ${set(`${G}.implementation`, "envoy-gateway")}; ` +
  `or create one with ${set(`${G}.create`, "true")}, ${set(`${G}.className`, "<GatewayClass>")} and its implementation; ` +
  `or keep an Ingress controller with ${set(`${I}.className`, "<IngressClass>")}.`;

/** The rules that guard the edge keys. */
export const edgeRules = [
  // An edge exists exactly when the public name is served over HTTPS.
  rule(
    { sections: ["kubernetes", "tls", "dns"], targets: ["kubernetes"] },
    ({ kubernetes: k, tls, dns }, _target, given): ConfigIssue | ConfigIssue[] | undefined => {
      const ingress = ingressOf(k);
      const chosen = [
        ...(k.gateway ? [G] : []),
        ...(k.ingress ? [I] : []),
        ...(["ingressClassName", "ingressControllerNamespace"] as const)
          .filter((leaf) => given(`kubernetes.${leaf}`))
          .map((leaf) => `orthanc:kubernetes.${leaf}`),
      ];
      if (!tlsOn(tls, dns))
        return chosen.map((key) => ({
          key,
          message:
            `sets up the HTTPS edge, but there is none without TLS: ` +
            (tls.enabled === false
              ? "`orthanc:tls.enabled` is false"
              : "`orthanc:dns.name` is not set") +
            ` (Orthanc is then reached inside the cluster only). Fix: set \`orthanc:dns.name\` for HTTPS, or ${rm(key)}.`,
        }));
      if (chosen.length === 0)
        return {
          key: G,
          message:
            `is not set, and \`orthanc:dns.name\` (${dns.name}) needs an HTTPS edge. The Gateway API is the default; ` +
            `ingress-nginx, the Ingress controller this program used to assume, was retired in March 2026 (no more security fixes). ` +
            CHOOSE_EDGE,
        };
      if (k.gateway && ingress)
        return {
          key: chosen[1],
          message:
            `asks for an Ingress, but \`${G}\` already routes HTTPS through a Gateway: one edge only. ` +
            `Fix: ${rm(chosen[1])}, or ${rm(G)}.`,
        };
      if (k.ingress && chosen.length > 1)
        return chosen.slice(1).map((key) => ({
          key,
          message: `is the deprecated form of \`${I}\`, which is set. Fix: ${rm(key)}.`,
        }));
      return undefined;
    },
  ),

  rule(
    { sections: ["kubernetes", "orthanc"], targets: ["kubernetes"] },
    ({ kubernetes: k, orthanc }, _target, given): ConfigIssue[] => {
      const g = k.gateway;
      if (!g) return [];
      const issues: ConfigIssue[] = [];
      const impl = g.implementation;
      if (g.create) {
        if (!g.className)
          issues.push({
            key: `${G}.className`,
            message: `is required with \`${G}.create\`: the GatewayClass that runs the stack's own Gateway. Fix: ${set(`${G}.className`, "<GatewayClass>")} (\`kubectl get gatewayclass\` lists them).`,
          });
        if (g.namespace !== undefined && g.namespace !== k.namespace)
          issues.push({
            key: `${G}.namespace`,
            message: `is "${g.namespace}", but the stack's own Gateway (\`${G}.create\`) is made in Orthanc's namespace "${k.namespace}". Fix: ${rm(`${G}.namespace`)}.`,
          });
        if (impl && !IMPLEMENTATIONS[impl].ownGateway)
          issues.push({
            key: `${G}.create`,
            message: `is true, but ${impl} serves Gateways only on its own entry points' ports, not on the 443 and 80 of the stack's own Gateway. Fix: attach to the Gateway its installation made: ${rm(`${G}.create`)} and ${set(`${G}.name`, "<Gateway>")}.`,
          });
        if (impl === "other" || (!impl && g.proxyNamespace))
          if ((g.proxyNamespace ?? k.namespace) === k.namespace)
            issues.push({
              key: `${G}.proxyNamespace`,
              message: `${g.proxyNamespace ? `is Orthanc's namespace "${k.namespace}"` : "is not set"}: the stack's own Gateway of an implementation the program does not know would run its proxies there, where the namespace's default deny cuts them off from their control plane. Fix: ${set(`${G}.proxyNamespace`, "<namespace of the controller's proxies>")} if they run elsewhere, or name a known implementation in \`${G}.implementation\` (${GATEWAY_IMPLEMENTATIONS.filter((i) => i !== "other").join(", ")}).`,
            });
        if (
          g.listener !== undefined &&
          !(OWN_GATEWAY_LISTENERS as readonly string[]).includes(g.listener)
        )
          issues.push({
            key: `${G}.listener`,
            message: `names "${g.listener}", a listener the stack's own Gateway does not have (it has ${OWN_GATEWAY_LISTENERS.join(", ")}; the route attaches to https). Fix: ${rm(`${G}.listener`)}.`,
          });
      } else {
        if (!g.name)
          issues.push({
            key: `${G}.name`,
            message: `is required: the Gateway the HTTPRoute attaches to (\`kubectl get gateways -A\` lists them), or \`${G}.create\` true for a Gateway of the stack's own. Fix: ${set(`${G}.name`, "<Gateway>")} and ${set(`${G}.namespace`, "<its namespace>")}.`,
          });
        if (!g.listener)
          issues.push({
            key: `${G}.listener`,
            message: `is required for an existing Gateway: without it the route attaches to every listener of the Gateway, its plain-HTTP one included, and Orthanc's passwords would cross the network in clear. Fix: ${set(`${G}.listener`, "<the Gateway's HTTPS listener, e.g. https>")} (\`kubectl get gateway -n <namespace> <name> -o yaml\` lists them).`,
          });
        if (g.className)
          issues.push({
            key: `${G}.className`,
            message: `names a GatewayClass, but only the stack's own Gateway (\`${G}.create\`) has one here; the existing Gateway's class is its owner's. Fix: ${rm(`${G}.className`)}, or ${set(`${G}.create`, "true")}.`,
          });
        if (given("kubernetes.certManagerIssuer"))
          issues.push({
            key: "orthanc:kubernetes.certManagerIssuer",
            message: `names the issuer of a certificate this stack does not make: an existing Gateway's listeners and their certificates are its owner's. Fix: ${rm("orthanc:kubernetes.certManagerIssuer")}, or ${set(`${G}.create`, "true")} for a Gateway of the stack's own.`,
          });
      }
      if (
        g.controlPlaneNamespace &&
        !(g.create && impl && IMPLEMENTATIONS[impl].controlPlane && !g.proxyNamespace)
      )
        issues.push({
          key: `${G}.controlPlaneNamespace`,
          message: `only places the control plane that the stack's own Gateway's proxies reach from Orthanc's namespace (\`${G}.create\` with ${GATEWAY_IMPLEMENTATIONS.filter((i) => IMPLEMENTATIONS[i].controlPlane).join(" or ")}); here it would do nothing. Fix: ${rm(`${G}.controlPlaneNamespace`)}.`,
        });
      if (!impl && !g.proxyNamespace)
        issues.push({
          key: `${G}.implementation`,
          message:
            `is required unless \`${G}.proxyNamespace\` is set: the network policy lets only the Gateway's proxies reach Orthanc, ` +
            `so the program must know where they run. Allowed: ${GATEWAY_IMPLEMENTATIONS.join(", ")}. ` +
            `Fix: ${set(`${G}.implementation`, "envoy-gateway")}, or ${set(`${G}.proxyNamespace`, "<namespace of the proxy pods>")}.`,
        });
      else if (impl && !IMPLEMENTATIONS[impl].proxies && !g.proxyNamespace)
        issues.push({
          key: `${G}.proxyNamespace`,
          message: `is required with implementation "${impl}": the program does not know where its proxy pods run, and the network policy lets only them reach Orthanc. Fix: ${set(`${G}.proxyNamespace`, "<namespace of the proxy pods>")}.`,
        });
      else if (impl && IMPLEMENTATIONS[impl].proxies?.kind === "cilium-ingress" && g.proxyNamespace)
        issues.push({
          key: `${G}.proxyNamespace`,
          message: `is set, but Cilium's Gateway proxies are no pods in a namespace: their traffic carries Cilium's reserved \`ingress\` identity, which a CiliumNetworkPolicy admits. Fix: ${rm(`${G}.proxyNamespace`)}.`,
        });
      if (orthanc.corsOrigins.length && !(impl && IMPLEMENTATIONS[impl].corsFilter))
        issues.push({
          key: "orthanc:orthanc.corsOrigins",
          message:
            `asks for CORS headers, but the Gateway's implementation (${impl ?? "not set"}) is not known to honour the HTTPRoute CORS filter ` +
            `(Gateway API v1.5; honoured here for ${GATEWAY_IMPLEMENTATIONS.filter((i) => IMPLEMENTATIONS[i].corsFilter).join(", ")}), ` +
            `and a filter the Gateway ignores would fail the browser's calls silently. ` +
            `Fix: serve the viewer from Orthanc's own origin and ${rm("orthanc:orthanc.corsOrigins")}, or use an implementation that honours it.`,
        });
      return issues;
    },
  ),

  rule(
    { sections: ["kubernetes", "orthanc"], targets: ["kubernetes"] },
    ({ kubernetes: k, orthanc }): ConfigIssue[] => {
      const ingress = k.ingress;
      if (!ingress) return [];
      const issues: ConfigIssue[] = [];
      const controller = controllerOf(ingress);
      const facts = INGRESS_CONTROLLER_FACTS[controller];
      const named = (["nginx", "traefik"] as const).find((c) => c === ingress.className);
      if (ingress.controller && named && named !== ingress.controller)
        issues.push({
          key: `${I}.controller`,
          message: `is "${ingress.controller}", but the IngressClass is "${ingress.className}", ${named}'s: its annotations would be ignored. Fix: ${rm(`${I}.controller`)}, or name the class that ${ingress.controller} serves in \`${I}.className\`.`,
        });
      if (!facts.namespace && !ingress.controllerNamespace)
        issues.push({
          key: `${I}.controllerNamespace`,
          message: `is required for the IngressClass "${ingress.className}" (controller ${controller}): the network policy lets only the controller's namespace reach Orthanc. Fix: ${set(`${I}.controllerNamespace`, "<namespace of the controller>")}.`,
        });
      for (const key of Object.keys(ingress.annotations)) {
        const refused =
          REFUSED_ANNOTATIONS.find(([re]) => re.test(key)) ??
          (programAnnotations(controller).includes(key)
            ? [/./, "is written by the program for Orthanc (HTTPS, whole studies, CORS)"]
            : undefined);
        const owner = (["nginx", "traefik"] as const).find((c) =>
          key.startsWith(INGRESS_CONTROLLER_FACTS[c].prefix ?? "\0"),
        );
        if (refused)
          issues.push({
            key: `${I}.annotations.${key}`,
            message: `is refused: it ${refused[1]}. Fix: ${rm(`${I}.annotations.${key}`)}.`,
          });
        else if (owner && owner !== controller)
          issues.push({
            key: `${I}.annotations.${key}`,
            message:
              `is a ${owner} annotation, but the Ingress is for ${controller === "other" ? `the class "${ingress.className}", which is neither nginx nor traefik` : controller}: it would be ignored. Fix: ${rm(`${I}.annotations.${key}`)}` +
              (owner === "nginx"
                ? `, or ${set(`${I}.controller`, "nginx")} if the class's controller reads nginx annotations (ingress-nginx, Traefik's NGINX provider).`
                : "."),
          });
      }
      if (orthanc.corsOrigins.length && controller === "other")
        issues.push({
          key: "orthanc:orthanc.corsOrigins",
          message: `asks for CORS headers, but the IngressClass "${ingress.className}" has no controller whose annotations the program writes (nginx, traefik), so they would never be sent. Fix: ${set(`${I}.controller`, "nginx")} if the controller reads nginx annotations, or serve the viewer from Orthanc's own origin and ${rm("orthanc:orthanc.corsOrigins")}.`,
        });
      return issues;
    },
  ),
];
