#!/usr/bin/env bash
# Analytics benchmarks (docs/benchmarks.md, issue 3):
#  1. end-to-end ingest (decode → serving tables) of a simulated day (≈5.1M events) into a fresh
#     SQLite store vs. a plain simdjson parse of the same file, same run, both on one core;
#  2. a simulated week at today's volume (≈35M events) generated and piped straight into ingest
#     (both cores: simulator and naap run side by side), wall time and naap's peak memory;
#  3. `naap rebuild` of that week's store from its raw log;
#  4. a restart on that store (`naap ingest` of nothing): from the checkpoint the week's run wrote,
#     then with the checkpoint dropped (a replay of the whole raw log);
#  5. a backfill: six simulated days (0.05 of today's volume) ingested after the two days that
#     follow them, vs. one run of the same two files in order into a fresh store, same tables;
#  6. every day late: twenty simulated days (0.02 of today's volume) split into their UTC days and
#     ingested newest day first, one run a day, vs. one run of the whole file; the tables that
#     differ (api_observed_byoc_worker may: docs/decisions.md, the re-drain exception).
# Usage: bench/analytics.sh [BUILD_DIR] [which: e2e|week|backfill|newest-first|all]
#        (week needs ~25 GB of disk)
set -euo pipefail
build=${1:-build}
which=${2:-all}
out=bench/out
mkdir -p "$out"
naap="$build/naap"

timed() {  # timed NAME CMD...: wall seconds and peak RSS (KiB) of one command
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$out/$name.rss" "$@" > "$out/$name.out"
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}' > "$out/$name.secs"
}

if [ "$which" = e2e ] || [ "$which" = all ]; then
  file="$out/sim-24h.ndjson"
  [ -s "$file" ] || "$naap" simulate --hours 24 --seed 42 --start 2026-01-01T00:00:00Z --out "$file"
  events=$(wc -l < "$file")
  cat "$file" > /dev/null
  # The plain parse runs before and after the ingest, and the ratio uses their mean: the shared
  # machine's speed drifts over the minute the ingest takes.
  timed plain taskset -c 0 "$build/bench/plain_parse" "$file"
  rm -f "$out"/e2e.db*
  timed e2e taskset -c 0 "$naap" ingest --store "sqlite:$out/e2e.db" --json "$file"
  timed plain2 taskset -c 0 "$build/bench/plain_parse" "$file"
  awk -v e="$events" -v p1="$(cat "$out/plain.secs")" -v p2="$(cat "$out/plain2.secs")" \
      -v i="$(cat "$out/e2e.secs")" -v pm="$(cat "$out/plain.rss")" -v im="$(cat "$out/e2e.rss")" 'BEGIN {
    p = (p1 + p2) / 2
    printf "e2e: %d events; plain parse %.2f s (%.2f before, %.2f after; %.0f ev/s, %.0f MiB); ingest %.2f s (%.0f ev/s, %.0f MiB); ratio %.3f\n",
      e, p, p1, p2, e / p, pm / 1024, i, e / i, im / 1024, p / i }'
fi

if [ "$which" = week ] || [ "$which" = all ]; then
  rm -f "$out"/week.db*
  t0=$(date +%s.%N)
  "$naap" simulate --hours 168 --seed 7 --start 2026-01-01T00:00:00Z --out - |
    /usr/bin/time -f '%M' -o "$out/week.rss" "$naap" ingest --store "sqlite:$out/week.db" --json - > "$out/week.out"
  t1=$(date +%s.%N)
  echo "week: $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') s wall, naap peak RSS $(( $(cat "$out/week.rss") / 1024 )) MiB"
  echo "week summary: $(tail -n 1 "$out/week.out")"
  "$naap" checksum --store "sqlite:$out/week.db" > "$out/week.checksum"
  : > "$out/nothing.ndjson"
  restart() {  # restart NAME: naap ingest of nothing into the week's store, and its restore line
    /usr/bin/time -f '%e s, peak RSS %M KiB' -o "$out/$1.time" \
      "$naap" ingest --store "sqlite:$out/week.db" "$out/nothing.ndjson" > /dev/null 2> "$out/$1.err"
    echo "$1: $(grep -o 'restored.*' "$out/$1.err"); whole run $(cat "$out/$1.time")"
  }
  restart restart
  sqlite3 "$out/week.db" "DELETE FROM checkpoint_parts;
                          DELETE FROM store_meta WHERE name = 'checkpoint_covers_seq'"
  restart replay
  timed rebuild "$naap" rebuild --store "sqlite:$out/week.db"
  "$naap" checksum --store "sqlite:$out/week.db" > "$out/week.rebuilt.checksum"
  echo "rebuild: $(cat "$out/rebuild.secs") s, peak RSS $(( $(cat "$out/rebuild.rss") / 1024 )) MiB," \
       "checksums $(cmp -s "$out/week.checksum" "$out/week.rebuilt.checksum" && echo identical || echo DIFFER)"
