#!/usr/bin/env bash
# Builds LOCAL STAND-IN images for the official images our program deploys, because no image
# registry is reachable from the test machines (see README.md beside this file):
#   orthanc-deploy-standin/orthanc:current   for orthancteam/orthanc  (Debian's Orthanc 1.10.1)
#   orthanc-deploy-standin/postgres:current  for postgres             (Debian's PostgreSQL 15)
#   orthanc-deploy-standin/caddy:current     for caddy                (Debian's Caddy 2.6.2)
#   orthanc-deploy-standin/haproxy:current   for haproxy              (Debian's HAProxy 2.6)
#   orthanc-deploy-standin/keycloak:current  for quay.io/keycloak/keycloak  (a Python server, NOT Keycloak)
#   orthanc-deploy-standin/auth-service:current  for orthancteam/orthanc-auth-service
#                                                (a Python server, NOT the real service)
# Everything comes from Debian bookworm packages, fetched with apt from the mirror in this
# machine's own apt sources. No network is used inside `docker build`.
#
# Usage: build.sh [--rebuild]     (run as root, with a running Docker engine)
# A second run reuses images whose content hash (this script + the image's folder) is unchanged.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=/var/cache/orthanc-deploy-standin   # outside the repo: survives clean checkouts
BASE=$CACHE/base-bookworm                 # debootstrap result, made once
ARCHIVES=$CACHE/apt-archives              # downloaded .debs, shared by the image builds
PREFIX=orthanc-deploy-standin
HASH_LABEL=org.orthanc-deploy.standin-hash
# image folder -> official image it stands in for
declare -A OFFICIAL=([orthanc]=orthancteam/orthanc [postgres]=postgres [caddy]=caddy [haproxy]=haproxy
  [keycloak]=quay.io/keycloak/keycloak [auth-service]=orthancteam/orthanc-auth-service)
ORDER=(postgres orthanc caddy haproxy keycloak auth-service)

START=$SECONDS
WORK=""        # temp dir of the image being built (removed on exit)
TMP_TAG=""     # temp tag of the imported root file system (removed on exit)
LOG=""         # apt/debootstrap output of the current step, shown on failure
MOUNTS=()      # mounted paths, unmounted in reverse order on exit

STEP="start"   # the last progress message, named in error reports
# Errors go to fd 3, the script's own stderr: the failing command may have redirected fd 2 to LOG.
exec 3>&2

say() {
  STEP=$*
  printf '[standin %3ds] %s\n' "$((SECONDS - START))" "$*"
}
die() { printf 'build.sh: ERROR: %s\n' "$*" >&3; exit 1; }

on_error() {
  local rc=$? line=$1 cmd=$2
  printf 'build.sh: ERROR during "%s": line %s: "%s" exited with %s\n' \
    "$STEP" "$line" "$cmd" "$rc" >&3
  if [[ -n $LOG && -s $LOG ]]; then
    printf 'build.sh: last lines of %s:\n' "$LOG" >&3
    tail -n 25 "$LOG" | sed 's/^/  | /' >&3
  fi
}

cleanup() {
  local rc=$? i
  trap - ERR
  set +e
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    if mountpoint -q "${MOUNTS[i]}"; then
      umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}"
    fi
  done
  MOUNTS=()
  # --one-file-system: never follow a mount that failed to come off into the host's files.
  [[ -n $WORK && -d $WORK ]] && rm -rf --one-file-system "$WORK"
  [[ -n $TMP_TAG ]] && docker rmi "$TMP_TAG" >/dev/null 2>&1
  if ((rc != 0)); then
    printf 'build.sh: FAILED after %ds (exit %d); nothing was tagged for the failed image.\n' \
      "$((SECONDS - START))" "$rc" >&3
  fi
  return "$rc"
}

trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_bind() { # SRC DEST
  mount --bind "$1" "$2"
  MOUNTS+=("$2")
}

unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[i]}"; done
  MOUNTS=()
}

