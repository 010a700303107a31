"""STAND-IN for orthanc-team/orthanc-auth-service in the Docker-engine tests. NOT the real service.

Reproduces only what our program relies on (see README.md beside build.sh), at import time like
the real app.py:
- secrets as the real `get_secret_or_die`: /run/secrets/NAME (a regular file, stripped), else the
  environment variable NAME, else "Secret 'NAME' is not defined, can not start without it" and
  exit(-1): SECRET_KEY (always) and KEYCLOAK_CLIENT_SECRET (when API keys are on);
- USERS from the environment ONLY (JSON object user -> password), exit(-1) without it;
- the permissions file (PERMISSIONS_FILE_PATH) validated: `roles` with `authorized-labels` (or
  `authorized_labels`) and `permissions` from the real enum; anything else: exit(-1);
- the anonymous profile (ANONYMOUS_PROFILE_FILE_PATH), an in-code profile with no permissions
  when it cannot be read or is invalid (logged, no exit);
- with ENABLE_KEYCLOAK=true, GET KEYCLOAK_URI (the realm's JSON) for its `public_key`; failure:
  "Unable to reach keycloak ..." and exit(-1);
- HTTP: GET /openapi.json without credentials; POST /user/get-profile and GET /standin/settings
  with Basic auth checked against USERS.
Nothing of the real service's token logic (JWT decoding, shares, API keys, roles editing, emails)
is reproduced: a profile request that carries a token is answered 501.
"""

import base64
import hmac
import json
import os
import signal
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urljoin, urlsplit

PERMISSIONS = {
    "all", "view", "download", "delete", "send", "modify", "anonymize", "upload",
    "q-r-remote-modalities", "settings", "api-view", "edit-labels", "admin-permissions",
    "audit-logs", "worklists", "share",
}  # fmt: skip
NO_PERMISSIONS_PROFILE = {
    "name": "Anonymous",
    "user-id": None,
    "authorized-labels": [],
    "permissions": [],
    "groups": [],
    "validity": 60,
}


def log(message):
    print(f"stand-in auth-service: {message}", flush=True)


def die(message):
    log(message)
    sys.exit(-1)


def secret_file(name):
    return os.path.join("/run/secrets", name)


def is_secret_defined(name):
    return os.path.isfile(secret_file(name)) or name in os.environ


def get_secret_or_die(name):
    """The file wins over the environment; SECRETS_FROM records which one (never the value)."""
    if os.path.isfile(secret_file(name)):
        with open(secret_file(name), encoding="utf-8") as f:
            SECRETS_FROM[name] = "file"
            return f.read().strip()
    if name in os.environ:
        SECRETS_FROM[name] = "env"
        return os.environ[name]
    die(f"Secret '{name}' is not defined, can not start without it")


def check_permissions(where, permissions):
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise ValueError(f"{where}: permissions must be a list of strings")
    unknown = sorted(set(permissions) - PERMISSIONS)
    if unknown:
        raise ValueError(f"{where}: unknown permission(s) {unknown}; allowed: {sorted(PERMISSIONS)}")


def load_roles(path):
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    if not isinstance(document, dict) or not isinstance(document.get("roles"), dict):
        raise ValueError("no `roles` object")
    roles = {}
    for name, role in document["roles"].items():
        if not isinstance(role, dict):
            raise ValueError(f"role {name}: not an object")
        labels = role.get("authorized-labels", role.get("authorized_labels"))
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ValueError(f"role {name}: authorized-labels must be a list of strings")
        check_permissions(f"role {name}", role.get("permissions"))
        roles[name] = {"authorized-labels": labels, "permissions": role["permissions"]}
    available = document.get("available-labels", document.get("available_labels", []))
    if not isinstance(available, list):
        raise ValueError("available-labels must be a list")
    return roles, available


def load_anonymous_profile(path):
    try:
        with open(path, encoding="utf-8") as f:
            profile = json.load(f)
        if not isinstance(profile, dict) or "name" not in profile or "validity" not in profile:
            raise ValueError("`name` and `validity` are required")
        check_permissions("anonymous profile", profile.get("permissions", []))
        return profile
    except (OSError, ValueError) as e:
        log(f"ERROR: unable to read the anonymous profile from {path} ({e}); using a profile with no permissions")
        return dict(NO_PERMISSIONS_PROFILE)


def fetch_public_key(uri):
    try:
        with urllib.request.urlopen(uri, timeout=10) as r:
            return json.load(r)["public_key"]
    except Exception as e:  # noqa: BLE001 (the real service catches everything here too)
        log(f"error: {type(e).__name__}: {e}")
        die("Unable to reach keycloak (be patient, Keycloak may need more than 1 min to start), exiting...")


