#!/bin/sh
# STAND-IN for orthancteam/orthanc-auth-service: runs inside the build chroot (build.sh), "pre"
# before the packages are installed, "post" after.
set -eu

case "$1" in
pre) ;; # no user: the upstream image has none of its own (runs as root unless told)
post)
  # The working directory holds the service and its default files (root-owned, world-readable:
  # our program runs the service as an arbitrary non-root uid with a read-only root).
  mkdir -p /orthanc_auth_service
  chmod 0755 /orthanc_auth_service
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
