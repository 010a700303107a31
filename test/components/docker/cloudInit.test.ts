/**
 * The Docker VM's cloud-init document.
 */
import { renderCloudInit } from "../../../components/docker/cloudInit";

describe("Docker VM", () => {
  test("cloud-init", () => {
    expect(
      renderCloudInit({
        user: "admin",
        sshPublicKey: "ssh-ed25519 AAAAexample operator@example.org",
        dataVolumeId: "vol-0123456789abcdef0",
      }),
    ).toMatchSnapshot();
  });
});
