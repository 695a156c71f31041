#!/usr/bin/env bash
# Benchmark: does registering a technology contract stay as fast when the year already holds many registered
# contracts? Each registration moves the year's batch `registry:live:YEAR` by its own contract's part.
#
#   bench/registration.sh [CONTRACTS] [DATABASE_URL] [REGISTRY_ROWS]   (defaults: 20000; a fresh SQLite file;
#                                                                       1000000)
#
# Imports a national registry's file of REGISTRY_ROWS contracts of 2025-2026 (`ttdz demo contracts`: about a year of
# the nation's contracts), whose numbers every registration is checked against, and serves the database. Then
# through the API it files and registers CONTRACTS contracts sold by 南京's counties to
# buyers in 40 counties across five provinces (every type, amounts over three orders of magnitude), one after the
# other. Prints the registration latencies (the register call alone) of the first and the last thousand: the
# median, the 99th percentile and the longest.
set -euo pipefail
contracts=${1:-20000}
url=${2:-}
registry_rows=${3:-1000000}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ttdz
bin=$PWD/target/release/ttdz
work=$(mktemp -d)
[ -n "$url" ] || url="sqlite:$work/bench.sqlite3"
port=$((20000 + RANDOM % 20000))
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ttdz() { "$bin" --data-dir "$work" --database-url "$url" --log warn "$@"; }

ttdz migrate >/dev/null
echo 'seller-pass-2026' | ttdz user add --username bench-seller --role institution --division 320100 --password-stdin >/dev/null
echo 'registrar-pass-2026' | ttdz user add --username bench-registrar --role registrar --division 320100 --password-stdin >/dev/null
if [ "$registry_rows" -gt 0 ]; then
  ttdz demo contracts --rows "$registry_rows" --years 2025-2026 --out "$work/registry.csv" >/dev/null
  ttdz import contracts "$work/registry.csv"
fi
ttdz serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.2; done

python3 - "$port" "$contracts" <<'PY'
import http.client, json, random, sys, time
port, total = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None
login = lambda u, p: call("POST", "/api/v1/auth/login", {"username": u, "password": p})["token"]
seller, registrar = login("bench-seller", "seller-pass-2026"), login("bench-registrar", "registrar-pass-2026")
rng = random.Random(7)
sellers = ["320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116", "320117", "320118"]
buyers = ["320205", "320206", "320211", "320213", "320214", "320281", "320282", "320505", "320506", "320507",
          "320508", "320509", "320581", "320582", "320583", "320585", "330102", "330105", "330106", "330108",
          "330109", "330110", "330111", "330212", "330213", "310101", "310104", "310105", "310106", "310107",
          "310112", "310115", "340102", "340103", "340104", "340111", "370102", "370103", "370104", "370112"]
types = ["技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"]
latencies = []
for n in range(total):
    turnover = round(rng.lognormvariate(12, 1.5), 2)
    filed = call("POST", "/api/v1/contracts", {
        "contract_type": rng.choice(types), "seller_division": rng.choice(sellers), "buyer_division": rng.choice(buyers),
        "seller_kind": rng.choice(["高校", "科研院所", "企业"]), "field": "电子信息", "signed_on": "2026-01-05",
        "turnover_yuan": f"{turnover:.2f}", "tech_amount_yuan": f"{turnover * 0.8:.2f}",
    }, seller)
    started = time.perf_counter()
    call("POST", f"/api/v1/contracts/{filed['id']}/register", {}, registrar)
    latencies.append((time.perf_counter() - started) * 1000)
def show(label, xs):
    xs = sorted(xs)
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
    print(f"{label}: p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {xs[-1]:.1f} ms")
window = min(1000, total // 2)
show(f"registrations 1-{window}", latencies[:window])
show(f"registrations {total - window + 1}-{total}", latencies[-window:])
PY
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); database: ${url%%:*}"
