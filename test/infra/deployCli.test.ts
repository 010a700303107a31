/** `npm run deploy`'s arguments, as a table: what is accepted, and each mistake's message. */
import { HELP, OPTIONS, parseDeployArgs } from "../../infra/deployCli";

const run = (over: object = {}) => ({
  kind: "run",
  args: {
    stack: "local",
    operation: "up",
    yes: false,
    showSecrets: false,
    from: "local",
    raw: false,
    ...over,
  },
});

const accepted: [argv: string[], expected: object][] = [
  [["--stack", "local"], run()],
  [["--stack=local"], run()],
  [["--stack=local", "--preview"], run({ operation: "preview" })],
  [["--stack", "local", "--destroy", "--yes"], run({ operation: "destroy", yes: true })],
  [["--stack", "local", "--destroy", "-y"], run({ operation: "destroy", yes: true })],
  [
    ["--stack", "local", "--outputs", "--show-secrets"],
    run({ operation: "outputs", showSecrets: true }),
  ],
  [["--stack", "local", "--show-secrets"], run({ showSecrets: true })],
  [["--stack", "mine", "--create"], run({ stack: "mine", operation: "create" })],
  [
    ["--stack", "mine", "--create", "--from=aws-ec2"],
    run({ stack: "mine", operation: "create", from: "aws-ec2" }),
  ],
  [["--stack", "local", "--raw"], run({ raw: true })],
  [["--help"], { kind: "help" }],
  [["-h"], { kind: "help" }],
  [
    ["--stack", "local", "--jsno", "--help"],
    { kind: "error", message: "Unknown option '--jsno'. See --help." },
  ],
];

const refused: [argv: string[], message: RegExp][] = [
  [[], /^--stack <name> is required/],
  [["--stack", "local", "--jsno"], /^Unknown option '--jsno'\. See --help\.$/],
  [["--stack"], /Option '--stack <value>' argument missing/],
  [["local"], /^Unexpected argument "local"\. Did you mean --stack local\?/],
  [["--stack", "local", "extra"], /^Unexpected argument "extra"\. See --help\.$/],
  [["--stack", "a/b"], /a stack name is 1 to 100 letters, digits/],
  [["--stack", "local", "--preview", "--destroy"], /--preview and --destroy cannot be combined/],
  [["--stack", "local", "--yes"], /--yes only goes with --destroy/],
  [
    ["--stack", "local", "--preview", "--show-secrets"],
    /--show-secrets only goes with --outputs or a deployment/,
  ],
  [["--stack", "local", "--from", "aws-ec2"], /--from only goes with --create/],
  [["--stack", "local", "--outputs", "--raw"], /--raw has nothing to show with --outputs/],
  [["--stack", "local", "--preview=yes"], /--preview/],
];

test.each(accepted)("%j is accepted", (argv, expected) => {
  expect(parseDeployArgs(argv)).toEqual(expected);
});

test.each(refused)("%j is refused", (argv, message) => {
  const parsed = parseDeployArgs(argv);
  expect(parsed.kind).toBe("error");
  expect(parsed.kind === "error" && parsed.message).toMatch(message);
});

test("--help describes every flag the parser accepts, and no other", () => {
  const accepted = Object.entries(OPTIONS).flatMap(([long, o]) => [
    `--${long}`,
    ...("short" in o ? [`-${o.short}`] : []),
  ]);
  const described = [...HELP.matchAll(/^ {2}(-[a-z-]+)(?:, (-[a-z]))?/gm)].flatMap((m) =>
    m.slice(1).filter(Boolean),
  );
  expect(described.sort()).toEqual(accepted.sort());
});

test("the README shows the --help text as it is", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const readme: string = require("node:fs").readFileSync(`${__dirname}/../../README.md`, "utf8");
  expect(readme).toContain(`$ npm run deploy -- --help\n${HELP}\n\`\`\``);
});
