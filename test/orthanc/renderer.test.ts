import { execFileSync } from "node:child_process";
import {
  JsonObject,
  OrthancSettings,
  renderCredentialsJson,
  renderEnvironment,
  renderOrthanc,
  renderOrthancJson,
  serializeForImage,
} from "../../components/shared/orthancConfig";
import {
  connectionsPerReplica,
  MAX_CONNECTIONS_PER_REPLICA,
  OWN_POSTGRES_MAX_CONNECTIONS,
} from "../../components/shared/sizing";
import {
  DURABILITY_SETTINGS,
  postgresCommand,
  postgresServerArgs,
  POSTGRES_SERVER_SETTINGS,
} from "../../components/shared/postgresTuning";
import { renderCaddyfile } from "../../components/docker/caddyfile";
import { renderDicomGateConfig } from "../../components/docker/dicomGate";
import { backupScript, backupSyncScript } from "../../components/docker/containers";
import { renderCloudInit } from "../../components/docker/cloudInit";
import { securityGroupRules } from "../../components/docker/dockerVm";
import { s3PrefixPolicy } from "../../components/aws/iam";
import { keyPolicy } from "../../components/aws/kmsKey";

const base: OrthancSettings = {
  name: "Test PACS",
  httpPort: 8042,
  dicom: {
    enabled: true,
    aet: "ORTHANC",
    port: 4242,
    checkCalledAet: true,
    modalities: {},
    checkModalityHost: false,
  },
  plugins: { dicomWeb: true, explorer2: true, viewer: "stone" },
  database: {
    kind: "postgresql",
    host: "postgres",
    port: 5432,
    database: "orthanc",
    username: "orthanc",
    ssl: true,
    connections: 5,
    multipleWriters: false,
  },
  storage: { kind: "filesystem" },
  serverIdentifier: "orthanc-test-1",
  verboseLogs: false,
};
const secrets = {
  users: { admin: "admin-pw", healthcheck: "probe-pw" },
  databasePassword: "db-pw",
};
const ct = {
  aet: "CT01",
  host: "10.1.2.3",
  port: 104,
  allowEcho: true,
  allowStore: true,
  allowFind: false,
  allowGet: false,
  allowMove: false,
};

describe("orthanc.json", () => {
  test("is hardened whatever the settings", () => {
    const json = renderOrthancJson(base);
    expect(json).toMatchObject({
      RemoteAccessAllowed: true,
      AuthenticationEnabled: true,
      ExecuteLuaEnabled: false,
      RestApiWriteToFileSystemEnabled: false,
      WebDavEnabled: false,
      LuaScripts: [],
      DicomAlwaysAllowFind: false,
      DicomAlwaysAllowGet: false,
      DicomAlwaysAllowMove: false,
    });
  });

  test.each<[string, Partial<OrthancSettings>, Record<string, unknown>]>([
    [
      "no modality allowlist: any AE that reaches the port may echo and store",
      {},
      { DicomAlwaysAllowEcho: true, DicomAlwaysAllowStore: true, DicomModalities: {} },
    ],
    [
      "a modality allowlist: only listed AEs, with their own rights",
      { dicom: { ...base.dicom, modalities: { ct } } },
      {
        DicomAlwaysAllowEcho: false,
        DicomAlwaysAllowStore: false,
        DicomModalities: {
          ct: {
            AET: "CT01",
            Host: "10.1.2.3",
            Port: 104,
            AllowEcho: true,
            AllowStore: true,
            AllowFind: false,
            AllowGet: false,
            AllowMove: false,
          },
        },
      },
    ],
    [
      "called AE title checked",
      {},
      { DicomCheckCalledAet: true, DicomAet: "ORTHANC", DicomPort: 4242 },
    ],
    [
      "DICOM server off",
      { dicom: { ...base.dicom, enabled: false } },
      { DicomServerEnabled: false },
    ],
    [
      "DICOMweb behind a TLS proxy: links use the public name",
      { publicUrl: { host: "pacs.example.org", https: true } },
      {
        DicomWeb: {
          Enable: true,
          Root: "/dicom-web/",
          EnableWado: true,
          WadoRoot: "/wado",
          Host: "pacs.example.org",
          Ssl: true,
        },
      },
    ],
    [
      "DICOMweb without a public name: links follow the request's Host",
      {},
      { DicomWeb: { Enable: true, Root: "/dicom-web/", EnableWado: true, WadoRoot: "/wado" } },
    ],
    [
      "a single writer keeps jobs across restarts",
      {},
      { SaveJobs: true, DatabaseServerIdentifier: "orthanc-test-1" },
    ],
    [
      "several writers do not resume each other's jobs",
      {
        database: {
          ...(base.database as object),
          multipleWriters: true,
        } as OrthancSettings["database"],
      },
      { SaveJobs: false },
    ],
  ])("%s", (_name, overrides, expected) => {
    expect(renderOrthancJson({ ...base, ...overrides })).toMatchObject(expected);
  });

  test("has no DICOMweb section when the plugin is off", () => {
    expect(
      renderOrthancJson({ ...base, plugins: { dicomWeb: false, explorer2: true, viewer: "none" } }),
    ).not.toHaveProperty("DicomWeb");
  });

  test("S3 through a role: bucket and region, never keys; the encryption key is a file", () => {
    const json = renderOrthancJson({
      ...base,
      storage: {
        kind: "s3",
        bucket: "pacs",
        region: "eu-west-1",
        prefix: "orthanc/",
        encryption: true,
        staticKeys: false,
      },
    });
    expect(json.AwsS3Storage).toEqual({
      BucketName: "pacs",
      Region: "eu-west-1",
      RootPath: "orthanc/",
      VirtualAddressing: true,
      StorageEncryption: {
        Enable: true,
        MasterKey: [1, "/run/secrets/orthanc-storage-master-key"],
      },
    });
  });

  test("never contains a secret", () => {
    const text = JSON.stringify(renderOrthancJson(base));
    for (const s of ["admin-pw", "probe-pw", "db-pw"]) expect(text).not.toContain(s);
  });
});

