#!/bin/sh
# STAND-IN for the entrypoint of orthancteam/orthanc (written for these tests, not the official
# script). Reproduces: /etc/hostid handling (FORCE_HOST_ID, GENERATE_HOST_ID_IF_MISSING), the
# configurator run (stop on its error), VERBOSE_ENABLED / TRACE_ENABLED / NO_JOBS / LOGDIR /
# LOGFILE / BEFORE_ORTHANC_STARTUP_SCRIPT, one argument (the configuration path), then
# `exec Orthanc`. Like the official script, it fails when /etc/hostid must be written and cannot
# be (a read-only root without GENERATE_HOST_ID_IF_MISSING=false). Differs: no JAVA_PLUGIN_ENABLED, no LOGS_THREADNAMES_IN_CONTEXT (Orthanc 1.10 lacks it).
set -e

if [ "$#" -ne 1 ]; then
  echo "FATAL ERROR: docker-entrypoint.sh expects a single parameter: the path to the configuration file(s)" >&2
  exit 2
fi

# DCMTK derives DICOM UIDs from gethostid(); without /etc/hostid that can mean a slow DNS lookup.
if [ -n "${FORCE_HOST_ID:-}" ]; then
  echo "Forcing hostid in /etc/hostid: $FORCE_HOST_ID"
  echo "$FORCE_HOST_ID" >/etc/hostid
elif [ -z "${GENERATE_HOST_ID_IF_MISSING:-}" ] || [ "$GENERATE_HOST_ID_IF_MISSING" = true ]; then
  if [ ! -f /etc/hostid ] || [ "$(cat /etc/hostid)" = not-generated ]; then
    # 8 hex digits, first one non-zero, like the official image's range 0x10000000-0xffffffff.
    host_id=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n' | sed 's/^0/1/')
    echo "Generating random hostid in /etc/hostid: $host_id"
    # As in the official script: on a read-only root this fails, and errexit stops the start.
    echo "$host_id" >/etc/hostid
  fi
fi

python3 /startup/configurator.py

verbosity=""
if [ "${TRACE_ENABLED:-}" = true ]; then
  verbosity=--trace
elif [ "${VERBOSE_ENABLED:-}" = true ]; then
  verbosity=--verbose
fi
logoption=""
if [ -n "${LOGDIR:-}" ]; then
  logoption=--logdir=$LOGDIR
elif [ -n "${LOGFILE:-}" ]; then
  logoption=--logfile=$LOGFILE
fi
jobs=""
if [ "${NO_JOBS:-}" = true ]; then jobs=--no-jobs; fi
if [ -n "${BEFORE_ORTHANC_STARTUP_SCRIPT:-}" ]; then
  echo "running custom startup script"
  $BEFORE_ORTHANC_STARTUP_SCRIPT
fi

# shellcheck disable=SC2086 # empty options must vanish, as in the official script
set -- Orthanc $verbosity $logoption $jobs "$@"
echo "Startup command: exec \"$*\"" >&2
exec "$@"
