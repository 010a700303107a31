/**
 * What Debian's Orthanc 1.10.1 knows: checks that every shipped key is one Orthanc documents
 * (Debian's Orthanc ignores unknown keys without a word, so a typo in the renderer would otherwise
 * pass every test), and lists the keys newer than Debian's version.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonObject } from "../../components/shared/orthancConfig";
import { PLUGIN_SECTION_KEYS as CATALOGUE_SECTIONS } from "../../components/shared/orthancSettingKeys";
import { ORTHANC_BIN } from "./lab";

/**
 * Keys of the plugin sections: the catalogue's (components/shared/orthancSettingKeys.ts, checked
 * against Debian's default files in settingKeys.test.ts), and the one nested section the renderer
 * writes, which the catalogue does not go down into.
 */
export const PLUGIN_SECTION_KEYS: Record<string, string[]> = {
  ...Object.fromEntries(
    Object.entries(CATALOGUE_SECTIONS).map(([section, keys]) => [section, Object.keys(keys)]),
  ),
  "AwsS3Storage.StorageEncryption": [
    "Enable",
    "MasterKey",
    "PreviousMasterKeys",
    "MaxConcurrentInputSize",
  ],
};

/** Keys the renderer emits that Debian's Orthanc 1.10.1 and its plugins do not know. */
export const NEWER_KEYS: Record<string, string> = {
  "PostgreSQL.TransactionMode": "PostgreSQL plugin 6.0+ (Debian ships 4.0)",
  AwsS3Storage: "AWS S3 plugin, in the orthancteam/orthanc image only (not packaged by Debian)",
  Authorization:
    "the authorization plugin, in the orthancteam/orthanc image only (not packaged by Debian): nothing checks requests here",
  OrthancExplorer2:
    "Orthanc Explorer 2 and its Keycloak login, in the orthancteam/orthanc image only (not packaged by Debian)",
};

/** Sections whose keys are names chosen by the user, not Orthanc options. */
const MAP_SECTIONS = new Set(["RegisteredUsers", "DicomModalities"]);

let documentedCache: Set<string> | undefined;

/**
 * Every option name in `Orthanc --config=` output, commented-out ones included: the dump is the
 * installed version's own documentation (e.g. DatabaseServerIdentifier appears only commented).
 */
export function documentedCoreKeys(): Set<string> {
  if (documentedCache) return documentedCache;
  const dir = mkdtempSync(join(tmpdir(), "orthanc-dump-"));
  try {
    execFileSync(ORTHANC_BIN, [`--config=${join(dir, "dump.json")}`]);
    const text = readFileSync(join(dir, "dump.json"), "utf8");
    documentedCache = new Set([...text.matchAll(/"([A-Za-z][A-Za-z0-9]*)"\s*:/g)].map((m) => m[1]));
    return documentedCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Dotted paths of rendered keys that no documentation knows (typos). */
export function undocumentedKeys(doc: JsonObject, core: Set<string>): string[] {
  const bad: string[] = [];
  // `section` is a PLUGIN_SECTION_KEYS name, or undefined for core options.
  const known = (section: string | undefined, key: string, topLevel: boolean) =>
    section
      ? PLUGIN_SECTION_KEYS[section].includes(key)
      : core.has(key) || (topLevel && key in PLUGIN_SECTION_KEYS);
  const visit = (obj: JsonObject, section: string | undefined, prefix: string) => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!known(section, key, prefix === "")) bad.push(path);
      if (!value || typeof value !== "object" || Array.isArray(value)) continue;
      if (prefix === "" && MAP_SECTIONS.has(key)) {
        // Entry names are the user's; the values of DicomModalities entries are core options.
        for (const [name, entry] of Object.entries(value as JsonObject)) {
          if (entry && typeof entry === "object" && !Array.isArray(entry))
            visit(entry as JsonObject, undefined, `${path}.${name}`);
        }
        continue;
      }
      const sub = section ? `${section}.${key}` : key;
      if (PLUGIN_SECTION_KEYS[sub]) visit(value as JsonObject, sub, path);
    }
  };
  visit(doc, undefined, "");
  return bad;
}