describe("credentials.json", () => {
  test.each([
    [false, { Lock: true }],
    [true, { Lock: false, TransactionMode: "ReadCommitted" }],
  ])("multiple writers %s -> %j", (multipleWriters, expected) => {
    const json = renderCredentialsJson(
      {
        ...base,
        database: { ...(base.database as object), multipleWriters } as OrthancSettings["database"],
      },
      secrets,
    );
    expect(json.PostgreSQL).toMatchObject(expected);
    if (!multipleWriters) expect(json.PostgreSQL).not.toHaveProperty("TransactionMode");
  });

  test("holds the index settings with the password, storage stays on files or S3", () => {
    expect(renderCredentialsJson(base, secrets)).toEqual({
      RegisteredUsers: { admin: "admin-pw", healthcheck: "probe-pw" },
      PostgreSQL: {
        EnableIndex: true,
        EnableStorage: false,
        Host: "postgres",
        Port: 5432,
        Database: "orthanc",
        Username: "orthanc",
        Password: "db-pw",
        EnableSsl: true,
        Lock: true,
        IndexConnectionsCount: 5,
        MaximumConnectionRetries: 30,
        ConnectionRetryInterval: 1,
      },
    });
  });

  test.each([
    [
      "no users (Orthanc would create orthanc:orthanc)",
      { users: {} },
      /at least one registered user/,
    ],
    [
      "an empty user password",
      { users: { admin: "" } },
      /password of Orthanc user "admin" is empty/,
    ],
    ["no database password", { users: { admin: "x" } }, /PostgreSQL password is empty/],
  ])("refuses %s", (_name, s, message) => {
    expect(() => renderCredentialsJson(base, s)).toThrow(message);
  });
});

describe("environment", () => {
  test("switches plugins, turns Nagle off for DCMTK, and never prints the configuration", () => {
    expect(renderEnvironment(base)).toEqual({
      AWS_S3_STORAGE_PLUGIN_ENABLED: "false",
      DICOM_WEB_PLUGIN_ENABLED: "true",
      OHIF_PLUGIN_ENABLED: "false",
      ORTHANC_EXPLORER_2_ENABLED: "true",
      POSTGRESQL_PLUGIN_ENABLED: "true",
      STONE_WEB_VIEWER_PLUGIN_ENABLED: "true",
      TCP_NODELAY: "1",
      VERBOSE_ENABLED: "false",
      VERBOSE_STARTUP: "false",
    });
  });

  test("holds no secret", () => {
    const env = JSON.stringify(renderEnvironment(base));
    for (const s of Object.values(secrets.users).concat(secrets.databasePassword))
      expect(env).not.toContain(s);
  });
});

