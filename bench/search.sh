#!/usr/bin/env bash
# The search benchmark: TTDZ's search and the anchor (jieba + rank-bm25) on the same known-item queries over the
# patents corpus. Usage: bench/search.sh [PATENTS.jsonl]  (default: ../shared/data/reference/patents-zh/patents.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/data/reference/patents-zh/patents.jsonl}"
out="target/search-bench"
mkdir -p "$out"
cargo run --release -q -p ttdz-search --example search_bench -- "$corpus" "$out/queries.tsv"
# The anchor runs in its own virtual environment, from PyPI.
if [ ! -x "$out/venv/bin/python" ]; then
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q jieba rank-bm25
fi
"$out/venv/bin/python" bench/search_anchor.py "$corpus" "$out/queries.tsv"
