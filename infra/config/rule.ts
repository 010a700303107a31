import type { z } from "zod";
import type { ConfigIssue } from "./errors";
import type { configSchemas, TargetName } from "./schema";

/** A target's parsed configuration: every top-level key of its schema but `target`, as parsed. */
export type SectionsOf<T extends TargetName> = T extends TargetName
  ? Omit<z.output<(typeof configSchemas)[T]>, "target">
  : never;

/** The sections every one of the targets `T` has (all targets: the shared ones). */
export type SectionName<T extends TargetName> = keyof SectionsOf<T>;

/**
 * What a rule over sections `K` of targets `T` receives: exactly those sections, typed as each of
 * those targets parses them (a union over the targets when there are several).
 */
export type RuleInput<T extends TargetName, K extends SectionName<T>> = T extends TargetName
  ? Pick<SectionsOf<T>, K & keyof SectionsOf<T>>
  : never;

/** A rule's findings: none, one or several problems. */
export type Findings = ConfigIssue | ConfigIssue[] | undefined;

/**
 * Whether the stack itself gave a key (`"database.instanceClass"`, without the `orthanc:`
 * prefix), as opposed to the schema filling in its default: a setting that does not apply must be
 * refused only when the user wrote it.
 */
export type Given = (path: string) => boolean;

/** `Given` over a raw configuration (keys without the `orthanc:` prefix, as the stack wrote them). */
export function givenIn(raw: Readonly<Record<string, unknown>>): Given {
  return (path) => {
    let cur: unknown = raw;
    for (const seg of path.split(".")) {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return false;
      cur = (cur as Record<string, unknown>)[seg];
    }
    return cur !== undefined && cur !== null;
  };
}

/** A cross-field rule, as the parser runs it. Made with `rule`. */
export interface Rule {
  /** The sections the rule reads: it runs only when all of them parsed. */
  readonly sections: readonly string[];
  /** The targets it applies to; all when absent. */
  readonly targets?: readonly TargetName[];
  check(parsed: Readonly<Record<string, unknown>>, target: TargetName, given: Given): ConfigIssue[];
}

/**
 * A cross-field rule. It names the sections it reads (and, for a target-specific rule, the
 * targets it applies to); `check` receives exactly those sections, typed by the schema's output
 * for those targets, and runs only once all of them parsed, so a broken section elsewhere does
 * not hide its message. `given` tells which keys the stack wrote itself (not defaults).
 */
export function rule<T extends TargetName = TargetName, K extends SectionName<T> = never>(
  scope: { sections: K[]; targets?: T[] },
  check: (sections: RuleInput<T, K>, target: T, given: Given) => Findings,
): Rule {
  return {
    sections: scope.sections.map(String),
    targets: scope.targets,
    check(parsed, target, given) {
      // `ruleIssues` calls this only for one of `targets`, with every section in `sections` parsed.
      const found = check(parsed as RuleInput<T, K>, target as T, given);
      return found === undefined ? [] : Array.isArray(found) ? found : [found];
    },
  };
}

/** Every problem the rules find in the sections that parsed (`raw`: what the stack wrote). */
export function ruleIssues(
  rules: readonly Rule[],
  parsed: Readonly<Record<string, unknown>>,
  target: TargetName,
  raw: Readonly<Record<string, unknown>> = {},
): ConfigIssue[] {
  const given = givenIn(raw);
  return rules
    .filter(
      (r) => (!r.targets || r.targets.includes(target)) && r.sections.every((s) => s in parsed),
    )
    .flatMap((r) => r.check(parsed, target, given));
}
