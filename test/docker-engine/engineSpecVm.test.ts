/** The docker-vm stack (TLS on 80/443, a DICOM allowlist, a remote engine) maps as well. */
import { planSpecs } from "./engineSpec";
import { expectEverythingMapped, observedResources } from "./planResources";

test("the shipped docker-vm stack maps without error; the proxy publishes 80 and 443", async () => {
  const resources = await observedResources("docker-vm");
  expectEverythingMapped(resources);
  const { containers } = planSpecs(resources, { runId: "vm", localImage: (ref) => ref });
  const proxy = containers.find((c) => c.name.endsWith("-proxy"))!;
  expect(Object.keys(proxy.create.ExposedPorts ?? {}).sort()).toEqual(["443/tcp", "80/tcp"]);
});
