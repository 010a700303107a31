/**
 * The lab boots the shipped documents with a fixed, short list of changes: where things are on
 * this machine (ports, the database's address, directories, the modalities' host), and Debian's
 * plugin paths for the image's plugin switches. Everything else is booted as the program ships
 * it, including what Debian's older Orthanc ignores; `outsideLocations` lists any other
 * difference, and every boot refuses one.
 */
import { JsonObject } from "../../components/shared/orthancConfig";
import { NEWER_KEYS } from "./debian";
import { DEBIAN_PLUGINS } from "./lab";
import { jsonDifferences, OrthancDocuments } from "./shippedDocuments";

/** Where the lab runs this Orthanc. */
export interface LabLocation {
  httpPort: number;
  dicomPort: number;
  storageDir: string;
  /**
   * The lab's PostgreSQL cluster (loopback) and this Orthanc's database in it; `tls` when the
   * cluster serves TLS (postgresTls.test.ts), so the shipped `EnableSsl` is booted as shipped.
   */
  postgres?: { port: number; database: string; tls?: boolean };
  /** Modalities the lab's DICOM clients stand in for, on 127.0.0.1: every listed one by default. */
  modalitiesOnLab?: string[];
  /** Where the lab wrote the DICOM TLS files the target would deliver (the same kind of chain). */
  dicomTls?: { certificate: string; privateKey: string; trusted: string };
}

interface RuleContext {
  loc: LabLocation;
  environment: Record<string, string>;
  /** The shipped value (undefined for a key the lab adds). */
  shipped: unknown;
  /** The name a `*` matched. */
  name: string;
}

const labPostgres = (loc: LabLocation) => {
  if (!loc.postgres) throw new Error("the documents use PostgreSQL: the lab needs a database");
  return loc.postgres;
};

const labDicomTls = (loc: LabLocation) => {
  if (!loc.dicomTls) throw new Error("the documents use DICOM TLS: the lab needs its files");
  return loc.dicomTls;
};

/**
 * Every key the lab changes, and what it becomes. Dotted paths into either document; `*` stands
 * for any name. A top-level key that neither document has is added to orthanc.json.
 */
export const LOCATION_KEYS: Readonly<Record<string, (c: RuleContext) => unknown>> = {
  // Free loopback ports: several Orthancs run at once on this machine.
  HttpPort: ({ loc }) => loc.httpPort,
  DicomPort: ({ loc }) => loc.dicomPort,
  // A scratch directory (a SQLite index goes there too: IndexDirectory defaults to it).
  StorageDirectory: ({ loc }) => loc.storageDir,
  // The image loads the plugins its environment switches on; Debian's Orthanc needs their paths.
  Plugins: ({ environment }) => debianPlugins(environment).paths,
  // The modalities the lab plays connect from here (their DICOM host check sees 127.0.0.1).
  "DicomModalities.*.Host": ({ loc, name, shipped }) =>
    !loc.modalitiesOnLab || loc.modalitiesOnLab.includes(name) ? "127.0.0.1" : shipped,
  // The DICOM TLS files the target delivers at the image's paths, written by the lab here.
  // (Not added where the program ships none.)
  DicomTlsCertificate: ({ loc, shipped }) => shipped && labDicomTls(loc).certificate,
  DicomTlsPrivateKey: ({ loc, shipped }) => shipped && labDicomTls(loc).privateKey,
  DicomTlsTrustedCertificates: ({ loc, shipped }) => shipped && labDicomTls(loc).trusted,
  // The lab's cluster: loopback, a database per test, and no TLS unless it serves TLS (the
  // deployed setting is checked by the unit tests, and booted by postgresTls.test.ts).
  "PostgreSQL.Host": () => "127.0.0.1",
  "PostgreSQL.Port": ({ loc }) => labPostgres(loc).port,
  "PostgreSQL.Database": ({ loc }) => labPostgres(loc).database,
  "PostgreSQL.EnableSsl": ({ loc, shipped }) => (labPostgres(loc).tls ? shipped : false),
};

/**
 * The image's plugin switches (environment variables) and Debian's package of each plugin;
 * undefined where Debian packages none.
 */
const PLUGIN_SWITCHES: Record<string, string | undefined> = {
  DICOM_WEB_PLUGIN_ENABLED: DEBIAN_PLUGINS.dicomWeb,
  POSTGRESQL_PLUGIN_ENABLED: DEBIAN_PLUGINS.postgresqlIndex,
  ORTHANC_EXPLORER_2_ENABLED: undefined,
  STONE_WEB_VIEWER_PLUGIN_ENABLED: undefined,
  OHIF_PLUGIN_ENABLED: undefined,
  AWS_S3_STORAGE_PLUGIN_ENABLED: undefined,
};

