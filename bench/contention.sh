#!/usr/bin/env bash
# Benchmark: does a big import through one process hold up another zone's annual-report save through a server on
# the same PostgreSQL database?
#
#   bench/contention.sh [ROWS] [PG_ADMIN_URL]   (defaults: 10000000 contracts; postgres://postgres@127.0.0.1:5432/postgres)
#
# Creates a database of its own (dropped at the end), serves it, and while `ttdz import contracts` writes a
# registry-shaped file of ROWS contracts through a second process, saves 浙江's 2026 report draft through the server
# every 50 ms (each save based on the version the previous one answered). Prints the import's time and the
# report saves' latencies while the import ran: the median, the 99th percentile and the longest.
set -euo pipefail
rows=${1:-10000000}
admin=${2:-postgres://postgres@127.0.0.1:5432/postgres}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ttdz
bin=$PWD/target/release/ttdz
work=$(mktemp -d)
db="ttdz_bench_$$"
psql "$admin" -qAt -c "CREATE DATABASE $db" >/dev/null
url="${admin%/*}/$db"
port=$((20000 + RANDOM % 20000))
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  psql "$admin" -qAt -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" --database-url "$url" --log warn migrate >/dev/null
"$bin" --database-url "$url" --log warn demo contracts --rows "$rows" --out "$work/contracts.csv" >/dev/null
echo 'zhejiang-pass-2026' | "$bin" --database-url "$url" --log warn user add --username zhejiang --role province \
  --province 330000 --password-stdin >/dev/null
"$bin" --database-url "$url" --log warn serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$base/api/v1/health" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"zhejiang","password":"zhejiang-pass-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

/usr/bin/time -f "%e" -o "$work/import.time" "$bin" --database-url "$url" --log warn import contracts \
  "$work/contracts.csv" >/dev/null &
import=$!
version=0
: >"$work/latencies"
while kill -0 "$import" 2>/dev/null; do
  answer=$(curl -s -w '\n%{time_total}' -X PUT "$base/api/v1/zones/zhejiang/values/2026" \
    -H "authorization: Bearer $token" -H "if-match: \"$version\"" -H 'content-type: application/json' \
    -d "{\"values\": [{\"element\": \"tech_brokers\", \"division_code\": \"330100\", \"value\": $version}]}")
  version=$(echo "$answer" | head -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
  echo "$answer" | tail -n1 >>"$work/latencies"
  sleep 0.05
done
wait "$import"
echo "machine: $(nproc) cores; PostgreSQL $(psql "$admin" -qAt -c 'SHOW server_version')"
echo "import of $rows contracts: $(cat "$work/import.time") s"
python3 - "$work/latencies" <<'PY'
import sys
xs = sorted(float(l) * 1000 for l in open(sys.argv[1]) if l.strip())
pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
print(f"{len(xs)} report saves during the import: median {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, longest {xs[-1]:.1f} ms")
PY
