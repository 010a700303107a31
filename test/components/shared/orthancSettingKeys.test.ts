import {
  IMAGE_ORTHANC_VERSION,
  ORTHANC_CORE_KEYS,
  PLUGIN_SECTION_KEYS,
} from "../../../components/shared/orthancSettingKeys";

/** The plugin versions orthancteam/orthanc 26.8.1 carries (undefined: not known). */
const IMAGE_PLUGIN_VERSIONS: Record<keyof typeof PLUGIN_SECTION_KEYS, string | undefined> = {
  DicomWeb: "1.24",
  OrthancExplorer2: "1.14.1",
  OHIF: "1.8",
  PostgreSQL: "10.3",
  AwsS3Storage: "2.5.4",
  // The Stone Web viewer's version in 26.8.1 could not be read.
  StoneWebViewer: undefined,
};

const DOTTED = /^\d+(\.\d+){1,2}$/;

/** Negative, zero or positive as a is below, equal to or above b ("1.9.7" < "1.10.0"). */
function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

test.each([
  ["1.9.7", "1.10.0", -1],
  ["1.10.1", "1.10.1", 0],
  ["1.13.0", "1.12.11", 1],
  ["1.8", "1.8.0", 0],
  ["10.0", "9.0", 1],
])("compareVersions(%s, %s) has the sign of %d", (a, b, sign) => {
  expect(Math.sign(compareVersions(a, b))).toBe(sign);
});

test.each([
  ["StableAge", "1.0.0"],
  ["OrthancPeers", "1.0.0"],
  ["DicomModalities", "1.0.0"],
  ["HttpsVerifyPeers", "1.0.0"],
  ["RegisteredUsers", "1.0.0"],
  ["JobsHistorySize", "1.4.0"],
  ["OverwriteInstances", "1.4.2"],
  ["IngestTranscoding", "1.7.0"],
  ["DatabaseServerIdentifier", "1.9.2"],
  ["DicomThreadsCount", "1.10.0"],
  ["ExtraMainDicomTags", "1.11.0"],
  ["KeepAliveTimeout", "1.11.3"],
  ["RestApiWriteToFileSystemEnabled", "1.12.0"],
  ["DicomTlsMinimumProtocolVersion", "1.12.4"],
  ["ReadOnly", "1.12.5"],
  ["HttpBindAddresses", "1.12.10"],
  ["StorageLoaderThreadsCount", "1.13.0"],
])("core key %s is documented since %s", (key, since) => {
  expect(ORTHANC_CORE_KEYS[key]).toEqual({ since });
});

test.each<[keyof typeof PLUGIN_SECTION_KEYS, string, string]>([
  ["DicomWeb", "Enable", "0.1"],
  ["DicomWeb", "Servers", "0.3"],
  ["DicomWeb", "ServersInDatabase", "1.5"],
  ["DicomWeb", "PublicRoot", "1.8"],
  ["PostgreSQL", "Password", "1.0"],
  ["PostgreSQL", "TransactionMode", "6.0"],
  ["PostgreSQL", "Schema", "10.0"],
  ["AwsS3Storage", "BucketName", "0.9.0"],
  ["AwsS3Storage", "HybridMode", "2.1.0"],
  ["StoneWebViewer", "ShowNotForDiagnosticUsageDisclaimer", "2.4"],
  ["OrthancExplorer2", "UiOptions", "1.14.1"],
  ["OHIF", "DataSource", "1.8"],
])("%s.%s is documented since %s", (section, key, since) => {
  expect(PLUGIN_SECTION_KEYS[section][key]).toEqual({ since });
});

test.each([
  // Removed from the documentation in 1.10.1 (unused since 1.4.0).
  "LimitJobs",
  // A typo some old pages carry for RemoteAccessAllowed.
  "RemoteAccessEnabled",
  // Keys are case-sensitive.
  "stableage",
  // Plugin sections are not core keys.
  "DicomWeb",
  "PostgreSQL",
])("%s is not a core key", (key) => {
  expect(Object.hasOwn(ORTHANC_CORE_KEYS, key)).toBe(false);
});

test("every core key is dated with a dotted version not above the image's Orthanc", () => {
  const bad = Object.entries(ORTHANC_CORE_KEYS).filter(
    ([, { since }]) => !DOTTED.test(since) || compareVersions(since, IMAGE_ORTHANC_VERSION) > 0,
  );
  expect(bad).toEqual([]);
});

test.each(Object.keys(PLUGIN_SECTION_KEYS) as (keyof typeof PLUGIN_SECTION_KEYS)[])(
  "every %s key is dated with a dotted version not above the image's plugin",
  (section) => {
    const image = IMAGE_PLUGIN_VERSIONS[section];
    const bad = Object.entries(PLUGIN_SECTION_KEYS[section]).filter(
      ([, { since }]) =>
        !DOTTED.test(since) || (image !== undefined && compareVersions(since, image) > 0),
    );
    expect(Object.keys(PLUGIN_SECTION_KEYS[section]).length).toBeGreaterThan(0);
    expect(bad).toEqual([]);
  },
);

test("keys are option names: letters and digits, starting with a capital", () => {
  const names = [
    ...Object.keys(ORTHANC_CORE_KEYS),
    ...Object.values(PLUGIN_SECTION_KEYS).flatMap((keys) => Object.keys(keys)),
  ];
  expect(names.filter((name) => !/^[A-Z][A-Za-z0-9]*$/.test(name))).toEqual([]);
});
