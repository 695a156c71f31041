#!/usr/bin/env bash
# Benchmark: a synthetic technology-contracts file imported from a cold data dir to queryable indicators.
#
#   bench/contracts.sh [ROWS] [RUNS]      (defaults: 10000000 rows, about 1.0 GB; 3 runs)
#
# Reports, per run, the wall time and peak memory (GNU time) of `ttdz import contracts` on an empty data dir
# (which creates and migrates the database first), then the time of `ttdz indicators` over the result. Where
# python3 can import duckdb, it also times DuckDB on the same file (typed read_csv, then GROUP BY seller city,
# year and type with count and sums), with 2 threads, as the anchor. Run it by hand on an idle machine.
set -euo pipefail
rows=${1:-10000000}
runs=${2:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ttdz
bin=$PWD/target/release/ttdz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/contracts.csv

"$bin" --data-dir "$work/gen" --log warn demo contracts --rows "$rows" --out "$file" >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); file: $(du -h "$file" | cut -f1), $rows rows"

for run in $(seq "$runs"); do
  rm -rf "$work/data"
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --data-dir "$work/data" --log warn import contracts "$file" >/dev/null
  read -r seconds peak_kb <"$work/time"
  /usr/bin/time -f "%e" -o "$work/query" "$bin" --data-dir "$work/data" --log warn indicators --format csv >/dev/null
  echo "run $run: import ${seconds} s, peak $((peak_kb / 1024)) MiB; indicators for every zone and year $(cat "$work/query") s"
done

if python3 -c 'import duckdb' 2>/dev/null; then
  python3 - "$file" <<'PY'
import sys, time, duckdb
path = sys.argv[1]
best = None
for _ in range(3):
    con = duckdb.connect()
    con.execute("SET threads = 2")
    start = time.time()
    con.execute(f"""
      SELECT substr(seller_division, 1, 4), year(registered_on), contract_type, count(*), sum(turnover_yuan), sum(tech_amount_yuan)
      FROM read_csv('{path}', header = true, columns = {{
        'contract_no': 'VARCHAR', 'registered_on': 'DATE', 'contract_type': 'VARCHAR', 'seller_division': 'VARCHAR',
        'buyer_division': 'VARCHAR', 'seller_kind': 'VARCHAR', 'field': 'VARCHAR',
        'turnover_yuan': 'DECIMAL(18,2)', 'tech_amount_yuan': 'DECIMAL(18,2)'}})
      GROUP BY ALL""").fetchall()
    elapsed = time.time() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"duckdb {duckdb.__version__} anchor (best of 3): {best:.2f} s")
PY
else
  echo "duckdb anchor skipped: python3 cannot import duckdb (pip install duckdb to compare)"
fi
