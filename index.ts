// Entry point for `pulumi up`: the returned object becomes the stack outputs.
import { orthancProgram } from "./infra/program";

export = () => orthancProgram();
