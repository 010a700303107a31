/**
 * What the program would deploy for Orthanc, read from the real program: the stack configuration
 * goes through `runPlan` under mocks, secrets revealed, and the files each Orthanc container would
 * read are followed from the resources that carry them (Docker uploads; Kubernetes ConfigMap and
 * Secret volumes; the ECS init container's variables and Secrets Manager). The lab boots these,
 * never a second copy of the targets' mapping.
 */
import type * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../infra/config";
import { planMocks } from "../../infra/plan/mocks";
import { runPlan } from "../../infra/plan/runPlan";
import { JsonObject } from "../../components/shared/orthancConfig";
import { ORTHANC_PATHS } from "../../components/shared/orthancImage";
import { reveal } from "../helpers/plan";

/** Resource inputs, read loosely: each target's own shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One registered resource: its inputs as the provider sees them and the state the mocks return. */
export interface ShippedResource {
  type: string;
  name: string;
  inputs: Json;
  id: string;
  state: Json;
}

/** The Orthanc documents of one container, parsed (the `\u0024` escapes decode to `$`). */
export interface OrthancDocuments {
  orthancJson: JsonObject;
  credentialsJson: JsonObject;
  /** The Orthanc container's environment. */
  environment: Record<string, string>;
}

export interface Shipped extends OrthancDocuments {
  target: string;
  adminUser: string;
  /**
   * Every Orthanc the program configures separately: on Docker one container per replica, on
   * Kubernetes and AWS one template for every replica. The top-level documents are the first's.
   */
  instances: OrthancDocuments[];
  resources: ShippedResource[];
}

/** Keys that may differ between the Docker target's replica containers: each names itself. */
export const PER_REPLICA_KEYS = ["DatabaseServerIdentifier"] as const;

/** A stack name Pulumi accepts (the lab's fixtures are called `fixture:...`). */
export const planStackName = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, "-");

/** Every resource the program registers for `raw`, secrets revealed. */
export async function shippedResources(
  raw: Record<string, unknown>,
  stack: string,
): Promise<ShippedResource[]> {
  const resources: ShippedResource[] = [];
  await runPlan(raw, planStackName(stack), (args: pulumi.runtime.MockResourceArgs) => {
    // The mocks are deterministic: asking them again gives the id and state the program sees.
    const { id, state } = planMocks.newResource(args) as { id: string; state: Json };
    resources.push({
      type: args.type,
      name: args.name,
      inputs: reveal(args.inputs),
      id,
      state: reveal(state),
    });
  });
  return resources;
}

/** What the program would deploy for Orthanc for the stack configuration `raw`. */
export async function shippedDocuments(
  raw: Record<string, unknown>,
  stack: string,
): Promise<Shipped> {
  const config = parseConfig(raw);
  const resources = await shippedResources(raw, stack);
  const instances =
    config.target === "docker"
      ? dockerInstances(resources)
      : config.target === "kubernetes"
        ? kubernetesInstances(resources)
        : awsInstances(resources);
  if (instances.length === 0) throw new Error(`${stack}: no Orthanc container found in the plan`);
  const [first, ...others] = instances;
  others.forEach((other, i) => {
    const differ = replicaDifferences(first, other);
    if (differ.length)
      throw new Error(`${stack}: Orthanc #${i + 2} differs from #1 in ${differ.join(", ")}`);
  });
  return {
    ...first,
    target: config.target,
    adminUser: config.orthanc.adminUser,
    instances,
    resources,
  };
}

/** Where two replicas' documents differ, outside `PER_REPLICA_KEYS`. */
export function replicaDifferences(a: OrthancDocuments, b: OrthancDocuments): string[] {
  const strip = (doc: JsonObject) => {
    const copy = { ...doc };
    for (const key of PER_REPLICA_KEYS) delete copy[key];
    return copy;
  };
  return (
    [
      ["orthanc.json", strip(a.orthancJson), strip(b.orthancJson)],
      ["credentials.json", a.credentialsJson, b.credentialsJson],
      ["environment", a.environment, b.environment],
    ] as const
  ).flatMap(([file, x, y]) => jsonDifferences(x, y).map((p) => `${file}: ${p.join(".")}`));
}

