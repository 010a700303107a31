/**
 * The policy pack's entry: `pulumi preview --policy-pack policy` runs this file, and
 * `new PolicyPack` starts the analyzer's server the CLI talks to. Tests import `./policies`.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("orthanc-security", { policies });
