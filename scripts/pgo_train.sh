#!/usr/bin/env bash
# Trains the GCC profile the release binary is compiled with (CMakeLists.txt, NAAP_PGO): builds an
# instrumented naap in DIR/gen and runs the bulk path it is tuned for, three simulated hours
# ingested into a fresh SQLite store and then rebuilt, which writes DIR/profile. Does nothing when
# DIR/profile is already trained; remove DIR to train again (for example after large changes).
# Usage: scripts/pgo_train.sh DIR [JOBS]
set -euo pipefail
dir=$(realpath -m "$1")
jobs=${2:-2}
[ -f "$dir/profile/.trained" ] && exit 0
echo "pgo: building an instrumented naap in $dir/gen and training it"
rm -rf "$dir/profile" "$dir/run"
cmake -S "$(dirname "$0")/.." -B "$dir/gen" -DCMAKE_BUILD_TYPE=Release -DNAAP_PGO=generate \
      -DNAAP_PGO_DIR="$dir/profile" >/dev/null
cmake --build "$dir/gen" -j"$jobs" --target naap >"$dir/gen.log" 2>&1 || {
  tail -n 40 "$dir/gen.log"
  exit 1
}
mkdir -p "$dir/run"
naap="$dir/gen/naap"
"$naap" simulate --hours 3 --seed 11 --start 2026-01-01T00:00:00Z --out "$dir/run/sim.ndjson"
"$naap" ingest --store "sqlite:$dir/run/store.db" --json "$dir/run/sim.ndjson" >/dev/null
"$naap" rebuild --store "sqlite:$dir/run/store.db" >/dev/null
rm -rf "$dir/run"
touch "$dir/profile/.trained"
