/**
 * The stack-file reader of the offline plan: it reads `Pulumi.<stack>.yaml` as the Pulumi CLI
 * does, and refuses what the CLI would refuse, read otherwise or silently ignore, each with the
 * file and line, the key and a fix.
 */
import { ConfigIssue, parseConfig } from "../../infra/config";
import { inspectStackFile, stackFileIssues, UNDECRYPTED_SECRET } from "../../infra/stackFiles";

const FILE = "stacks/Pulumi.test.yaml";

/** Every problem of a stack file, as `npm run plan` reports them. */
function problems(yaml: string): ConfigIssue[] {
  return stackFileIssues(inspectStackFile(FILE, yaml));
}

/** A stack file that must be refused: the key (or `YAML`), its line, and the message. */
type BadFile = [name: string, yaml: string, key: string, line: number, message: RegExp];

function testBadFiles(cases: BadFile[]) {
  test.each(cases)("%s", (_name, yaml, key, line, message) => {
    const found = problems(yaml);
    expect(found.map((i) => i.key)).toContain(key);
    const hit = found.find((i) => i.key === key);
    expect(hit!.where).toMatch(new RegExp(`^${FILE.replace(/\./g, "\\.")}:${line}:\\d+$`));
    expect(hit!.message).toMatch(message);
  });
}

const docker = (body: string) => `config:\n  orthanc:target: docker\n${body}`;

describe("YAML the CLI would refuse: a clean message with file and line", () => {
  testBadFiles([
    [
      "a duplicated key",
      docker("  orthanc:orthanc:\n    replicas: 1\n    replicas: 2\n"),
      "orthanc:orthanc.replicas",
      5,
      /is written twice in the same map \(this is the second\).*Fix: keep one of them/,
    ],
    [
      "a duplicated section",
      docker("  orthanc:dns:\n    name: a.example.org\n  orthanc:dns:\n    name: b.example.org\n"),
      "orthanc:dns",
      5,
      /is written twice/,
    ],
    [
      "an unclosed list",
      docker("  orthanc:orthanc:\n    dicom:\n      allowedCidrs: [10.0.0.0/8\n    replicas: 1\n"),
      "YAML",
      6,
      /is not valid YAML: .*Fix: correct the file at that line/,
    ],
    [
      "a tab as indentation",
      "config:\n\torthanc:target: docker\n",
      "YAML",
      2,
      /Tabs are not allowed as indentation/,
    ],
    [
      "a list instead of a map",
      "- orthanc:target: docker\n",
      "YAML",
      1,
      /is not a Pulumi stack file: it must be a map with the configuration under `config:`/,
    ],
  ]);

  test("a YAML error never shows the line's text (it may hold a secret)", () => {
    const found = problems(
      docker(
        "  orthanc:orthanc:\n    users:\n      bob:\n        password: S3cretPass-1\n        password: S3cretPass-2\n",
      ),
    );
    expect(JSON.stringify(found)).not.toMatch(/S3cretPass/);
  });
});

describe("keys the CLI or the program would silently ignore", () => {
  testBadFiles([
    [
      "a misspelt namespace",
      docker("  orthnac:dns:\n    name: pacs.example.org\n"),
      "orthnac:dns",
      3,
      /is in namespace `orthnac`, not `orthanc`.*Fix: rename it to `orthanc:dns`/,
    ],
    [
      "the namespace in capitals",
      docker("  Orthanc:replicas: 2\n"),
      "Orthanc:replicas",
      3,
      /namespace `Orthanc`.*Fix: rename it to `orthanc:replicas`/,
    ],
    [
      "a section written beside `config:`",
      docker("orthanc:tls:\n  enabled: false\n"),
      "orthanc:tls",
      3,
      /is outside `config:`: Pulumi reads a stack file's settings only under `config:`.*Fix: indent it under `config:`/,
    ],
    [
      "`configs:` instead of `config:`",
      "configs:\n  orthanc:target: docker\n",
      "configs",
      1,
      /Pulumi reads only `config`.*Fix: rename it to `config:`/,
    ],
    [
      "a flat dotted key (set without --path)",
      docker("  orthanc:orthanc.dicom.port: 4243\n"),
      "orthanc:orthanc.dicom.port",
      3,
      /one key named "orthanc.dicom.port": it was set without `--path`.*Fix: `pulumi config rm 'orthanc:orthanc.dicom.port'` then `pulumi config set --path 'orthanc:orthanc.dicom.port' 4243`/,
    ],
    [
      "the AWS provider's region on the aws target",
      "config:\n  orthanc:target: aws\n  aws:region: eu-west-1\n  orthanc:aws:\n    region: eu-west-1\n",
      "aws:region",
      3,
      /this program does not use: it creates its own provider in `orthanc:aws.region`.*Fix: `pulumi config rm 'aws:region'` and `pulumi config set --path 'orthanc:aws.region' <region>`/,
    ],
    [
      "the AWS provider's region for a Docker VM",
      docker(
        "  aws:region: eu-west-1\n  orthanc:docker:\n    host: aws-vm\n    vm:\n      region: eu-west-1\n",
      ),
      "aws:region",
      3,
      /its own provider in `orthanc:docker.vm.region`/,
    ],
    [
      "the Docker provider's host",
      docker("  docker:host: ssh://deploy@pacs.example.org\n"),
      "docker:host",
      3,
      /connects to `orthanc:docker.host`.*Fix: `pulumi config rm 'docker:host'`/,
    ],
    [
      "a region at the top instead of in its section",
      "config:\n  orthanc:target: aws\n  orthanc:region: eu-west-1\n",
      "orthanc:region",
      3,
      /did you mean `orthanc:aws.region`.*`pulumi config set --path 'orthanc:aws.region' <value>`/,
    ],
  ]);

  test("keys without a namespace are the project's (orthanc), as Pulumi reads them", () => {
    const file = inspectStackFile(FILE, "config:\n  target: docker\n  orthanc:\n    replicas: 1\n");
    expect(stackFileIssues(file)).toEqual([]);
    expect(file.raw).toEqual({ target: "docker", orthanc: { replicas: 1 } });
  });

  test("other providers' keys are left to them", () => {
    const file = inspectStackFile(
      FILE,
      "config:\n  orthanc:target: kubernetes\n  kubernetes:context: prod\n  aws:region: eu-west-1\n",
    );
    expect(stackFileIssues(file)).toEqual([]);
  });
});

