import * as pulumi from "@pulumi/pulumi";
import { Credentials } from "../shared/credentials";
import { destinationsOf } from "../shared/remoteServers";
import { createAccessControl, KubernetesAccessControl } from "./accessControl";
import { createDatabase, KubernetesDatabase } from "./database";
import { createDicomTls, KubernetesDicomTlsArgs } from "./dicomTls";
import { createEdge, DnsOptions, WebEdge } from "./edge";
import { APP, createNamespace } from "./namespace";
import { createNetworkPolicies } from "./networkPolicies";
import { createOrthanc, OrthancOptions } from "./orthanc";
import { createStorage, KubernetesStorage } from "./storage";

export interface OrthancKubernetesArgs {
  /** The namespace Orthanc runs in, and whether this component creates it. */
  readonly namespace: { readonly name: string; readonly create: boolean };
  /** Orthanc itself: image, users, ports, plugins, DICOM allowlist. */
  readonly orthanc: OrthancOptions;
  /** Each Orthanc pod's CPU and memory request (memory is also its limit). */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /** Annotations of Orthanc's service account (a pod role for S3, e.g. IRSA). */
  readonly serviceAccountAnnotations: Record<string, string>;
  /** The index: a PostgreSQL StatefulSet, a CloudNativePG cluster, or an external PostgreSQL. */
  readonly database: KubernetesDatabase;
  /** The DICOM files: a PVC, or an S3 bucket. */
  readonly storage: KubernetesStorage;
  /**
   * HTTPS for the public name: a Gateway API HTTPRoute, or an Ingress; none: Orthanc is reached
   * inside the cluster only.
   */
  readonly web?: WebEdge;
  /** Route 53 records for the public names, when the zone is given. */
  readonly dns?: DnsOptions;
  /** Scale between `orthanc.replicas` and `maxReplicas` on CPU use. */
  readonly autoscaling?: { readonly maxReplicas: number; readonly targetCpuPercent: number };
  /**
   * Orthanc's own DICOM TLS (a given certificate, or cert-manager's for the DICOM name from
   * `issuer` or a CA of the namespace's own); undefined: plain DICOM.
   */
  readonly dicomTls?: KubernetesDicomTlsArgs;
  /** Protect the namespace, the volumes, the database and the storage key from deletion. */
  readonly protectData: boolean;
  /**
   * Users in Keycloak, roles and labels checked by the orthanc-auth-service for Orthanc's
   * authorization plugin, instead of Orthanc's Basic-auth users; undefined: Basic auth.
   */
  readonly accessControl?: KubernetesAccessControl;
}

/**
 * Orthanc in a namespace of an existing cluster: restricted Pod Security, a dedicated service
 * account without a token, configuration in a ConfigMap and every credential in Secrets,
 * PostgreSQL (a StatefulSet, CloudNativePG, or external), a protected PVC or S3, HTTPS through
 * the Gateway API or an Ingress with cert-manager's certificate, DICOM only from an allowlist, default-deny network policies, and optionally the
 * Route 53 records of its names and access control (Keycloak, its database and the
 * orthanc-auth-service, instead of Basic auth).
 */
