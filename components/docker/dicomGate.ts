/**
 * The DICOM gate (HAProxy in TCP mode): the published DICOM port of a Docker host whose allowlist
 * names networks beyond loopback. Docker publishes ports through its own NAT rules, ahead of the
 * host firewall's INPUT chain, so a host firewall cannot be relied on to enforce
 * `orthanc.dicom.allowedCidrs`; the gate refuses every connection from outside the list before
 * a byte reaches Orthanc, and spreads associations over every replica.
 */
export interface DicomGateSettings {
  /** Port the gate listens on inside its container (unprivileged: the gate runs as a user). */
  readonly listenPort: number;
  /** `host:port` of each Orthanc replica's DICOM server. */
  readonly upstreams: string[];
  /** Source networks allowed to connect; every other connection is closed at once. */
  readonly allowedCidrs: string[];
}

/** Inside the gate's container; published on the host as `orthanc.dicom.port`. */
export const DICOM_GATE_PORT = 11112;

/** Docker's embedded DNS: replicas are found again by name after they are replaced. */
const DOCKER_DNS = "127.0.0.11:53";

export function renderDicomGateConfig(s: DicomGateSettings): string {
  if (!s.allowedCidrs.length) throw new Error("the DICOM gate needs at least one allowed network");
  return [
    "global",
    "\tlog stdout format raw local0 info",
    "\tmaxconn 1024",
    "",
    "resolvers docker",
    `\tnameserver dns ${DOCKER_DNS}`,
    "\thold valid 10s",
    "",
    "defaults",
    "\tmode tcp",
    "\tlog global",
    // Source address, verdict and bytes per association: an access trail for DICOM.
    "\toption tcplog",
    "\ttimeout connect 10s",
    // Associations may idle between studies; Orthanc's own DIMSE timeouts end stuck ones.
    "\ttimeout client 1h",
    "\ttimeout server 1h",
    // No active health checks (each would be a half-open association in Orthanc's log): a
    // refused connection is retried on another replica instead.
    "\tretries 3",
    "\toption redispatch",
    "",
    "frontend dicom",
    `\tbind :${s.listenPort}`,
    // A content rule (not a connection rule) so that every refused attempt is logged too, with
    // its source; it still refuses before any connection to Orthanc is opened.
    `\ttcp-request content reject unless { src ${s.allowedCidrs.join(" ")} }`,
    "\tdefault_backend orthanc",
    "",
    "backend orthanc",
    "\tbalance leastconn",
    ...s.upstreams.map(
      (u, i) => `\tserver orthanc-${i + 1} ${u} resolvers docker init-addr last,libc,none`,
    ),
    "",
  ].join("\n");
}
