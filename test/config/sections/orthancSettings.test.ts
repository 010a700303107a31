/** `orthanc:orthanc.settings`, `.peers` and `.dicomWebServers`: refused before any resource. */
import { parseConfig } from "../../../infra/config";
import { orthancArgs } from "../../../infra/targets/common";
import { issuesOf, testRejections } from "../helpers";

const docker = (orthanc: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  target: "docker",
  orthanc,
  ...extra,
});
const PEER = { url: "https://pacs-b.example.org/", username: "sync", password: "s3cret-peer" };

describe("the escape hatch takes documented settings only, never one the program owns", () => {
  testRejections([
    [
      "a misspelt setting: did you mean",
      docker({ settings: { StableAg: 60 } }),
      "orthanc:orthanc.settings.StableAg",
      /is not a documented setting of Orthanc 1\.13\.0 as the pinned image carries it\. Did you mean `StableAge`\? Fix: rename it to `StableAge`, or `pulumi config rm --path 'orthanc:orthanc.settings.StableAg'`/,
    ],
    [
      "a setting no Orthanc has",
      docker({ settings: { MakeItFast: true } }),
      "orthanc:orthanc.settings.MakeItFast",
      /is not a documented setting.*orthancSettingKeys\.ts/,
    ],
    [
      "authentication off (owned: always on)",
      docker({ settings: { AuthenticationEnabled: false } }),
      "orthanc:orthanc.settings.AuthenticationEnabled",
      /is fixed: Basic auth is always on, unless .*; the escape hatch cannot set it\. Fix: `pulumi config rm --path 'orthanc:orthanc.settings.AuthenticationEnabled'`/,
    ],
    [
      "users (owned by the typed users key)",
      docker({ settings: { RegisteredUsers: { eve: "x" } } }),
      "orthanc:orthanc.settings.RegisteredUsers",
      /is set by `orthanc:orthanc.adminUser` and `orthanc:orthanc.users`/,
    ],
    [
      "Lua switched on",
      docker({ settings: { ExecuteLuaEnabled: true } }),
      "orthanc:orthanc.settings.ExecuteLuaEnabled",
      /no server-side scripts/,
    ],
    [
      "REST writes to the file system",
      docker({ settings: { RestApiWriteToFileSystemEnabled: true } }),
      "orthanc:orthanc.settings.RestApiWriteToFileSystemEnabled",
      /never writes to the container's files/,
    ],
    [
      "the DICOM allowlist switches",
      docker({ settings: { DicomAlwaysAllowStore: true } }),
      "orthanc:orthanc.settings.DicomAlwaysAllowStore",
      /`orthanc:orthanc.dicom.modalities`/,
    ],
    [
      "the port",
      docker({ settings: { HttpPort: 8080 } }),
      "orthanc:orthanc.settings.HttpPort",
      /is set by `orthanc:orthanc.httpPort`/,
    ],
    [
      "peers through the escape hatch",
      docker({ settings: { OrthancPeers: {} } }),
      "orthanc:orthanc.settings.OrthancPeers",
      /is set by `orthanc:orthanc.peers`/,
    ],
    [
      "the plugin folder",
      docker({ settings: { Plugins: ["/tmp"] } }),
      "orthanc:orthanc.settings.Plugins",
      /plugins are switched by `orthanc:orthanc.plugins`/,
    ],
    [
      "the certificate checks of peers switched off",
      docker({ settings: { HttpsVerifyPeers: false } }),
      "orthanc:orthanc.settings.HttpsVerifyPeers",
      /stays on/,
    ],
    [
      "a DICOMweb setting the program owns",
      docker({ settings: { DicomWeb: { Root: "/dw/" } } }),
      "orthanc:orthanc.settings.DicomWeb.Root",
      /is fixed at \/dicom-web\//,
    ],
    [
      "DICOMweb servers through the escape hatch",
      docker({ settings: { DicomWeb: { Servers: {} } } }),
      "orthanc:orthanc.settings.DicomWeb.Servers",
      /is set by `orthanc:orthanc.dicomWebServers`/,
    ],
    [
      "a misspelt DICOMweb setting",
      docker({ settings: { DicomWeb: { StudiesMetadataa: "Full" } } }),
      "orthanc:orthanc.settings.DicomWeb.StudiesMetadataa",
      /is not a documented DicomWeb setting.*Did you mean `StudiesMetadata`\?/,
    ],
    [
      "a section of a plugin that is off",
      docker({ settings: { OHIF: { DataSource: "dicom-web" } } }),
      "orthanc:orthanc.settings.OHIF",
      /`orthanc:orthanc.plugins.viewer` is not ohif/,
    ],
    [
      "the database's own settings (the target sets them)",
      docker({ settings: { PostgreSQL: { Password: "x" } } }),
      "orthanc:orthanc.settings.PostgreSQL.Password",
      /is set from `orthanc:database` by the target/,
    ],
    [
      "DICOM TLS weakened (its protocol floor)",
      docker({ settings: { DicomTlsMinimumProtocolVersion: 1 } }),
      "orthanc:orthanc.settings.DicomTlsMinimumProtocolVersion",
      /TLS 1\.2 and later/,
    ],
    [
      "DICOMweb servers kept in the database",
      docker({ settings: { DicomWeb: { ServersInDatabase: true } } }),
      "orthanc:orthanc.settings.DicomWeb.ServersInDatabase",
      /the DICOMweb servers live in the stack/,
    ],
    [
      "another PostgreSQL schema (the index would vanish from view)",
      docker({ settings: { PostgreSQL: { Schema: "other" } } }),
      "orthanc:orthanc.settings.PostgreSQL.Schema",
      /is set from `orthanc:database` by the target/,
    ],
    [
      "a storage limit that recycles patients",
      docker({ settings: { MaximumStorageSize: 1000 } }),
      "orthanc:orthanc.settings.MaximumStorageSize",
      /would make Orthanc delete the oldest patients.*MaximumStorageMode' Reject/,
    ],
    [
      "a name of a built-in object method",
      docker({ settings: { toString: 1 } }),
      "orthanc:orthanc.settings.toString",
      /is not a documented setting/,
    ],
    [
      "a plugin section that is not an object",
      docker({ settings: { DicomWeb: true } }),
      "orthanc:orthanc.settings.DicomWeb",
      /must be an object of the plugin's settings/,
    ],
  ]);
});

