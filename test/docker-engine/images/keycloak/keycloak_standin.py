#!/usr/bin/env python3
"""STAND-IN for Keycloak 26 (quay.io/keycloak/keycloak) in the Docker-engine tests. NOT Keycloak.

Reproduces only what our program relies on (see README.md beside build.sh):
- `kc.sh start [--import-realm] [--optimized] [--name=value ...]`; options from the command line,
  then `KC_*` environment variables, then /opt/keycloak/conf/keycloak.conf (key=value);
- refusal to start (exit 1, "ERROR: ...") without a hostname, without plain HTTP enabled, or
  without a complete PostgreSQL configuration (db=postgres, host, database, username, password);
- a real PostgreSQL connection with those credentials, and realms kept in the database: a realm
  file is imported only when its realm is not there yet (an existing realm is skipped, its file
  ignored, as Keycloak does), each with an RSA key pair generated at import;
- HTTP on http-port under http-relative-path: the realm's public JSON (`public_key`), the
  client-credentials grant of confidential clients, and an echo of the request's headers;
- the management interface (http-management-port, default 9000) with /health/ready (503 until
  the database and the import are done, then 200 while the database answers), only with
  health-enabled=true.
Nothing of Keycloak's login flows, OIDC, tokens (the token returned is not a JWT), admin API,
users, roles or themes is reproduced.
"""

import base64
import hmac
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CONF_FILE = "/opt/keycloak/conf/keycloak.conf"
IMPORT_DIR = "/opt/keycloak/data/import"
FLAGS = {"import-realm", "optimized", "verbose"}
DB_WAIT_SECONDS = 30


def log(level, message):
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {level:<5} [standin] {message}", flush=True)


def fail(message, code=1):
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def parse_args(argv):
    """The command (only `start`) and its options (`--name=value`, `--name value`, flags)."""
    if not argv:
        fail("no command: the stand-in reproduces only `kc.sh start`", 2)
    command, rest, options = argv[0], argv[1:], {}
    if command != "start":
        fail(f"stand-in: command '{command}' is not reproduced (only `start`)", 2)
    i = 0
    while i < len(rest):
        arg = rest[i]
        if not arg.startswith("--"):
            fail(f"Unknown option: '{arg}'", 2)
        name, eq, value = arg[2:].partition("=")
        if not eq:
            if name in FLAGS:
                value = "true"
            elif i + 1 < len(rest):
                i += 1
                value = rest[i]
            else:
                fail(f"Missing value for option '--{name}'", 2)
        options[name] = value
        i += 1
    return options


def read_conf(path):
    """Keycloak's configuration file: `key=value` (or `key: value`) lines, `#`/`!` comments."""
    options = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return options
    except OSError as e:
        fail(f"cannot read the configuration file {path}: {e.strerror}")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        if "\\" in line or "${" in line:
            fail(f"stand-in: {path}:{number}: escapes and ${{...}} expressions are not reproduced")
        match = re.match(r"^([^=:\s]+)\s*[=:]\s*(.*)$", line)
        if not match:
            fail(f"{path}:{number}: not a key=value line")
        options[match.group(1)] = match.group(2)
    return options


class Options:
    """Keycloak's precedence: command line, then KC_* environment, then the configuration file."""

    def __init__(self, cli, conf):
        self.cli, self.conf, self.sources = cli, conf, {}

    def get(self, name, default=None):
        env = "KC_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()
        for source, table, key in (("cli", self.cli, name), ("env", os.environ, env), ("conf", self.conf, name)):
            if key in table:
                self.sources[name] = source
                return table[key]
        return default

    def flag(self, name):
        return (self.get(name, "false") or "").lower() == "true"


