#!/usr/bin/env python3
"""STAND-IN for the configurator of orthancteam/orthanc (written for these tests from the image's
documented behaviour; not the official code). Python 3 stdlib + the real `envsubst` binary.

Reproduced:
- sources, in order: /etc/orthanc/*.json, /run/secrets/*.json (each through envsubst, then
  comments stripped), ORTHANC_JSON and ORTHANC__SECTION__KEY env vars (camel-cased, values parsed
  as JSON when they parse), files named by *_SECRET env vars and /run/secrets/ORTHANC__* files,
  then the image's defaults (which never overwrite);
- deep merge of objects; for scalars and lists the later source wins, with a warning naming the key;
- refusal of legacy env names (HTTP_PORT, DICOM_PORT, NAME, PG_*, ...) and exit -3 (253) when
  authentication is on and there is no RegisteredUsers;
- plugin switches (*_PLUGIN_ENABLED...: exactly "false" disables, a config section enables,
  anything else enables); enabled plugins are hard-linked into the plugin folder, or copied when
  it is another file system (/run/orthanc/plugins on a tmpfs);
- VERBOSE_STARTUP "" or "true" prints the merged configuration; /tmp/orthanc.json (mode 0600).
Not reproduced: files are read in sorted order (the official order within a folder is not
defined); ORTHANC_PASSWORD; plugins Debian does not package (Explorer 2, Stone, OHIF, AWS S3,
authorization, Python...) are reported and skipped; only the plugins listed in PLUGINS are known.
"""
import errno
import glob
import json
import os
import shutil
import subprocess
import sys

AVAILABLE = "/usr/share/orthanc/plugins-available"
OUTPUT = "/tmp/orthanc.json"
VERBOSE = os.environ.get("VERBOSE_STARTUP") in ("", "true")

# Defaults the official image adds without overwriting (its orthanc-defaults.json).
DEFAULTS = {
    "StorageDirectory": "/var/lib/orthanc/db",
    "RemoteAccessAllowed": True,
    "AuthenticationEnabled": True,
    "HttpsCACertificates": "/etc/ssl/certs/ca-certificates.crt",
}

# name: (config section, switch, libraries, defaults added when enabled, how it is enabled).
# how: "section" = the section or the switch; "switch" = only the switch; "default" = on unless
# the switch says "false"; "root:KEY" = a root setting or the switch. Loud ones change storage or
# access control, so a skipped one must not go unnoticed.
PLUGINS = {
    "PostgreSQL": ("PostgreSQL", "POSTGRESQL_PLUGIN_ENABLED",
                   ["libOrthancPostgreSQLIndex.so", "libOrthancPostgreSQLStorage.so"],
                   {"EnableIndex": True, "EnableStorage": False, "Port": 5432,
                    "Host": "HOST MUST BE DEFINED", "Database": "postgres", "Username": "postgres",
                    "Password": "postgres", "EnableSsl": False, "Lock": False}, "section"),
    "DicomWeb": ("DicomWeb", "DICOM_WEB_PLUGIN_ENABLED", ["libOrthancDicomWeb.so"],
                 {"Enable": True}, "section"),
    "Gdcm": ("Gdcm", "GDCM_PLUGIN_ENABLED", ["libOrthancGdcm.so"],
             {"Throttling": 4, "RestrictTransferSyntaxes": [
                 "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91",
                 "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"]}, "default"),
    "Worklists": ("Worklists", "WORKLISTS_PLUGIN_ENABLED", ["libModalityWorklists.so"],
                  {"Enable": True, "Database": "/var/lib/orthanc/worklists"}, "section"),
    "ServeFolders": ("ServeFolders", "SERVE_FOLDERS_PLUGIN_ENABLED", ["libServeFolders.so"],
                     {}, "section"),
    "OrthancExplorer2": ("OrthancExplorer2", "ORTHANC_EXPLORER_2_ENABLED",
                         ["libOrthancExplorer2.so"],
                         {"Enable": True, "IsDefaultOrthancUI": False}, "default"),
    "StoneWebViewer": ("StoneWebViewer", "STONE_WEB_VIEWER_PLUGIN_ENABLED",
                       ["libStoneWebViewer.so"], {}, "switch"),
    "Ohif": ("Ohif", "OHIF_PLUGIN_ENABLED", ["libOrthancOHIF.so"], {}, "switch"),
    "AwsS3Storage": ("AwsS3Storage", "AWS_S3_STORAGE_PLUGIN_ENABLED",
                     ["libOrthancAwsS3Storage.so"],
                     {"BucketName": "MUST BE DEFINED BY YOU", "Region": "MUST BE DEFINED BY YOU"},
                     "section"),
    "Authorization": ("Authorization", "AUTHORIZATION_PLUGIN_ENABLED",
                      ["libOrthancAuthorization.so"], {}, "section"),
    "Python": ("Python", "PYTHON_PLUGIN_ENABLED", ["libOrthancPython.so"], {}, "root:PythonScript"),
}
LOUD = {"AwsS3Storage": "DICOM files stay in StorageDirectory, NOT in S3",
        "Authorization": "no authorization web service is consulted"}

