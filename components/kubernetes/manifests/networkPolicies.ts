/**
 * The namespace's NetworkPolicies as plain data: default deny, then only what the deployment
 * needs.
 */
import type * as k8s from "@pulumi/kubernetes";
import { AUTH_SERVICE_PORT, KEYCLOAK_HTTP_PORT } from "../../shared/accessControl";
import type { Destination } from "../../shared/remoteServers";
import { accessControlLabels } from "./accessControl";
import { labels, objectMeta } from "./conventions";

type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** Name resolution through the cluster DNS, in any namespace. */
const DNS_EGRESS: EgressRule = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};

/** The EKS Pod Identity agent's link-local addresses (IPv4 and IPv6) on every node. */
const POD_IDENTITY_EGRESS: EgressRule = {
  to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }],
  ports: [{ protocol: "TCP", port: 80 }],
};

/**
 * Who may reach Orthanc's HTTP port: the edge's proxies, as pods of a namespace (with the labels
 * of one Gateway's proxies when they are known), or, for Cilium's per-node Envoy, its reserved
 * `ingress` identity (admitted by `ciliumPolicies`).
 */
export type HttpSource =
  | { readonly kind: "pods"; readonly namespace: string; readonly labels?: Record<string, string> }
  | { readonly kind: "cilium-ingress" };

/** The proxies of the stack's own Gateway when they run in Orthanc's namespace (Istio, NGF). */
export interface InNamespaceProxies {
  readonly labels: Record<string, string>;
  /** The listeners' ports, open to any client: these pods are the public edge. */
  readonly listenerPorts: number[];
  /** The control plane they are configured from, in its own namespace. */
  readonly controlPlane: { readonly namespace: string; readonly ports: number[] };
}

/** cert-manager's HTTP-01 solver pods, which the edge must reach while a certificate is issued. */
const ACME_SOLVER = { "acme.cert-manager.io/http01-solver": "true" };
const ACME_SOLVER_PORT = 8089;

/** The NetworkPolicy peer for the pods of `source`; none for Cilium's identity. */
const peerOf = (source: HttpSource) =>
  source.kind === "pods"
    ? [
        {
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": source.namespace },
          },
          ...(source.labels && Object.keys(source.labels).length
            ? { podSelector: { matchLabels: source.labels } }
            : {}),
        },
      ]
    : [];

export interface PolicyArgs {
  /** The instance name: policies are named `<name>-<role>` and select its labels. */
  readonly name: string;
  readonly namespace: string;
  readonly httpPort: number;
  /** Orthanc's DICOM port, when DICOM is published. */
  readonly dicomPort?: number;
  /**
   * The edge: the only source of HTTP; none without a public name (Orthanc is then reached
   * through `kubectl port-forward` only).
   */
  readonly httpSource?: HttpSource;
  /** This stack has cert-manager issue the web certificate: its HTTP-01 solver hears the edge. */
  readonly acmeSolver?: boolean;
  /** The stack's own Gateway's proxies, when they run in this namespace. */
  readonly gatewayProxies?: InNamespaceProxies;
  /** The only sources of DICOM. */
  readonly dicomAllowedCidrs: string[];
  /** Pods of the in-namespace database (StatefulSet or CloudNativePG), if any. */
  readonly databaseSelector?: Record<string, string>;
  /** Where Orthanc may connect: the database port, and 443 for S3/an external database with TLS. */
  readonly egressPorts: number[];
  /** Orthanc's peers and DICOMweb servers: their ports (and addresses, when given as such). */
  readonly remoteDestinations?: Destination[];
  /**
   * The EKS Pod Identity agent on the node (169.254.170.23:80), where a pod role's credentials
   * come from when S3 is reached without static keys.
   */
  readonly podIdentityAgent?: boolean;
  /** The backup CronJob's pods also reach the database. */
  readonly backups?: boolean;
  /**
   * Access control's parts run here (manifests/accessControl.ts): Orthanc reaches the auth
   * service, which reaches Keycloak, which the edge's proxies also reach, and its database (which
   * its dump job's pods also reach, with the StatefulSet).
   */
  readonly accessControl?: { readonly keycloakDumps: boolean };
}

/**
 * Default deny in the namespace; then only: HTTP from the edge's proxies, DICOM from the
 * allowlist, PostgreSQL only from Orthanc, Orthanc's egress to DNS and its data, cert-manager's
 * HTTP-01 solver from the edge, and the stack's own Gateway's proxies when they run here.
 */
