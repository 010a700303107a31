import * as pulumi from "@pulumi/pulumi";

/** The signatures Pulumi's wire format uses for secrets, unknowns and resource references. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SECRET_MARK = "[secret]";

/** One registered resource as the plan shows it. */
export interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  dependencies: string[];
  /** Inputs with every secret shown as `[secret]`. */
  inputs: Record<string, unknown>;
  /** The `aliases` option as the SDK sends it: an old URN, or a spec the engine resolves. */
  aliases: AliasSpec[];
}

/** One alias as the engine receives it (Pulumi's `Alias` message). */
export interface AliasSpec {
  urn?: string;
  name?: string;
  type?: string;
  /** The alias's parent: a URN, `""` for the resource's own parent, or none (`noParent`). */
  parentUrn?: string;
  noParent?: boolean;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's generated protobuf classes are untyped */
function aliasesOf(req: any): AliasSpec[] {
  const urns: string[] = req.getAliasurnsList?.() ?? [];
  const aliases: AliasSpec[] = urns.map((urn) => ({ urn }));
  for (const alias of req.getAliasesList?.() ?? []) {
    if (alias.hasUrn()) aliases.push({ urn: alias.getUrn() });
    else {
      const spec = alias.getSpec();
      aliases.push({
        name: spec.getName() || undefined,
        type: spec.getType() || undefined,
        parentUrn: spec.getParenturn() || undefined,
        noParent: spec.getNoparent() || undefined,
      });
    }
  }
  return aliases;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Decodes wire-format inputs, keeping secrets masked rather than revealing them. */
export function maskedInputs(value: unknown): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map(maskedInputs);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return SECRET_MARK;
    if (obj[SIG_KEY] === RESOURCE_SIG) return obj.urn;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, maskedInputs(v)]));
  }
  return value;
}

function mapUrns(value: unknown, map: (urn: string) => string): unknown {
  if (typeof value === "string" && value.startsWith("urn:pulumi:")) return map(value);
  if (Array.isArray(value)) return value.map((v) => mapUrns(v, map));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapUrns(v, map)]));
  return value;
}

export function urnOf(
  project: string,
  stack: string,
  parentUrn: string,
  type: string,
  name: string,
): string {
  // urn:pulumi:<stack>::<project>::<parent types$>type::name, as the engine builds it.
  const parentType = parentUrn ? parentUrn.split("::")[2] : "";
  return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

export interface Recorder {
  resources: PlannedResource[];
  /** Resolves when no registration has been in flight for a few event-loop turns. */
  settled(): Promise<void>;
}

/** Wraps the mock monitor (installed by `setMocks`) to record every registration. */
export function recordRegistrations(project: string, stack: string): Recorder {
  const resources: PlannedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: any, cb: (err: unknown, res: unknown) => void): void; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const original = monitor.registerResource.bind(monitor);
  // The mock monitor names a resource after its parent's last type only; the engine prefixes the
  // whole chain. Each registration's URN is computed the engine's way and mapped from the mock's.
  const engineUrn = new Map<string, string>();
  const asEngine = (urn: string) => engineUrn.get(urn) ?? urn;
  let inFlight = 0;
  monitor.registerResource = (req, cb) => {
    inFlight++;
    const parent = asEngine(req.getParent());
    const urn = urnOf(project, stack, parent, req.getType(), req.getName());
    resources.push({
      type: req.getType(),
      name: req.getName(),
      urn,
      parent,
      custom: req.getCustom(),
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      dependencies: req.getDependenciesList().map(asEngine),
      inputs: mapUrns(maskedInputs(req.getObject()?.toJavaScript() ?? {}), asEngine) as Record<
        string,
        unknown
      >,
      aliases: aliasesOf(req).map((a) =>
        a.parentUrn ? { ...a, parentUrn: asEngine(a.parentUrn) } : a,
      ),
    });
    original(req, (err, res) => {
      inFlight--;
      const mockUrn = (res as { getUrn?: () => string } | undefined)?.getUrn?.();
      if (mockUrn) engineUrn.set(mockUrn, urn);
      cb(err, res);
    });
  };
  return {
    resources,
    async settled() {
      let quiet = 0;
      while (quiet < 5) {
        await new Promise((r) => setImmediate(r));
        quiet = inFlight === 0 ? quiet + 1 : 0;
      }
    },
  };
}
