/**
 * The configuration keys Orthanc and the plugins of the pinned image document, with the version
 * that introduced each: the catalogue `orthanc:orthanc.settings` is checked against. Pure data.
 *
 * Sources (key names are facts; no prose is copied):
 * - Core keys up to 1.10.1: the default configuration Debian's Orthanc 1.10.1 writes with
 *   `/usr/sbin/Orthanc --config=<file>` (the real-Orthanc suite re-reads it and checks this list
 *   both ways), and the NEWS file Debian ships with it (/usr/share/doc/orthanc/NEWS.gz), which
 *   records the release each option appeared in.
 * - Core keys of 1.11.0 to 1.13.0: Orthanc's OrthancServer/Resources/Configuration.json and
 *   OrthancServer/Resources/AdvancedConfiguration.json (the file 1.13.0 splits the advanced options
 *   into) as of the 1.13.0 mainline (GitHub mirrors medoco-health/OrthancMirror and
 *   jodogne/OrthancMirror), whose comments say "new in Orthanc X" for most keys, and Orthanc's
 *   NEWS up to 1.12.10 (jodogne/OrthancMirror). The Orthanc Book's configuration page documents
 *   the same files.
 * - Plugin keys: each plugin's NEWS and the Orthanc Book page for it (dicomweb, postgresql,
 *   object-storage, stone-webviewer, ohif), the Explorer 2 repository's
 *   Plugin/DefaultConfiguration.json, the Stone Web viewer's
 *   Applications/StoneWebViewer/WebApplication/configuration.json and NEWS, the OHIF plugin's
 *   Sources/Plugin.cpp (the keys it reads), Debian's /etc/orthanc/dicomweb.json (DICOMweb 1.7) and
 *   /etc/orthanc/postgresql.json (PostgreSQL 4.0).
 *
 * Rules for `since`:
 * - A core key present by Orthanc 1.0.0 (2015-12-15) gets "1.0.0": NEWS records those options
 *   from the 0.x series or not at all, and what matters here is the 1.x line. Likewise a plugin
 *   key its NEWS never dates gets the plugin's first release (DICOMweb 0.1, Stone 1.0).
 * - A plugin's `since` is that plugin's own version number, not Orthanc's.
 * - Where no source dates a key, `since` is the version the image carries (an upper bound) and a
 *   comment says so.
 * - Keys the default files show only commented out are documented options too: listed, and
 *   marked "(commented out)".
 */

/** The Orthanc version the pinned image (orthancteam/orthanc 26.8.1) carries. */
export const IMAGE_ORTHANC_VERSION = "1.13.0";

/** One documented key: the Orthanc (or plugin) version that introduced it. */
export interface SettingKey {
  readonly since: string;
}

const at = (since: string): SettingKey => ({ since });

