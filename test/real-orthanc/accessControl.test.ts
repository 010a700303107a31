/**
 * Access control's Orthanc side, booted: the documents the program ships with
 * `orthanc:accessControl` on (each shipped stack that has it, and the kubernetes target's) in a
 * real Orthanc (Debian's 1.10.1) against a real PostgreSQL.
 *
 * What this shows: the configuration loads, Basic auth is off (Orthanc has no users), the health
 * probe's path answers without credentials, and Orthanc stores and serves over REST, DICOM and
 * DICOMweb with it. What it cannot show: Debian packages neither the authorization plugin nor
 * Orthanc Explorer 2, so here NOTHING checks requests (the official image's plugin would ask the
 * auth service about each one); those sections are listed as unused, and only rendered.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../infra/config";
import { UNCHECKED_PROBE_PATH } from "../../components/shared/accessControl";
import { JsonObject } from "../../components/shared/orthancConfig";
import { makeInstance } from "./dicom";
import { documentedCoreKeys, undocumentedKeys } from "./debian";
import { dcmtk } from "./lab";
import { countInstances, suite, upload, useLab } from "./harness";
import { Shipped, shippedDocuments } from "./shippedDocuments";
import { accessControlStacks } from "./stacks";
import { K8S_EDGE } from "../config/helpers";

/**
 * The authorization plugin's settings, from its source (Plugin/Plugin.cpp, read for
 * /work/notes' facts): the section Orthanc hands the plugin must use only these.
 */
const AUTHORIZATION_KEYS = [
  "WebServiceRootUrl",
  "WebServiceUsername",
  "WebServicePassword",
  "WebServiceIdentifier",
  "WebServiceTokenDecoderUrl",
  "WebServiceTokenValidationUrl",
  "WebServiceTokenCreationBaseUrl",
  "WebServiceUserProfileUrl",
  "WebServiceSettingsRolesUrl",
  "StandardConfigurations",
  "CheckedLevel",
  "UncheckedLevels",
  "UncheckedResources",
  "UncheckedFolders",
  "TokenHttpHeaders",
  "TokenGetArguments",
  "Permissions",
  "ExtraPermissions",
  "EnableAuditLogs",
];

const cases: [string, Record<string, unknown>][] = [
  ...accessControlStacks(),
  [
    "fixture:kubernetes-access-control",
    {
      target: "kubernetes",
      dns: { name: "pacs.example.org" },
      kubernetes: K8S_EDGE,
      accessControl: { enabled: true, apiKeys: true },
    },
  ],
];

test("a shipped stack shows access control", () => {
  expect(accessControlStacks().map(([name]) => name)).toContain("docker-access");
});

suite("real Orthanc with access control's documents", () => {
  const lab = useLab("access-control");

  describe.each(cases)("%s", (name, raw) => {
    const cfg = parseConfig(raw);
    let shipped: Shipped;
    beforeAll(async () => {
      shipped = await shippedDocuments(raw, name);
    });

    test("ships Basic auth off, no users, and only settings Orthanc or the plugin know", () => {
      expect(shipped.orthancJson.AuthenticationEnabled).toBe(false);
      expect(shipped.credentialsJson.RegisteredUsers).toBeUndefined();
      expect(shipped.orthancJson.RegisteredUsers).toBeUndefined();
      const { Authorization, ...credentials } = shipped.credentialsJson;
      const core = documentedCoreKeys();
      expect(undocumentedKeys(shipped.orthancJson, core)).toEqual([]);
      expect(undocumentedKeys(credentials, core)).toEqual([]);
      expect(
        Object.keys(Authorization as JsonObject).filter((k) => !AUTHORIZATION_KEYS.includes(k)),
      ).toEqual([]);
      expect((Authorization as JsonObject).UncheckedResources).toEqual([UNCHECKED_PROBE_PATH]);
    });

    test("boots; the probe's path answers without credentials; stores over REST, DICOM and DICOMweb", async () => {
      const b = await lab.boot(shipped);
      console.info(
        `Not booted here (${name}), only rendered:\n  ${b.notes.join("\n  ")}\n` +
          "  the auth service and Keycloak: not packaged by Debian (the Docker engine suite runs stand-ins)",
      );
      expect(b.notes.join("\n")).toMatch(/Authorization is ignored/);
      const o = b.orthanc;
      // No credentials at all: Orthanc itself no longer asks (the plugin would, in the image).
      const probe = await o.request("GET", UNCHECKED_PROBE_PATH, { auth: null });
      expect(probe.status).toBe(200);
      expect(probe.json().Name).toBe(cfg.orthanc.name);
      // Not even a Basic header is needed, nor is one checked: Basic auth is really off.
      const bogus = await o.request("GET", "/statistics", {
        auth: { user: "nobody", password: "wrong" },
      });
      expect(bogus.status).toBe(200);

      const first = makeInstance();
      expect((await upload(o, first.file)).Status).toBe("Success");
      const tls = b.dicomTls ? ["+tla", "+cf", b.dicomTls.ca] : [];
      const stored = await dcmtk("storescu", [
        ...tls,
        ...["-aet", "LABSCU", "-aec", cfg.orthanc.dicom.aet, "127.0.0.1", String(b.dicomPort)],
        lab.writeFile(`${name.replace(/\W/g, "-")}.dcm`, makeInstance({}, 2).file),
      ]);
      expect(stored.code).toBe(0);
      expect(await countInstances(o)).toBe(2);
      const qido = await o.request(
        "GET",
        `/dicom-web/studies?StudyInstanceUID=${first.ids.studyUid}`,
        { auth: null, headers: { accept: "application/dicom+json" } },
      );
      expect(qido.status).toBe(200);
      expect(qido.json()).toHaveLength(1);
      // What Orthanc loaded is the merged configuration Orthanc logs nothing against.
      expect(readFileSync(join(o.logFile), "utf8")).not.toMatch(/E\d{4} .*configuration/i);
    });
  });
});
