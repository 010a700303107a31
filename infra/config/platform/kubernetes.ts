import { z } from "zod";
import { refuse } from "./issue";
import { parseQuantity, quantityHint } from "./quantity";

/** CPU below this is a typo for cores (`0.5m`); above it, a typo for millicores (`500`). */
export const MIN_CPU_CORES = 0.01;
export const MAX_CPU_CORES = 64;
/**
 * Orthanc's memory request is also its limit: below this it is killed for memory while loading
 * its plugins or a study. A plain number is bytes in Kubernetes, so `512` would be 512 bytes.
 */
export const MIN_MEMORY_BYTES = 128 * 2 ** 20;

/** A quantity given as a YAML number (`cpu: 2`, or `pulumi config set --path` storing one). */
const quantityText = z.union([z.string(), z.number()]).transform((v) => String(v));
const quantity = (check: (ctx: z.core.ParsePayload<string>) => void) =>
  quantityText.pipe(z.string().check(check));

function notAQuantity(ctx: z.core.ParsePayload<string>, what: string, example: string): void {
  const hint = quantityHint(ctx.value);
  refuse(
    ctx,
    `must be a Kubernetes quantity (${what})${hint ? `: ${hint.hint}` : ""}`,
    hint?.example ?? example,
  );
}

/** A pod's CPU: cores (`0.5`, `2`) or millicores (`500m`), from 10m to 64 cores. */
export const kubernetesCpu = quantity((ctx) => {
  const q = parseQuantity(ctx.value);
  if (!q)
    return notAQuantity(ctx, "cores such as `2` or `0.5`, or millicores such as `500m`", "500m");
  if (q.value < MIN_CPU_CORES) {
    // `0.5m` meant half a core; `0` or a negative value is no request at all.
    const example =
      q.value > 0 && q.suffix === "m" ? `${Number(ctx.value.slice(0, -1)) * 1000}m` : "500m";
    refuse(
      ctx,
      `must be at least 10m (a hundredth of a core): Orthanc could not start under it`,
      example,
    );
  } else if (q.value > MAX_CPU_CORES) {
    refuse(
      ctx,
      `is ${q.value} cores: more than ${MAX_CPU_CORES}, which no usual node offers (a number without a unit is cores; millicores take \`m\`)`,
      q.suffix === "" && Number.isInteger(q.value) ? `${q.value}m` : "2",
    );
  }
});

/** A pod's memory, with a unit (`1Gi`, `512Mi`, `1G`) or as bytes; 128Mi at least. */
export const kubernetesMemory = quantity((ctx) => {
  const q = parseQuantity(ctx.value);
  if (!q) return notAQuantity(ctx, "bytes with a unit such as `1Gi`, `512Mi` or `1G`", "1Gi");
  if (q.suffix === "m" || q.suffix === "u" || q.suffix === "n") {
    refuse(
      ctx,
      `is in milli${q.suffix === "m" ? "" : "- or smaller "}bytes (\`${q.suffix}\` is a thousandth): Kubernetes would round it to ${Math.ceil(q.value)} bytes; mebibytes are \`Mi\``,
      `${ctx.value.slice(0, -1)}Mi`,
    );
  } else if (q.value < MIN_MEMORY_BYTES) {
    const plain = q.suffix === "" && Number.isInteger(q.value);
    refuse(
      ctx,
      `is ${plain ? `${q.value} bytes (a number without a unit is bytes)` : "less than 128Mi"}; Orthanc needs at least 128Mi (its request is also its limit)`,
      plain && q.value >= 128 ? `${q.value}Mi` : "1Gi",
    );
  }
});

/** DNS-1123 label: what Kubernetes requires of a namespace's name. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: names of StorageClasses, IngressClasses, cert-manager issuers. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label made of `value`: lower case, each run of other characters as one `-`, trimmed. */
function asLabel(value: string): string {
  const trim = (v: string) => v.replace(/^-+|-+$/g, "");
  return trim(trim(value.toLowerCase().replace(/[^a-z0-9]+/g, "-")).slice(0, 63));
}

/** The nearest valid name, for the `Fix:` command. */
function asName(value: string, subdomain: boolean): string {
  const name = subdomain
    ? value.split(".").map(asLabel).filter(Boolean).join(".").slice(0, 253)
    : asLabel(value);
  return name || "orthanc";
}

/** A Kubernetes name that must be a DNS-1123 label (namespaces): 63 characters at most. */
export const dns1123Label = (what: string) =>
  z.string().check((ctx) => {
    if (ctx.value.length <= 63 && LABEL.test(ctx.value)) return;
    refuse(
      ctx,
      `must be a DNS-1123 label, as Kubernetes requires of ${what}: at most 63 lower-case letters, digits and \`-\`, starting and ending with a letter or digit`,
      asName(ctx.value, false),
    );
  });

/** A Kubernetes name that must be a DNS-1123 subdomain: labels joined by `.`, 253 at most. */
export const dns1123Subdomain = (what: string) =>
  z.string().check((ctx) => {
    if (ctx.value.length <= 253 && SUBDOMAIN.test(ctx.value)) return;
    refuse(
      ctx,
      `must be a DNS-1123 subdomain, as Kubernetes requires of ${what}: at most 253 lower-case letters, digits, \`-\` and \`.\`, each part starting and ending with a letter or digit`,
      asName(ctx.value, true),
    );
  });
