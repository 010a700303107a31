/**
 * The catalogue of documented keys (components/shared/orthancSettingKeys.ts) against what Debian's
 * packages document: the default configuration Orthanc 1.10.1 writes with `--config=`, and the
 * default files of the DICOMweb (1.7) and PostgreSQL (4.0) packages. Checked both ways for the
 * keys these versions know.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// JSON with comments, as Orthanc writes it. Present through @swc/jest; not a direct dependency.
import { parse, ParseError, printParseErrorCode } from "jsonc-parser";
import {
  ORTHANC_CORE_KEYS,
  PLUGIN_SECTION_KEYS,
  SettingKey,
} from "../../components/shared/orthancSettingKeys";
import { ORTHANC_BIN } from "./lab";

const DEBIAN_ORTHANC = "1.10.1";
const DEBIAN_DICOMWEB = "1.7";
const DEBIAN_POSTGRESQL = "4.0";

/** Keys the 1.10.1 dump documents only inside comments (commented-out examples). */
const DUMP_COMMENTED_ONLY = [
  "TemporaryDirectory",
  "DeflatedTransferSyntaxAccepted",
  "JpegTransferSyntaxAccepted",
  "Jpeg2000TransferSyntaxAccepted",
  "JpegLosslessTransferSyntaxAccepted",
  "JpipTransferSyntaxAccepted",
  "Mpeg2TransferSyntaxAccepted",
  "RleTransferSyntaxAccepted",
  "Mpeg4TransferSyntaxAccepted",
  "H265TransferSyntaxAccepted",
  "SslCiphersAccepted",
  "AuthenticationEnabled",
  "DicomTlsCertificate",
  "DicomTlsPrivateKey",
  "DicomTlsTrustedCertificates",
  "Pkcs11",
  "Locale",
  "ExternalDictionaries",
  "IngestTranscoding",
  "DatabaseServerIdentifier",
];

/** Keys in Debian's dump that upstream introduced later: Debian backported them. */
const DEBIAN_BACKPORTS: Record<string, string> = {
  // cve-2023-33466.patch (bookworm-security), upstream in 1.12.0.
  RestApiWriteToFileSystemEnabled: "1.12.0",
};

/** DICOMweb keys of 1.7 or older that Debian's dicomweb.json leaves out (the Book lists them). */
const DICOMWEB_BOOK_ONLY = [
  "Servers",
  "StowMaxInstances",
  "StowMaxSize",
  "QidoCaseSensitive",
  "StudiesMetadata",
  "SeriesMetadata",
  "StudiesMetadataExtrapolatedTags",
  "SeriesMetadataExtrapolatedTags",
  "ServersInDatabase",
];

/** PostgreSQL keys Debian's postgresql.json shows only commented out. */
const POSTGRESQL_COMMENTED_ONLY = ["ConnectionUri"];

function versionAtMost(version: string, limit: string): boolean {
  const x = version.split(".").map(Number);
  const y = limit.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return true;
}

function parseJsonc(text: string): Record<string, unknown> {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true });
  expect(errors.map((e) => `${printParseErrorCode(e.error)} at ${e.offset}`)).toEqual([]);
  return value as Record<string, unknown>;
}

/** The upstream part of an installed Debian package's version ("1.10.1+dfsg-2+deb12u1" → "1.10.1"). */
function upstreamVersion(name: string): string {
  const debian = execFileSync("dpkg-query", ["-W", "-f=${Version}", name], { encoding: "utf8" });
  return debian
    .replace(/^\d+:/, "")
    .replace(/-[^-]*$/, "")
    .replace(/\+.*$/, "");
}

/**
 * The versions a default file dates its keys with: "new in [Orthanc] X" in the comment on the key's
 * line or in the comment block just above it (above the opening of a commented-out example, too).
 * `keyLine` matches the lines that define the keys of interest and captures the key.
 */
function annotatedVersions(text: string, keyLine: RegExp): Map<string, string> {
  const lines = text.split("\n");
  const found = new Map<string, string>();
  const newIn = /new in (?:Orthanc )?(\d+(?:\.\d+)+)/i;
  lines.forEach((line, i) => {
    const key = keyLine.exec(line)?.[1];
    if (!key) return;
    const comments = [line.slice(line.indexOf(key))];
    let j = i - 1;
    if (j >= 0 && lines[j].trim() === "/**") j--;
    for (; j >= 0 && lines[j].trim().startsWith("//"); j--) comments.unshift(lines[j]);
    const version = newIn.exec(comments.join(" "))?.[1];
    if (version) found.set(key, version);
  });
  return found;
}

/** Catalogue keys known to `version`, in `keys`. */
function knownBy(keys: Readonly<Record<string, SettingKey>>, version: string): string[] {
  return Object.entries(keys)
    .filter(([, { since }]) => versionAtMost(since, version))
    .map(([key]) => key);
}