# Prints "URI SUITE COMPONENT..." for every enabled entry of the machine's apt sources (one-line
# .list files and deb822 .sources files), keeping Debian bookworm suites only: a third-party
# entry would need its own key in the chroot and send traffic to another host.
machine_sources() {
  local f
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { $1 = ""; sub(/^ +/, ""); print }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      awk 'BEGIN { RS = ""; FS = "\n" }
        {
          types = ""; uris = ""; suites = ""; comps = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^#/ || index($i, ":") == 0) continue
            key = tolower(substr($i, 1, index($i, ":") - 1))
            val = substr($i, index($i, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val; else if (key == "uris") uris = val
            else if (key == "suites") suites = val; else if (key == "components") comps = val
            else if (key == "enabled") enabled = tolower(val)
          }
          if (enabled == "no" || (" " types " ") !~ / deb /) next
          nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
          for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) print u[a], s[b], comps
        }' "$f"
    done
  } | awk '$2 ~ /^bookworm(-(updates|security|backports))?$/ && !seen[$0]++'
}

# Hash of everything an image is made from: this script and the image's folder.
image_hash() { # NAME
  (cd "$HERE" && find build.sh "$1" -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum) |
    sha256sum | cut -c1-64
}

in_chroot() { # ROOT CMD...
  local root=$1
  shift
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# A run killed with SIGKILL leaves its work dir and, worse, its bind mounts: remove both.
clear_stale_work() {
  local target
  findmnt -rn -o TARGET | awk -v p="$CACHE/work." 'index($0, p) == 1' | sort -r |
    while read -r target; do
      umount "$target" || umount -l "$target"
    done
  rm -rf --one-file-system "$CACHE"/work.*
}

ensure_base() { # MIRROR
  if [[ -f $BASE.complete ]]; then
    say "base: reusing $BASE (debootstrap done $(cat "$BASE.complete"))"
    return
  fi
  say "base: debootstrap --variant=minbase bookworm from $1 (about a minute)"
  rm -rf --one-file-system "$BASE" "$BASE.partial"
  LOG=$CACHE/logs/base.log
  debootstrap --variant=minbase bookworm "$BASE.partial" "$1" >"$LOG" 2>&1
  mv "$BASE.partial" "$BASE"
  date -u +%Y-%m-%dT%H:%M:%SZ >"$BASE.complete"
  LOG=""
}

build_image() { # NAME
  local name=$1 official=${OFFICIAL[$1]} hash existing root ctx line
  local tag=$PREFIX/$name:current
  local -a pkgs=()
  hash=$(image_hash "$name")
  existing=$(docker images -q --filter "label=$HASH_LABEL=$hash" "$PREFIX/$name" | head -n 1)
  if [[ -n $existing && $REBUILD == no ]]; then
    docker tag "$existing" "$tag"
    say "$name: reused $tag (hash ${hash:0:12} unchanged)"
    return
  fi

  say "$name: building stand-in for $official (hash ${hash:0:12})"
  local -a words
  while read -r line; do
    read -ra words <<<"${line%%#*}"
    pkgs+=("${words[@]}")
  done <"$HERE/$name/packages"
  ((${#pkgs[@]})) || die "$name/packages lists no package"

  WORK=$(mktemp -d "$CACHE/work.XXXXXX")
  root=$WORK/rootfs
  LOG=$CACHE/logs/$name.log
  : >"$LOG"
  cp -a "$BASE" "$root"

  # Package sources: the machine's own Debian entries (see machine_sources).
  rm -f "$root"/etc/apt/sources.list.d/*
  awk '{ print "deb", $0 }' <<<"$SOURCES" >"$root/etc/apt/sources.list"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  mount_bind /proc "$root/proc"
  mkdir -p "$ARCHIVES/partial"
  mount_bind "$ARCHIVES" "$root/var/cache/apt/archives"
  # No daemon may start inside the chroot while packages are configured.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  install -m 0755 "$HERE/$name/chroot-setup.sh" "$root/tmp/chroot-setup.sh"

  say "$name: apt-get install ${pkgs[*]}"
  {
    in_chroot "$root" apt-get -o Acquire::Languages=none update -q
    # "pre" creates the users with fixed uids BEFORE the packages would create them.
    in_chroot "$root" /bin/sh /tmp/chroot-setup.sh pre
    in_chroot "$root" apt-get install -y -q --no-install-recommends "${pkgs[@]}"
    in_chroot "$root" /bin/sh /tmp/chroot-setup.sh post
    in_chroot "$root" apt-get autoclean -q # prunes obsolete .debs from the shared cache
  } >>"$LOG" 2>&1
  unmount_all

  # Nothing of the build may stay in the image: apt lists and caches, the policy, DNS.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives \
    "$root"/var/log/apt/* "$root/tmp/chroot-setup.sh" "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/var/cache/apt/archives/partial"
  : >"$root/etc/resolv.conf"
  # Like Debian's slim images (the official postgres base): no manuals, documentation (the
  # copyright files stay) or message translations.
  find "$root/usr/share/doc" -type f ! -name copyright -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +

  say "$name: docker import + docker build"
  TMP_TAG=$PREFIX/$name:rootfs-$$
  tar -C "$root" --numeric-owner --xattrs --xattrs-include='security.capability' -c . |
    docker import - "$TMP_TAG" >>"$LOG"
  ctx=$WORK/context
  cp -r "$HERE/$name/." "$ctx"
  # The repo may not carry exec bits; COPY keeps the context's modes.
  find "$ctx" -type f \( -name '*.sh' -o -name '*.py' \) -exec chmod 0755 {} +
  # DOCKER_BUILDKIT=0: the classic builder, present in every client that can talk to a 20.10
  # engine, and it never looks for the FROM image in a registry when it exists locally.
  DOCKER_BUILDKIT=0 docker build -q --build-arg "STANDIN_ROOTFS=$TMP_TAG" \
    --label "$HASH_LABEL=$hash" --label "org.orthanc-deploy.standin-for=$official" \
    -t "$tag" "$ctx" >>"$LOG" 2>&1
  docker rmi "$TMP_TAG" >/dev/null
  TMP_TAG=""
  # Earlier builds of this stand-in lost their tag just now: free their space.
  docker images -q --filter dangling=true --filter "label=org.orthanc-deploy.standin-for=$official" |
    xargs -r docker rmi >/dev/null 2>&1 || true
  rm -rf --one-file-system "$WORK"
  WORK=""
  LOG=""
  say "$name: built $tag ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

main() {
  REBUILD=no
  case "${1:-}" in
    "") ;;
    --rebuild) REBUILD=yes ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  ((EUID == 0)) || die "run as root: debootstrap, chroot and mount need it"
  command -v docker >/dev/null || die "no docker client on PATH"
  docker info >/dev/null 2>&1 ||
    die "the Docker engine does not answer (docker info failed); start it first, e.g. 'nohup dockerd >/tmp/dockerd.log 2>&1 &'"
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null
  fi

  SOURCES=$(machine_sources)
  [[ -n $SOURCES ]] || die "no enabled Debian bookworm entry in /etc/apt/sources.list{,.d/*.list,.d/*.sources}"
  local mirror
  mirror=$(awk '$2 == "bookworm" { print $1; exit }' <<<"$SOURCES")
  [[ -n $mirror ]] || die "the machine's apt sources have no 'bookworm' suite to debootstrap from"

  mkdir -p "$CACHE/logs"
  # One build at a time: parallel test runs would fight over the cache and the tags.
  exec 9>"$CACHE/build.lock"
  flock -w 1800 9 || die "another build.sh holds $CACHE/build.lock"
  clear_stale_work

  local name need_base=no
  for name in "${ORDER[@]}"; do
    if [[ $REBUILD == yes || -z $(docker images -q --filter "label=$HASH_LABEL=$(image_hash "$name")" "$PREFIX/$name") ]]; then
      need_base=yes
    fi
  done
  [[ $need_base == no ]] || ensure_base "$mirror"
  for name in "${ORDER[@]}"; do build_image "$name"; done

  say "done in $((SECONDS - START))s:"
  docker images --filter "reference=$PREFIX/*:current" --format '  {{.Repository}}:{{.Tag}}  {{.ID}}  {{.Size}}'
}

main "$@"