describe("peers and DICOMweb servers", () => {
  testRejections([
    [
      "a peer over plain HTTP",
      docker({ peers: { b: { ...PEER, url: "http://pacs-b.example.org/" } } }),
      "orthanc:orthanc.peers.b.url",
      /is plain HTTP.*the password and the images would cross the network unencrypted.*'orthanc:orthanc.peers.b.url' https:\/\/pacs-b.example.org\/.*allowPlainHttp' true/,
    ],
    [
      "a password inside the URL (it would sit in clear in the stack file)",
      docker({ peers: { b: { url: "https://alice:Summer26@pacs-b.example.org/" } } }),
      "orthanc:orthanc.peers.b.url",
      /must not carry a user or password.*give them as `username` and `password`/,
    ],
    [
      "a user without a password",
      docker({ peers: { b: { url: PEER.url, username: "sync" } } }),
      "orthanc:orthanc.peers.b.password",
      /is missing: a peer's username and password come together/,
    ],
    [
      "a URL that is not one",
      docker({ dicomWebServers: { archive: { url: "archive.example.org" } } }),
      "orthanc:orthanc.dicomWebServers.archive.url",
      /must be the DICOMweb server's URL, such as `https:\/\/archive.example.org\/dicom-web\/`/,
    ],
    [
      "a name Orthanc's API could not carry",
      docker({ peers: { "site b": PEER } }),
      "orthanc:orthanc.peers.site b",
      /must be a name of letters, digits/,
    ],
    [
      "DICOMweb servers without the plugin",
      docker({
        plugins: { dicomWeb: false },
        dicomWebServers: { archive: { url: "https://archive.example.org/dicom-web/" } },
      }),
      "orthanc:orthanc.dicomWebServers",
      /needs the DICOMweb plugin/,
    ],
  ]);

  test("a refused URL with a password never shows it", () => {
    const issues = issuesOf(
      docker({ peers: { b: { url: "https://alice:Summer26@pacs-b.example.org/" } } }),
    );
    expect(JSON.stringify(issues)).not.toContain("Summer26");
  });

  test("a storage limit with Reject is accepted", () => {
    expect(
      parseConfig(docker({ settings: { MaximumStorageSize: 1000, MaximumStorageMode: "Reject" } }))
        .orthanc.settings,
    ).toEqual({ MaximumStorageSize: 1000, MaximumStorageMode: "Reject" });
  });

  test("plain HTTP with the explicit yes; a server without authentication", () => {
    const cfg = parseConfig(
      docker({
        peers: { b: { ...PEER, url: "http://10.1.2.3:8042/", allowPlainHttp: true } },
        dicomWebServers: { open: { url: "https://open.example.org/dicom-web/" } },
      }),
    );
    expect(Object.keys(cfg.orthanc.peers)).toEqual(["b"]);
    expect(cfg.orthanc.dicomWebServers.open.username).toBeUndefined();
  });
});

describe("what the components get", () => {
  test("settings that may carry a credential are split off as a secret", async () => {
    const args = orthancArgs(
      parseConfig(
        docker({
          settings: {
            StableAge: 60,
            HttpProxy: "http://u:pw@proxy:3128",
            DicomWeb: { StudiesMetadata: "Full" },
          },
        }),
      ),
    );
    expect(args.settings).toEqual({ StableAge: 60, DicomWeb: { StudiesMetadata: "Full" } });
    const hidden = args.secretSettings!;
    expect(await (hidden as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });
});