export class OrthancKubernetes extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly url: pulumi.Output<string>;
  public readonly dicomService?: pulumi.Output<string>;
  /** The DICOM load balancer's address once the cluster assigned one. */
  public readonly dicomHost?: pulumi.Output<string>;
  /** The web edge's address for the public name, once assigned. */
  public readonly webAddress?: pulumi.Output<string>;
  public readonly credentialsSecretName: pulumi.Output<string>;
  /** Orthanc's administrator, or under access control the realm's first administrator. */
  public readonly adminUser: string;
  /** Its password; under access control an initial one, to be changed at the first login. */
  public readonly adminPassword: pulumi.Output<string>;
  /** `namespace/name` of the Secret whose `tls.crt` is the namespace's DICOM CA, when made here. */
  public readonly dicomCaSecret?: pulumi.Output<string>;

  constructor(name: string, args: OrthancKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orthanc:kubernetes:OrthancKubernetes", name, {}, opts);
    refuseInconsistent(args, this);
    const { ns, account } = createNamespace(name, this, args);
    const credentials = new Credentials(
      `${name}-credentials`,
      {
        adminUser: args.orthanc.adminUser,
        users: args.orthanc.users,
        generateDatabasePassword: args.database.kind !== "external",
        generateAppRolePassword: args.database.kind === "statefulset",
        // Under access control Keycloak holds the users: no Basic-auth password at all.
        basicAuth: !args.accessControl,
      },
      { parent: this },
    );
    const st = args.storage;
    const storage = createStorage(name, this, { ns, storage: st, protectData: args.protectData });
    const database = createDatabase(name, this, {
      ns,
      database: args.database,
      generatedPassword: credentials.databasePassword,
      appRolePassword: credentials.appRolePassword,
      backupBucket:
        st.kind === "s3" && storage.staticKeys ? { ...st, ...storage.staticKeys } : undefined,
      protectData: args.protectData,
    });

    const accessControl = args.accessControl
      ? createAccessControl(name, this, {
          ns,
          accessControl: args.accessControl,
          protectData: args.protectData,
          backupTarget: database.backupTarget,
        })
      : undefined;

    const dicom = args.orthanc.dicom;
    const dicomPublished = args.orthanc.dicomAllowedCidrs.length > 0;
    const dicomTls =
      args.dicomTls && dicomPublished
        ? createDicomTls(name, this, { ns, tls: args.dicomTls })
        : undefined;
    const workload = createOrthanc(name, this, {
      ns,
      account,
      orthanc: args.orthanc,
      resources: args.resources,
      autoscaling: args.autoscaling,
      database,
      storage,
      users: credentials.users,
      publicHost: args.web?.host,
      dicomPublished,
      dicomTls,
      accessControl,
    });
    const edge = createEdge(name, this, {
      ns,
      web: args.web,
      httpPort: args.orthanc.httpPort,
      corsOrigins: args.orthanc.corsOrigins,
      dicom: dicomPublished
        ? { port: dicom.port, allowedCidrs: args.orthanc.dicomAllowedCidrs }
        : undefined,
      dns: args.dns,
      keycloak: accessControl?.keycloak,
    });
    createNetworkPolicies(name, this, {
      ns,
      httpPort: args.orthanc.httpPort,
      dicomPort: dicomPublished ? dicom.port : undefined,
      httpSource: edge.sources.http,
      gatewayProxies: edge.sources.gatewayProxies,
      acmeSolver: edge.sources.acmeSolver,
      dicomAllowedCidrs: dicomPublished ? args.orthanc.dicomAllowedCidrs : [],
      databaseSelector: database.podSelector,
      backups: database.dumps,
      // S3 and external databases are reached over TLS; an external database on its own port.
      egressPorts: [...(st.kind === "s3" ? [443] : []), ...database.egressPorts],
      // Without static keys, S3 credentials come from the node's EKS Pod Identity agent.
      podIdentityAgent: st.kind === "s3" && !storage.staticKeys,
      remoteDestinations: destinationsOf([
        ...Object.values(args.orthanc.peers),
        ...Object.values(args.orthanc.dicomWebServers),
      ]),
      accessControl: accessControl && { keycloakDumps: accessControl.keycloakDumps },
    });

    this.namespace = pulumi.output(ns.name);
    this.serviceName = workload.service.metadata.name;
    this.url = pulumi.output(
      args.web
        ? `https://${args.web.host}/`
        : `http://${APP}.${ns.name}.svc:${args.orthanc.httpPort}/`,
    );
    this.dicomService = edge.dicomService;
    this.dicomHost = edge.dicomHost;
    this.webAddress = edge.webAddress;
    this.credentialsSecretName = workload.credentialsSecret.metadata.name;
    this.adminUser = accessControl?.firstAdmin.username ?? args.orthanc.adminUser;
    this.adminPassword = accessControl?.firstAdmin.password ?? credentials.adminPassword!;
    this.dicomCaSecret = dicomTls?.caSecret
      ? pulumi.interpolate`${ns.name}/${dicomTls.caSecret}`
      : undefined;
    this.registerOutputs({
      namespace: this.namespace,
      serviceName: this.serviceName,
      url: this.url,
      credentialsSecretName: this.credentialsSecretName,
    });
  }
}

/** Arguments the types cannot refuse, refused before any resource is made. */
function refuseInconsistent(args: OrthancKubernetesArgs, parent: pulumi.Resource) {
  const ac = args.accessControl;
  // Browsers log in at Keycloak under the public URL, which only the web edge routes.
  if (ac && (!args.web || new URL(ac.publicUrl).host !== args.web.host))
    throw new pulumi.ResourceError(
      `access control: the public URL ${ac.publicUrl} must be the web edge's host (${args.web?.host ?? "none: no web edge"}), where Keycloak is routed under /keycloak`,
      parent,
    );
  const st = args.storage;
  if (st.kind === "s3" && !st.accessKeyId !== !st.secretAccessKey)
    throw new pulumi.ResourceError(
      "S3 storage: static keys come in pairs, an accessKeyId with its secretAccessKey (or neither, for a pod role)",
      parent,
    );
}
