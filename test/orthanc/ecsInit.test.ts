/**
 * The ECS init container's script, run for real by /bin/sh: it must write each value byte for
 * byte (JSON with quotes, `$`, backslashes and newlines), readable only by Orthanc's uid.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initScript, orthancContainers } from "../../components/aws/containers";

const asRoot = process.getuid?.() === 0;

test("writes every variable to its file unchanged, mode 0400, owned by the Orthanc uid", () => {
  const dir = mkdtempSync(join(tmpdir(), "ecs-init-"));
  try {
    const credentials = JSON.stringify(
      { RegisteredUsers: { admin: 'p"w$x\\y' }, PostgreSQL: { Password: "a b\nc" } },
      null,
      2,
    );
    const config = JSON.stringify({ Name: "PACS $HOME `x`" });
    const uid = asRoot ? "999" : String(process.getuid?.());
    execFileSync(
      "/bin/sh",
      [
        "-c",
        initScript({ CREDS: join(dir, "credentials.json"), CONF: join(dir, "orthanc.json") }, uid),
      ],
      {
        env: { PATH: "/usr/bin:/bin", CREDS: credentials, CONF: config },
      },
    );
    expect(readFileSync(join(dir, "credentials.json"), "utf8")).toBe(credentials);
    expect(readFileSync(join(dir, "orthanc.json"), "utf8")).toBe(config);
    const st = statSync(join(dir, "credentials.json"));
    expect(st.mode & 0o777).toBe(0o400);
    expect(String(st.uid)).toBe(uid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("container definitions: secrets only through `secrets`, Orthanc non-root after the init succeeded", () => {
  const [init, orthanc] = orthancContainers({
    image: "orthancteam/orthanc:26.8.1",
    orthancJson: '{"Name":"PACS"}',
    credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:creds",
    storageKeySecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key",
    environment: { TCP_NODELAY: "1" },
    httpPort: 8042,
    dicomPort: 4242,
    efs: true,
    logGroup: "/orthanc/test",
    region: "eu-west-1",
    memoryMiB: 2048,
  });
  expect(init).toMatchObject({
    essential: false,
    user: "0",
    linuxParameters: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
  });
  expect(init.secrets).toEqual([
    {
      name: "ORTHANC_CREDENTIALS_JSON",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:creds",
    },
    {
      name: "ORTHANC_STORAGE_KEY",
      valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:key",
    },
  ]);
  expect(init.environment).toEqual([{ name: "ORTHANC_CONFIG_JSON", value: '{"Name":"PACS"}' }]);
  expect(orthanc).toMatchObject({
    essential: true,
    user: "999:999",
    dependsOn: [{ containerName: "config", condition: "SUCCESS" }],
    environment: [{ name: "TCP_NODELAY", value: "1" }],
    secrets: [],
    portMappings: [
      { containerPort: 8042, protocol: "tcp" },
      { containerPort: 4242, protocol: "tcp" },
    ],
    linuxParameters: { initProcessEnabled: true, capabilities: { drop: ["ALL"] } },
  });
  expect(orthanc.mountPoints).toEqual([
    { sourceVolume: "orthanc-config", containerPath: "/etc/orthanc", readOnly: true },
    { sourceVolume: "orthanc-secrets", containerPath: "/run/secrets", readOnly: true },
    { sourceVolume: "orthanc-storage", containerPath: "/var/lib/orthanc/db" },
  ]);
  expect(orthanc.healthCheck.command).toEqual([
    "CMD",
    "/probes/test-aliveness.py",
    "--user=healthcheck",
  ]);
});
