/**
 * The Docker target's public surface. The EC2 host (`DockerVm`, `./dockerVm`) is left out on
 * purpose: importing it loads the AWS and command SDKs, which a stack on this machine's engine
 * never needs; `OrthancDocker` creates it itself for an `aws-vm` engine.
 */
export { OrthancDocker, type OrthancDockerArgs } from "./orthancDocker";
export type { AwsVmHostArgs } from "./awsVmHost";
