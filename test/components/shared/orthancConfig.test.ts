/**
 * The renderer of Orthanc's documents: orthanc.json hardened and free of secrets, credentials.json
 * with the users and the index settings, the environment, and `$` kept through the image's envsubst.
 */
import { execFileSync } from "node:child_process";
import {
  JsonObject,
  OrthancSettings,
  renderCredentialsJson,
  renderEnvironment,
  renderOrthanc,
  renderOrthancJson,
  serializeForImage,
} from "../../../components/shared/orthancConfig";

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
  extra: {},
  peers: {},
  dicomWebServers: {},
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

  test("DICOM TLS: every file by the image's path, a client certificate required only for mutual TLS; nothing without it", () => {
    const files = {
      DicomTlsEnabled: true,
      DicomTlsCertificate: "/run/secrets/orthanc-dicom-tls.crt",
      DicomTlsPrivateKey: "/run/secrets/orthanc-dicom-tls.key",
      DicomTlsTrustedCertificates: "/run/secrets/orthanc-dicom-tls-trusted.crt",
    };
    const json = (tls?: { mutual: boolean }) =>
      renderOrthancJson({ ...base, dicom: { ...base.dicom, tls } });
    const pick = (j: JsonObject) =>
      Object.fromEntries(Object.entries(j).filter(([k]) => k.startsWith("DicomTls")));
    expect(pick(json({ mutual: false }))).toEqual({
      ...files,
      DicomTlsRemoteCertificateRequired: false,
    });
    expect(pick(json({ mutual: true }))).toEqual({
      ...files,
      DicomTlsRemoteCertificateRequired: true,
    });
    // Off (or ended in front of Orthanc): Orthanc's default, plain DICOM, no key of the kind.
    expect(pick(json(undefined))).toEqual({});
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
