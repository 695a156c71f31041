"""The anchor of the search benchmark: what people build first. jieba's search-mode tokens of each abstract, ranked
by rank-bm25's BM25Okapi (default parameters), top 10, for the queries `search_bench` wrote (set, target id, query).
Prints MRR@10 and recall@10 per set, as search_bench does for TTDZ.

    python3 bench/search_anchor.py PATENTS.jsonl QUERIES.tsv
"""
import json
import sys

import jieba
from rank_bm25 import BM25Okapi


def tokens(text):
    return [t for t in jieba.cut_for_search(text) if t.strip()]


def main(corpus_path, queries_path):
    jieba.setLogLevel(60)
    ids, corpus = [], []
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            ids.append(record["id"])
            corpus.append(tokens(record.get("abstract") or ""))
    bm25 = BM25Okapi(corpus)
    by_set = {}
    with open(queries_path, encoding="utf-8") as f:
        for line in f:
            query_set, target, query = line.rstrip("\n").split("\t")
            scores = bm25.get_scores(tokens(query))
            top = sorted(range(len(ids)), key=lambda i: -scores[i])[:10]
            ranked = [ids[i] for i in top]
            hit = ranked.index(target) + 1 if target in ranked else None
            stats = by_set.setdefault(query_set, [0, 0.0, 0])
            stats[0] += 1
            if hit:
                stats[1] += 1.0 / hit
                stats[2] += 1
    for query_set, (n, reciprocal, found) in sorted(by_set.items()):
        print(f"anchor {query_set}: {n} queries, MRR@10 {reciprocal / n:.3f}, recall@10 {found / n:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