describe("connection pool sizing", () => {
  test("two connections per Orthanc process, as measured (sizing.ts)", () => {
    expect(MAX_CONNECTIONS_PER_REPLICA).toBe(2);
  });

  test.each([
    // One writer: the measured 2, on any server with room for it.
    [100, 1, 2],
    [405, 1, 2],
    [12, 1, 2],
    [11, 1, 1],
    // Several writers: 2 each too, fewer only when the server's budget is shared too thinly.
    [100, 2, 2],
    [90, 6, 2],
    [100, 20, 2],
    [100, 45, 2],
    [100, 46, 1],
    [50, 8, 2],
    [30, 15, 1],
    [20, 10, 1],
  ])("max_connections %i, %i replicas -> %i each", (max, replicas, expected) => {
    expect(connectionsPerReplica(max, replicas)).toBe(expected);
    expect(connectionsPerReplica(max, replicas) * replicas).toBeLessThanOrEqual(max - 10);
  });

  test("refuses a server too small for the replicas", () => {
    expect(() => connectionsPerReplica(15, 6)).toThrow(
      /max_connections=15 cannot serve 6 Orthanc replicas/,
    );
  });
});

describe("PostgreSQL server settings (the container and the StatefulSet)", () => {
  test("the measured list, as `postgres -c` arguments, with the limit the pools are sized against", () => {
    expect(POSTGRES_SERVER_SETTINGS).toEqual({
      max_connections: String(OWN_POSTGRES_MAX_CONNECTIONS),
      shared_buffers: "256MB",
    });
    expect(postgresServerArgs()).toEqual([
      "-c",
      "max_connections=100",
      "-c",
      "shared_buffers=256MB",
    ]);
    expect(postgresCommand()).toEqual(["postgres", ...postgresServerArgs()]);
  });

  test("durability is left at PostgreSQL's defaults (on)", () => {
    for (const key of DURABILITY_SETTINGS) expect(POSTGRES_SERVER_SETTINGS).not.toHaveProperty(key);
  });

  test.each([
    [{ synchronous_commit: "off" }, /synchronous_commit=off would lose acknowledged commits/],
    [{ synchronous_commit: "local" }, /synchronous_commit=local would lose/],
    [{ fsync: "off" }, /fsync=off would lose/],
    [{ full_page_writes: "off" }, /full_page_writes=off would lose/],
    [{ "shared_buffers; rm": "1" }, /not a PostgreSQL setting name/],
    [{ shared_buffers: "256 MB" }, /without spaces/],
    [{ shared_buffers: "" }, /must be non-empty/],
  ])("refuses %j", (settings, message) => {
    expect(() => postgresServerArgs(settings)).toThrow(message);
  });

  test("keeps durability settings that are on", () => {
    expect(postgresServerArgs({ synchronous_commit: "on", fsync: "on" })).toEqual([
      "-c",
      "synchronous_commit=on",
      "-c",
      "fsync=on",
    ]);
  });
});

describe("rendered documents", () => {
  test("orthanc.json, credentials.json and environment of a typical single-host setup", () => {
    expect(
      renderOrthanc(
        {
          ...base,
          dicom: { ...base.dicom, modalities: { ct } },
          publicUrl: { host: "pacs.example.org", https: true },
        },
        secrets,
      ),
    ).toMatchSnapshot();
  });

  test.each([
    [
      "with a domain (Let's Encrypt, HSTS, CORS)",
      {
        domain: "pacs.example.org",
        acmeEmail: "pacs@example.org",
        acmeStaging: false,
        upstream: "orthanc:8042",
        corsOrigins: ["https://viewer.example.org"],
      },
    ],
    [
      "without a domain (plain HTTP)",
      {
        acmeStaging: false,
        upstream: "orthanc:8042 orthanc-local-2-orthanc:8042",
        corsOrigins: [],
      },
    ],
  ])("Caddyfile %s", (_name, proxy) => {
    expect(renderCaddyfile(proxy)).toMatchSnapshot();
  });

  test("DICOM gate (HAProxy) for two replicas and two networks", () => {
    expect(
      renderDicomGateConfig({
        listenPort: 11112,
        upstreams: ["orthanc:4242", "orthanc-pacs-2-orthanc:4242"],
        allowedCidrs: ["10.20.0.0/16", "192.0.2.0/24"],
      }),
    ).toMatchSnapshot();
  });

  test("DICOM gate refuses to render without an allowlist (it would let everyone in)", () => {
    expect(() =>
      renderDicomGateConfig({ listenPort: 11112, upstreams: ["orthanc:4242"], allowedCidrs: [] }),
    ).toThrow(/needs at least one allowed network/);
  });

  test("backup loop", () => {
    expect(backupScript(24, 14)).toMatchSnapshot();
  });

  test("backup copy loop", () => {
    expect(
      backupSyncScript("s3://pacs/orthanc/backups/", 24, "https://minio.example.org"),
    ).toMatchSnapshot();
  });
});

