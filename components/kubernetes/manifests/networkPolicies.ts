/**
 * The namespace's NetworkPolicies as plain data: default deny, then only what the deployment
 * needs.
 */
import type * as k8s from "@pulumi/kubernetes";
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

export interface PolicyArgs {
  /** The instance name: policies are named `<name>-<role>` and select its labels. */
  readonly name: string;
  readonly namespace: string;
  readonly httpPort: number;
  /** Orthanc's DICOM port, when DICOM is published. */
  readonly dicomPort?: number;
  /** Where the ingress controller runs: the only source of HTTP. */
  readonly ingressControllerNamespace: string;
  /** The only sources of DICOM. */
  readonly dicomAllowedCidrs: string[];
  /** Pods of the in-namespace database (StatefulSet or CloudNativePG), if any. */
  readonly databaseSelector?: Record<string, string>;
  /** Where Orthanc may connect: the database port, and 443 for S3/an external database with TLS. */
  readonly egressPorts: number[];
  /**
   * The EKS Pod Identity agent on the node (169.254.170.23:80), where a pod role's credentials
   * come from when S3 is reached without static keys.
   */
  readonly podIdentityAgent?: boolean;
  /** The backup CronJob's pods also reach the database. */
  readonly backups?: boolean;
}

/**
 * Default deny in the namespace; then only: HTTP from the ingress controller's namespace, DICOM
 * from the allowlist, PostgreSQL only from Orthanc, and Orthanc's egress to DNS and its data.
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
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": a.ingressControllerNamespace },
                },
              },
            ],
            ports: [{ protocol: "TCP", port: a.httpPort }],
          },
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
  return policies;
}
