import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** What every part of the deployment creates its resources with on one engine. */
export interface DockerHost {
  provider: docker.Provider;
  /** Internal: the database and Orthanc; no route out, no address on the host. */
  backend: docker.Network;
  /** Orthanc, the proxy and the DICOM gate. */
  frontend: docker.Network;
  /** A named volume `<name>-<suffix>`, protected with the data. */
  volume(suffix: string): docker.Volume;
  /** An image pulled as `<name>-<suffix>-image`, kept on the host. */
  image(suffix: string, ref: string): docker.RemoteImage;
}

/** The two networks, and the factories for volumes and images. */
export function createHost(
  name: string,
  parent: pulumi.Resource,
  provider: docker.Provider,
  protectData: boolean,
): DockerHost {
  const child = { parent, provider };
  const data: pulumi.CustomResourceOptions = {
    ...child,
    protect: protectData,
    retainOnDelete: protectData,
  };
  // Backend: internal (no route out), the database lives only here. Its bridge gets no address
  // on the host either: an internal network alone still lets a container reach every service
  // the host listens on (measured on a real engine). Frontend: the proxy and the DICOM entry.
  const backend = new docker.Network(
    `${name}-backend`,
    {
      name: `${name}-backend`,
      internal: true,
      driver: "bridge",
      options: { "com.docker.network.bridge.inhibit_ipv4": "true" },
    },
    child,
  );
  const frontend = new docker.Network(
    `${name}-frontend`,
    { name: `${name}-frontend`, driver: "bridge" },
    child,
  );
  return {
    provider,
    backend,
    frontend,
    volume: (suffix) => new docker.Volume(`${name}-${suffix}`, { name: `${name}-${suffix}` }, data),
    image: (suffix, ref) =>
      new docker.RemoteImage(`${name}-${suffix}-image`, { name: ref, keepLocally: true }, child),
  };
}