describe("Docker VM", () => {
  test("cloud-init", () => {
    expect(
      renderCloudInit({
        user: "admin",
        sshPublicKey: "ssh-ed25519 AAAAexample operator@example.org",
        dataVolumeId: "vol-0123456789abcdef0",
      }),
    ).toMatchSnapshot();
  });

  test.each([
    ["closed DICOM, no SSH", { webAllowedCidrs: ["0.0.0.0/0"], sshAllowedCidrs: [] }, [80, 443]],
    [
      "DICOM allowlist and admin SSH",
      {
        webAllowedCidrs: ["0.0.0.0/0"],
        sshAllowedCidrs: ["198.51.100.1/32"],
        dicom: { port: 104, allowedCidrs: ["10.0.0.0/8"] },
      },
      [80, 443, 104, 22],
    ],
    [
      "DICOM enabled without an allowlist stays closed",
      {
        webAllowedCidrs: ["10.0.0.0/8"],
        sshAllowedCidrs: [],
        dicom: { port: 4242, allowedCidrs: [] },
      },
      [80, 443],
    ],
  ])("security group: %s", (_name, args, ports) => {
    const rules = securityGroupRules(args);
    expect(rules.ingress.map((r) => r.fromPort)).toEqual(ports);
    expect(rules.ingress.every((r) => r.fromPort === r.toPort && r.protocol === "tcp")).toBe(true);
    expect(
      rules.ingress
        .filter((r) => r.fromPort === 22 || r.fromPort === 104)
        .every((r) => !r.cidrBlocks.includes("0.0.0.0/0")),
    ).toBe(true);
  });

  test.each([
    [undefined, ["arn:aws:s3:::b/p/*", "arn:aws:s3:::b"]],
    [
      "arn:aws:kms:eu-west-1:1:key/k",
      ["arn:aws:s3:::b/p/*", "arn:aws:s3:::b", "arn:aws:kms:eu-west-1:1:key/k"],
    ],
  ])("S3 policy with key %s is scoped to one bucket, prefix and key", (key, resources) => {
    const doc = s3PrefixPolicy("arn:aws:s3:::b", "p/", key);
    expect(doc.Statement.map((st) => st.Resource)).toEqual(resources);
    expect(JSON.stringify(doc)).not.toContain('"*"');
  });

  test.each([
    [[], 1],
    [["logs.eu-west-1.amazonaws.com"], 2],
  ])(
    "KMS key policy with services %j has %i statements, services bound to this account",
    (services, n) => {
      const doc = keyPolicy("123456789012", "aws", services);
      expect(doc.Statement).toHaveLength(n);
      expect(doc.Statement[0]).toMatchObject({
        Principal: { AWS: "arn:aws:iam::123456789012:root" },
      });
      if (n === 2)
        expect(doc.Statement[1]).toMatchObject({
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        });
    },
  );
});

describe("serializeForImage: every `$` survives the image's envsubst", () => {
  const odd = `p$USER-\${HOME}-"q"-\\-é-漢-$`;
  test.each<[string, JsonObject, string[]]>([
    ["a password", { RegisteredUsers: { admin: odd } }, []],
    ["a nested list", { Plugins: [odd, "$x"] }, []],
    [
      "the program's placeholder, kept for the image to expand",
      { Id: "${HOSTNAME}" },
      ["${HOSTNAME}"],
    ],
  ])("%s", (_, doc, placeholders) => {
    const text = serializeForImage(doc, placeholders);
    // Only the program's own placeholders keep a raw `$`.
    expect(text.replaceAll("${HOSTNAME}", "")).not.toContain("$");
    // Through the real envsubst, as the image does, with HOME, USER and HOSTNAME set.
    const expanded = execFileSync("envsubst", {
      input: text,
      env: { PATH: process.env.PATH, HOME: "/home/x", USER: "u", HOSTNAME: "replica-7" },
    }).toString();
    const expected = JSON.parse(JSON.stringify(doc).replaceAll("${HOSTNAME}", "replica-7"));
    expect(JSON.parse(expanded)).toEqual(expected);
  });
});
