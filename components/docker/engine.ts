import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { DockerVm } from "./dockerVm";
import type { OrthancDockerArgs } from "./orthancDocker";

/** The Docker engine the containers run on, and the EC2 VM that hosts it for `aws-vm`. */
export interface DockerEngine {
  provider: docker.Provider;
  vm?: DockerVm;
}

/** The provider for this machine's engine, another one's, or one on a VM created here first. */
export function createEngine(
  name: string,
  parent: pulumi.Resource,
  args: Pick<OrthancDockerArgs, "engine" | "protectData">,
): DockerEngine {
  const engine = args.engine;
  const vm =
    engine.kind === "aws-vm" ? createVmHost(name, parent, engine.vm, args.protectData) : undefined;
  const provider = new docker.Provider(
    `${name}-engine`,
    engine.kind === "remote"
      ? {
          host: engine.host,
          caMaterial: engine.caMaterial,
          certMaterial: engine.certMaterial,
          keyMaterial: engine.keyMaterial,
        }
      : { host: vm?.dockerHost },
    { parent, dependsOn: vm ? [vm.ready] : [] },
  );
  return { provider, vm };
}

/**
 * Loaded only for an `aws-vm` engine, so that a stack on this machine's engine never loads the
 * AWS and command SDKs.
 */
function createVmHost(
  name: string,
  parent: pulumi.Resource,
  vm: Extract<OrthancDockerArgs["engine"], { kind: "aws-vm" }>["vm"],
  protectData: boolean,
): DockerVm {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createAwsVmHost } = require("./awsVmHost") as typeof import("./awsVmHost");
  return createAwsVmHost(name, parent, vm, protectData);
}