/** Orthanc core's top-level configuration keys (as of IMAGE_ORTHANC_VERSION). */
export const ORTHANC_CORE_KEYS: Readonly<Record<string, SettingKey>> = {
  // Present by 1.0.0.
  Name: at("1.0.0"),
  StorageDirectory: at("1.0.0"),
  IndexDirectory: at("1.0.0"), // (commented out in 1.13.0)
  StorageCompression: at("1.0.0"),
  MaximumStorageSize: at("1.0.0"),
  MaximumPatientCount: at("1.0.0"),
  LuaScripts: at("1.0.0"),
  Plugins: at("1.0.0"),
  HttpServerEnabled: at("1.0.0"),
  HttpPort: at("1.0.0"),
  HttpDescribeErrors: at("1.0.0"),
  HttpCompressionEnabled: at("1.0.0"),
  DicomServerEnabled: at("1.0.0"),
  DicomAet: at("1.0.0"),
  DicomCheckCalledAet: at("1.0.0"),
  DicomPort: at("1.0.0"),
  DefaultEncoding: at("1.0.0"),
  // The transfer-syntax groups below are commented out since 1.9.0 (AcceptedTransferSyntaxes).
  DeflatedTransferSyntaxAccepted: at("1.0.0"),
  JpegTransferSyntaxAccepted: at("1.0.0"),
  Jpeg2000TransferSyntaxAccepted: at("1.0.0"),
  JpegLosslessTransferSyntaxAccepted: at("1.0.0"),
  JpipTransferSyntaxAccepted: at("1.0.0"),
  Mpeg2TransferSyntaxAccepted: at("1.0.0"),
  RleTransferSyntaxAccepted: at("1.0.0"),
  UnknownSopClassAccepted: at("1.0.0"),
  RemoteAccessAllowed: at("1.0.0"),
  SslEnabled: at("1.0.0"),
  SslCertificate: at("1.0.0"),
  AuthenticationEnabled: at("1.0.0"), // (commented out)
  RegisteredUsers: at("1.0.0"), // (commented out in 1.13.0)
  DicomModalities: at("1.0.0"),
  OrthancPeers: at("1.0.0"),
  HttpProxy: at("1.0.0"),
  HttpTimeout: at("1.0.0"),
  HttpsVerifyPeers: at("1.0.0"),
  HttpsCACertificates: at("1.0.0"),
  UserMetadata: at("1.0.0"),
  UserContentType: at("1.0.0"),
  StableAge: at("1.0.0"),
  StrictAetComparison: at("1.0.0"),
  StoreMD5ForAttachments: at("1.0.0"),
  LimitFindResults: at("1.0.0"),
  LimitFindInstances: at("1.0.0"),
  LogExportedResources: at("1.0.0"),
  KeepAlive: at("1.0.0"),
  StoreDicom: at("1.0.0"),
  DicomAssociationCloseDelay: at("1.0.0"),
  QueryRetrieveSize: at("1.0.0"),
  CaseSensitivePN: at("1.0.0"),
  Dictionary: at("1.0.0"),

  // 1.1.0 to 1.10.1 (NEWS, and "new in" comments of the default configuration).
  Pkcs11: at("1.1.0"), // (commented out)
  DicomScpTimeout: at("1.2.0"),
  DicomScuTimeout: at("1.2.0"),
  LoadPrivateDictionary: at("1.2.0"),
  DicomAlwaysAllowStore: at("1.3.0"),
  DicomCheckModalityHost: at("1.3.0"),
  Locale: at("1.3.0"), // (commented out)
  DicomAlwaysAllowEcho: at("1.3.1"),
  ConcurrentJobs: at("1.4.0"),
  SynchronousCMove: at("1.4.0"),
  JobsHistorySize: at("1.4.0"),
  HttpVerbose: at("1.4.2"),
  OverwriteInstances: at("1.4.2"),
  DicomModalitiesInDatabase: at("1.5.0"),
  OrthancPeersInDatabase: at("1.5.0"),
  MediaArchiveSize: at("1.5.0"),
  StorageAccessOnFind: at("1.5.1"),
  TcpNoDelay: at("1.5.2"),
  SaveJobs: at("1.5.3"),
  TemporaryDirectory: at("1.5.4"), // (commented out)
  HttpThreadsCount: at("1.5.4"),
  MetricsEnabled: at("1.5.4"),
  ExecuteLuaEnabled: at("1.5.8"),
  HttpRequestTimeout: at("1.5.8"),
  Mpeg4TransferSyntaxAccepted: at("1.6.0"), // (commented out)
  DefaultPrivateCreator: at("1.6.0"),
  StorageCommitmentReportsSize: at("1.6.0"),
  TranscodeDicomProtocol: at("1.7.0"),
  BuiltinDecoderTranscoderOrder: at("1.7.0"),
  IngestTranscoding: at("1.7.0"), // (commented out)
  DicomLossyTranscodingQuality: at("1.7.0"),
  SslVerifyPeers: at("1.7.4"),
  SslTrustedClientCertificates: at("1.7.4"),
  SyncStorageArea: at("1.7.4"),
  WebDavEnabled: at("1.8.0"),
  WebDavDeleteAllowed: at("1.8.0"),
  WebDavUploadAllowed: at("1.8.0"),
  DicomEchoChecksFind: at("1.8.1"),
  OrthancExplorerEnabled: at("1.8.2"),
  SslMinimumProtocolVersion: at("1.8.2"),
  SslCiphersAccepted: at("1.8.2"), // (commented out)
  IngestTranscodingOfUncompressed: at("1.8.2"),
  IngestTranscodingOfCompressed: at("1.8.2"),
  MallocArenaMax: at("1.8.2"),
  DeidentifyLogs: at("1.8.2"),
  DeidentifyLogsDicomVersion: at("1.8.2"),
  AcceptedTransferSyntaxes: at("1.9.0"),
  H265TransferSyntaxAccepted: at("1.9.0"), // (commented out)
  DicomTlsEnabled: at("1.9.0"),
  DicomTlsCertificate: at("1.9.0"), // (commented out)
  DicomTlsPrivateKey: at("1.9.0"), // (commented out)
  DicomTlsTrustedCertificates: at("1.9.0"), // (commented out)
  DicomAlwaysAllowFind: at("1.9.0"),
  DicomAlwaysAllowGet: at("1.9.0"),
  DicomScuPreferredTransferSyntax: at("1.9.0"),
  MaximumPduLength: at("1.9.0"),
  DatabaseServerIdentifier: at("1.9.2"), // (commented out)
  CheckRevisions: at("1.9.2"),
  DicomTlsRemoteCertificateRequired: at("1.9.3"),
  ExternalDictionaries: at("1.9.4"), // (commented out)
  SynchronousZipStream: at("1.9.4"),
  DicomAlwaysAllowMove: at("1.9.7"),
  MaximumStorageCacheSize: at("1.10.0"),
  DicomAlwaysAllowFindWorklist: at("1.10.0"),
  DicomThreadsCount: at("1.10.0"),
  // Superseded by LoaderThreads in 1.12.11; 1.13.0 still accepts it.
  ZipLoaderThreads: at("1.10.0"),

  // Newer than Debian's 1.10.1 (Configuration.json / AdvancedConfiguration.json comments, NEWS).
  ExtraMainDicomTags: at("1.11.0"), // (commented out)
  Warnings: at("1.11.0"),
  LuaHeartBeatPeriod: at("1.11.1"), // NEWS 1.11.1
  MaximumStorageMode: at("1.11.2"),
  KeepAliveTimeout: at("1.11.3"),
  JobsEngineThreadsCount: at("1.11.3"),
  // Upstream 1.12.0; Debian backported it into its 1.10.1 package (CVE-2023-33466).
  RestApiWriteToFileSystemEnabled: at("1.12.0"),
  DicomTlsMinimumProtocolVersion: at("1.12.4"),
  DicomTlsCiphersAccepted: at("1.12.4"), // (commented out)
  ReadOnly: at("1.12.5"),
  AcceptedSopClasses: at("1.12.6"), // (commented out)
  RejectedSopClasses: at("1.12.6"), // (commented out)
  DicomDefaultRetrieveMethod: at("1.12.6"),
  MaximumConcurrentDcmtkTranscoders: at("1.12.6"),
  HttpBindAddresses: at("1.12.10"), // (commented out) NEWS 1.12.10
  // The mainline files date these "1.12.11"; no 1.12.11 appears in the NEWS read (up to
  // 1.12.10), so they reached users with the next release at the latest.
  ZipUseUtf8: at("1.12.11"),
  PatientLevelEnabled: at("1.12.11"),
  MaximumRequestBodySizeMB: at("1.12.11"),
  MaximumFileSizeInArchiveMB: at("1.12.11"),
  LoaderThreads: at("1.12.11"),
  StorageLoaderThreadsCount: at("1.13.0"),
  StorageMemoryCapacity: at("1.13.0"),
  DicomParserThreads: at("1.13.0"),
  DicomParserMemoryCapacity: at("1.13.0"),
  DicomParserCacheSize: at("1.13.0"),
  TranscoderThreads: at("1.13.0"),
  TranscoderMemoryCapacity: at("1.13.0"),
  TranscoderCacheSize: at("1.13.0"),
  SequentialDicomReaderThreads: at("1.13.0"), // (commented out)
  SequentialDicomReaderWindowSize: at("1.13.0"), // (commented out; undated: upper bound)
  SequentialDicomReaderWindowCapacity: at("1.13.0"),
  DicomGetScuProposesAcceptedTransferSyntaxes: at("1.13.0"), // undated: upper bound
};

