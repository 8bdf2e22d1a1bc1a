#!/bin/sh
# test-no-schema.sh APP APP_ID: alexnet-studio run where no settings schema can be found (an
# uninstalled build run as it is) must exit with status 1 and a message naming the schema and
# "meson devenv", not abort in GSettings (SIGTRAP or SIGABRT, status 133 or 134).
set -u
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
status=0
GSETTINGS_SCHEMA_DIR=$empty XDG_DATA_DIRS=$empty XDG_DATA_HOME=$empty \
  "$1" >"$empty/out" 2>&1 || status=$?
cat "$empty/out"
if [ "$status" -ne 1 ]; then
  echo "exit status $status, expected 1"
  exit 1
fi
grep -q "settings schema “$2” is not installed" "$empty/out" || { echo "no schema named"; exit 1; }
grep -q "meson devenv" "$empty/out" || { echo "no hint at meson devenv"; exit 1; }
echo "clean exit without the schema"
