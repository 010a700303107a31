#!/bin/sh
# STAND-IN for orthancteam/orthanc: runs inside the build chroot (build.sh), "pre" before the
# packages are installed, "post" after. It lays out the files the way the official image does.
set -eu

case "$1" in
pre)
  # The official image's orthanc user is 999:999. Created first, so Debian's postinst reuses it.
  groupadd --system --gid 999 orthanc
  useradd --system --uid 999 --gid 999 --home-dir /var/lib/orthanc --no-create-home \
    --shell /bin/false orthanc
  ;;
post)
  # /etc/orthanc: root-owned and empty; the program supplies the configuration files.
  rm -f /etc/orthanc/*.json
  chown root:root /etc/orthanc
  chmod 0755 /etc/orthanc
  # Plugins live in plugins-available; the configurator links the enabled ones into plugins/,
  # which must be writable by orthanc (the official image does the same).
  mkdir -p /usr/share/orthanc/plugins-available
  mv /usr/share/orthanc/plugins/* /usr/share/orthanc/plugins-available/
  chown 999:999 /usr/share/orthanc/plugins
  chmod 0755 /usr/share/orthanc/plugins
  rm -rf /run/orthanc
  # Writable by orthanc: its state (the storage volume is mounted on db/), /tmp for the merged
  # configuration, /etc/hostid for the generated host id.
  mkdir -p /var/lib/orthanc/db
  chown -R 999:999 /var/lib/orthanc
  chmod 0755 /var/lib/orthanc /var/lib/orthanc/db
  chown 999:999 /tmp
  chmod 1777 /tmp
  echo not-generated >/etc/hostid
  chown 999:999 /etc/hostid
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