export function networkPolicies(a: PolicyArgs): NetworkPolicy[] {
  const meta = (suffix: string) =>
    objectMeta(`${a.name}-${suffix}`, a.namespace, a.name, "network-policy");
  const orthanc = { matchLabels: labels(a.name, "orthanc") };
  const policies: NetworkPolicy[] = [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("orthanc"),
      spec: {
        podSelector: orthanc,
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          ...(a.httpSource?.kind === "pods"
            ? [{ from: peerOf(a.httpSource), ports: [{ protocol: "TCP", port: a.httpPort }] }]
            : []),
          ...(a.dicomPort && a.dicomAllowedCidrs.length
            ? [
                {
                  from: a.dicomAllowedCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                  ports: [{ protocol: "TCP", port: a.dicomPort }],
                },
              ]
            : []),
        ],
        egress: [
          DNS_EGRESS,
          ...(a.databaseSelector
            ? [
                {
                  to: [{ podSelector: { matchLabels: a.databaseSelector } }],
                  ports: [{ protocol: "TCP", port: 5432 }],
                },
              ]
            : []),
          ...a.egressPorts.map((port) => ({ ports: [{ protocol: "TCP", port }] })),
          ...(a.podIdentityAgent ? [POD_IDENTITY_EGRESS] : []),
          ...(a.remoteDestinations ?? []).map((d) => ({
            ...(d.cidr ? { to: [{ ipBlock: { cidr: d.cidr } }] } : {}),
            ports: [{ protocol: "TCP", port: d.port }],
          })),
          ...(a.accessControl
            ? [
                {
                  to: [{ podSelector: { matchLabels: accessControlLabels(a.name).authService } }],
                  ports: [{ protocol: "TCP", port: AUTH_SERVICE_PORT }],
                },
              ]
            : []),
        ],
      },
    },
  ];
  if (a.databaseSelector) {
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("database"),
      spec: {
        podSelector: { matchLabels: a.databaseSelector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              { podSelector: orthanc },
              ...(a.backups ? [{ podSelector: { matchLabels: labels(a.name, "backup") } }] : []),
            ],
            ports: [{ protocol: "TCP", port: 5432 }],
          },
        ],
      },
    });
    if (a.backups) {
      policies.push({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta("backup"),
        spec: {
          podSelector: { matchLabels: labels(a.name, "backup") },
          policyTypes: ["Ingress", "Egress"],
          ingress: [],
          egress: [
            DNS_EGRESS,
            {
              to: [{ podSelector: { matchLabels: a.databaseSelector } }],
              ports: [{ protocol: "TCP", port: 5432 }],
            },
          ],
        },
      });
    }
  }
  // Appended after the older policies: their names are their index (`<name>-policy-<i>`).
  if (a.httpSource && a.acmeSolver)
    policies.push({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("acme-solver"),
      spec: {
        podSelector: { matchLabels: ACME_SOLVER },
        policyTypes: ["Ingress"],
        ingress:
          a.httpSource?.kind === "pods"
            ? [
                {
                  from: peerOf(a.httpSource),
                  ports: [{ protocol: "TCP", port: ACME_SOLVER_PORT }],
                },
              ]
            : [],
      },
    });
  if (a.gatewayProxies) policies.push(gatewayProxiesPolicy(meta("gateway"), a, a.gatewayProxies));
  if (a.accessControl) policies.push(...accessControlPolicies(meta, a));
  return policies;
}

/**
 * Access control's parts: the auth service heard only by Orthanc, Keycloak only by the auth
 * service and the edge's proxies (its management port by no pod: the kubelet's probes are not
 * subject to NetworkPolicies), Keycloak's database only by Keycloak and its dump job; each part's
 * egress only to the next one, and DNS.
 */
