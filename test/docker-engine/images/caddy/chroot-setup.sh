#!/bin/sh
# STAND-IN for caddy: runs inside the build chroot (build.sh), "pre" before the packages are
# installed, "post" after. It lays out the files the way the official image does.
set -eu

case "$1" in
pre) ;; # the official image runs caddy as root: no user to pin
post)
  # The official image's state folders (XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data).
  mkdir -p /config/caddy /data/caddy /etc/caddy /usr/share/caddy /srv
  # Debian's /etc/caddy/Caddyfile and /usr/share/caddy/index.html stay: they are the same
  # welcome site on :80 as the official image's defaults. The program uploads its own Caddyfile.
  test -s /etc/caddy/Caddyfile
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