/** Debian's paths of the plugins the environment switches on, and those Debian lacks. */
export function debianPlugins(environment: Record<string, string>): {
  paths: string[];
  missing: string[];
} {
  const paths: string[] = [];
  const missing: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    const isSwitch = name in PLUGIN_SWITCHES || /_PLUGIN_ENABLED$/.test(name);
    if (!isSwitch || value !== "true") continue;
    if (!(name in PLUGIN_SWITCHES)) throw new Error(`unknown plugin switch ${name}: map it`);
    const path = PLUGIN_SWITCHES[name];
    if (path) paths.push(path);
    else missing.push(name);
  }
  return { paths: paths.sort(), missing: missing.sort() };
}

type Path = string[];

const copy = (doc: JsonObject) => JSON.parse(JSON.stringify(doc)) as JsonObject;

/** Paths of `doc` that a pattern names (existing keys only; `*` expanded). */
function matches(doc: unknown, pattern: Path, at: Path = []): Path[] {
  if (pattern.length === 0) return [at];
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [];
  const obj = doc as JsonObject;
  const [head, ...rest] = pattern;
  const keys = head === "*" ? Object.keys(obj) : head in obj ? [head] : [];
  return keys.flatMap((k) => matches(obj[k], rest, [...at, k]));
}

function setPath(doc: JsonObject, path: Path, value: unknown) {
  let cur = doc;
  for (const p of path.slice(0, -1)) cur = cur[p] as JsonObject;
  cur[path[path.length - 1]] = value;
}

function getPath(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>((cur, p) => (cur as JsonObject | undefined)?.[p], doc);
}

export interface LabDocuments extends OrthancDocuments {
  /** What Debian's Orthanc 1.10.1 leaves unused: plugins it lacks, keys it ignores. */
  notes: string[];
}

/** The shipped documents with the lab's locations: only `LOCATION_KEYS` change. */
export function forLab(shipped: OrthancDocuments, loc: LabLocation): LabDocuments {
  const orthancJson = copy(shipped.orthancJson);
  const credentialsJson = copy(shipped.credentialsJson);
  const environment = { ...shipped.environment };
  for (const [key, rule] of Object.entries(LOCATION_KEYS)) {
    const pattern = key.split(".");
    let found = false;
    for (const doc of [orthancJson, credentialsJson]) {
      for (const path of matches(doc, pattern)) {
        found = true;
        const name = path[pattern.lastIndexOf("*")] ?? "";
        setPath(doc, path, rule({ loc, environment, shipped: getPath(doc, path), name }));
      }
    }
    const added =
      found || pattern.length > 1
        ? undefined
        : rule({ loc, environment, shipped: undefined, name: "" });
    if (added !== undefined) orthancJson[key] = added;
  }
  const notes = debianPlugins(environment).missing.map(
    (s) => `${s}=true: the plugin is not packaged by Debian`,
  );
  for (const [path, why] of Object.entries(NEWER_KEYS)) {
    for (const [file, doc] of [
      ["orthanc.json", orthancJson],
      ["credentials.json", credentialsJson],
    ] as const) {
      if (matches(doc, path.split(".")).length)
        notes.push(`${file}: ${path} is ignored by Debian's Orthanc 1.10.1 (${why})`);
    }
  }
  return { orthancJson, credentialsJson, environment, notes };
}

/** Whether a path lies at or under one of `LOCATION_KEYS` (or of `extra`). */
function isLocation(path: Path, extra: readonly string[]): boolean {
  return [...Object.keys(LOCATION_KEYS), ...extra].some((key) => {
    const pattern = key.split(".");
    return path.length >= pattern.length && pattern.every((p, i) => p === "*" || p === path[i]);
  });
}

/**
 * Where the booted documents differ from the shipped ones outside `LOCATION_KEYS` (and `extra`,
 * keys a test changes on purpose), as `file: dotted.path` with both values: empty when the lab
 * boots what the program would deploy.
 */
export function outsideLocations(
  shipped: OrthancDocuments,
  booted: OrthancDocuments,
  extra: readonly string[] = [],
): string[] {
  const files = [
    ["orthanc.json", shipped.orthancJson, booted.orthancJson],
    ["credentials.json", shipped.credentialsJson, booted.credentialsJson],
    ["environment", shipped.environment, booted.environment],
  ] as const;
  return files.flatMap(([file, a, b]) =>
    jsonDifferences(a, b)
      .filter((path) => file === "environment" || !isLocation(path, extra))
      .map(
        (path) =>
          `${file}: ${path.join(".")} shipped ${JSON.stringify(getPath(a, path))}, ` +
          `booted ${JSON.stringify(getPath(b, path))}`,
      ),
  );
}
