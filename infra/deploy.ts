/**
 * `npm run deploy -- --stack local [--preview | --destroy | --outputs [--show-secrets]]`: runs the program through
 * the Automation API with a local state backend, streaming progress.
 */
import { ConfigError } from "./config";
import { destroy, outputs, preview, up } from "./automation";

async function main(argv: string[]) {
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : undefined;
  if (!stack) {
    console.error(
      "usage: npm run deploy -- --stack <name> [--preview | --destroy | --outputs [--show-secrets]]",
    );
    return 2;
  }
  const onOutput = (t: string) => process.stdout.write(t);
  if (argv.includes("--preview")) await preview({ stack, onOutput });
  else if (argv.includes("--destroy")) await destroy({ stack, onOutput });
  else {
    const out = argv.includes("--outputs")
      ? await outputs({ stack })
      : await up({ stack, onOutput });
    console.log("\nOutputs:");
    const reveal = argv.includes("--show-secrets");
    for (const [k, v] of Object.entries(out))
      console.log(`  ${k}: ${v.secret && !reveal ? "[secret]" : JSON.stringify(v.value)}`);
    if (!reveal)
      console.log(
        `\nRead the admin password with: npm run deploy -- --stack ${stack} --outputs --show-secrets`,
      );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof ConfigError ? e.message : `${e.message ?? e}`);
    process.exit(1);
  },
);