describe("values YAML 1.1 (the Pulumi CLI) and 1.2 (the plan) read differently are refused", () => {
  testBadFiles([
    [
      "a port with a leading zero (octal to the CLI)",
      docker("  orthanc:orthanc:\n    dicom:\n      port: 0104\n"),
      "orthanc:orthanc.dicom.port",
      5,
      /`0104` has a leading zero: the Pulumi CLI reads it as octal, 68, this plan as 104\. Fix: write 104/,
    ],
    [
      "an AE title of digits with a leading zero",
      docker("  orthanc:orthanc:\n    dicom:\n      aet: 0123\n"),
      "orthanc:orthanc.dicom.aet",
      5,
      /octal, 83.*quote it \("0123"\) if it is text/,
    ],
    [
      "a modality name (a key) with a leading zero",
      docker(
        "  orthanc:orthanc:\n    dicom:\n      modalities:\n        007:\n          aet: CT\n          host: 10.0.0.1\n",
      ),
      "orthanc:orthanc.dicom.modalities.007",
      6,
      /`007` has a leading zero/,
    ],
    [
      "yes for a boolean",
      docker("  orthanc:orthanc:\n    verboseLogs: yes\n"),
      "orthanc:orthanc.verboseLogs",
      4,
      /`yes` is the boolean true to the Pulumi CLI's YAML.*Fix: write true/,
    ],
    [
      "a number with underscores",
      docker("  orthanc:database:\n    external:\n      host: db\n      maxConnections: 1_000\n"),
      "orthanc:database.external.maxConnections",
      6,
      /is the number 1000 to the Pulumi CLI but text to this plan/,
    ],
    [
      "a version written as a decimal number",
      docker("  orthanc:database:\n    version: 16.0\n"),
      "orthanc:database.version",
      4,
      /`16.0` is the number 16 to YAML.*quote it \("16.0"\)/,
    ],
  ]);

  test("quoted or tagged, the same values are text and accepted", () => {
    const file = inspectStackFile(
      FILE,
      docker(`  orthanc:orthanc:\n    dicom:\n      aet: "0123"\n    name: !!str 0755\n`),
    );
    expect(stackFileIssues(file)).toEqual([]);
    expect(parseConfig(file.raw).orthanc.dicom.aet).toBe("0123");
  });
});

describe("text keys whose value looks like a number are taken as the text written", () => {
  test.each([
    [
      "database.version",
      "  orthanc:database:\n    version: 16\n",
      (c: Cfg) => c.database.version,
      "16",
    ],
    [
      "orthanc.dicom.aet",
      "  orthanc:orthanc:\n    dicom:\n      aet: 1234\n",
      (c: Cfg) => c.orthanc.dicom.aet,
      "1234",
    ],
    ["orthanc.name", "  orthanc:orthanc:\n    name: 2024\n", (c: Cfg) => c.orthanc.name, "2024"],
    [
      "orthanc.adminUser",
      "  orthanc:orthanc:\n    adminUser: 42\n",
      (c: Cfg) => c.orthanc.adminUser,
      "42",
    ],
  ])("%s", (_key, body, read, expected) => {
    const file = inspectStackFile(FILE, docker(body));
    expect(stackFileIssues(file)).toEqual([]);
    expect(read(parseConfig(file.raw))).toBe(expected);
  });

  test("a fraction is not taken as text (it lost what was written): it is refused with the fix", () => {
    const found = problems(docker("  orthanc:orthanc:\n    image:\n      tag: 2.10\n"));
    const tag = found.find((i) => i.key === "orthanc:orthanc.image.tag");
    expect(tag?.message).toMatch(/got 2\.1/);
  });
});
type Cfg = ReturnType<typeof parseConfig>;

