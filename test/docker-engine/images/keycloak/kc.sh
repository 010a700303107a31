#!/bin/bash
# STAND-IN for Keycloak's kc.sh (the upstream one starts Keycloak on a JVM). This one starts the
# stand-in server (see README.md): NOT Keycloak. Same arguments: `start --import-realm`.
exec /usr/bin/python3 -u /opt/keycloak/standin/keycloak_standin.py "$@"
