/**
 * Configurations no shipped stack has, whose resources the URN history must cover too: a shipped
 * stack with a change. `urnHistory.ts` records the shipped stacks; this records these,
 * the same way, into a fixture of their own.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Config, planStack } from "../helpers/plan";
import { inputsDigest, UrnFixture } from "./urnHistory";

export const VARIANTS_FIXTURE = join(__dirname, "__fixtures__", "variantUrns.json");

export interface Variant {
  /** The shipped stack it starts from (and whose name its URNs carry). */
  stack: string;
  /** Config merged into the stack file's (keys without the `orthanc:` prefix), as `planStack` does. */
  change: Config;
}

export const VARIANTS: Record<string, Variant> = {
  // Kubernetes creates Route 53 records only with a zone, the DICOM one only with dicomName.
  "k8s-ha with DNS records": {
    stack: "k8s-ha",
    change: {
      dns: { name: "pacs.example.org", dicomName: "dicom.pacs.example.org", zoneId: "Z0123" },
    },
  },
  // DICOM stays in the cluster: only the web name gets a record.
  "k8s-basic with a DNS zone": {
    stack: "k8s-basic",
    change: { dns: { name: "pacs.example.org", zoneId: "Z0123" } },
  },
};

/** A variant's plan. */
export const planVariant = async (v: Variant) => (await planStack(v.stack, v.change)).plan;

/** Each variant's plan as the fixture records it. */
export async function variantUrns(variants = VARIANTS): Promise<UrnFixture> {
  const fixture: UrnFixture = {};
  for (const [label, variant] of Object.entries(variants)) {
    const plan = await planVariant(variant);
    fixture[label] = Object.fromEntries(
      plan.resources
        .map((r) => [r.urn, inputsDigest(r)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }
  return fixture;
}

// `node -r @swc-node/register test/stacks/variants.ts` records the fixture (before a move).
if (require.main === module) {
  void variantUrns().then((fixture) =>
    writeFileSync(VARIANTS_FIXTURE, JSON.stringify(fixture, null, 1) + "\n"),
  );
}