def load_config(options):
    """Everything `start` needs, or exit 1 naming each missing or invalid option."""
    errors = []
    hostname = options.get("hostname")
    if not hostname and (options.get("hostname-strict", "true") or "").lower() != "false":
        errors.append("hostname is not configured; either configure hostname, or set hostname-strict to false")
    if hostname and "://" in hostname:
        url = urlsplit(hostname)
        if url.scheme not in ("http", "https") or not url.hostname:
            errors.append(f"Provided hostname is neither a plain hostname nor a valid URL: {hostname}")
    if not options.flag("http-enabled"):
        errors.append(
            "Key material not provided to setup HTTPS. Please configure your keys/certificates "
            "or start the server in development mode. (stand-in: serves plain HTTP only, set http-enabled=true)"
        )
    proxy_headers = options.get("proxy-headers")
    if proxy_headers not in (None, "forwarded", "xforwarded"):
        errors.append(f"Invalid value for option '--proxy-headers': {proxy_headers}. Expected values are: forwarded, xforwarded")
    db = options.get("db")
    if db != "postgres":
        errors.append(f"stand-in: db must be postgres (got {db!r}); no other database is reproduced")
    db_url = options.get("db-url")
    host, port, database = options.get("db-url-host"), options.get("db-url-port", "5432"), options.get("db-url-database")
    if db_url:
        match = re.match(r"^jdbc:postgresql://([^/:?]+)(?::(\d+))?/([^?]+)", db_url)
        if not match:
            errors.append(f"stand-in: db-url must be jdbc:postgresql://host[:port]/database (got {db_url!r})")
        else:
            host, port, database = match.group(1), match.group(2) or "5432", match.group(3)
    username, password = options.get("db-username"), options.get("db-password")
    for name, value in (("db-url-host", host), ("db-url-database", database), ("db-username", username), ("db-password", password)):
        if not value:
            errors.append(f"stand-in: {name} is not configured (KC_{name.upper().replace('-', '_')} or {CONF_FILE})")
    relative = options.get("http-relative-path", "/") or "/"
    if not relative.startswith("/"):
        errors.append(f"http-relative-path must start with '/' (got {relative!r})")
    if errors:
        for e in errors:
            print(f"ERROR: {e}", file=sys.stderr)
        print("For more details run the same command passing the '--verbose' option.", file=sys.stderr, flush=True)
        sys.exit(1)
    relative = relative.rstrip("/")
    management_relative = (options.get("http-management-relative-path") or relative or "/").rstrip("/")
    return {
        "hostname": hostname,
        "relative": relative,
        "http_host": options.get("http-host", "0.0.0.0"),
        "http_port": int(options.get("http-port", "8080")),
        "management_port": int(options.get("http-management-port", "9000")),
        "management_relative": management_relative,
        "health": options.flag("health-enabled"),
        "db": {"host": host, "port": int(port), "dbname": database, "user": username, "password": password},
        "bootstrap_admin": options.get("bootstrap-admin-username", "temp-admin"),
        "bootstrap_password": options.get("bootstrap-admin-password"),
        "import_realm": options.flag("import-realm"),
    }


def read_realm_files():
    """Every regular *.json file of the import folder (subfolders ignored), parsed, or exit 1."""
    realms = []
    try:
        names = sorted(os.listdir(IMPORT_DIR))
    except FileNotFoundError:
        return realms
    except OSError as e:
        fail(f"cannot list {IMPORT_DIR}: {e.strerror}")
    for name in names:
        path = os.path.join(IMPORT_DIR, name)
        if not name.endswith(".json") or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as f:
                realm = json.load(f)
        except OSError as e:
            fail(f"Failed to import realm from {path}: cannot read it: {e.strerror}")
        except ValueError as e:
            fail(f"Failed to import realm from {path}: invalid JSON: {e}")
        if not isinstance(realm, dict) or not isinstance(realm.get("realm"), str) or not realm["realm"]:
            fail(f"Failed to import realm from {path}: no realm name")
        if realm["realm"] == "master":
            fail(f"Failed to import realm from {path}: importing the master realm is not supported")
        realms.append((path, realm))
    return realms


