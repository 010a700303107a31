import {
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
} from "@cloud-copilot/iam-policy";
import { Plan } from "../../infra/plan/runPlan";

/**
 * Every IAM document a plan creates, checked offline: trust policies of roles, identity
 * policies attached to them, and KMS key policies (resource policies). Identity policies must be
 * scoped: no statement may allow on `Resource: "*"`.
 */
export function iamProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const check = (
    where: string,
    doc: unknown,
    validate: (d: unknown) => { path: string; message: string }[],
  ) => {
    const parsed = typeof doc === "string" ? JSON.parse(doc) : doc;
    for (const p of validate(parsed)) problems.push(`${where}: ${p.path}: ${p.message}`);
    return parsed as { Statement: { Effect: string; Resource?: string | string[] }[] };
  };
  for (const r of plan.resources) {
    if (r.type === "aws:iam/role:Role")
      check(`${r.name} trust`, r.inputs.assumeRolePolicy, validateTrustPolicy);
    if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/policy:Policy") {
      const doc = check(`${r.name} policy`, r.inputs.policy, validateIdentityPolicy);
      for (const st of doc.Statement) {
        const resources = ([] as string[]).concat(st.Resource ?? []);
        const actions = ([] as string[]).concat(
          (st as { Action?: string | string[] }).Action ?? [],
        );
        // ssmmessages (ECS Exec's session channel) supports no resource scoping at all.
        const unscopable = actions.length > 0 && actions.every((a) => a.startsWith("ssmmessages:"));
        if (st.Effect === "Allow" && resources.includes("*") && !unscopable) {
          problems.push(`${r.name} policy: allows on Resource "*"`);
        }
      }
    }
    if (r.type === "aws:kms/key:Key")
      check(`${r.name} key policy`, r.inputs.policy, validateResourcePolicy);
  }
  return problems;
}

/** How many IAM documents a plan holds (so a check over none cannot pass silently). */
export function iamDocumentCount(plan: Plan): number {
  return plan.resources.filter((r) =>
    [
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/policy:Policy",
      "aws:kms/key:Key",
    ].includes(r.type),
  ).length;
}
