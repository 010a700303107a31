#!/usr/bin/env python3
"""STAND-IN for /probes/test-aliveness.py of orthancteam/orthanc (written for these tests from the
official probe's documented behaviour; not the official code).

Reproduced: the flags --http_port --http_scheme --user --pwd --certfile --keyfile --keypwd (no
--password); HttpPort, SslEnabled, AuthenticationEnabled and RegisteredUsers read from
/tmp/orthanc.json (--user's password from RegisteredUsers, the first user without --user, --pwd
overrides; a --user that is not registered sends no credentials); a client certificate switches
to https; the server certificate is not verified; GET /changes?last (touches the database);
exit 0 only on HTTP 200, else 1 with the error printed.
Differs: calls 127.0.0.1 rather than "localhost" (never ::1, which Orthanc does not listen on),
and gives up after 30 s (the official probe has no timeout of its own).
"""
import argparse
import base64
import json
import ssl
import sys
import urllib.request

parser = argparse.ArgumentParser()
for flag, kind in (("--http_port", int), ("--http_scheme", str), ("--user", str), ("--pwd", str),
                   ("--certfile", str), ("--keyfile", str), ("--keypwd", str)):
    parser.add_argument(flag, type=kind)
args = parser.parse_args()

port, scheme, user, pwd = 8042, "http", None, None
try:
    with open("/tmp/orthanc.json", encoding="utf-8") as f:
        config = json.load(f)
    port = config.get("HttpPort", port)
    if config.get("SslEnabled"):
        scheme = "https"
    users = config.get("RegisteredUsers") or {}
    if config.get("AuthenticationEnabled") and users:
        if args.user:
            pwd = users.get(args.user, "")
        else:
            user, pwd = next(iter(users.items()))
except (OSError, ValueError, AttributeError):
    pass  # no readable configuration: flags and defaults only, like the official probe

port = args.http_port or port
user = args.user or user
pwd = args.pwd or pwd
scheme = args.http_scheme or scheme
if args.certfile:
    scheme = "https"

try:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if args.certfile:
        context.load_cert_chain(args.certfile, args.keyfile, args.keypwd)
    request = urllib.request.Request(f"{scheme}://127.0.0.1:{port}/changes?last")
    if user and pwd:
        token = base64.b64encode(f"{user}:{pwd}".encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        if response.status == 200:
            sys.exit(0)
        print(f"unexpected HTTP status {response.status}")
except Exception as e:  # noqa: BLE001 - any failure means "not alive"
    print(f"test-aliveness: {type(e).__name__}: {e}")
sys.exit(1)
