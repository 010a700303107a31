#!/bin/sh
# STAND-IN for quay.io/keycloak/keycloak: runs inside the build chroot (build.sh), "pre" before
# the packages are installed, "post" after. It lays out the files the way the upstream image does.
set -eu

case "$1" in
pre)
  # The upstream image's user: keycloak, uid 1000, primary group 0 (root), home /opt/keycloak.
  useradd --uid 1000 --gid 0 --home-dir /opt/keycloak --no-create-home \
    --shell /sbin/nologin --comment "keycloak user" keycloak
  ;;
post)
  # /opt/keycloak owned by 1000:0 and group-writable, as upstream (chmod -R g+rwX). The import
  # folder is where `--import-realm` looks; conf/ holds keycloak.conf.
  mkdir -p /opt/keycloak/bin /opt/keycloak/conf /opt/keycloak/data/import /opt/keycloak/standin
  chown -R 1000:0 /opt/keycloak
  chmod -R g+rwX /opt/keycloak
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
