/**
 * The scripts the Docker target's containers run: the pg_dump loop and the off-host copy loop.
 */
import { backupScript, backupSyncScript } from "../../../components/docker/containers";

describe("rendered documents", () => {
  test("backup loop", () => {
    expect(backupScript(24, 14)).toMatchSnapshot();
  });

  test("backup copy loop", () => {
    expect(
      backupSyncScript("s3://pacs/orthanc/backups/", 24, "https://minio.example.org"),
    ).toMatchSnapshot();
  });
});
