/**
 * Runs the pack's policies the way the policy engine does (`@pulumi/policy`'s server.js builds the
 * same `args` for each resource), without starting the analyzer's server.
 */
import type {
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { Planned } from "../helpers/plan";

/** A resource as the engine hands it to a policy. */
export interface Resource {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, unknown>;
  protect?: boolean;
  /** URNs of the resources this one depends on (stack policies only). */
  dependencies?: string[];
}

const options = (r: Resource): PolicyResourceOptions => ({
  protect: r.protect ?? false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
});

const urnOf = (r: Resource) => r.urn ?? `urn:pulumi:test::orthanc::${r.type}::${r.name}`;

/** The engine's test of `isType`: the class's registered Pulumi type. */
const isTypeOf = (type: string) => (cls: unknown) =>
  (cls as { __pulumiType?: string }).__pulumiType === type;

export const isStackPolicy = (p: Policy): p is StackValidationPolicy => "validateStack" in p;

/** The violation messages one resource policy reports for one resource. */
export async function validate(
  policy: ResourceValidationPolicy,
  r: Resource,
  config: object = {},
): Promise<string[]> {
  const messages: string[] = [];
  // The engine hands policies the inputs through a proxy that throws on a value unknown in a preview.
  const props = unknownCheckingProxy(r.props);
  const args: ResourceValidationArgs = {
    type: r.type,
    props,
    urn: urnOf(r),
    name: r.name,
    opts: options(r),
    stackTags: new Map(),
    isType: isTypeOf(r.type),
    asType: ((cls: unknown) => (isTypeOf(r.type)(cls) ? props : undefined)) as never,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
  const validations = policy.validateResource ?? [];
  for (const v of Array.isArray(validations) ? validations : [validations])
    await v(args, (message) => messages.push(message));
  return messages;
}

/** The violations a stack policy reports for a whole stack, as `[urn or "", message]`. */
export async function validateStack(
  policy: StackValidationPolicy,
  resources: Resource[],
): Promise<[string, string][]> {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources)
    byUrn.set(urnOf(r), {
      type: r.type,
      name: r.name,
      urn: urnOf(r),
      props: unknownCheckingProxy(r.props),
      opts: options(r),
      dependencies: [],
      propertyDependencies: {},
      isType: isTypeOf(r.type),
      asType: ((cls: unknown) => (isTypeOf(r.type)(cls) ? r.props : undefined)) as never,
    });
  for (const r of resources)
    byUrn.get(urnOf(r))!.dependencies = (r.dependencies ?? [])
      .map((urn) => byUrn.get(urn))
      .filter((d): d is PolicyResource => d !== undefined);
  const found: [string, string][] = [];
  await policy.validateStack(
    {
      resources: [...byUrn.values()],
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable: (reason?: string) => {
        throw new Error(`not applicable: ${reason}`);
      },
    },
    (message, urn) => found.push([urn ?? "", message]),
  );
  return found;
}

/** Every resource of a plan the engine would analyze, with its inputs revealed. */
export function planResources({ plan, plain }: Planned): Resource[] {
  return plan.resources
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => {
      const props = plain[`${r.type}::${r.name}`];
      if (!props) throw new Error(`no inputs recorded for ${r.type}::${r.name}`);
      return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props,
        protect: r.protect,
        dependencies: r.dependencies,
      };
    });
}
