#!/usr/bin/env bash
# Search relevance, MRR@10 and recall@5, for the full analysis, the same without
# synonyms, jieba words alone and single characters alone, on two collections:
# - the demo knowledge base (313 articles) asked bench/relevance/queries_*.json (278
#   queries in Chinese and English): the set the analysis was developed against;
# - bench/relevance/heldout/ (102 articles of a mobile carrier and an airline, 179
#   queries), written by another author who read neither the search code nor the demo
#   queries: how the analysis does on a help center it was not tuned on.
# Prints the tables BENCHMARKS.md quotes and writes them to bench/relevance/report.md and
# bench/relevance/heldout/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KEFU_RELEVANCE_REPORT="$PWD/bench/relevance/report.md" \
KEFU_RELEVANCE_HELDOUT_REPORT="$PWD/bench/relevance/heldout/report.md" \
  cargo test -p kefu --test it relevance_of_ -- --nocapture --test-threads 1 2>&1 |
  sed -n '/^| analysis/,/^test /p'