# Env names the image refuses since 26.7.0 (its legacy table); any PG_* is refused as well.
LEGACY = set("""AC_ALLOW_REMOTE AC_AUTHENTICATION_ENABLED AC_REGISTERED_USERS AUTHZ_WEBSERVICE
AUTHZ_TOKEN_HTTP_HEADERS AUTHZ_TOKEN_GET_ARGUMENTS AUTHZ_UNCHECKED_RESOURCES AUTHZ_UNCHECKED_FOLDERS
AUTHZ_UNCHECKED_LEVELS DICOM_AET DICOM_AET_CHECK_ENABLED DICOM_ALWAYS_ALLOW_ECHO_ENABLED
DICOM_ALWAYS_ALLOW_STORE_ENABLED DICOM_CHECK_MODALITY_HOST_ENABLED DICOM_DICTIONARY
DICOM_MODALITIES DICOM_PORT DICOM_QUERY_RETRIEVE_SIZE DICOM_SCP_TIMEOUT DICOM_SCU_TIMEOUT
DICOM_STRICT_AET_COMPARISON_ENABLED DICOM_SYNCHRONOUS_CMOVE DICOM_UNKNOWN_SOP_CLASS_ACCEPTED
DW_ROOT DW_WADO_URI_ENABLED DW_WADO_URI_ROOT DW_HOST DW_TLS DW_SERVERS DW_STOW_MAX_INSTANCES
DW_STOW_MAX_SIZE EXECUTE_LUA_ENABLED HTTP_CL_TIMEOUT HTTP_CL_VERIFY_PEERS HTTP_CL_CA_CERTS
HTTP_CL_PROXY HTTP_VERBOSE HTTP_PORT HTTP_KEEP_ALIVE HTTP_TCP_NODELAY HTTP_REQUEST_TIMEOUT
IMPORT_OVERWRITE_INSTANCES LISTENER_LISTEN_ALL_ADDR LOCALE LUA_OPTIONS LUA_SCRIPTS PEERS PLUGINS
NAME SCHED_JOBS_HISTORY_SIZE SCHED_MAX_CONCURRENT_JOBS SCHED_MAX_QUEUED_JOBS SCHED_SAVE_JOBS
SERVEFOLDERS_ALLOW_CACHE SERVEFOLDERS_GENERATE_ETAGS SERVEFOLDERS_EXTENSIONS SERVEFOLDERS_FOLDERS
STABLE_AGE STORAGE_ACCESS_ON_FIND STORAGE_DIR STORAGE_MAX_SIZE STORAGE_MAX_PATIENTS STORE_DICOM
TRANSFERS_THREADS TRANSFERS_RETRIES TRANSFERS_BUCKET_SIZE TRANSFERS_CACHE_SIZE
TRANSFERS_MAX_PUSH_TRANSACTIONS USERMETADATA WL_STORAGE_DIR""".split())

# ORTHANC__ names whose key is not the plain camel case of the name.
ALIASES = {"ORTHANC__CASE_SENSITIVE_PN": "CaseSensitivePN",
           "ORTHANC__HTTPS_CA_CERTIFICATES": "HttpsCACertificates",
           "ORTHANC__STORE_MD5_FOR_ATTACHMENTS": "StoreMD5ForAttachments"}
for _k in ("ENABLE_INDEX", "ENABLE_STORAGE", "HOST", "PORT", "DATABASE", "USERNAME", "PASSWORD",
           "ENABLE_SSL", "LOCK"):
    ALIASES["ORTHANC__POSTGRESQL__" + _k] = "PostgreSQL." + "".join(
        w.capitalize() for w in _k.split("_"))


def log(level, message):
    if level != "INFO" or VERBOSE:
        print(f"{level:7} stand-in configurator: {message}", file=sys.stderr, flush=True)


def fail(message, code):
    log("ERROR", message)
    sys.exit(code)


def strip_comments(text):
    """Removes // and /* */ comments outside JSON strings (so "http://host" survives)."""
    out, i, n, in_string = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            if c == "\\":
                out.append(text[i:i + 2])
                i += 2
                continue
            in_string = c != '"'
        elif c == '"':
            in_string = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ValueError("unterminated /* comment")
            out.append(" ")
            i = end + 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


origins = {}  # "Section.Key" -> where its current value came from


def merge(target, source, origin, overwrite=True, path=""):
    for key, value in source.items():
        name = f"{path}.{key}" if path else key
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value, origin, overwrite, name)
            continue
        if key in target:
            if not overwrite:
                continue
            where = f" in {origins[name]}" if name in origins else ""
            log("WARNING", f"{name} has already been defined{where}; "
                           f"it will be overwritten by the value defined in {origin}")
        target[key] = value
        origins[name] = origin


def parse_value(text):
    try:
        return json.loads(text)  # numbers, booleans, objects; plain strings stay strings
    except ValueError:
        return text


