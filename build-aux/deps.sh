#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the default dataset need, when any is
# missing. Idempotent and quiet; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libcairo2-dev
  libpng-dev zlib1g-dev libjpeg-dev libgdk-pixbuf-2.0-dev webp-pixbuf-loader libopenblas-dev libblas-dev libjson-glib-dev libdnnl-dev
  dataset-fashion-mnist
  gettext desktop-file-utils appstream
  xvfb xauth dbus
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
