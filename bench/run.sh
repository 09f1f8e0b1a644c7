#!/usr/bin/env bash
# Ingest benchmark (docs/benchmarks.md): `naap ingest` of a simulated file into a fresh SQLite
# store vs. a plain simdjson DOM parse of the same file, in the same run, both pinned to one core.
# Usage: bench/run.sh [BUILD_DIR]   (BENCH_HOURS=5 gives ≈1M events at today's volume)
set -euo pipefail
build=${1:-build}
hours=${BENCH_HOURS:-5}
out=bench/out
mkdir -p "$out"
naap="$build/naap"
file="$out/sim-${hours}h.ndjson"

if [ ! -s "$file" ]; then
  "$naap" simulate --hours "$hours" --seed 42 --start 2026-01-01T00:00:00Z --out "$file" --truth "$file.truth"
fi
events=$(wc -l < "$file")
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null  # warm the page cache for both runs

measure() {  # measure NAME CMD...: wall seconds and peak RSS (KiB) of one run on core 0
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$out/$name.rss" taskset -c 0 "$@" > "$out/$name.out"
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}' > "$out/$name.secs"
}

measure plain "$build/bench/plain_parse" "$file"
rm -f "$out"/bench.db*
measure ingest "$naap" ingest --store "sqlite:$out/bench.db" --json "$file"

plain_s=$(cat "$out/plain.secs"); ingest_s=$(cat "$out/ingest.secs")
awk -v e="$events" -v b="$bytes" -v p="$plain_s" -v i="$ingest_s" \
    -v pm="$(cat "$out/plain.rss")" -v im="$(cat "$out/ingest.rss")" 'BEGIN {
  printf "file: %d events, %.1f MB\n", e, b / 1e6
  printf "| run | seconds | events/s | MB/s | peak RSS MiB |\n|---|---|---|---|---|\n"
  printf "| plain simdjson DOM parse | %.2f | %.0f | %.1f | %.0f |\n", p, e / p, b / 1e6 / p, pm / 1024
  printf "| naap ingest (sqlite) | %.2f | %.0f | %.1f | %.0f |\n", i, e / i, b / 1e6 / i, im / 1024
  printf "ratio (ingest rate / plain-parse rate): %.3f\n", p / i
}'
echo "ingest summary: $(tail -n 1 "$out/ingest.out")"
