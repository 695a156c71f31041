#!/usr/bin/env bash
# Benchmark: the public indicator routes after an import of about a million division values.
#
#   bench/reads.sh [VALUES] [SECONDS]      (defaults: 1000000 values; 10 s of load per route)
#
# Builds the release binary, serves a fresh data dir, and imports a values file shaped like a year-end collection:
# every county-level unit of the country, every division-level data element of the dictionary, as many years back
# from 2024 as make up VALUES (amounts drawn per element around plausible magnitudes, seeded). Then, after one
# request per route (the first one after a change computes the figures and keeps them until the data change
# again), it loads each route with wrk (2 threads, 8 connections) and prints the latency percentiles: national,
# a zone (江苏·苏南, five cities) and a province. Client and server share the 2 cores. Needs python3 and wrk.
set -euo pipefail
values=${1:-1000000}
seconds=${2:-10}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }
cargo build --release --quiet -p ttdz
bin=$PWD/target/release/ttdz
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$bin" --data-dir "$work/data" --log warn serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/api/v1/health" >/dev/null && break; sleep 0.2; done
curl -sf "$base/api/v1/elements" >"$work/elements.json"

python3 - "$work/elements.json" data/divisions/2023/areas.csv "$values" "$work/values.csv" <<'PY'
import csv, json, random, sys
elements = [e["code"] for e in json.load(open(sys.argv[1])) if e["scope"] == "division"]
units = [row["code"] for row in csv.DictReader(open(sys.argv[2], encoding="utf-8"))]
target = int(sys.argv[3])
years = max(1, -(-target // (len(units) * len(elements))))
rng = random.Random(2024)
scale = {e: 10 ** rng.randint(2, 9) for e in elements}
with open(sys.argv[4], "w", encoding="utf-8") as out:
    out.write("division_code,year,element,value\n")
    n = 0
    for year in range(2024 - years + 1, 2025):
        for e in elements:
            for u in units:
                if n == target:
                    break
                out.write(f"{u},{year},{e},{round(scale[e] * rng.lognormvariate(0, 1), 2)}\n")
                n += 1
print(f"{n} values: {len(units)} units x {len(elements)} elements x {years} years", file=sys.stderr)
PY
/usr/bin/time -f "import: %e s, peak %M KB" "$bin" --data-dir "$work/data" --log warn import values "$work/values.csv" >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
for route in "/api/v1/national/indicators?year=2024" "/api/v1/zones/jiangsu-sunan/indicators?year=2024" \
             "/api/v1/divisions/320000/indicators?year=2024"; do
  first=$(curl -s -o /dev/null -w "%{time_total}" "$base$route")
  echo "$route: first request after the import ${first} s"
  wrk -t2 -c8 -d"${seconds}s" --latency "$base$route" | grep -E "Requests/sec|^ +(50|90|99)%"
done
