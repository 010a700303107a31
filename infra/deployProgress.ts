/**
 * Progress lines for `npm run deploy`, from the Automation API's engine events: one line per
 * resource finished or failed, with resources done/total and the time since the start, then a
 * summary. Pure: the caller passes each event and the current time.
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

/** `65_000` -> `1:05`; an hour or more `1:02:03`. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** What each step did, in the past tense, as the line shows it. */
const DONE: Record<string, string> = {
  same: "unchanged",
  create: "created",
  update: "updated",
  delete: "deleted",
  replace: "replaced",
  "create-replacement": "replaced",
  "delete-replaced": "deleted (replaced)",
  read: "read",
  "read-replacement": "read",
  refresh: "refreshed",
  import: "imported",
  "import-replacement": "imported",
  discard: "discarded",
  "discard-replaced": "discarded",
  "remove-pending-replace": "cleaned up",
};

const WOULD: Record<string, string> = {
  same: "no change",
  create: "to create",
  update: "to update",
  delete: "to delete",
  replace: "to replace",
  "create-replacement": "to replace",
  "delete-replaced": "to delete (replaced)",
  read: "to read",
};

/** `urn:pulumi:local::orthanc::a$b$docker:index/volume:Volume::orthanc-local-pgdata` -> type and name. */
function describe(urn: string): string {
  const parts = urn.split("::");
  const type = parts[2]?.split("$").pop() ?? "";
  const name = parts.slice(3).join("::");
  return `${name} (${type})`;
}

/**
 * The engine's default providers (`pulumi:providers:aws::default_7_48_0`) are not registered by
 * the program, so the offline plan does not count them: neither do these lines.
 */
function counted(urn: string): boolean {
  const parts = urn.split("::");
  return !(parts[2]?.startsWith("pulumi:providers:") && parts[3]?.startsWith("default"));
}

export interface ProgressOptions {
  /** When the operation started (ms since the epoch). */
  start: number;
  /** Resources the offline plan expects (the stack itself included), when known. */
  expected?: number;
  /** A preview: steps are what would happen. */
  preview?: boolean;
}

export class Progress {
  private readonly started = new Set<string>();
  private readonly done = new Set<string>();
  private readonly failed = new Set<string>();

  constructor(private readonly opts: ProgressOptions) {}

  private get total(): number {
    return Math.max(this.opts.expected ?? 0, this.started.size);
  }

  private prefix(now: number): string {
    const width = String(this.total).length;
    return `[${String(this.done.size).padStart(width)}/${this.total}] ${elapsed(now - this.opts.start)}`;
  }

  /** The lines one event adds (often none). */
  lines(event: EngineEvent, now: number): string[] {
    const pre = event.resourcePreEvent?.metadata;
    if (pre && counted(pre.urn)) this.started.add(pre.urn);

    const out = event.resOutputsEvent?.metadata;
    if (out && counted(out.urn) && !this.done.has(out.urn)) {
      this.started.add(out.urn);
      this.done.add(out.urn);
      const verb = (this.opts.preview ? WOULD : DONE)[out.op] ?? out.op;
      // Unchanged resources are counted but not listed: an update of one container reads as one line.
      if (out.op === "same") return [];
      return [`${this.prefix(now)}  ${verb.padEnd(10)} ${describe(out.urn)}`];
    }

    const failed = event.resOpFailedEvent?.metadata;
    if (failed && counted(failed.urn) && !this.failed.has(failed.urn)) {
      this.failed.add(failed.urn);
      return [`${this.prefix(now)}  FAILED     ${describe(failed.urn)}`];
    }

    const diag = event.diagnosticEvent;
    if (diag && (diag.severity === "error" || diag.severity === "warning") && !diag.ephemeral) {
      const where = diag.urn ? `${describe(diag.urn)}: ` : "";
      const text = diag.message.replace(/\s+$/, "");
      return [`${diag.severity}: ${where}${text}`];
    }

    const summary = event.summaryEvent;
    if (summary) return [this.summary(summary.resourceChanges, now)];
    return [];
  }

  /** `Done in 2:13: 19 created, 2 unchanged (21 resources).` */
  summary(changes: OpMap, now: number): string {
    const parts = Object.entries(changes)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([op, n]) => `${n} ${(this.opts.preview ? WOULD : DONE)[op] ?? op}`);
    const failed = this.failed.size ? `, ${this.failed.size} failed` : "";
    const what = this.opts.preview ? "Preview done" : "Done";
    return `${what} in ${elapsed(now - this.opts.start)}: ${parts.join(", ") || "nothing to do"}${failed}.`;
  }
}
