/**
 * The scripts the Docker target's containers run: the pg_dump loop (Orthanc's index, and Keycloak's
 * database under access control) and the off-host copy loop.
 */
import {
  backupScript,
  backupSyncScript,
  keycloakDump,
} from "../../../components/docker/containers";
import { ORTHANC_DUMP } from "../../../components/shared/backup";

describe("rendered documents", () => {
  test("backup loop", () => {
    expect(backupScript(24, 14)).toMatchSnapshot();
  });

  test("backup loop with Keycloak's database (access control)", () => {
    expect(
      backupScript(24, 14, [
        ORTHANC_DUMP,
        keycloakDump({ host: "keycloak-postgres", database: "keycloak", user: "keycloak" }),
      ]),
    ).toMatchSnapshot();
  });

  test("backup copy loop", () => {
    expect(
      backupSyncScript("s3://pacs/orthanc/backups/", 24, "https://minio.example.org"),
    ).toMatchSnapshot();
  });
});
