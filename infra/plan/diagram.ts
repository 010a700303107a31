/**
 * A Mermaid flowchart of what a stack creates, drawn from the plan (never by hand): the ways in
 * (`exposure.ts`), the services they reach, the networks the services sit in, and the data
 * stores the services use. `npm run plan -- --stack <s> --diagram` prints it; the README's
 * per-target diagrams are this output for the shipped stacks (a test keeps them current).
 */
import { DataStore, exposureOf, imageOf } from "./exposure";
import { PlannedResource } from "./record";
import { Plan } from "./runPlan";

/* eslint-disable @typescript-eslint/no-explicit-any -- provider inputs are untyped JSON */
type R = PlannedResource & { inputs: Record<string, any> };

/** Mermaid label text: quotes and angle brackets as entities, lines joined with `<br/>`. */
const label = (...lines: string[]) =>
  lines
    .filter(Boolean)
    .map((l) => l.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;"))
    .join("<br/>");

const storeLabel = (d: DataStore) =>
  label(`${d.kind} ${d.name}`, `encryption: ${d.encryption}`, `protection: ${d.protection}`);

interface Service {
  resource: R;
  text: string[];
}

function imagesOfTask(td: R | undefined): string[] {
  try {
    const defs = JSON.parse(String(td?.inputs.containerDefinitions ?? "[]")) as any[];
    return [...new Set(defs.map((d) => String(d.image)))];
  } catch {
    return [];
  }
}

function podImages(w: R): string[] {
  const spec =
    w.type === "kubernetes:batch/v1:CronJob"
      ? w.inputs.spec?.jobTemplate?.spec?.template?.spec
      : w.inputs.spec?.template?.spec;
  return [...new Set(((spec?.containers ?? []) as any[]).map((c) => String(c.image)))];
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The Mermaid `flowchart` of a plan. */
export function mermaidDiagram(plan: Plan): string {
  const all = plan.resources as R[];
  const of = (...types: string[]) => all.filter((r) => types.includes(r.type));
  const exposure = exposureOf(plan);

  const services: Service[] = [];
  for (const c of of("docker:index/container:Container"))
    services.push({ resource: c, text: [`container ${c.name}`, imageOf(plan, c)] });
  const taskDefs = of("aws:ecs/taskDefinition:TaskDefinition");
  for (const s of of("aws:ecs/service:Service")) {
    const td = taskDefs.find((t) => String(s.inputs.taskDefinition ?? "").endsWith(t.name));
    services.push({
      resource: s,
      text: [
        `ECS service ${s.name} (${s.inputs.launchType ?? "EC2"}, ${s.inputs.desiredCount ?? 1} tasks)`,
        ...imagesOfTask(td),
      ],
    });
  }
  const exposed = new Set(exposure.waysIn.map((w) => w.via));
  for (const lb of of("aws:lb/loadBalancer:LoadBalancer").filter((l) => exposed.has(l.name)))
    services.push({
      resource: lb,
      text: [
        `${lb.inputs.loadBalancerType === "network" ? "NLB" : "ALB"} ${lb.name}`,
        lb.inputs.internal ? "internal" : "internet-facing",
      ],
    });
  const workloads = of(
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:batch/v1:CronJob",
  );
  for (const w of workloads)
    services.push({
      resource: w,
      text: [`${w.type.split(":").pop()} ${w.inputs.metadata?.name ?? w.name}`, ...podImages(w)],
    });
  for (const c of of("kubernetes:postgresql.cnpg.io/v1:Cluster"))
    services.push({ resource: c, text: [`CloudNativePG Cluster ${c.inputs.metadata?.name}`] });

  const ids = new Map<string, string>();
  services.forEach((s, i) => ids.set(s.resource.name, `s${i}`));
  const stores = exposure.dataStores;
  // A store that is also a service (a StatefulSet's claim, a CloudNativePG cluster) is drawn once,
  // as a store beside its service.
  const lines = ["flowchart LR"];
  lines.push('  subgraph ways["Ways in"]');
  exposure.waysIn.forEach((w, i) =>
    lines.push(
      `    w${i}(["${label(`${w.address}`, w.protocol, `TLS: ${w.tls}`, `from: ${w.from}`)}"])`,
    ),
  );
  lines.push("  end");

  // Where the services run: the Docker host, the VPC, the namespace.
  const vpc = of("aws:ec2/vpc:Vpc")[0];
  const namespace = of("kubernetes:core/v1:Namespace")[0];
  const host = of("aws:ec2/instance:Instance")[0];
  const place =
    plan.target === "docker"
      ? `Docker host${host ? ` (EC2 VM ${host.name})` : ""}`
      : plan.target === "aws"
        ? `VPC ${vpc ? `${vpc.name} ${vpc.inputs.cidrBlock}` : "(existing)"}`
        : `namespace ${namespace?.inputs.metadata?.name ?? "(existing)"}`;
  const inside = (kind: string) => plan.target !== "aws" || !kind.startsWith("S3");
  lines.push(`  subgraph site["${label(place)}"]`);
  services.forEach((s, i) => lines.push(`    s${i}["${label(...s.text)}"]`));
  const networks = of("docker:index/network:Network");
  networks.forEach((n, i) =>
    lines.push(
      `    n${i}{{"${label(`network ${n.inputs.name ?? n.name}`, n.inputs.internal ? "internal: no route out" : "")}"}}`,
    ),
  );
  stores.forEach((d, i) => {
    if (inside(d.kind)) lines.push(`    d${i}[("${storeLabel(d)}")]`);
  });
  lines.push("  end");
  stores.forEach((d, i) => {
    if (!inside(d.kind)) lines.push(`  d${i}[("${storeLabel(d)}")]`);
  });

  const edges = new Set<string>();
  exposure.waysIn.forEach((w, i) => {
    const via = w.via ? ids.get(w.via) : undefined;
    const target = ids.get(w.reaches);
    if (via) lines.push(`  w${i} --> ${via}`);
    if (via && target && !edges.has(`${via}>${target}`)) {
      edges.add(`${via}>${target}`);
      lines.push(`  ${via} --> ${target}`);
    } else if (!via && target) lines.push(`  w${i} --> ${target}`);
  });
  networks.forEach((n, i) => {
    const name = n.inputs.name ?? n.name;
    services.forEach((s, j) => {
      if ((s.resource.inputs.networksAdvanced ?? []).some((x: any) => x.name === name))
        lines.push(`  s${j} --- n${i}`);
    });
  });
  // A container that takes its files from another's volumes (Docker's read-only-root pattern).
  services.forEach((s, j) => {
    for (const v of s.resource.inputs.volumes ?? []) {
      const from = services.findIndex((o) => v.fromContainer === `${o.resource.name}-id`);
      if (from >= 0) lines.push(`  s${j} -.->|files from| s${from}`);
    }
  });
  // Who may talk to whom inside a namespace: the NetworkPolicies' pod selectors.
  const podLabels = (w: R): Record<string, string> =>
    (w.type === "kubernetes:batch/v1:CronJob"
      ? w.inputs.spec?.jobTemplate?.spec?.template?.metadata?.labels
      : w.inputs.spec?.template?.metadata?.labels) ?? {};
  for (const p of of("kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
    const to = workloads.filter((w) =>
      matches(p.inputs.spec?.podSelector?.matchLabels, podLabels(w)),
    );
    for (const rule of p.inputs.spec?.ingress ?? []) {
      const ports = (rule.ports ?? []).map((x: any) => x.port).join(",");
      for (const peer of rule.from ?? []) {
        if (peer.namespaceSelector) continue;
        for (const w of workloads.filter((v) =>
          matches(peer.podSelector?.matchLabels, podLabels(v)),
        ))
          for (const t of to) lines.push(`  ${ids.get(w.name)} -->|${ports}| ${ids.get(t.name)}`);
      }
    }
  }
  stores.forEach((d, i) => {
    for (const user of d.usedBy) {
      const id = ids.get(user.replace(/ \(.*\)$/, ""));
      if (id) lines.push(`  ${id} --> d${i}`);
    }
  });
  return lines.join("\n");
}
/* eslint-enable @typescript-eslint/no-explicit-any */
