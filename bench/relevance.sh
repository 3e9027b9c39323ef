#!/usr/bin/env bash
# Search relevance of the demo knowledge base (313 articles) against bench/relevance/
# (278 queries in Chinese and English): MRR@10 and recall@5 for the full analysis and
# for jieba words alone and single characters alone. Prints the table BENCHMARKS.md
# quotes and writes it to bench/relevance/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
KEFU_RELEVANCE_REPORT="$PWD/bench/relevance/report.md" \
  cargo test -p kefu --test it relevance_of_the_demo_knowledge_base -- --nocapture 2>&1 |
  sed -n '/^| analysis/,/^test result/p'
