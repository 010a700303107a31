#!/usr/bin/python3
"""STAND-IN for uvicorn in the orthanc-auth-service stand-in: NOT uvicorn. Accepts the upstream
image's command line, `uvicorn app:app --host H --port P`, imports `app` from the current
directory (the image's WORKDIR, as uvicorn does) and runs its stand-in HTTP server. Any other
option is refused (exit 2)."""

import importlib
import os
import sys


def main(argv):
    spec, host, port, i = None, "127.0.0.1", 8000, 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--host", "--port") and i + 1 < len(argv):
            if arg == "--host":
                host = argv[i + 1]
            else:
                port = int(argv[i + 1])
            i += 2
        elif not arg.startswith("-") and spec is None:
            spec, i = arg, i + 1
        else:
            print(f"stand-in uvicorn: option {arg!r} is not reproduced", file=sys.stderr)
            return 2
    module, _, attribute = (spec or "").partition(":")
    if not module or not attribute:
        print('Error loading ASGI app. Import string must be in format "<module>:<attribute>".', file=sys.stderr)
        return 1
    sys.path.insert(0, os.getcwd())
    try:
        app = getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError:
        print(f'Error loading ASGI app. Could not import module "{module}".', file=sys.stderr)
        return 1
    print(f"INFO:     stand-in uvicorn: serving {spec} on http://{host}:{port}", flush=True)
    app.serve(host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
