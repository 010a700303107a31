/** The Kubernetes target's component and what it takes. */
export { OrthancKubernetes } from "./orthancKubernetes";
export type { OrthancKubernetesArgs } from "./orthancKubernetes";
export type { KubernetesDatabase, StatefulSetDatabase, CloudNativePgDatabase } from "./database";
export type { KubernetesStorage, PvcStorage } from "./storage";
export type { DnsOptions, WebEdge, GatewayEdge, IngressEdge } from "./edge";
export type { OrthancOptions } from "./orthanc";
export type { KubernetesAccessControl } from "./accessControl";
