import { exposureOf, exposureText, imageOf } from "./exposure";
import { PlannedResource } from "./record";
import { Plan } from "./runPlan";

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
  return {
    steps,
    changeSummary: { create: steps.length },
    outputs: plan.outputs,
    // Not in `pulumi preview --json`: the ways in and data stores (`exposure.ts`).
    exposure: exposureOf(plan),
  };
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

/** A string longer than this is cut, with a pointer to `--json`. */
export const MAX_VALUE = 100;
/** A value whose JSON is at most this long stays on its key's line. */
const INLINE = 80;

function scalar(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value) ?? "undefined";
  const lines = value.split("\n");
  const first = lines[0];
  if (first.length <= MAX_VALUE && lines.length === 1) return first;
  const cut = first.length > MAX_VALUE ? `${first.slice(0, MAX_VALUE)}…` : `${first}…`;
  const size = lines.length > 1 ? `${lines.length} lines` : `${value.length} characters`;
  return `${cut} (${size}; --json has all)`;
}

/** Inputs as indented `key: value` lines: short values inline, long strings cut. */
export function inputLines(value: unknown, indent: string): string[] {
  const short = JSON.stringify(value);
  if (value === null || typeof value !== "object") return [`${indent}${scalar(value)}`];
  if (short !== undefined && short.length <= INLINE) return [`${indent}${short}`];
  const lines: string[] = [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v) => ["-", v])
    : Object.entries(value);
  for (const [k, v] of entries) {
    const label = k === "-" ? "-" : `${k}:`;
    const text = JSON.stringify(v);
    if (v === null || typeof v !== "object") lines.push(`${indent}${label} ${scalar(v)}`);
    else if (text !== undefined && text.length <= INLINE) lines.push(`${indent}${label} ${text}`);
    else lines.push(`${indent}${label}`, ...inputLines(v, `${indent}  `));
  }
  return lines;
}

function picked(plan: Plan, r: PlannedResource): Record<string, unknown> {
  const keys = KEY_INPUTS[r.type];
  const shown: Record<string, unknown> = keys
    ? Object.fromEntries(keys.filter((k) => r.inputs[k] !== undefined).map((k) => [k, r.inputs[k]]))
    : { ...r.inputs };
  // A container's image input is the pulled image's id (made up under mocks): show its name.
  if (r.type === "docker:index/container:Container") shown.image = imageOf(plan, r);
  // Uploaded file contents are long: show path, mode and whether the content is secret.
  if (Array.isArray(shown.uploads)) {
    shown.uploads = (shown.uploads as Record<string, unknown>[]).map(
      (u) =>
        `${u.file} (${u.permissions ?? "default"}${u.content === "[secret]" ? ", secret" : ""})`,
    );
  }
  return shown;
}

/** Where the plan's configuration came from; only a file in `stacks/` is a shipped stack. */
export interface PlanSource {
  file: string;
  shipped: boolean;
}

/**
 * A tree, one resource a line, children indented under their parent, then the outputs and the
 * exposure summary. Resources (`+`) are counted; components (`*`), which only group them, are
 * counted apart.
 */
export function planTree(plan: Plan, source?: PlanSource): string {
  const byParent = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const resources = plan.resources.filter((r) => r.custom).length;
  const components = plan.resources.length - resources;
  const from = source
    ? source.shipped
      ? `, shipped stack file ${source.file}`
      : `, from ${source.file}`
    : "";
  const lines: string[] = [
    `Stack ${plan.stack} (target ${plan.target}${from}): ${resources} resources to create (+), in ${components} components (*)`,
  ];
  const walk = (parent: string, depth: number) => {
    for (const r of byParent.get(parent) ?? []) {
      const flags = [r.protect ? "protect" : "", r.retainOnDelete ? "retainOnDelete" : ""]
        .filter(Boolean)
        .join(",");
      const mark = r.custom ? "+" : "*";
      lines.push(`${"  ".repeat(depth)}${mark} ${r.type} ${r.name}${flags ? ` [${flags}]` : ""}`);
      if (r.custom) {
        const shown = picked(plan, r);
        if (Object.keys(shown).length) lines.push(...inputLines(shown, "  ".repeat(depth + 2)));
      }
      walk(r.urn, depth + 1);
    }
  };
  walk("", 1);
  lines.push("Outputs:");
  for (const [k, v] of Object.entries(plan.outputs)) {
    lines.push(`  ${k}: ${v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  lines.push(...exposureText(exposureOf(plan)));
  return lines.join("\n");
}