describe("secrets in plain text are refused with the command that encrypts them", () => {
  testBadFiles([
    [
      "a user's password",
      docker("  orthanc:orthanc:\n    users:\n      bob:\n        password: Tr0ub4dor-and-3\n"),
      "orthanc:orthanc.users.bob.password",
      6,
      /is a secret given in plain text \(value hidden\).*Fix: `pulumi config set --secret --path 'orthanc:orthanc.users.bob.password' <value>`/,
    ],
    [
      "an S3 secret key",
      docker(
        "  orthanc:storage:\n    kind: s3\n    s3:\n      bucket: pacs\n      accessKeyId: AKIAIOSFODNN7EXAMPLE\n      secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
      ),
      "orthanc:storage.s3.secretAccessKey",
      8,
      /plain text.*--secret --path 'orthanc:storage.s3.secretAccessKey'/,
    ],
    [
      "Orthanc's DICOM TLS private key (the certificate beside it is public)",
      docker(
        "  orthanc:orthanc:\n    dicom:\n      allowedCidrs: [10.20.0.0/16]\n      tls:\n        certificate: |\n          -----BEGIN CERTIFICATE-----\n          TUlJQg==\n          -----END CERTIFICATE-----\n        privateKey: |\n          -----BEGIN PRIVATE KEY-----\n          TUlJRXZRSUJBREFO\n          -----END PRIVATE KEY-----\n",
      ),
      "orthanc:orthanc.dicom.tls.privateKey",
      11,
      /is a secret given in plain text \(value hidden\).*Fix: `pulumi config set --secret --path 'orthanc:orthanc.dicom.tls.privateKey' <value>`/,
    ],
    [
      "a Docker TLS key",
      docker(
        "  orthanc:docker:\n    host: tcp://docker.example.org:2376\n    tlsKey: |\n      -----BEGIN PRIVATE KEY-----\n      MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n      -----END PRIVATE KEY-----\n",
      ),
      "orthanc:docker.tlsKey",
      5,
      /plain text.*--secret --path 'orthanc:docker.tlsKey'/,
    ],
  ]);

  test("none of them is printed", () => {
    const found = problems(
      docker(
        "  orthanc:orthanc:\n    users:\n      bob:\n        password: Tr0ub4dor-and-3\n  orthanc:storage:\n    kind: s3\n    s3:\n      bucket: pacs\n      accessKeyId: AKIAIOSFODNN7EXAMPLE\n      secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
      ),
    );
    const text = JSON.stringify(found);
    expect(text).not.toMatch(/Tr0ub4dor|wJalrXUtnFEMI|bPxRfiCY/);
  });

  test("`secure:` values are accepted, as a placeholder only the CLI can decrypt", () => {
    const file = inspectStackFile(
      FILE,
      docker(
        "  orthanc:orthanc:\n    users:\n      bob:\n        password:\n          secure: v1:abc\n",
      ),
    );
    expect(stackFileIssues(file)).toEqual([]);
    expect(file.raw).toEqual({
      target: "docker",
      orthanc: { users: { bob: { password: UNDECRYPTED_SECRET } } },
    });
  });
});

test("schema problems carry the line of their key too", () => {
  const found = problems(docker("  orthanc:orthanc:\n    dicom:\n      port: 70000\n"));
  expect(found).toEqual([
    expect.objectContaining({ key: "orthanc:orthanc.dicom.port", where: `${FILE}:5:7` }),
  ]);
});

describe("an unreadable file is reported alone", () => {
  test.each([
    [
      "a duplicated section",
      docker("  orthanc:dns:\n    name: a.example.org\n  orthanc:dns: {}\n"),
    ],
    [
      "a duplicated key beside a valid target",
      "config:\n  orthanc:target: aws\n  orthanc:target: docker\n",
    ],
  ])("%s: only the duplicate, not every key the schema then misses", (_name, yaml) => {
    const found = problems(yaml);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/is written twice/);
  });
});

describe("a missing section's fix sets the key it requires", () => {
  test.each([
    [
      "the aws section",
      { target: "aws", tls: { allowPlainHttp: true } },
      "orthanc:aws",
      "orthanc:aws.region",
    ],
    [
      "a required external host",
      { target: "docker", database: { external: { password: "pw-0123456789" } } },
      "orthanc:database.external.host",
      undefined,
    ],
  ])("%s", (_name, raw, key, leaf) => {
    let message = "";
    try {
      parseConfig(raw);
    } catch (e) {
      message = (e as Error).message;
    }
    const line = message.split("\n").find((l) => l.includes(`- ${key}:`)) ?? "";
    expect(line).toMatch(/is required/);
    if (leaf) expect(line).toContain(`pulumi config set --path '${leaf}' <region>`);
    else expect(line).toContain(`pulumi config set --path '${key}' <value>`);
  });
});