def client_secret_matches(uri, secret):
    """The real service's admin-token request: True on 200, False on a refusal, None if unreachable."""
    data = urlencode({"client_id": "admin-cli", "client_secret": secret, "grant_type": "client_credentials"})
    request = urllib.request.Request(urljoin(uri, "protocol/openid-connect/token"), data=data.encode())
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False
    except OSError as e:
        log(f"Keycloak unreachable for the client-credentials check: {e}")
        return None


# --- start-up, at import as in the real app.py -----------------------------------------------
log("orthanc-auth-service STAND-IN (orthanc-deploy tests): a small Python server, NOT the real service")
SECRETS_FROM = {}
SECRET_KEY = get_secret_or_die("SECRET_KEY")
USERS = json.loads(os.environ.get("USERS") or "null")
if not USERS:
    die("USERS env var is not defined, can not start without it")
if not isinstance(USERS, dict) or not all(isinstance(v, str) for v in USERS.values()):
    die("USERS must be a JSON object of user names to passwords")
PERMISSIONS_FILE_PATH = os.environ.get("PERMISSIONS_FILE_PATH", "/orthanc_auth_service/permissions.json")
try:
    ROLES, AVAILABLE_LABELS = load_roles(PERMISSIONS_FILE_PATH)
except (OSError, ValueError) as e:
    die(f"invalid permissions file {PERMISSIONS_FILE_PATH}: {e}")
log(f"permissions file {PERMISSIONS_FILE_PATH}: roles {sorted(ROLES)}")
ANONYMOUS_PROFILE = load_anonymous_profile(
    os.environ.get("ANONYMOUS_PROFILE_FILE_PATH", "/orthanc_auth_service/anonymous-profile.json")
)
KEYCLOAK_URI = os.environ.get("KEYCLOAK_URI", "http://keycloak:8080/realms/orthanc/")
PUBLIC_KEY = None
if os.environ.get("ENABLE_KEYCLOAK", "false") == "true":
    log(f"getting Keycloak's public key from {KEYCLOAK_URI}")
    PUBLIC_KEY = fetch_public_key(KEYCLOAK_URI)
KEYCLOAK_CLIENT_SECRET = None
if os.environ.get("ENABLE_KEYCLOAK_API_KEYS", "false") == "true" or is_secret_defined("KEYCLOAK_CLIENT_SECRET"):
    KEYCLOAK_CLIENT_SECRET = get_secret_or_die("KEYCLOAK_CLIENT_SECRET")
log(f"secrets read from: {json.dumps(SECRETS_FROM)}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "orthanc-auth-service-standin"

    def log_message(self, fmt, *args):
        log(f"{self.address_string()} {fmt % args}")

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        """FastAPI's HTTPBasic + secrets.compare_digest against USERS, as the real routes."""
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            self.reply(401, {"detail": "Not authenticated"}, [("WWW-Authenticate", "Basic")])
            return False
        try:
            user, _, password = base64.b64decode(auth[6:], validate=True).decode().partition(":")
        except ValueError:
            user, password = "", ""
        expected = USERS.get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            self.reply(401, {"detail": "Incorrect username or password"}, [("WWW-Authenticate", "Basic")])
            return False
        return True

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/openapi.json":
            return self.reply(
                200,
                {
                    "openapi": "3.1.0",
                    "info": {"title": "orthanc-auth-service STAND-IN", "version": "standin"},
                    "paths": {"/user/get-profile": {"post": {}}, "/standin/settings": {"get": {}}},
                },
            )
        if path == "/standin/settings":
            if not self.authorized():
                return None
            matches = client_secret_matches(KEYCLOAK_URI, KEYCLOAK_CLIENT_SECRET) if KEYCLOAK_CLIENT_SECRET is not None else None
            return self.reply(
                200,
                {
                    "roles": ROLES,
                    "availableLabels": AVAILABLE_LABELS,
                    "anonymous": ANONYMOUS_PROFILE,
                    "publicKeyLoaded": PUBLIC_KEY is not None,
                    "secretsFrom": SECRETS_FROM,
                    "keycloakClientSecretMatches": matches,
                },
            )
        return self.reply(404, {"detail": "Not Found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        raw = self.body()
        if path != "/user/get-profile":
            return self.reply(404, {"detail": "Not Found"})
        if not self.authorized():
            return None
        try:
            request = json.loads(raw or b"{}")
        except ValueError:
            return self.reply(422, {"detail": "invalid JSON body"})
        if isinstance(request, dict) and request.get("token-value"):
            return self.reply(501, {"detail": "stand-in: token decoding is not reproduced"})
        return self.reply(200, ANONYMOUS_PROFILE)


class App:
    def serve(self, host, port):
        # PID 1 ignores SIGTERM without a handler: stop at once on docker stop.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: os._exit(0))
        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        server.serve_forever()


app = App()