/** Every path where two JSON values differ (a key present in one only, or another value). */
export function jsonDifferences(a: unknown, b: unknown, at: string[] = []): string[][] {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length
      ? a.flatMap((x, i) => jsonDifferences(x, b[i], [...at, `${i}`]))
      : [at];
  const isObject = (v: unknown): v is JsonObject =>
    !!v && typeof v === "object" && !Array.isArray(v);
  if (isObject(a) && isObject(b))
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) =>
      k in a && k in b ? jsonDifferences(a[k], b[k], [...at, k]) : [[...at, k]],
    );
  return a === b ? [] : [at];
}

/** The documents at the paths every target mounts them, from the container's file view. */
function documents(
  files: Record<string, string | undefined>,
  environment: Record<string, string>,
  where: string,
): OrthancDocuments {
  const read = (path: string): JsonObject => {
    const text = files[path];
    if (text === undefined) throw new Error(`${where}: the Orthanc container has no ${path}`);
    return JSON.parse(text) as JsonObject;
  };
  return {
    orthancJson: read(ORTHANC_PATHS.config),
    credentialsJson: read(ORTHANC_PATHS.credentials),
    environment,
  };
}

// ---------------------------------------------------------------- docker

/**
 * Each Orthanc container: the one that sees orthanc.json, uploaded into it or into a container
 * whose volumes it mounts (`volumes[].fromContainer`, that container's id).
 */
function dockerInstances(resources: ShippedResource[]): OrthancDocuments[] {
  const containers = resources.filter((r) => r.type === "docker:index/container:Container");
  const uploadsOf = (r: ShippedResource): Json[] => [
    ...((r.inputs.uploads ?? []) as Json[]),
    ...((r.inputs.volumes ?? []) as Json[])
      .filter((v) => v.fromContainer !== undefined)
      .flatMap((v) => {
        const lender = containers.filter((c) => c.id === v.fromContainer);
        if (lender.length !== 1)
          throw new Error(`${r.name} mounts the volumes of ${v.fromContainer}: not in the plan`);
        return (lender[0].inputs.uploads ?? []) as Json[];
      }),
  ];
  return containers
    .filter((r) => r.inputs.start !== false)
    .filter((r) => uploadsOf(r).some((u: Json) => u.file === ORTHANC_PATHS.config))
    .map((r) => {
      const files = Object.fromEntries(
        uploadsOf(r).map((u) => [u.file as string, u.content as string]),
      );
      const environment = Object.fromEntries(
        ((r.inputs.envs ?? []) as string[]).map((e) => {
          const at = e.indexOf("=");
          return [e.slice(0, at), e.slice(at + 1)];
        }),
      );
      return documents(files, environment, `container ${r.name}`);
    });
}

// ---------------------------------------------------------------- kubernetes

/** Each Deployment container that mounts Orthanc's configuration directory. */
function kubernetesInstances(resources: ShippedResource[]): OrthancDocuments[] {
  const objects = (kind: string) =>
    resources.filter((r) => r.type === `kubernetes:core/v1:${kind}`).map((r) => r.inputs);
  const find = (kind: string, namespace: string, name: string) => {
    const found = objects(kind).filter(
      (o) => o.metadata?.name === name && (o.metadata?.namespace ?? namespace) === namespace,
    );
    if (found.length !== 1) throw new Error(`${kind} ${namespace}/${name}: ${found.length} found`);
    return found[0];
  };
  const secretValue = (secret: Json, key: string): string | undefined =>
    secret.stringData?.[key] ??
    (secret.data?.[key] === undefined
      ? undefined
      : Buffer.from(secret.data[key], "base64").toString("utf8"));
  const issuedByCertManager = (namespace: string, name: string) =>
    resources.some(
      (r) =>
        r.type === "kubernetes:cert-manager.io/v1:Certificate" &&
        r.inputs.spec?.secretName === name &&
        (r.inputs.metadata?.namespace ?? namespace) === namespace,
    );
  const instances: OrthancDocuments[] = [];
  for (const d of resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")) {
    const namespace = d.inputs.metadata?.namespace ?? "default";
    const pod = d.inputs.spec.template.spec;
    // The files of one volume, by their path inside it.
    const volumeFiles = (name: string): Record<string, string | undefined> => {
      const v = (pod.volumes as Json[]).find((x) => x.name === name);
      const files: Record<string, string | undefined> = {};
      const add = (source: Json, read: (key: string) => string | undefined, keys: string[]) => {
        const items: Json[] = source.items ?? keys.map((key) => ({ key, path: key }));
        for (const item of items) files[item.path] = read(item.key);
      };
      if (v?.configMap) {
        const cm = find("ConfigMap", namespace, v.configMap.name);
        add(v.configMap, (k) => cm.data?.[k], Object.keys(cm.data ?? {}));
      }
      const secrets: Json[] = [
        ...(v?.secret ? [{ ...v.secret, name: v.secret.secretName }] : []),
        ...(v?.projected?.sources ?? []).filter((s: Json) => s.secret).map((s: Json) => s.secret),
      ];
      for (const s of secrets) {
        // A Secret cert-manager issues is not in the plan: certificates, not Orthanc's documents.
        if (issuedByCertManager(namespace, s.name)) continue;
        const secret = find("Secret", namespace, s.name);
        const keys = Object.keys({ ...secret.data, ...secret.stringData });
        add(s, (k) => secretValue(secret, k), keys);
      }
      return files;
    };
    for (const c of pod.containers as Json[]) {
      const mounts: Json[] = c.volumeMounts ?? [];
      if (!mounts.some((m) => m.mountPath === ORTHANC_PATHS.configDir)) continue;
      const files: Record<string, string | undefined> = {};
      for (const m of mounts) {
        const inVolume = volumeFiles(m.name);
        if (m.subPath !== undefined) files[m.mountPath] = inVolume[m.subPath];
        else
          for (const [path, content] of Object.entries(inVolume))
            files[`${m.mountPath}/${path}`] = content;
      }
      const environment: Record<string, string> = {};
      for (const e of (c.env ?? []) as Json[]) {
        if (e.value === undefined) throw new Error(`env ${e.name} of ${d.name} has no plain value`);
        environment[e.name] = e.value;
      }
      instances.push(documents(files, environment, `deployment ${d.name}`));
    }
  }
  return instances;
}

