#!/usr/bin/env bash
# Benchmark: a technology-contracts file shaped like a national registry, imported into a fresh database until the
# indicators can be queried.
#
#   bench/contracts.sh [ROWS] [RUNS]      (defaults: 10000000 rows, about 1.0 GB; 3 runs)
#
# The file comes from `ttdz demo contracts`: sellers and buyers over every county-level unit of the country
# (2,975 counties and the cities without counties), concentrated in a few hubs with a long tail, every contract type,
# field and seller kind, six years (2019-2024). Per run it reports the wall time and peak memory (GNU time) of
# `ttdz import contracts` into a freshly migrated data dir (every row checked, duplicates found exactly, the
# roll-up and every contract number stored in one transaction), then the time of `ttdz indicators` over the result,
# the number of roll-up groups (seller and buyer side, per county, year and contract type) and the size of the kept
# numbers.
#
# Where python3 can import duckdb (pip install duckdb), it times DuckDB on the same file as the anchor: a typed
# read_csv and the same roll-up (GROUP BY county, year and type, on the seller and on the buyer side), with as many
# threads as TTDZ uses, best of three. Run it by hand on an idle machine.
set -euo pipefail
rows=${1:-10000000}
runs=${2:-3}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ttdz
bin=$PWD/target/release/ttdz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/contracts.csv

"$bin" --data-dir "$work/gen" --log warn migrate >/dev/null
"$bin" --data-dir "$work/gen" --log warn demo contracts --rows "$rows" --out "$file" >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "file: $(du -h "$file" | cut -f1), $rows rows"

for run in $(seq "$runs"); do
  rm -rf "$work/data"
  "$bin" --data-dir "$work/data" --log warn migrate >/dev/null
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --data-dir "$work/data" --log warn import contracts "$file" >/dev/null
  read -r seconds peak_kb <"$work/time"
  /usr/bin/time -f "%e" -o "$work/query" "$bin" --data-dir "$work/data" --log warn indicators --format csv >/dev/null
  read -r groups kept kept_mib < <(python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
groups = db.execute('SELECT count(*) FROM contract_rollups').fetchone()[0]
rows, size = db.execute('SELECT count(*), coalesce(sum(length(numbers)), 0) FROM contract_numbers').fetchone()
print(groups, rows, size // 1048576)" "$work/data/ttdz.sqlite3")
  echo "run $run: import ${seconds} s, peak $((peak_kb / 1024)) MiB, $groups roll-up groups, numbers kept in $kept groups ($kept_mib MiB); indicators for every zone and year $(cat "$work/query") s"
done

if python3 -c 'import duckdb' 2>/dev/null; then
  python3 - "$file" "$(nproc)" <<'PY'
import sys, time, duckdb
path, threads = sys.argv[1], int(sys.argv[2])
best = None
for _ in range(3):
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    start = time.time()
    groups = con.execute(f"""
      WITH c AS (SELECT * FROM read_csv('{path}', header = true, columns = {{
        'contract_no': 'VARCHAR', 'registered_on': 'DATE', 'contract_type': 'VARCHAR', 'seller_division': 'VARCHAR',
        'buyer_division': 'VARCHAR', 'seller_kind': 'VARCHAR', 'field': 'VARCHAR',
        'turnover_yuan': 'DECIMAL(18,2)', 'tech_amount_yuan': 'DECIMAL(18,2)'}}))
      SELECT 'seller', seller_division, year(registered_on), contract_type, count(*), sum(turnover_yuan),
             sum(tech_amount_yuan) FROM c GROUP BY ALL
      UNION ALL
      SELECT 'buyer', buyer_division, year(registered_on), contract_type, count(*), sum(turnover_yuan),
             sum(tech_amount_yuan) FROM c GROUP BY ALL""").fetchall()
    elapsed = time.time() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"duckdb {duckdb.__version__} anchor, {threads} threads, {len(groups)} groups (best of 3): {best:.2f} s")
PY
else
  echo "duckdb anchor skipped: python3 cannot import duckdb (pip install duckdb to compare)"
fi