class Database:
    """One connection (psycopg2, libpq: SCRAM), shared under a lock, reopened when it dropped."""

    def __init__(self, params):
        import psycopg2  # noqa: PLC0415 (imported here: the option checks must not need it)

        self.psycopg2, self.params, self.lock, self.conn = psycopg2, params, threading.Lock(), None

    def connect(self):
        return self.psycopg2.connect(**self.params, connect_timeout=5, application_name="keycloak-standin")

    def wait(self):
        deadline = time.monotonic() + DB_WAIT_SECONDS
        target = f"{self.params['host']}:{self.params['port']}/{self.params['dbname']} as {self.params['user']}"
        while True:
            try:
                self.conn = self.connect()
                log("INFO", f"connected to PostgreSQL {target}")
                return
            except self.psycopg2.OperationalError as e:
                reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                # Wrong credentials do not heal by waiting.
                if "authentication failed" in reason or time.monotonic() > deadline:
                    fail(f"Failed to obtain JDBC connection ({target}): {reason}")
                log("WARN", f"database not reachable yet ({reason}); retrying")
                time.sleep(2)

    def ping(self):
        with self.lock:
            for _ in range(2):
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = self.connect()
                    with self.conn.cursor() as cur:
                        cur.execute("SELECT 1")
                    self.conn.rollback()
                    return True
                except self.psycopg2.Error:
                    self.conn = None
            return False