// ---------------------------------------------------------------- aws

/**
 * Each ECS task's Orthanc container. Fargate mounts no files: init containers write them into
 * task volumes (`printf '%s' "$VARIABLE" > path`) from their environment and from Secrets
 * Manager; Orthanc mounts the same volumes.
 */
function awsInstances(resources: ShippedResource[]): OrthancDocuments[] {
  const secretString = (arn: string): string => {
    const secret = resources.find(
      (r) => r.type === "aws:secretsmanager/secret:Secret" && r.state.arn === arn,
    );
    const versions = resources.filter(
      (r) =>
        r.type === "aws:secretsmanager/secretVersion:SecretVersion" &&
        secret !== undefined &&
        r.inputs.secretId === secret.id,
    );
    if (versions.length !== 1) throw new Error(`secret ${arn}: ${versions.length} versions found`);
    return versions[0].inputs.secretString;
  };
  const instances: OrthancDocuments[] = [];
  for (const task of resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")) {
    const defs = JSON.parse(task.inputs.containerDefinitions) as Json[];
    // Files by (volume, path inside it), as the init containers write them.
    const written: { volume: string; path: string; content: string }[] = [];
    for (const init of defs) {
      const script = (init.command ?? []).join("\n") as string;
      for (const [, variable, path] of script.matchAll(/printf '%s' "\$(\w+)" > (\S+)/g)) {
        const env = (init.environment ?? []).find((e: Json) => e.name === variable);
        const secret = (init.secrets ?? []).find((s: Json) => s.name === variable);
        const content = env ? env.value : secret ? secretString(secret.valueFrom) : undefined;
        if (content === undefined) throw new Error(`${init.name}: $${variable} is not set`);
        const mount = (init.mountPoints as Json[]).find((m) =>
          path.startsWith(`${m.containerPath}/`),
        );
        if (!mount) throw new Error(`${init.name} writes ${path} outside its volumes`);
        written.push({
          volume: mount.sourceVolume,
          path: path.slice(mount.containerPath.length),
          content,
        });
      }
    }
    for (const c of defs) {
      const mounts: Json[] = c.mountPoints ?? [];
      if (!c.essential || !mounts.some((m) => m.containerPath === ORTHANC_PATHS.configDir))
        continue;
      const files: Record<string, string> = {};
      for (const m of mounts)
        for (const w of written.filter((x) => x.volume === m.sourceVolume))
          files[`${m.containerPath}${w.path}`] = w.content;
      const environment = Object.fromEntries(
        ((c.environment ?? []) as Json[]).map((e) => [e.name, e.value]),
      );
      instances.push(documents(files, environment, `task ${task.name}, container ${c.name}`));
    }
  }
  return instances;
}
