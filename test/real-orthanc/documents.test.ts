/**
 * The lab boots what the program would deploy: the documents come from the real program
 * (`shippedDocuments`), and the lab changes only the keys of `LOCATION_KEYS`. Needs no Orthanc.
 */
import { JsonObject } from "../../components/shared/orthancConfig";
import { DEBIAN_PLUGINS } from "./lab";
import { forLab, LabLocation, LOCATION_KEYS, outsideLocations } from "./location";
import { PER_REPLICA_KEYS, Shipped, shippedDocuments } from "./shippedDocuments";
import { labStacks } from "./stacks";

const where: LabLocation = {
  httpPort: 18042,
  dicomPort: 14242,
  storageDir: "/tmp/lab-storage",
  postgres: { port: 15432, database: "orthanc_7" },
  dicomTls: {
    certificate: "/tmp/lab/tls.crt",
    privateKey: "/tmp/lab/tls.key",
    trusted: "/tmp/lab/trusted.crt",
  },
};

test("the lab's location keys are this fixed list", () => {
  expect(Object.keys(LOCATION_KEYS)).toEqual([
    "HttpPort",
    "DicomPort",
    "StorageDirectory",
    "Plugins",
    "DicomModalities.*.Host",
    "DicomTlsCertificate",
    "DicomTlsPrivateKey",
    "DicomTlsTrustedCertificates",
    "PostgreSQL.Host",
    "PostgreSQL.Port",
    "PostgreSQL.Database",
    "PostgreSQL.EnableSsl",
  ]);
});

describe.each(labStacks())("stack %s", (name, raw) => {
  let shipped: Shipped;
  beforeAll(async () => {
    shipped = await shippedDocuments(raw, name);
  });

  test("the lab's documents differ from the shipped ones only in location keys", () => {
    expect(outsideLocations(shipped, forLab(shipped, where))).toEqual([]);
  });

  test("the lab puts each location where it runs", () => {
    const lab = forLab(shipped, where);
    expect(lab.orthancJson.HttpPort).toBe(where.httpPort);
    expect(lab.orthancJson.DicomPort).toBe(where.dicomPort);
    expect(lab.orthancJson.StorageDirectory).toBe(where.storageDir);
    // The DICOM TLS files where the lab wrote them, only where the program ships DICOM TLS.
    expect(lab.orthancJson.DicomTlsCertificate).toBe(
      shipped.orthancJson.DicomTlsEnabled ? where.dicomTls!.certificate : undefined,
    );
    expect(lab.orthancJson.DicomTlsPrivateKey).toBe(
      shipped.orthancJson.DicomTlsEnabled ? where.dicomTls!.privateKey : undefined,
    );
    for (const m of Object.values(lab.orthancJson.DicomModalities as Record<string, JsonObject>))
      expect(m.Host).toBe("127.0.0.1");
    const pg = lab.credentialsJson.PostgreSQL as JsonObject | undefined;
    if (pg) {
      expect(pg).toMatchObject({
        Host: "127.0.0.1",
        Port: where.postgres!.port,
        Database: where.postgres!.database,
        EnableSsl: false,
      });
      // Not a location: the lab creates its role with the shipped name and password.
      expect(pg.Password).toBe((shipped.credentialsJson.PostgreSQL as JsonObject).Password);
    }
    // The plugins the shipped environment switches on, at Debian's paths.
    expect(lab.orthancJson.Plugins).toEqual(
      [
        ...(shipped.environment.DICOM_WEB_PLUGIN_ENABLED === "true"
          ? [DEBIAN_PLUGINS.dicomWeb]
          : []),
        ...(shipped.environment.POSTGRESQL_PLUGIN_ENABLED === "true"
          ? [DEBIAN_PLUGINS.postgresqlIndex]
          : []),
      ].sort(),
    );
    expect(lab.environment).toEqual(shipped.environment);
  });
});

describe("the guard against booting what the program does not deploy", () => {
  let shipped: Shipped;
  beforeAll(async () => {
    const [, raw] = labStacks().find(([n]) => n === "k8s-ha")!;
    shipped = await shippedDocuments(raw, "k8s-ha");
  });

  // The suite once booted its own rendering of k8s-ha: another IndexConnectionsCount, and the
  // S3 section (static keys) in orthanc.json instead of credentials.json.
  test("reports a changed setting and a section moved to the other document", () => {
    const lab = forLab(shipped, where);
    const credentials = structuredClone(lab.credentialsJson);
    (credentials.PostgreSQL as JsonObject).IndexConnectionsCount = 20;
    const orthanc = { ...lab.orthancJson, AwsS3Storage: credentials.AwsS3Storage };
    delete credentials.AwsS3Storage;
    const found = outsideLocations(shipped, {
      ...lab,
      orthancJson: orthanc,
      credentialsJson: credentials,
    });
    expect(found).toEqual([
      expect.stringMatching(/^orthanc\.json: AwsS3Storage shipped undefined, booted \{/),
      "credentials.json: PostgreSQL.IndexConnectionsCount shipped 2, booted 20",
      expect.stringMatching(/^credentials\.json: AwsS3Storage shipped \{.*, booted undefined$/),
    ]);
  });

  test("excuses only the keys a test names, and never the environment", () => {
    const lab = forLab(shipped, where);
    const changed = {
      ...lab,
      orthancJson: { ...lab.orthancJson, SaveJobs: true },
      environment: { ...lab.environment, VERBOSE_ENABLED: "true" },
    };
    expect(outsideLocations(shipped, changed, ["SaveJobs"])).toEqual([
      'environment: VERBOSE_ENABLED shipped "false", booted "true"',
    ]);
  });
});

test("the Docker target's replicas differ only in their server identifier", async () => {
  const shipped = await shippedDocuments({ target: "docker", orthanc: { replicas: 2 } }, "lab");
  expect(PER_REPLICA_KEYS).toEqual(["DatabaseServerIdentifier"]);
  expect(shipped.instances).toHaveLength(2);
  const [a, b] = shipped.instances;
  expect(a.orthancJson.DatabaseServerIdentifier).not.toBe(b.orthancJson.DatabaseServerIdentifier);
  expect({ ...b.orthancJson, DatabaseServerIdentifier: 0 }).toEqual({
    ...a.orthancJson,
    DatabaseServerIdentifier: 0,
  });
});

test("a password given in the configuration is the one shipped, `$` and all", async () => {
  const password = `p$USER-$HOME-"q"-'-é-漢-$-\\`;
  const shipped = await shippedDocuments(
    { target: "kubernetes", orthanc: { users: { reader: { password } } } },
    "lab",
  );
  expect((shipped.credentialsJson.RegisteredUsers as Record<string, string>).reader).toBe(password);
});
