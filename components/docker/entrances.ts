import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { KEYCLOAK_UPSTREAM } from "./accessControl";
import { PROXY_ACCESS_LOG, renderCaddyfile } from "./caddyfile";
import { createDicomGateContainer, createProxyContainer } from "./containers";
import { DICOM_GATE_PORT, renderDicomGateConfig } from "./dicomGate";
import type { DockerHost } from "./host";
import { DicomExposure, orthancHosts } from "./orthanc";
import type { OrthancDockerArgs } from "./orthancDocker";

/**
 * The only ways in: the Caddy proxy for HTTP(S), and for an allowlist beyond loopback the DICOM
 * gate, which refuses every source outside it before reaching a replica.
 */
export function createEntrances(
  name: string,
  parent: pulumi.Resource,
  host: DockerHost,
  args: Pick<OrthancDockerArgs, "orthanc" | "proxy" | "dicomGate" | "resources" | "accessControl">,
  orthancs: docker.Container[],
  dicomExposure: DicomExposure,
) {
  const replicas = orthancHosts(name, args.orthanc.replicas);
  const dicomPort = args.orthanc.dicom.port;
  if (dicomExposure === "gate") {
    createDicomGateContainer(name, parent, {
      image: host.image("dicom-gate", args.dicomGate.image).imageId,
      network: host.frontend.name,
      config: renderDicomGateConfig({
        listenPort: DICOM_GATE_PORT,
        upstreams: replicas.map((h) => `${h}:${dicomPort}`),
        allowedCidrs: args.orthanc.dicomAllowedCidrs,
      }),
      publish: { ip: "0.0.0.0", port: dicomPort },
      memoryMiB: args.resources.dicomGateMemoryMiB,
      provider: host.provider,
      dependsOn: orthancs,
    });
  }
  const proxyData = host.volume("proxy-data");
  const proxyImage = host.image("proxy", args.proxy.image);
  const ports = args.proxy.domain
    ? [
        { internal: 80, external: 80, ip: "0.0.0.0" },
        { internal: 443, external: 443, ip: "0.0.0.0" },
      ]
    : [{ internal: 80, external: args.proxy.httpPort, ip: args.proxy.bindAddress }];
  createProxyContainer(name, parent, {
    image: proxyImage.imageId,
    network: host.frontend.name,
    caddyfile: renderCaddyfile({
      domain: args.proxy.domain,
      acmeEmail: args.proxy.acmeEmail,
      acmeStaging: args.proxy.acmeStaging,
      upstream: replicas.map((h) => `${h}:${args.orthanc.httpPort}`).join(" "),
      corsOrigins: args.orthanc.corsOrigins,
      accessLog: { file: PROXY_ACCESS_LOG, retentionDays: args.proxy.accessLogRetentionDays },
      ...(args.accessControl ? { keycloakUpstream: KEYCLOAK_UPSTREAM } : {}),
    }),
    dataVolume: proxyData.name,
    ports,
    memoryMiB: args.resources.proxyMemoryMiB,
    provider: host.provider,
    dependsOn: orthancs,
  });
}
