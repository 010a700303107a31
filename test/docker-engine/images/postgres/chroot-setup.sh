#!/bin/sh
# STAND-IN for postgres: runs inside the build chroot (build.sh), "pre" before the packages are
# installed, "post" after. It lays out the files the way the official Debian-based image does.
set -eu

case "$1" in
pre)
  # The official image's postgres user is 999:999. Created first, so Debian's packages reuse it.
  groupadd --system --gid 999 postgres
  useradd --system --uid 999 --gid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres
  mkdir -p /var/lib/postgresql
  chown -R postgres:postgres /var/lib/postgresql
  # Debian would create a "main" cluster on install; the image creates its cluster at first start.
  apt-get install -y -q --no-install-recommends postgresql-common
  sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
  ;;
post)
  test ! -e /var/lib/postgresql/15/main # no cluster was made
  localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
  # Every new cluster listens on all addresses (the image's network is the only way in).
  sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/15/postgresql.conf.sample
  grep -q "^listen_addresses = '\*'" /usr/share/postgresql/15/postgresql.conf.sample
  # The socket folder and PGDATA's parent, with the official modes (both replaced at start).
  mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d
  chown postgres:postgres /var/run/postgresql /var/lib/postgresql/data
  chmod 3777 /var/run/postgresql
  chmod 1777 /var/lib/postgresql/data
  ;;
*)
  echo "usage: $0 pre|post" >&2
  exit 2
  ;;
esac
