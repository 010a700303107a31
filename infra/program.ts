import { OrthancConfig, readStackConfig } from "./config";
import { deployAws } from "./targets/aws";
import { deployDocker } from "./targets/docker";
import { deployKubernetes } from "./targets/kubernetes";
import { StackOutputs } from "./targets/types";

export type { StackOutputs };

/**
 * The Pulumi program: validates the stack configuration (unless one is given, as the Automation
 * API and tests do), deploys the selected target, and returns the stack outputs.
 */
export function orthancProgram(config?: OrthancConfig): StackOutputs {
  const cfg = config ?? readStackConfig();
  switch (cfg.target) {
    case "docker":
      return deployDocker(cfg);
    case "aws":
      return deployAws(cfg);
    case "kubernetes":
      return deployKubernetes(cfg);
    default: {
      const never: never = cfg;
      throw new Error(`Unhandled target ${JSON.stringify(never)}`);
    }
  }
}
