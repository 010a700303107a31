import { Plan } from "./runPlan";
import { PlannedResource } from "./record";

/** The shape of `pulumi preview --json`, so tools that read one can read the other. */
export function previewJson(plan: Plan) {
  const stackUrn = `urn:pulumi:${plan.stack}::orthanc::pulumi:pulumi:Stack::orthanc-${plan.stack}`;
  const step = (
    r: Pick<
      PlannedResource,
      | "urn"
      | "type"
      | "parent"
      | "inputs"
      | "dependencies"
      | "protect"
      | "retainOnDelete"
      | "custom"
    >,
  ) => ({
    op: "create",
    urn: r.urn,
    type: r.type,
    newState: {
      type: r.type,
      urn: r.urn,
      custom: r.custom,
      parent: r.parent,
      inputs: r.inputs,
      dependencies: r.dependencies,
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
    },
  });
  const root = {
    urn: stackUrn,
    type: "pulumi:pulumi:Stack",
    parent: "",
    inputs: {},
    dependencies: [],
    protect: false,
    retainOnDelete: false,
    custom: false,
  };
  const steps = [
    step(root),
    ...plan.resources.map((r) => step({ ...r, parent: r.parent || stackUrn })),
  ];
  return { steps, changeSummary: { create: steps.length }, outputs: plan.outputs };
}

const KEY_INPUTS: Record<string, string[]> = {
  "docker:index/container:Container": [
    "image",
    "user",
    "restart",
    "ports",
    "networksAdvanced",
    "volumes",
    "envs",
    "uploads",
    "healthcheck",
    "securityOpts",
    "capabilities",
  ],
  "docker:index/network:Network": ["name", "internal"],
  "docker:index/volume:Volume": ["name"],
  "docker:index/remoteImage:RemoteImage": ["name"],
  "docker:index/provider:Provider": ["host"],
  "random:index/randomPassword:RandomPassword": ["length", "special"],
};

function summarize(r: PlannedResource): string {
  const keys = KEY_INPUTS[r.type];
  const picked = keys
    ? Object.fromEntries(keys.filter((k) => r.inputs[k] !== undefined).map((k) => [k, r.inputs[k]]))
    : r.inputs;
  // Uploaded file contents are long: show path, mode and whether the content is secret.
  if (Array.isArray(picked.uploads)) {
    picked.uploads = (picked.uploads as Record<string, unknown>[]).map(
      (u) =>
        `${u.file} (${u.permissions ?? "default"}${u.content === "[secret]" ? ", secret" : ""})`,
    );
  }
  return JSON.stringify(picked);
}

/** A tree, one resource a line, children indented under their parent. */
export function planTree(plan: Plan): string {
  const byParent = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const lines: string[] = [
    `Stack ${plan.stack} (target ${plan.target}): ${plan.resources.length} resources`,
  ];
  const walk = (parent: string, depth: number) => {
    for (const r of byParent.get(parent) ?? []) {
      const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retainOnDelete" : ""]
        .filter(Boolean)
        .join(",");
      lines.push(`${"  ".repeat(depth)}+ ${r.type} ${r.name}${flags ? ` [${flags}]` : ""}`);
      if (r.custom) lines.push(`${"  ".repeat(depth + 2)}${summarize(r)}`);
      walk(r.urn, depth + 1);
    }
  };
  walk("", 1);
  lines.push("Outputs:");
  for (const [k, v] of Object.entries(plan.outputs)) {
    lines.push(`  ${k}: ${v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return lines.join("\n");
}
