import type * as pulumi from "@pulumi/pulumi";

/** What every target exports; secrets among them are Pulumi secrets. */
export type StackOutputs = Record<string, pulumi.Output<unknown>>;
