/**
 * Every rejected configuration is rejected before any resource: each one runs through the whole
 * program (`runPlan`, as `npm run plan` and `pulumi up` do) and must end in a `ConfigError` with
 * no resource registered, however late a throw would come. The registrations are counted by the
 * mocks themselves (every `newResource`, components included), not only by the plan's recorder.
 *
 * The cases: `REJECTED` below; the table-driven rejections of every test file under test/config
 * (each `testRejections([...])` table, gathered by loading those files with the test functions
 * stubbed); and any `REJECTED` list another test file under test/config exports (same shape).
 * Stack files refused for their YAML, keys or plain-text secrets: `REJECTED_FILES`.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ConfigError } from "../../infra/config";
import { runPlan } from "../../infra/plan/runPlan";
import { readStackFile, stackFilePath } from "../../infra/stackFiles";
import type { Rejection } from "./helpers";

/** A rejected configuration: what it shows, the shipped stack it is laid over (or none), the keys. */
export type RejectedConfig = [
  description: string,
  base: string | undefined,
  raw: Record<string, unknown>,
];

const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** The input class's own cases (YAML and `pulumi config` pitfalls, secrets), over shipped stacks. */
export const REJECTED: RejectedConfig[] = [
  ["a flat dotted key (set without --path)", "local", { "orthanc.dicom.port": 4243 }],
  ["a section's key at the top", "aws-fargate-efs", { region: "eu-west-1" }],
  ["the aws section on a docker stack", "docker-vm", { aws: { region: "eu-west-1" } }],
  ["a user given as its password", "local", { orthanc: { users: { bob: "hunter2-Secret" } } }],
  ["a password as a map", "local", { orthanc: { users: { bob: { password: { v: 1 } } } } }],
  ["the S3 secret key in accessKeyId", "k8s-ha", { storage: { s3: { accessKeyId: AWS_SECRET } } }],
  [
    "a private key pasted into the instance name",
    "aws-fargate-s3",
    {
      orthanc: {
        name: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
      },
    },
  ],
  [
    "an image tag written as a fraction (2.10 read as 2.1)",
    "k8s-basic",
    { orthanc: { image: { tag: 2.1 } } },
  ],
];

/** Stack files refused before the schema: YAML, keys, ambiguous values, plain-text secrets. */
export const REJECTED_FILES: Array<[description: string, yaml: string]> = [
  ["a duplicated key", "config:\n  orthanc:target: docker\n  orthanc:target: aws\n"],
  ["bad YAML", "config:\n  orthanc:target: docker\n  orthanc:orthanc: [1, 2\n"],
  ["keys outside config:", "config:\n  orthanc:target: docker\northanc:tls:\n  enabled: false\n"],
  [
    "a misspelt namespace",
    "config:\n  orthanc:target: docker\n  orthnac:dns:\n    name: pacs.example.org\n",
  ],
  [
    "a port with a leading zero",
    "config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    httpPort: 08042\n",
  ],
  [
    "a password in plain text",
    "config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    users:\n      bob:\n        password: Tr0ub4dor-and-3\n",
  ],
  [
    "a peer's password in plain text",
    "config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    peers:\n      b:\n        url: https://b.example.org/\n        username: sync\n        password: Tr0ub4dor-and-3\n",
  ],
  [
    "a proxy URL (it may carry a password) in plain text",
    "config:\n  orthanc:target: docker\n  orthanc:orthanc:\n    settings:\n      HttpProxy: http://u:pw@proxy:3128\n",
  ],
  [
    "the AWS provider's region",
    "config:\n  orthanc:target: aws\n  aws:region: eu-west-1\n  orthanc:aws:\n    region: eu-west-1\n",
  ],
];

type Raw = Record<string, unknown>;

/** `over` laid on `base`: maps merged key by key, anything else replaced. */
function merge(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Raw => !!v && typeof v === "object" && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

/**
 * The `testRejections` tables and `REJECTED` exports of the other test files of test/config,
 * collected by loading each file with the test functions stubbed (none of their tests runs here).
 */
function gatherRejections(): RejectedConfig[] {
  const files = (readdirSync(__dirname, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".test.ts") && !f.endsWith("zeroResources.test.ts"))
    .sort();
  const found: RejectedConfig[] = [];
  const g = globalThis as Record<string, unknown>;
  const names = ["describe", "test", "it", "beforeAll", "afterAll", "beforeEach", "afterEach"];
  const saved = Object.fromEntries(names.map((n) => [n, g[n]]));
  const noop = Object.assign(() => undefined, {
    each: () => () => undefined,
    skip: () => undefined,
    only: () => undefined,
    todo: () => undefined,
  });
  const run = Object.assign((_: string, fn: () => void) => fn(), {
    each: () => () => undefined,
    skip: () => undefined,
    only: (_: string, fn: () => void) => fn(),
  });
  try {
    Object.assign(g, { describe: run, test: noop, it: noop });
    for (const n of names.slice(3)) g[n] = () => undefined;
    jest.isolateModules(() => {
      jest.doMock("./helpers", () => ({
        ...jest.requireActual("./helpers"),
        testRejections: (cases: Rejection[]) =>
          found.push(...cases.map(([name, raw]): RejectedConfig => [name, undefined, raw])),
      }));
      for (const file of files) {
        const mod = require(join(__dirname, file)) as { REJECTED?: RejectedConfig[] }; // eslint-disable-line @typescript-eslint/no-require-imports
        const where = relative(__dirname, join(__dirname, file));
        if (Array.isArray(mod.REJECTED))
          found.push(...mod.REJECTED.map(([d, b, r]): RejectedConfig => [`${where}: ${d}`, b, r]));
      }
    });
  } finally {
    Object.assign(g, saved);
  }
  return found;
}

const gathered = gatherRejections();

/** Runs one configuration through the whole program, counting every registration. */
async function registrationsOf(
  raw: Raw,
  stack: string,
): Promise<{ error: unknown; count: number }> {
  let count = 0;
  try {
    await runPlan(raw, stack, () => count++);
    return { error: undefined, count };
  } catch (error) {
    return { error, count };
  }
}

test("the other test files' tables were found (the gathering works)", () => {
  expect(gathered.length).toBeGreaterThan(40);
});

describe.each([
  ["this file's REJECTED", REJECTED],
  ["the tables of test/config", gathered],
])("%s: ConfigError and zero resources", (_list, cases) => {
  test.each(cases)("%s", async (_description, base, raw) => {
    const full = base ? (merge(readStackFile(stackFilePath(base)), raw) as Raw) : raw;
    const { error, count } = await registrationsOf(full, base ?? "zero");
    expect(count).toBe(0);
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe("stack files refused before the schema: ConfigError and zero resources", () => {
  const dir = mkdtempSync(join(tmpdir(), "zero-resources-"));
  test.each(REJECTED_FILES)("%s", async (description, yaml) => {
    const file = join(dir, `Pulumi.${description.replace(/\W+/g, "-")}.yaml`);
    writeFileSync(file, yaml);
    let count = 0;
    let error: unknown;
    try {
      await runPlan(readStackFile(file), "zero", () => count++);
    } catch (e) {
      error = e;
    }
    expect(count).toBe(0);
    expect(error).toBeInstanceOf(ConfigError);
  });
});
