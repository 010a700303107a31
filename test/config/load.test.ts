import { parse } from "yaml";
import { rawConfigFrom, safeParseConfig } from "../../infra/config";
import { inspectConfigMap } from "../../infra/config/load";
import { inspectStackFile, stackFileIssues } from "../../infra/stackFiles";

test("values read from Pulumi's flat config map are decoded (JSON objects, numbers, plain strings)", () => {
  const raw = rawConfigFrom({
    "orthanc:target": "docker",
    "orthanc:orthanc": JSON.stringify({ replicas: 2 }),
    "orthanc:protectData": "false",
    "aws:region": "eu-west-1",
  });
  expect(raw).toEqual({ target: "docker", orthanc: { replicas: 2 }, protectData: false });
});

describe("the CLI's PULUMI_CONFIG gives the same answers as the stack file", () => {
  /**
   * The configuration the Pulumi CLI hands the program for a stack file: every key namespaced,
   * maps as JSON text with `secure:` values decrypted, and the keys holding one flagged secret.
   */
  function asCli(yaml: string): { all: Record<string, string>; secret: Set<string> } {
    const config = (parse(yaml).config ?? {}) as Record<string, unknown>;
    const all: Record<string, string> = {};
    const secret = new Set<string>();
    const decrypt = (v: unknown, key: string): unknown => {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (Object.keys(o).length === 1 && typeof o.secure === "string") {
          secret.add(key);
          return "decrypted-Secret-Value-1";
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decrypt(x, key)]));
      }
      return Array.isArray(v) ? v.map((x) => decrypt(x, key)) : v;
    };
    for (const [k, v] of Object.entries(config)) {
      const key = k.includes(":") ? k : `orthanc:${k}`;
      const value = decrypt(v, key);
      all[key] =
        typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    }
    return { all, secret };
  }

  function cliKeys(yaml: string): string[] {
    const { all, secret } = asCli(yaml);
    const input = inspectConfigMap(all, (k) => secret.has(k));
    const parsed = safeParseConfig(input.raw);
    return [...input.issues, ...(parsed.ok ? [] : parsed.issues)].map((i) => i.key).sort();
  }

  function fileKeys(yaml: string): string[] {
    return stackFileIssues(inspectStackFile("Pulumi.t.yaml", yaml))
      .map((i) => i.key)
      .sort();
  }

  test.each([
    ["a misspelt namespace", "  orthnac:dns:\n    name: pacs.example.org\n", ["orthnac:dns"]],
    ["a flat dotted key", "  orthanc:orthanc.dicom.port: 4243\n", ["orthanc:orthanc.dicom.port"]],
    [
      "a password in plain text",
      "  orthanc:orthanc:\n    users:\n      bob:\n        password: Tr0ub4dor-and-3\n",
      ["orthanc:orthanc.users.bob.password"],
    ],
    ["the Docker provider's host", "  docker:host: ssh://a@b.example.org\n", ["docker:host"]],
    ["a key of a section at the top", "  orthanc:replicas: 2\n", ["orthanc:replicas"]],
    [
      "an encrypted password",
      "  orthanc:orthanc:\n    users:\n      bob:\n        password:\n          secure: v1:abc\n",
      [],
    ],
    [
      "text keys written as numbers",
      "  orthanc:database:\n    version: 16\n  orthanc:orthanc:\n    dicom:\n      aet: 1234\n",
      [],
    ],
  ])("%s", (_name, body, keys) => {
    const yaml = `config:\n  orthanc:target: docker\n${body}`;
    expect(fileKeys(yaml)).toEqual(keys);
    expect(cliKeys(yaml)).toEqual(keys);
  });

  test("the AWS provider's region on the aws target, by either path", () => {
    const yaml =
      "config:\n  orthanc:target: aws\n  aws:region: eu-west-1\n  orthanc:aws:\n    region: eu-west-1\n  orthanc:tls:\n    allowPlainHttp: true\n";
    expect(fileKeys(yaml)).toEqual(["aws:region"]);
    expect(cliKeys(yaml)).toEqual(["aws:region"]);
  });

  test("without the runtime's secret flags, no value is called plain text", () => {
    const input = inspectConfigMap({
      "orthanc:target": "docker",
      "orthanc:orthanc": JSON.stringify({ users: { bob: { password: "x-y-z-1" } } }),
    });
    expect(input.issues).toEqual([]);
  });
});
