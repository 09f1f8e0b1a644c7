#!/usr/bin/env bash
# API benchmark (docs/benchmarks.md, issue 4): `naap serve` holding a simulated period, loaded
# with wrk at a fixed concurrency, one route at a time; each route's requests/s and p50/p99 are
# reported next to /healthz on the same server in the same run (the server's own floor). Each
# route's first request is timed on its own (`first_ms`: after the restart its store pages may
# still be on disk, not in the page cache) before wrk measures the steady state.
# Usage: bench/api.sh [BUILD_DIR] [HOURS] [SCALE]   (defaults: build, 168 h, scale 1 = a week at
# today's volume; the store is kept in bench/out/api-<hours>h-<scale>.db and reused)
set -euo pipefail
build=${1:-build}
hours=${2:-168}
scale=${3:-1}
out=bench/out
mkdir -p "$out"
naap="$build/naap"
db="$out/api-${hours}h-${scale}.db"
port=${NAAP_BENCH_PORT:-8377}
duration=${NAAP_BENCH_SECONDS:-5}
connections=8

if [ ! -s "$db" ]; then
  # Ends at the current hour so the default 24 h windows select the newest day of data.
  start=$(date -u -d "@$(( $(date +%s) / 3600 * 3600 - hours * 3600 ))" +%Y-%m-%dT%H:00:00Z)
  "$naap" simulate --hours "$hours" --scale "$scale" --seed 11 --start "$start" --out - |
    "$naap" ingest --store "sqlite:$db" --json - > "$out/api-ingest.out"
fi

t0=$(date +%s.%N)
"$naap" serve --store "sqlite:$db" --listen "127.0.0.1:$port" --rate-limit-rps 0 \
  > "$out/api-serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.5; done
echo "serve ready in $(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}') s (facts restored from the raw log)"

# route group | path (default window: the last 24 h)
routes=(
  "floor|/healthz"
  "A|/v1/dashboard/kpi"
  "A|/v1/dashboard/pipelines"
  "A|/v1/dashboard/orchestrators"
  "A|/v1/dashboard/gpu-capacity"
  "A|/v1/streaming/models"
  "A|/v1/streaming/sla"
  "A|/v1/streaming/demand"
  "A|/v1/requests/models"
  "A|/v1/discover/orchestrators"
  "B|/v1/net/summary"
  "B|/v1/net/orchestrators"
  "B|/v1/net/models"
  "B|/v1/streams/summary"
  "B|/v1/perf/fps"
  "B|/v1/payments/summary"
  "B|/v1/reliability/summary"
  "B|/v1/leaderboard"
  "B|/v1/sla/compliance"
  "B|/v1/network/demand"
  "B|/v1/gpu/metrics"
  "B|/v1/streams/samples"
  "C|/v1/quality"
)
printf '%-5s %-32s %10s %10s %10s %10s %8s\n' group route first_ms req/s p50_ms p99_ms p99/floor
floor_p99=""
for entry in "${routes[@]}"; do
  group=${entry%%|*}
  path=${entry#*|}
  first=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port$path" |
          awk '{printf "%.3f", $1 * 1000}')
  wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$path" > "$out/wrk.txt"
  read -r rps p50 p99 < <(awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%s %.3f %.3f\n", rps, p50, p99 }' "$out/wrk.txt")
  if grep -q "Non-2xx" "$out/wrk.txt"; then echo "warning: $path answered non-2xx" >&2; fi
  [ -n "$floor_p99" ] || floor_p99=$p99
  printf '%-5s %-32s %10.3f %10.0f %10.3f %10.3f %8.1f\n' "$group" "$path" "$first" "$rps" \
    "$p50" "$p99" \
    "$(awk -v a="$p99" -v b="$floor_p99" 'BEGIN { print a / b }')"
done
echo "wrk -t1 -c$connections -d${duration}s per route; server: naap serve on $(nproc) cores, same machine"
