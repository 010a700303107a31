/**
 * The package's entry (`import { up } from "orthanc-deploy"`): the Automation API driver and the
 * types a caller writes. It loads the program's modules, never its `index.ts` entry, so importing
 * it deploys nothing; a target's modules load only when a stack of that target runs.
 */
export {
  DeployError,
  PROJECT_NAME,
  destroy,
  outputs,
  preview,
  resolveLocations,
  up,
} from "./automation";
export type { DriverOptions, Locations } from "./automation";
export { ConfigError } from "./config";
export type { OrthancConfigInput } from "./config";
export type { StackOutputs } from "./program";
// The CLI handle `pulumiCommand` takes, from the same SDK copy the driver uses.
export { PulumiCommand } from "@pulumi/pulumi/automation";
export type { OutputMap, OutputValue } from "@pulumi/pulumi/automation";