fi

if [ "$which" = backfill ] || [ "$which" = all ]; then
  old="$out/backfill-old.ndjson" new="$out/backfill-new.ndjson"
  [ -s "$old" ] || "$naap" simulate --hours 144 --seed 20 --scale 0.05 \
                      --start 2026-03-01T00:00:00Z --out "$old" 2> /dev/null
  [ -s "$new" ] || "$naap" simulate --hours 48 --seed 21 --scale 0.05 \
                      --start 2026-03-07T00:00:00Z --out "$new" 2> /dev/null
  cat "$old" "$new" > /dev/null
  rm -f "$out"/inorder.db* "$out"/backfill.db*
  timed inorder "$naap" ingest --store "sqlite:$out/inorder.db" "$old" "$new"
  timed newer "$naap" ingest --store "sqlite:$out/backfill.db" "$new"
  timed backfill "$naap" ingest --store "sqlite:$out/backfill.db" "$old"
  "$naap" checksum --store "sqlite:$out/inorder.db" > "$out/inorder.checksum"
  "$naap" checksum --store "sqlite:$out/backfill.db" > "$out/backfill.checksum"
  awk -v i="$(cat "$out/inorder.secs")" -v n="$(cat "$out/newer.secs")" \
      -v b="$(cat "$out/backfill.secs")" -v im="$(cat "$out/inorder.rss")" \
      -v bm="$(cat "$out/backfill.rss")" 'BEGIN {
    printf "backfill: in order %.2f s (%.0f MiB); newer days %.2f s, then the older %.2f s (%.0f MiB); ratio %.2f\n",
      i, im / 1024, n, b, bm / 1024, i / (n + b) }'
  echo "backfill checksums: $(cmp -s "$out/inorder.checksum" "$out/backfill.checksum" && echo identical || echo DIFFER)"
fi

if [ "$which" = newest-first ] || [ "$which" = all ]; then
  file="$out/days20.ndjson" days="$out/days20"
  [ -s "$file" ] || "$naap" simulate --hours 480 --seed 20 --scale 0.02 \
                       --start 2026-02-01T00:00:00Z --out "$file" 2> /dev/null
  rm -rf "$days" "$out"/days20-*.db* && mkdir -p "$days"
  # A line's day is that of its first "timestamp" (epoch ms); a line without one inside the 20
  # days (the simulator's malformed and out-of-range events) goes with the first day.
  awk -v dir="$days" '{
    day = 0
    if (match($0, /"timestamp":"?[0-9]+/)) {
      ts = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", ts)
      day = int(ts / 86400000) - 20485
      if (day < 0 || day > 19) day = 0
    }
    print > (dir "/" day ".ndjson")
  }' "$file"
  timed days20-one "$naap" ingest --store "sqlite:$out/days20-one.db" "$file"
  t0=$(date +%s.%N) peak=0
  for day in $(seq 19 -1 0); do
    timed days20-run "$naap" ingest --store "sqlite:$out/days20-late.db" "$days/$day.ndjson"
    peak=$(( $(cat "$out/days20-run.rss") > peak ? $(cat "$out/days20-run.rss") : peak ))
  done
  t1=$(date +%s.%N)
  "$naap" checksum --store "sqlite:$out/days20-one.db" > "$out/days20-one.checksum"
  "$naap" checksum --store "sqlite:$out/days20-late.db" > "$out/days20-late.checksum"
  echo "newest first: one run $(cat "$out/days20-one.secs") s ($(( $(cat "$out/days20-one.rss") / 1024 )) MiB);" \
       "a day a run, newest first $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') s ($(( peak / 1024 )) MiB)"
  echo "newest first, tables that differ: $(diff "$out/days20-one.checksum" "$out/days20-late.checksum" |
                                           awk '/^>/ { printf "%s ", $2 }')"
fi