/**
 * The sections of the plugins the image carries and this program can enable, with their
 * sub-keys: DicomWeb, OrthancExplorer2, StoneWebViewer, OHIF, PostgreSQL, AwsS3Storage.
 * Each `since` is the plugin's own version. Image versions: DICOMweb 1.24, Explorer 2 1.14.1,
 * OHIF 1.8, PostgreSQL 10.3, AWS S3 2.5.4; the Stone Web viewer's version in 26.8.1 could not be
 * read (its newest NEWS read is 2.6 plus pending changes).
 */
export const PLUGIN_SECTION_KEYS: Readonly<
  Record<
    "DicomWeb" | "OrthancExplorer2" | "StoneWebViewer" | "OHIF" | "PostgreSQL" | "AwsS3Storage",
    Readonly<Record<string, SettingKey>>
  >
> = {
  DicomWeb: {
    // In Debian's 1.7 dicomweb.json, undated by NEWS: 0.1, the first release NEWS records.
    Enable: at("0.1"),
    Root: at("0.1"),
    EnableWado: at("0.1"),
    WadoRoot: at("0.1"),
    Host: at("0.1"),
    Ssl: at("0.1"),
    // The DICOMweb client (servers, STOW-RS client) arrived in 0.3.
    Servers: at("0.3"),
    StowMaxInstances: at("0.3"),
    StowMaxSize: at("0.3"),
    QidoCaseSensitive: at("0.5"),
    StudiesMetadata: at("1.1"),
    SeriesMetadata: at("1.1"),
    StudiesMetadataExtrapolatedTags: at("1.1"),
    SeriesMetadataExtrapolatedTags: at("1.1"),
    ServersInDatabase: at("1.5"),
    PublicRoot: at("1.8"),
    MetadataWorkerThreadsCount: at("1.14"),
    EnableMetadataCache: at("1.15"),
    EnablePerformanceLogs: at("1.21"),
    WadoRsLoaderThreadsCount: at("1.21"),
  },
  // Explorer 2 dates no key: every key is dated with the image's 1.14.1 (upper bound), from the
  // newest Plugin/DefaultConfiguration.json read (a 1.8.x-or-later one; "Shares" of older files is
  // gone from it and left out).
  OrthancExplorer2: {
    Enable: at("1.14.1"),
    Root: at("1.14.1"),
    IsDefaultOrthancUI: at("1.14.1"),
    Theme: at("1.14.1"),
    CustomCssPath: at("1.14.1"), // (commented out)
    CustomLogoUrl: at("1.14.1"), // (commented out)
    CustomLogoPath: at("1.14.1"), // (commented out)
    CustomFavIconPath: at("1.14.1"), // (commented out)
    CustomTitle: at("1.14.1"), // (commented out)
    UiOptions: at("1.14.1"),
    Keycloak: at("1.14.1"),
    Tokens: at("1.14.1"),
    AdvancedOptions: at("1.14.1"),
    Inbox: at("1.14.1"),
  },
  StoneWebViewer: {
    // In the viewer's configuration.json; no release notes date them: 1.0 (the first release).
    WindowingPresets: at("1.0"),
    CombinedToolEnabled: at("1.0"),
    CombinedToolBehaviour: at("1.0"),
    PrintEnabled: at("1.0"),
    DownloadAsJpegEnabled: at("1.0"),
    DownloadStudyEnabled: at("1.0"),
    ExpectedMessageOrigin: at("1.0"),
    DicomWebRoot: at("1.0"),
    DicomCacheSize: at("1.0"),
    OrthancApiRoot: at("1.0"),
    DateFormat: at("1.0"), // (commented out)
    // Stone NEWS.
    DownloadDicomDir: at("2.1"),
    InstitutionLogo: at("2.1"),
    TimeFormat: at("2.3"),
    SkipSeriesFromModalities: at("2.3"),
    ShowInfoPanelAtStartup: at("2.4"),
    ShowUserPreferencesButton: at("2.4"),
    ShowNotForDiagnosticUsageDisclaimer: at("2.4"),
    DicomWebHttpHeaders: at("2.4"),
    // Pending after 2.6 in the NEWS read, dated with the next release number (unverified: the
    // image's Stone version is unknown).
    ScreenshotTemplate: at("2.7"),
    AnnotationsColor: at("2.7"),
    HighlightedAnnotationsColor: at("2.7"),
  },
  // The keys the plugin reads (Sources/Plugin.cpp); undated: 1.8 (upper bound).
  OHIF: {
    RouterBasename: at("1.8"),
    DataSource: at("1.8"),
    UserConfiguration: at("1.8"),
    Preload: at("1.8"),
  },
  PostgreSQL: {
    // Release 1.0: connection URI, EnableIndex/EnableStorage, advisory locks.
    EnableIndex: at("1.0"),
    EnableStorage: at("1.0"),
    Host: at("1.0"),
    Port: at("1.0"),
    Database: at("1.0"),
    Username: at("1.0"),
    Password: at("1.0"),
    ConnectionUri: at("1.0"),
    Lock: at("1.0"),
    EnableSsl: at("3.0"),
    // "New in 3.0" per Debian's postgresql.json and the Book; NEWS lists them under 3.3, where
    // they started to apply to the first connection as well.
    MaximumConnectionRetries: at("3.0"),
    ConnectionRetryInterval: at("3.0"),
    IndexConnectionsCount: at("4.0"),
    TransactionMode: at("6.0"),
    EnableVerboseLogs: at("6.0"),
    HousekeepingInterval: at("7.0"),
    AllowInconsistentChildCounts: at("7.2"),
    UseDynamicConnectionPool: at("9.0"),
    // Pending after 9.0 in the NEWS read: the next release, 10.0.
    Schema: at("10.0"),
    ApplicationName: at("10.0"),
  },
  AwsS3Storage: {
    BucketName: at("0.9.0"),
    Region: at("0.9.0"),
    AccessKey: at("0.9.0"),
    SecretKey: at("0.9.0"),
    Endpoint: at("0.9.1"),
    ConnectionTimeout: at("0.9.1"),
    RequestTimeout: at("0.9.1"),
    StorageEncryption: at("1.0.0"),
    MigrationFromFileSystemEnabled: at("1.0.0"), // superseded by HybridMode in 2.1.0
    StorageStructure: at("1.0.0"),
    RootPath: at("1.1.0"),
    VirtualAddressing: at("1.2.0"),
    EnableLegacyUnknownFiles: at("1.3.2"),
    HybridMode: at("2.1.0"),
    UseTransferManager: at("2.3.0"),
    TransferPoolSize: at("2.3.0"),
    TransferBufferSize: at("2.3.0"),
    EnableAwsSdkLogs: at("2.3.1"),
    // Added to the plugin in Dec 2024 and Oct 2025; the release is not read: 2.5.4 (upper bound).
    StorageClass: at("2.5.4"),
    Tags: at("2.5.4"),
    MaxConnections: at("2.5.4"),
    MaxRetries: at("2.5.4"),
  },
};