function accessControlPolicies(
  meta: (suffix: string) => NetworkPolicy["metadata"],
  a: PolicyArgs,
): NetworkPolicy[] {
  const parts = accessControlLabels(a.name);
  const dumps = a.accessControl?.keycloakDumps;
  const to = (selector: Record<string, string>, port: number): EgressRule => ({
    to: [{ podSelector: { matchLabels: selector } }],
    ports: [{ protocol: "TCP", port }],
  });
  const policy = (
    suffix: string,
    selector: Record<string, string>,
    spec: Omit<k8s.types.input.networking.v1.NetworkPolicySpec, "podSelector">,
  ): NetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(suffix),
    spec: { podSelector: { matchLabels: selector }, ...spec },
  });
  return [
    policy("auth-service", parts.authService, {
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: labels(a.name, "orthanc") } }],
          ports: [{ protocol: "TCP", port: AUTH_SERVICE_PORT }],
        },
      ],
      egress: [DNS_EGRESS, to(parts.keycloak, KEYCLOAK_HTTP_PORT)],
    }),
    policy("keycloak", parts.keycloak, {
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: parts.authService } },
            ...(a.httpSource ? peerOf(a.httpSource) : []),
          ],
          ports: [{ protocol: "TCP", port: KEYCLOAK_HTTP_PORT }],
        },
      ],
      egress: [DNS_EGRESS, to(parts.keycloakDatabase, 5432)],
    }),
    policy("keycloak-database", parts.keycloakDatabase, {
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: parts.keycloak } },
            ...(dumps ? [{ podSelector: { matchLabels: parts.keycloakBackup } }] : []),
          ],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    }),
    ...(dumps
      ? [
          policy("keycloak-backup", parts.keycloakBackup, {
            policyTypes: ["Ingress", "Egress"],
            ingress: [],
            egress: [DNS_EGRESS, to(parts.keycloakDatabase, 5432)],
          }),
        ]
      : []),
  ];
}

/**
 * The stack's own Gateway's proxies in this namespace: the listeners open to any client (they are
 * the public edge), and out only to Orthanc, cert-manager's solver, DNS and their control plane
 * (and Keycloak under access control).
 */
function gatewayProxiesPolicy(
  metadata: NetworkPolicy["metadata"],
  a: PolicyArgs,
  p: InNamespaceProxies,
): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata,
    spec: {
      podSelector: { matchLabels: p.labels },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ports: p.listenerPorts.map((port) => ({ protocol: "TCP", port })) }],
      egress: [
        DNS_EGRESS,
        {
          to: [{ podSelector: { matchLabels: labels(a.name, "orthanc") } }],
          ports: [{ protocol: "TCP", port: a.httpPort }],
        },
        {
          to: [{ podSelector: { matchLabels: ACME_SOLVER } }],
          ports: [{ protocol: "TCP", port: ACME_SOLVER_PORT }],
        },
        ...(a.accessControl
          ? [
              {
                to: [{ podSelector: { matchLabels: accessControlLabels(a.name).keycloak } }],
                ports: [{ protocol: "TCP", port: KEYCLOAK_HTTP_PORT }],
              },
            ]
          : []),
        {
          to: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": p.controlPlane.namespace },
              },
            },
          ],
          ports: p.controlPlane.ports.map((port) => ({ protocol: "TCP", port })),
        },
      ],
    },
  };
}

/**
 * Cilium's Gateway proxies are its per-node Envoy, whose traffic carries the reserved `ingress`
 * identity that no NetworkPolicy can name: a CiliumNetworkPolicy admits it to Orthanc's HTTP port
 * and to cert-manager's solver (and Keycloak's under access control), and to nothing else. Keyed
 * by the name's suffix.
 */
export function ciliumPolicies(
  a: Pick<PolicyArgs, "name" | "namespace" | "httpPort" | "acmeSolver" | "accessControl">,
) {
  const admit = (suffix: string, selector: Record<string, string>, port: number) => ({
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: objectMeta(`${a.name}-${suffix}`, a.namespace, a.name, "network-policy"),
    spec: {
      endpointSelector: { matchLabels: selector },
      ingress: [
        {
          fromEntities: ["ingress"],
          toPorts: [{ ports: [{ port: String(port), protocol: "TCP" }] }],
        },
      ],
    },
  });
  return {
    "gateway-to-orthanc": admit("gateway-to-orthanc", labels(a.name, "orthanc"), a.httpPort),
    ...(a.acmeSolver
      ? { "gateway-to-acme-solver": admit("gateway-to-acme-solver", ACME_SOLVER, ACME_SOLVER_PORT) }
      : {}),
    ...(a.accessControl
      ? {
          "gateway-to-keycloak": admit(
            "gateway-to-keycloak",
            accessControlLabels(a.name).keycloak,
            KEYCLOAK_HTTP_PORT,
          ),
        }
      : {}),
  };
}
