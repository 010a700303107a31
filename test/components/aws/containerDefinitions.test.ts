/**
 * The ECS init container's script, run for real by /bin/sh: it must write each value byte for
 * byte (JSON with quotes, `$`, backslashes and newlines), readable only by Orthanc's uid.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import {
  DEFAULT_CAPABILITIES,
  initScript,
  launchTypeViolations,
  orthancContainers,
} from "../../../components/aws/containerDefinitions";

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
    // Fargate refuses any added capability but SYS_PTRACE: CHOWN is kept by dropping the rest.
    linuxParameters: {
      capabilities: {
        drop: [
          "AUDIT_WRITE",
          "DAC_OVERRIDE",
          "FOWNER",
          "FSETID",
          "KILL",
          "MKNOD",
          "NET_BIND_SERVICE",
          "NET_RAW",
          "SETFCAP",
          "SETGID",
          "SETPCAP",
          "SETUID",
          "SYS_CHROOT",
        ],
      },
    },
  });
  expect(init.linuxParameters?.capabilities?.add).toBeUndefined();
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
    environment: [
      { name: "TCP_NODELAY", value: "1" },
      // The entrypoint would write /etc/hostid, which the read-only root refuses.
      { name: "GENERATE_HOST_ID_IF_MISSING", value: "false" },
    ],
    readonlyRootFilesystem: true,
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
    { sourceVolume: "orthanc-tmp", containerPath: "/tmp" },
    { sourceVolume: "orthanc-plugins", containerPath: "/run/orthanc/plugins" },
    { sourceVolume: "orthanc-storage", containerPath: "/var/lib/orthanc/db" },
  ]);
  // The init container writes only into task volumes, and hands Orthanc its writable folders
  // (a task volume is created root-owned 0755, on Fargate and on EC2).
  expect(init.readonlyRootFilesystem).toBe(true);
  expect(init.mountPoints).toEqual([
    { sourceVolume: "orthanc-config", containerPath: "/etc/orthanc" },
    { sourceVolume: "orthanc-secrets", containerPath: "/run/secrets" },
    { sourceVolume: "orthanc-tmp", containerPath: "/tmp" },
    { sourceVolume: "orthanc-plugins", containerPath: "/run/orthanc/plugins" },
  ]);
  expect(init.command![0].split("\n").slice(0, 4)).toEqual([
    "set -eu",
    "chown 999:999 /tmp",
    "chown 999:999 /run/orthanc/plugins",
    "umask 0277",
  ]);
  expect(launchTypeViolations([init, orthanc], "FARGATE")).toEqual([]);
  expect(launchTypeViolations([init, orthanc], "EC2")).toEqual([]);
  expect(orthanc.healthCheck?.command).toEqual([
    "CMD",
    "/probes/test-aliveness.py",
    "--user=healthcheck",
  ]);
});

const args = {
  image: "orthancteam/orthanc:26.8.1",
  orthancJson: "{}",
  credentialsSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:creds",
  environment: {},
  httpPort: 8042,
  efs: false,
  logGroup: "/orthanc/test",
  region: "eu-west-1",
  memoryMiB: 2048,
};

const rootOnly = asRoot ? test : test.skip;

rootOnly("the init script succeeds as root holding CHOWN alone, and needs CHOWN", () => {
  // A fresh task volume: a root-owned 0755 directory. setpriv limits the bounding set the way
  // the init container's drop list does; nothing else of root's power is left.
  const run = (caps: string) => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-caps-"));
    const path = join(dir, "credentials.json");
    try {
      execFileSync(
        "setpriv",
        [`--bounding-set=-all${caps}`, "/bin/sh", "-c", initScript({ CREDS: path }, "999")],
        { env: { PATH: "/usr/bin:/bin", CREDS: "{}" }, stdio: "pipe" },
      );
      const st = statSync(path);
      return { uid: st.uid, mode: st.mode & 0o777 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const kept = DEFAULT_CAPABILITIES.filter(
    (c) => !orthancContainers(args).at(0)?.linuxParameters?.capabilities?.drop?.includes(c),
  );
  expect(kept).toEqual(["CHOWN"]);
  expect(run(kept.map((c) => `,+${c.toLowerCase()}`).join(""))).toEqual({ uid: 999, mode: 0o400 });
  expect(() => run("")).toThrow(/Operation not permitted/);
});

describe("launch-type rules the ContainerDefinition type cannot express", () => {
  const base: ContainerDefinition = { name: "c", image: "i" };
  test.each<[string, ContainerDefinition, "FARGATE" | "EC2", string[]]>([
    ["the shipped definitions on Fargate", {}, "FARGATE", []],
    ["the shipped definitions on EC2", {}, "EC2", []],
    [
      "an added CHOWN on Fargate (the defect this rule was written for)",
      { linuxParameters: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } } },
      "FARGATE",
      ['container "c": Fargate can add only SYS_PTRACE, not CHOWN'],
    ],
    [
      "an added CHOWN on EC2",
      { linuxParameters: { capabilities: { drop: ["ALL"], add: ["CHOWN"] } } },
      "EC2",
      [],
    ],
    [
      "SYS_PTRACE on Fargate",
      { linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } } },
      "FARGATE",
      [],
    ],
    [
      "privileged, tmpfs and devices on Fargate",
      {
        privileged: true,
        linuxParameters: {
          tmpfs: [{ containerPath: "/tmp", size: 64 }],
          devices: [{ hostPath: "/dev/fuse" }],
        },
      },
      "FARGATE",
      [
        'container "c": privileged is not supported on Fargate',
        'container "c": devices are not supported on Fargate',
        'container "c": tmpfs is not supported on Fargate',
      ],
    ],
    [
      "a syslog log driver on Fargate",
      { logConfiguration: { logDriver: "syslog" } },
      "FARGATE",
      ['container "c": Fargate supports the awslogs, splunk and awsfirelens log drivers'],
    ],
    [
      "a remapped host port with awsvpc",
      { portMappings: [{ containerPort: 8042, hostPort: 80 }] },
      "EC2",
      ['container "c": hostPort must equal containerPort with awsvpc'],
    ],
  ])("%s", (_, extra, launchType, expected) => {
    const defs = Object.keys(extra).length
      ? [{ ...base, ...extra }]
      : orthancContainers({ ...args, dicomPort: 4242, storageKeySecretArn: "arn:key" });
    expect(launchTypeViolations(defs, launchType)).toEqual(expected);
  });
});
