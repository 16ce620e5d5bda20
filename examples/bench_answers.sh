#!/usr/bin/env bash
# Retrieval and answer quality on a documentation corpus nobody on this
# project wrote: the Node.js API docs as Debian ships them (nodejs-doc), for
# chatkit and for a SQLite FTS5 bm25() baseline over the same sections.
# Then the same on this repository's own docs (the demo's corpus, written
# here, questions written by a helper from them), and retrieval latency on a
# ~10 MB corpus (the Node.js docs three times).
#
#   examples/bench_answers.sh [--dump FILE]
#
# The package is unpacked, not installed: installing nodejs-doc would remove
# a NodeSource nodejs. See docs/answer-quality.md for the figures and the rules
# (which question sets were looked at while tuning, and which were not).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/lib.sh"
install_packages "${BUILD_PACKAGES[@]}"
build

work=$(mktemp -d /tmp/chatkit-bench-answers-XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download nodejs-doc >/dev/null 2>&1) || {
  as_root apt-get update -qq && (cd "$work" && apt-get download nodejs-doc >/dev/null)
}
dpkg-deb -x "$work"/nodejs-doc_*.deb "$work/pkg"
mkdir -p "$work/api"
for f in "$work"/pkg/usr/share/doc/nodejs/api/*.md.gz; do
  gunzip -c "$f" >"$work/api/$(basename "$f" .gz)"
done
echo "corpus: $(ls "$work/api" | wc -l) files, $(du -sh "$work/api" | cut -f1), nodejs-doc $(dpkg-deb -f "$work"/nodejs-doc_*.deb Version)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo
"$BUILD_DIR/examples/chatkit-bench-answers" "$work/api" \
  "$here/bench_answers/questions-dev.json" "$here/bench_answers/questions-holdout.json" \
  "$here/bench_answers/questions-holdout2.json" "$here/bench_answers/questions-holdout3.json" \
  "$here/bench_answers/questions-holdout4.json" "$here/bench_answers/questions-holdout5.json" \
  "$here/bench_answers/questions-holdout6.json" "$here/bench_answers/questions-holdout7.json" \
  "$here/bench_answers/questions-holdout8.json" "$here/bench_answers/questions-holdout9.json" \
  "$here/bench_answers/questions-holdout10.json" "$here/bench_answers/questions-holdout11.json" \
  "$here/bench_answers/questions-holdout12.json" "$here/bench_answers/questions-holdout13.json" \
  "$here/bench_answers/questions-holdout14.json" "$here/bench_answers/questions-holdout15.json" \
  "$here/bench_answers/questions-holdout16.json" "$here/bench_answers/questions-holdout17.json" \
  "$here/bench_answers/questions-holdout18.json" "$here/bench_answers/questions-holdout19.json" \
  "$here/bench_answers/questions-holdout20.json" "$here/bench_answers/questions-holdout21.json" \
  "$here/bench_answers/questions-holdout22.json" "$here/bench_answers/questions-holdout23.json" "$@"

echo
echo "== this repository's own docs (the demo corpus)"
"$BUILD_DIR/examples/chatkit-bench-answers" "$here/../docs" "$here/bench_answers/chatkit-docs/questions.json" \
  "$here/bench_answers/chatkit-docs/questions-2.json" "$here/bench_answers/chatkit-docs/questions-3.json"

echo
echo "== retrieval latency on ~10 MB (the corpus three times)"
for copy in a b c; do mkdir -p "$work/big/$copy" && cp "$work"/api/*.md "$work/big/$copy/"; done
echo "corpus: $(du -sh "$work/big" | cut -f1)"
"$BUILD_DIR/examples/chatkit-bench-answers" "$work/big" "$here/bench_answers/questions-dev.json" | tail -n 1
