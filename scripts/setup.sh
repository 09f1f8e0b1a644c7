#!/usr/bin/env bash
# Installs the Debian 12 packages naap needs to build and test. Idempotent: installs only what is
# missing, so a second run is quick. Run as root (CI and the dev machines are root).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  libsimdjson-dev libxxhash-dev libzstd-dev zstd zlib1g-dev libssl-dev libsqlite3-dev sqlite3
  libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev time
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
