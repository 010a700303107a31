import { OrthancConfig, readStackConfig } from "./config";
import { StackOutputs } from "./targets/types";

export type { StackOutputs };

/**
 * The Pulumi program: validates the stack configuration (unless one is given, as the Automation
 * API and tests do), deploys the selected target, and returns the stack outputs. Each target is
 * loaded only when selected, so a stack loads only the SDKs it uses (a local Docker stack neither
 * @pulumi/aws nor @pulumi/kubernetes: they are most of a plan's start-up time and memory).
 */
export async function orthancProgram(config?: OrthancConfig): Promise<StackOutputs> {
  const cfg = config ?? readStackConfig();
  switch (cfg.target) {
    case "docker":
      return (await import("./targets/docker")).deployDocker(cfg);
    case "aws":
      return (await import("./targets/aws")).deployAws(cfg);
    case "kubernetes":
      return (await import("./targets/kubernetes")).deployKubernetes(cfg);
    default: {
      const never: never = cfg;
      throw new Error(`Unhandled target ${JSON.stringify(never)}`);
    }
  }
}
