#!/bin/sh
# STAND-IN for haproxy: runs inside the build chroot (build.sh), "pre" before the packages are
# installed, "post" after. It lays out the files the way the official image does.
set -eu

case "$1" in
pre) ;; # Debian's adduser refuses to reuse a user below its system range (uid 99): see post
post)
  # The official image's haproxy user is 99:99; Debian's package made its own, renumbered here.
  groupmod --gid 99 haproxy
  usermod --uid 99 --gid 99 haproxy
  test "$(id -u haproxy):$(id -g haproxy)" = 99:99
  # The official configuration path; Debian's own /etc/haproxy stays unused.
  mkdir -p /usr/local/etc/haproxy /var/lib/haproxy
  chown haproxy:haproxy /var/lib/haproxy
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
