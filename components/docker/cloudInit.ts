/**
 * cloud-init user data for the Docker VM: mounts the encrypted data volume at /var/lib/docker
 * before Docker is installed (so every container volume lives on it), installs Debian's Docker,
 * hardens SSH and turns on unattended security updates.
 */
export interface CloudInitSettings {
  /** Login user the Docker provider connects as (added to the `docker` group). */
  readonly user: string;
  readonly sshPublicKey?: string;
  /** EBS volume id of the data volume, to find its NVMe device whatever name it gets. */
  readonly dataVolumeId: string;
}

/** The mount script: waits for the attachment, formats only a blank volume, mounts by UUID. */
export function mountScript(volumeId: string): string {
  const serial = volumeId.replace("-", "");
  return [
    "#!/bin/sh",
    "set -eu",
    `dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${serial}`,
    "# The volume is attached after the instance boots: wait for it (up to 10 minutes).",
    'i=0; while [ ! -e "$dev" ]; do i=$((i+1)); [ $i -gt 120 ] && { echo "data volume $dev never appeared" >&2; exit 1; }; sleep 5; done',
    "# Format only a blank volume: an existing file system holds the PACS data.",
    'if ! blkid "$dev" >/dev/null 2>&1; then mkfs.ext4 -L orthanc-data "$dev"; fi',
    'uuid=$(blkid -s UUID -o value "$dev")',
    "mkdir -p /var/lib/docker",
    'grep -q "$uuid" /etc/fstab || echo "UUID=$uuid /var/lib/docker ext4 defaults,nofail,x-systemd.device-timeout=10min 0 2" >> /etc/fstab',
    "mountpoint -q /var/lib/docker || mount /var/lib/docker",
    "",
  ].join("\n");
}

const indent = (text: string, n: number) =>
  text
    .split("\n")
    .map((l) => (l ? " ".repeat(n) + l : l))
    .join("\n");

export function renderCloudInit(s: CloudInitSettings): string {
  const keys = s.sshPublicKey ? [`    ssh_authorized_keys:`, `      - ${s.sshPublicKey}`] : [];
  return [
    "#cloud-config",
    "users:",
    `  - name: ${s.user}`,
    "    groups: [docker]",
    "    shell: /bin/bash",
    "    sudo: ALL=(ALL) NOPASSWD:ALL",
    ...keys,
    "groups: [docker]",
    "ssh_pwauth: false",
    "disable_root: true",
    "package_update: true",
    "package_upgrade: true",
    "write_files:",
    "  - path: /usr/local/sbin/mount-orthanc-data",
    '    permissions: "0755"',
    "    content: |",
    indent(mountScript(s.dataVolumeId), 6),
    "  - path: /etc/ssh/sshd_config.d/10-orthanc.conf",
    "    content: |",
    "      PasswordAuthentication no",
    "      PermitRootLogin no",
    "      KbdInteractiveAuthentication no",
    "  - path: /etc/docker/daemon.json",
    "    content: |",
    '      {"log-driver": "json-file", "log-opts": {"max-size": "20m", "max-file": "5"}, "live-restore": true}',
    "  - path: /etc/apt/apt.conf.d/20auto-upgrades",
    "    content: |",
    '      APT::Periodic::Update-Package-Lists "1";',
    '      APT::Periodic::Unattended-Upgrade "1";',
    "runcmd:",
    "  - [/usr/local/sbin/mount-orthanc-data]",
    "  - [apt-get, install, -y, docker.io, unattended-upgrades, chrony]",
    "  - [systemctl, enable, --now, docker, chrony]",
    "  - [systemctl, reload, ssh]",
    "",
  ].join("\n");
}
