/**
 * No message ever repeats a secret, whatever shape it was given in: under a secret key, in place
 * of the map that holds one, under a key next to it, as the wrong type, or pasted anywhere as a
 * key or certificate. Secret material under a key that is not secret is refused.
 */
import { ConfigError, parseConfig, safeParseConfig } from "../../infra/config";

const PEM_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";
const PEM_CERT =
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTES\n-----END CERTIFICATE-----";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** A configuration given a secret the wrong way: the key reported, its message, the secret. */
type Leak = [
  name: string,
  raw: Record<string, unknown>,
  key: string,
  message: RegExp,
  secret: string,
];

const cases: Leak[] = [
  [
    "a password given as the user itself (a scalar where its map is expected)",
    { target: "docker", orthanc: { users: { bob: "hunter2-Secret" } } },
    "orthanc:orthanc.users.bob",
    /expected object, got a value \(hidden: it may be a secret\)\. Fix: `pulumi config set --secret --path 'orthanc:orthanc.users.bob.password' <password>`/,
    "hunter2-Secret",
  ],
  [
    "a database URL with its password where the external database's map is expected",
    { target: "docker", database: { external: "postgres://orthanc:Db-Pass-99@db/orthanc" } },
    "orthanc:database.external",
    /got a value \(hidden: it may be a secret\).*--secret --path 'orthanc:database.external.password'/,
    "Db-Pass-99",
  ],
  [
    "the S3 secret key in accessKeyId (swapped keys)",
    {
      target: "docker",
      storage: {
        kind: "s3",
        s3: { bucket: "pacs", accessKeyId: AWS_SECRET, secretAccessKey: "AKIAIOSFODNN7EXAMPLE" },
      },
    },
    "orthanc:storage.s3.accessKeyId",
    /holds an AWS secret access key \(hidden\), but this key is not secret.*--secret --path 'orthanc:storage.s3.secretAccessKey'/,
    AWS_SECRET,
  ],
  [
    "a password in the admin user's name",
    { target: "docker", orthanc: { adminUser: "My Pa$$word!" } },
    "orthanc:orthanc.adminUser",
    /got a value \(hidden: a credential field/,
    "Pa$$word",
  ],
  [
    "a password in a user's name (a map key)",
    { target: "docker", orthanc: { users: { "pw: Sekr1t!": {} } } },
    "orthanc:orthanc.users",
    /has an entry whose name is invalid \(hidden: a credential field/,
    "Sekr1t!",
  ],
  [
    "a number as a database password, in a map",
    { target: "docker", database: { external: { host: "db", password: { value: 987654321 } } } },
    "orthanc:database.external.password",
    /expected string, got a map \(hidden: secret\)/,
    "987654321",
  ],
  [
    "a list as a user password",
    { target: "docker", orthanc: { users: { bob: { password: ["Correct-Horse-7"] } } } },
    "orthanc:orthanc.users.bob.password",
    /got a list \(hidden: secret\)/,
    "Correct-Horse-7",
  ],
  [
    "a private key pasted as the SSH public key",
    {
      target: "docker",
      docker: {
        host: "aws-vm",
        vm: { region: "eu-west-1", sshAllowedCidrs: ["198.51.100.7/32"], sshPublicKey: PEM_KEY },
      },
      dns: { name: "pacs.example.org", zoneId: "Z0123456789ABC" },
    },
    "orthanc:docker.vm.sshPublicKey",
    /holds a PEM private key \(hidden\), but this key is not secret/,
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
  ],
  [
    "a private key pasted into a name that takes any text",
    { target: "docker", database: { external: { host: PEM_KEY, password: "p" } } },
    "orthanc:database.external.host",
    /holds a PEM private key \(hidden\)/,
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
  ],
  [
    "a certificate pasted as the instance name",
    { target: "docker", orthanc: { name: PEM_CERT } },
    "orthanc:orthanc.name",
    /holds PEM material \(a certificate or key\) \(hidden\)/,
    "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa",
  ],
  [
    "an AWS secret key as the instance name (a key that would accept it)",
    { target: "docker", orthanc: { name: AWS_SECRET } },
    "orthanc:orthanc.name",
    /holds an AWS secret access key \(hidden\)/,
    AWS_SECRET,
  ],
  [
    "a long token as the DNS name",
    { target: "docker", dns: { name: "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8" } },
    "orthanc:dns.name",
    /got a value \(hidden: it looks like a long random token\)/,
    "A1b2C3d4E5f6G7h8I9j0",
  ],
];

describe("a secret given the wrong way is refused and never printed", () => {
  test.each(cases)("%s", (_name, raw, key, message, secret) => {
    const r = safeParseConfig(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.key)).toContain(key);
    expect(r.issues.find((i) => i.key === key)!.message).toMatch(message);
    expect(JSON.stringify(r.issues)).not.toContain(secret);
    try {
      parseConfig(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).not.toContain(secret);
    }
  });
});

describe("rules that quote a value never quote a secret", () => {
  test("a cross-field message quoting a key that holds a user's password shows it hidden", () => {
    const r = safeParseConfig({
      target: "docker",
      orthanc: { users: { bob: { password: "Zebra-Crossing-42" } } },
      docker: { host: "ssh://Zebra-Crossing-42@pacs.example.org", vm: { region: "eu-west-1" } },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.find((i) => i.key === "orthanc:docker.vm")?.message).toMatch(
      /`orthanc:docker.host` is "ssh:\/\/\[hidden\]@pacs.example.org"/,
    );
    expect(JSON.stringify(r.issues)).not.toContain("Zebra-Crossing-42");
  });
});

test("a password that is a number (as `pulumi config set --path` stores it) is the text written", async () => {
  const cfg = parseConfig({ target: "docker", orthanc: { users: { bob: { password: 123456 } } } });
  const pw = cfg.orthanc.users.bob.password!;
  await new Promise<void>((done) =>
    pw.apply((v) => {
      expect(v).toBe("123456");
      done();
    }),
  );
});
