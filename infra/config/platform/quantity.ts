/**
 * Kubernetes resource quantities (`500m`, `0.5`, `2`, `1Gi`, `1.5G`, `1e9`), parsed by the
 * grammar of apimachinery's `resource.Quantity`:
 *
 *   quantity ::= signedNumber suffix
 *   number   ::= digits | digits.digits | digits. | .digits
 *   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
 *              | decimalExponent ("e" or "E" and a whole number)
 *
 * No npm library fits: the ones that parse quantities (`kubernetes-resource-parser`,
 * `k8s-resource-parser`) say they do no error handling and are only for strings that come from
 * the API, and `@kubernetes/client-node`'s `quantityToScalar` refuses `1.5Gi` and exponents and
 * would bring the whole client (ESM, a dozen dependencies) into every stack's schema. The value
 * is a double: enough to compare against limits, never written back (the text is).
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY =
  /^(?<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export interface Quantity {
  /** In base units: cores for CPU, bytes for memory. */
  readonly value: number;
  /** As written: `Mi`, `m`, `e9`, or `""` for none. */
  readonly suffix: string;
}

/** The quantity, or `undefined` when Kubernetes would refuse the text. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const suffix = m.groups!.suffix ?? "";
  const number = Number(m.groups!.number);
  const scale = BINARY[suffix] ?? DECIMAL[suffix] ?? 10 ** Number(suffix.slice(1));
  return { value: number * scale, suffix };
}

/** Why `text` is not a quantity, when a usual mistake explains it (`1GB`, `1 Gi`, `1gi`). */
export function quantityHint(text: string): { hint: string; example?: string } | undefined {
  const squeezed = text.replace(/\s+/g, "");
  if (squeezed !== text) {
    const further = quantityHint(squeezed);
    return {
      hint: `no spaces${further ? `; ${further.hint}` : ""}`,
      example: further?.example ?? (parseQuantity(squeezed) ? squeezed : undefined),
    };
  }
  const unit = /^(?<n>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?<u>[A-Za-z]+)$/.exec(text);
  if (!unit) return undefined;
  const { n, u } = unit.groups!;
  const binary = Object.keys(BINARY).find((b) => b.toLowerCase() === u.toLowerCase());
  if (binary) return { hint: `units are case-sensitive: ${binary}`, example: `${n}${binary}` };
  const bytes = /^([kmgtpe])i?b$/i.exec(u);
  if (bytes) {
    const prefix = bytes[1].toUpperCase();
    return {
      hint: `Kubernetes writes no \`B\`: ${prefix === "K" ? "k" : prefix} is a power of 10 bytes, ${prefix}i a power of 2`,
      example: `${n}${prefix}i`,
    };
  }
  return undefined;
}