def json_path(env_name):
    if env_name in ALIASES:
        return ALIASES[env_name].split(".")
    tokens = env_name[len("ORTHANC__"):].split("__")
    return ["".join(w.capitalize() for w in t.split("_")) for t in tokens]


def set_path(config, env_name, raw, origin):
    nested = parse_value(raw)
    for key in reversed(json_path(env_name)):
        nested = {key: nested}
    merge(config, nested, origin)


def read_file(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The official image substitutes $NAME and ${NAME} (empty when unset) before parsing.
    text = subprocess.run(["envsubst"], input=text, capture_output=True, text=True,
                          check=True).stdout
    try:
        return json.loads(strip_comments(text))
    except ValueError as e:
        fail(f"unable to parse JSON file '{path}'; check syntax ({e})", 255)


def switch(var):
    """True/False from the plugin switch, None when it is not set."""
    value = os.environ.get(var)
    return None if value is None else value != "false"


def plugin_enabled(config, section, var, how):
    explicit = switch(var)
    if explicit is not None:
        return explicit
    if how == "default":
        return True
    if how == "section":
        return section in config
    if how.startswith("root:"):
        return how[5:] in config
    return False


def main():
    env = os.environ
    legacy = sorted(k for k in env if k in LEGACY or k.startswith("PG_"))
    if legacy:
        fail("legacy environment variable(s) " + ", ".join(legacy) + " are no longer supported "
             "(the image refuses them since 26.7.0): use ORTHANC__* names or configuration files. "
             "Kubernetes service links inject such names: set enableServiceLinks: false.", 255)

    config = {}
    for path in sorted(glob.glob("/etc/orthanc/*.json")) + sorted(glob.glob("/run/secrets/*.json")):
        log("INFO", f"reading configuration from {path}")
        data = read_file(path)
        if not isinstance(data, dict):
            fail(f"{path} does not hold a JSON object", 255)
        merge(config, data, "file:" + path)

    secret_files = {}
    if "ORTHANC_JSON" in env:
        try:
            merge(config, json.loads(strip_comments(env["ORTHANC_JSON"])), "env-var:ORTHANC_JSON")
        except ValueError:
            fail("unable to parse the ORTHANC_JSON env-var (invalid JSON)", 255)
    for name in sorted(env):
        if name.endswith("_SECRET"):
            secret_files[env[name]] = name[:-len("_SECRET")]
        elif name.startswith("ORTHANC__"):
            set_path(config, name, env[name], "env-var:" + name)
    for path in sorted(glob.glob("/run/secrets/*")):
        rel = path[len("/run/secrets/"):]
        target = secret_files.get(rel, rel)
        if os.path.isfile(path) and target.startswith("ORTHANC__"):
            with open(path, encoding="utf-8") as f:
                set_path(config, target, f.read().rstrip("\n"), "secret:" + target)

    # Plugin folder: /run/orthanc/plugins when it exists (read-only root file systems), else
    # the image's own folder.
    plugin_dir = "/run/orthanc/plugins" if os.path.isdir("/run/orthanc/plugins") \
        else "/usr/share/orthanc/plugins"
    merge(config, DEFAULTS, "defaults:orthanc", overwrite=False)
    merge(config, {"Plugins": [plugin_dir]}, "defaults:orthanc", overwrite=False)
    for plugin, (section, var, libs, defaults, how) in PLUGINS.items():
        enabled = plugin_enabled(config, section, var, how)
        if not enabled:
            continue
        log("INFO", f"{plugin} is enabled")
        if defaults:
            merge(config, {section: defaults}, "defaults:" + plugin, overwrite=False)
        if not all(os.path.exists(os.path.join(AVAILABLE, lib)) for lib in libs):
            print(f"stand-in: plugin {plugin} not available in this stand-in (skipped)",
                  file=sys.stderr, flush=True)
            if plugin in LOUD:
                print(f"stand-in: !!!!! {plugin} IS ENABLED BUT NOT LOADED: {LOUD[plugin]} !!!!!",
                      file=sys.stderr, flush=True)
            continue
        # As the official configurator: a hard link, or a copy when the plugin folder is another
        # file system (a tmpfs or volume at /run/orthanc/plugins): the copies take room there.
        for lib in libs:
            source = os.path.join(AVAILABLE, lib)
            target = os.path.join(plugin_dir, lib)
            try:
                if not os.path.isfile(target):
                    try:
                        os.link(source, target)
                    except OSError as e:
                        if e.errno != errno.EXDEV:
                            raise
                        shutil.copy(source, target)
            except OSError as e:
                fail(f"failed to install {lib} into {plugin_dir}: {e}", 255)

    if config.get("AuthenticationEnabled") and not config.get("RegisteredUsers"):
        fail("AuthenticationEnabled is true but no RegisteredUsers are defined: define users, "
             "or set AuthenticationEnabled to false (e.g. with the authorization plugin)", -3)

    if VERBOSE:
        log("INFO", "generated configuration file: " + json.dumps(config, indent=2))
    fd = os.open(OUTPUT, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    log("INFO", f"generated {OUTPUT}")


if __name__ == "__main__":
    main()
