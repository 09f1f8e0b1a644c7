#!/usr/bin/env bash
# Installs the Debian 12 packages naap needs to build and test. Idempotent: installs only what is
# missing, so a second run is quick. Run as root (CI and the dev machines are root).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache git
  libsimdjson-dev libxxhash-dev libzstd-dev zstd zlib1g-dev libssl-dev libsqlite3-dev sqlite3
  libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev time
  libboost1.81-dev python3-yaml prometheus wrk librdkafka-dev kcat libmimalloc-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Swagger UI for /docs (src/api/docs.cmake embeds it): the pinned swagger-ui-dist of
# web/swagger/package-lock.json.
swagger_dir="$(cd "$(dirname "$0")/.." && pwd)/web/swagger"
if [ ! -f "$swagger_dir/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ]; then
  echo "setup: installing swagger-ui-dist (npm ci in web/swagger)"
  (cd "$swagger_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
