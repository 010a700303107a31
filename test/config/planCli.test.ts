/**
 * `npm run plan -- --config-file <f>` as a user runs it (`node -r @swc-node/register
 * infra/plan.ts`): each mistake is refused with its message, a non-zero exit, no stack trace and
 * no secret, on stdout or stderr.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "plan-cli-"));

function plan(name: string, yaml: string): Promise<{ code: number; out: string }> {
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, yaml);
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["-r", "@swc-node/register", "infra/plan.ts", "--config-file", file],
      { cwd: root, timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}\n${stderr}` }),
    );
  });
}

const SECRET = "Tr0ub4dor-and-3-Horses";

/** A bad stack file: its name, text, what the output must say, and the secrets it holds. */
type BadFile = [name: string, yaml: string, says: RegExp, secrets: string[]];

const cases: BadFile[] = [
  [
    "duplicate-key",
    `config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    users:\n      bob:\n        password:\n          secure: v1:abc\n      bob:\n        password: ${SECRET}\n`,
    /orthanc:orthanc\.users\.bob \(.*Pulumi\.duplicate-key\.yaml:8:7\): is written twice in the same map/,
    [SECRET],
  ],
  [
    "bad-yaml",
    `config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    users: {bob: {password: ${SECRET}}\n`,
    /is not valid YAML/,
    [SECRET],
  ],
  [
    "plaintext-secret",
    `config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    users:\n      bob:\n        password: ${SECRET}\n`,
    /orthanc:orthanc\.users\.bob\.password \(.*:6:9\): is a secret given in plain text.*pulumi config set --secret --path 'orthanc:orthanc\.users\.bob\.password' <value>/,
    [SECRET],
  ],
  [
    "wrong-namespace",
    "config:\n  orthanc:target: docker\n  orthnac:dns:\n    name: pacs.example.org\n",
    /orthnac:dns \(.*:3:3\): is in namespace `orthnac`.*Fix: rename it to `orthanc:dns`/,
    [],
  ],
  [
    "swapped-s3-keys",
    "config:\n  orthanc:target: docker\n  orthanc:storage:\n    kind: s3\n    s3:\n      bucket: pacs\n      accessKeyId: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n      secretAccessKey:\n        secure: v1:abc\n",
    /orthanc:storage\.s3\.accessKeyId \(.*:7:7\): holds an AWS secret access key \(hidden\)/,
    ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ],
];

test.each(cases)(
  "%s: refused with its message, exit 1, no stack trace, no secret",
  async (name, yaml, says, secrets) => {
    const { code, out } = await plan(name, yaml);
    expect(code).toBe(1);
    expect(out).toMatch(says);
    expect(out).not.toMatch(/^\s+at /m);
    for (const secret of secrets) expect(out).not.toContain(secret);
  },
  120_000,
);

/**
 * The same mistakes through `pulumi up`'s path: the CLI hands the program its configuration in
 * PULUMI_CONFIG (maps as JSON text) and flags the keys holding a secret in
 * PULUMI_CONFIG_SECRET_KEYS. The entry is loaded as the Node runtime loads it.
 */
function viaCli(config: Record<string, string>, secretKeys: string[]): Promise<string> {
  const script = `
    require("ts-node").register({ transpileOnly: true });
    const program = require("./index.ts");
    Promise.resolve()
      .then(() => program())
      .then(() => console.log("RESULT ok"))
      .catch((e) => console.log("RESULT " + e.name + ": " + e.message));`;
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["-e", script],
      {
        cwd: root,
        timeout: 120_000,
        env: {
          ...process.env,
          PULUMI_CONFIG: JSON.stringify(config),
          PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        },
      },
      (_error, stdout, stderr) => done(`${stdout}\n${stderr}`),
    );
  });
}

test("through PULUMI_CONFIG: a plain-text password, a misspelt namespace and a flat key are refused, the password unprinted", async () => {
  const out = await viaCli(
    {
      "orthanc:target": "docker",
      "orthanc:orthanc": JSON.stringify({ users: { bob: { password: SECRET } } }),
      "orthnac:dns": JSON.stringify({ name: "pacs.example.org" }),
      "orthanc:orthanc.dicom.port": "4243",
    },
    [],
  );
  expect(out).toMatch(/RESULT ConfigError: Invalid stack configuration \(3 problems\)/);
  expect(out).toMatch(/orthanc:orthanc\.users\.bob\.password: is a secret given in plain text/);
  expect(out).toMatch(/orthnac:dns: is in namespace `orthnac`/);
  expect(out).toMatch(/orthanc:orthanc\.dicom\.port: is one key named "orthanc\.dicom\.port"/);
  expect(out).not.toContain(SECRET);
}, 120_000);