def generate_key():
    """A 2048-bit RSA pair: the private key as PEM, the public one as Keycloak publishes it
    (`public_key`: base64 of the DER SubjectPublicKeyInfo, no PEM armour)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, base64.b64encode(public).decode()


def setup(db, config, realm_files):
    """Marker tables, the bootstrap admin (first start only), the realm import (once per realm).
    Returns the realms held in the database: name -> (representation, public key)."""
    with db.lock, db.conn, db.conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS standin_realm (name text PRIMARY KEY, imported_at timestamptz NOT NULL,"
            " source_file text NOT NULL, representation jsonb NOT NULL, private_key text NOT NULL,"
            " public_key text NOT NULL)"
        )
        cur.execute(
            "CREATE TABLE IF NOT EXISTS standin_bootstrap_admin (username text PRIMARY KEY, created_at timestamptz NOT NULL)"
        )
        cur.execute("SELECT count(*) FROM standin_bootstrap_admin")
        if cur.fetchone()[0] == 0:
            if config["bootstrap_password"]:
                cur.execute("INSERT INTO standin_bootstrap_admin VALUES (%s, now())", (config["bootstrap_admin"],))
                log("INFO", f"Created temporary admin user with username {config['bootstrap_admin']}")
            else:
                log("WARN", "no bootstrap admin password: no temporary admin user was created")
        for path, realm in realm_files:
            name = realm["realm"]
            cur.execute("SELECT 1 FROM standin_realm WHERE name = %s", (name,))
            if cur.fetchone():
                log("INFO", f"Realm '{name}' already exists. Import skipped")
                continue
            private, public = generate_key()
            cur.execute(
                "INSERT INTO standin_realm VALUES (%s, now(), %s, %s, %s, %s)",
                (name, path, json.dumps(realm), private, public),
            )
            log("INFO", f"Realm '{name}' imported")
        cur.execute("SELECT name, representation, public_key FROM standin_realm")
        return {name: (rep, public) for name, rep, public in cur.fetchall()}


class State:
    ready = False
    realms = {}


def handler_for(config, db, routes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "keycloak-standin"

        def log_message(self, fmt, *args):
            log("DEBUG", f"{self.address_string()} {fmt % args}")

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def dispatch(self):
            path = unquote(urlsplit(self.path).path)
            prefix = routes["prefix"]
            if prefix and not (path == prefix or path.startswith(prefix + "/")):
                return self.reply(404, {"error": "Not Found"})
            routes["handle"](self, path[len(prefix):] or "/")

        do_GET = do_POST = do_HEAD = dispatch

    return Handler


def main_routes(config):
    def handle(h, path):
        if h.command in ("GET", "HEAD") and path == "/standin/request":
            return h.reply(200, {"method": h.command, "path": h.path, "headers": dict(h.headers.items())})
        match = re.match(r"^/realms/([^/]+)/?$", path)
        if match and h.command in ("GET", "HEAD"):
            realm = State.realms.get(match.group(1))
            if not realm:
                return h.reply(404, {"error": "Realm does not exist"})
            base = (config["hostname"] if "://" in (config["hostname"] or "") else f"http://{h.headers.get('Host', 'localhost')}{config['relative']}").rstrip("/")
            name = match.group(1)
            return h.reply(
                200,
                {
                    "realm": name,
                    "public_key": realm[1],
                    "token-service": f"{base}/realms/{name}/protocol/openid-connect",
                    "account-service": f"{base}/realms/{name}/account",
                    "tokens-not-before": 0,
                },
            )
        match = re.match(r"^/realms/([^/]+)/protocol/openid-connect/token/?$", path)
        if match and h.command == "POST":
            return token(h, match.group(1))
        return h.reply(404, {"error": "Not Found"})

    def token(h, realm_name):
        realm = State.realms.get(realm_name)
        if not realm:
            return h.reply(404, {"error": "Realm does not exist"})
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length).decode("utf-8", "replace")
        if not (h.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            return h.reply(400, {"error": "invalid_request", "error_description": "form body expected"})
        form = {k: v[0] for k, v in parse_qs(body).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = h.headers.get("Authorization") or ""
        if auth.startswith("Basic "):  # client_secret_basic
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return h.reply(400, {"error": "invalid_request"})
        if form.get("grant_type") != "client_credentials":
            return h.reply(400, {"error": "unsupported_grant_type", "error_description": "stand-in: only client_credentials"})
        clients = {c.get("clientId"): c for c in realm[0].get("clients", []) if isinstance(c, dict)}
        client = clients.get(client_id)
        valid = (
            client is not None
            and client.get("enabled", True)
            and not client.get("publicClient", False)
            and isinstance(client.get("secret"), str)
            and secret is not None
            and hmac.compare_digest(client["secret"].encode(), secret.encode())
        )
        if not valid:
            return h.reply(401, {"error": "unauthorized_client", "error_description": "Invalid client or Invalid client credentials"})
        if not client.get("serviceAccountsEnabled", False):
            return h.reply(401, {"error": "unauthorized_client", "error_description": "Client not enabled to retrieve service account"})
        return h.reply(
            200,
            {
                "access_token": "standin-not-a-jwt-" + secrets.token_hex(16),
                "expires_in": 300,
                "refresh_expires_in": 0,
                "token_type": "Bearer",
                "not-before-policy": 0,
                "scope": "profile email",
            },
        )

    return {"prefix": config["relative"], "handle": handle}


def management_routes(config, db):
    def handle(h, path):
        if h.command not in ("GET", "HEAD"):
            return h.reply(405, {"error": "Method Not Allowed"})
        if path in ("/health/live", "/health/started"):
            if path == "/health/started" and not State.ready:
                return h.reply(503, {"status": "DOWN", "checks": []})
            return h.reply(200, {"status": "UP", "checks": []})
        if path in ("/health", "/health/", "/health/ready"):
            up = State.ready and db.ping()
            check = {"name": "Keycloak database connections async health check (stand-in: SELECT 1)", "status": "UP" if up else "DOWN"}
            return h.reply(200 if up else 503, {"status": check["status"], "checks": [check]})
        return h.reply(404, {"error": "Not Found"})

    return {"prefix": config["management_relative"], "handle": handle}


def serve(host, port, handler):
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    # PID 1 ignores SIGTERM without a handler: stop at once on docker stop.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: (log("INFO", "stopping"), os._exit(0)))
    log("INFO", "Keycloak STAND-IN (orthanc-deploy tests): a small Python server, NOT Keycloak")
    options = Options(parse_args(sys.argv[1:]), read_conf(CONF_FILE))
    config = load_config(options)
    secret_sources = {name: options.sources.get(name) for name in ("db-password", "bootstrap-admin-password")}
    log("INFO", f"secret options read from: {json.dumps(secret_sources)}")
    realm_files = read_realm_files() if config["import_realm"] else []
    db = Database(config["db"])
    if config["health"]:
        serve("0.0.0.0", config["management_port"], handler_for(config, db, management_routes(config, db)))
        log("INFO", f"Management interface listening on http://0.0.0.0:{config['management_port']}{config['management_relative']}")
    db.wait()
    State.realms = setup(db, config, realm_files)
    serve(config["http_host"], config["http_port"], handler_for(config, db, main_routes(config)))
    State.ready = True
    log("INFO", f"Keycloak stand-in started. Listening on: http://{config['http_host']}:{config['http_port']}{config['relative']}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