describe("Orthanc core (Debian's 1.10.1 default configuration)", () => {
  let text: string;
  let dumped: string[];

  beforeAll(() => {
    expect(upstreamVersion("orthanc")).toBe(DEBIAN_ORTHANC);
    const dir = mkdtempSync(join(tmpdir(), "orthanc-keys-"));
    try {
      execFileSync(ORTHANC_BIN, [`--config=${join(dir, "dump.json")}`]);
      text = readFileSync(join(dir, "dump.json"), "utf8");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    dumped = Object.keys(parseJsonc(text));
  });

  test("the dump has the options one expects of it", () => {
    expect(dumped).toEqual(expect.arrayContaining(["Name", "HttpPort", "DicomModalities"]));
  });

  test("every key of the dump is catalogued, dated 1.10.1 or older", () => {
    const bad = dumped.filter((key) => {
      const entry = ORTHANC_CORE_KEYS[key];
      if (!entry) return true;
      if (key in DEBIAN_BACKPORTS) return entry.since !== DEBIAN_BACKPORTS[key];
      return !versionAtMost(entry.since, DEBIAN_ORTHANC);
    });
    expect(bad).toEqual([]);
  });

  test("every catalogued key of 1.10.1 or older is in the dump, or in its comments", () => {
    const missing = knownBy(ORTHANC_CORE_KEYS, DEBIAN_ORTHANC).filter(
      (key) => !dumped.includes(key) && !DUMP_COMMENTED_ONLY.includes(key),
    );
    expect(missing).toEqual([]);
  });

  test("the keys the dump dates are catalogued with that version", () => {
    // Top-level keys only: two-space indentation, active or commented out, or inside a /** */.
    const dated = annotatedVersions(text, /^(?: {2}(?:\/\/ )?| {4,5})"([A-Za-z0-9]+)"\s*:/);
    expect(dated.size).toBeGreaterThan(20);
    const wrong = [...dated].filter(([key, since]) => ORTHANC_CORE_KEYS[key]?.since !== since);
    expect(wrong).toEqual([]);
  });

  test.each(DUMP_COMMENTED_ONLY)("%s is in the dump's comments only", (key) => {
    expect(dumped).not.toContain(key);
    expect(text).toContain(`"${key}"`);
    expect(versionAtMost(ORTHANC_CORE_KEYS[key]?.since ?? "99", DEBIAN_ORTHANC)).toBe(true);
  });
});

describe.each([
  {
    section: "DicomWeb" as const,
    pkg: "orthanc-dicomweb",
    version: DEBIAN_DICOMWEB,
    file: "/etc/orthanc/dicomweb.json",
    elsewhere: DICOMWEB_BOOK_ONLY,
    dated: 0,
  },
  {
    section: "PostgreSQL" as const,
    pkg: "orthanc-postgresql",
    version: DEBIAN_POSTGRESQL,
    file: "/etc/orthanc/postgresql.json",
    elsewhere: POSTGRESQL_COMMENTED_ONLY,
    // EnableSsl, MaximumConnectionRetries, ConnectionRetryInterval (3.0), IndexConnectionsCount (4.0).
    dated: 4,
  },
])(
  "$section (Debian's $pkg $version default file)",
  ({ section, pkg, version, file, elsewhere, dated: datedCount }) => {
    let shipped: string[];
    let text: string;

    beforeAll(() => {
      expect(upstreamVersion(pkg)).toBe(version);
      text = readFileSync(file, "utf8");
      const doc = parseJsonc(text);
      shipped = Object.keys(doc[section] as Record<string, unknown>);
    });

    test("every key of the file is catalogued, dated no later than the package", () => {
      const keys = PLUGIN_SECTION_KEYS[section];
      const bad = shipped.filter((key) => !keys[key] || !versionAtMost(keys[key].since, version));
      expect(shipped.length).toBeGreaterThan(0);
      expect(bad).toEqual([]);
    });

    test("the keys the file dates are catalogued with that version", () => {
      const dated = annotatedVersions(text, /^\s*(?:\/\/\s*)?"([A-Za-z0-9]+)"\s*:/);
      expect(dated.size).toBe(datedCount);
      const wrong = [...dated].filter(
        ([key, since]) => PLUGIN_SECTION_KEYS[section][key]?.since !== since,
      );
      expect(wrong).toEqual([]);
    });

    test("every catalogued key the package's version knows is in the file, or listed", () => {
      const missing = knownBy(PLUGIN_SECTION_KEYS[section], version).filter(
        (key) => !shipped.includes(key) && !elsewhere.includes(key),
      );
      expect(missing).toEqual([]);
    });

    test("the listed keys are catalogued for that version and absent from the file", () => {
      const keys = PLUGIN_SECTION_KEYS[section];
      const bad = elsewhere.filter(
        (key) => shipped.includes(key) || !keys[key] || !versionAtMost(keys[key].since, version),
      );
      expect(bad).toEqual([]);
    });
  },
);
