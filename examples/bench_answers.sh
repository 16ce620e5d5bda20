#!/usr/bin/env bash
# Retrieval and answer quality across documentation corpora of different
# site generators and writing styles, for chatkit and for a SQLite FTS5
# bm25() baseline over the same sections:
#   - the Node.js API docs as Debian ships them (nodejs-doc), development;
#   - this repository's own docs (the demo corpus), development;
#   - the public corpora of bench_answers/corpora.tsv at pinned commits,
#     development or validation.
# Then retrieval latency on a ~10 MB corpus (the Node.js docs three times),
# and a summary per corpus with the validation mean.
#
#   examples/bench_answers.sh [--dump FILE]     (--dump: the Node.js answers)
#
# A public corpus comes from, in this order: CORPORA_DIR/NAME when it holds
# the pinned commit (a .commit file; default ~/.cache/chatkit-corpora), or a
# folder put there by hand (a local checkout of the subtree, used as it is);
# any bare repository under CORPUS_MIRRORS that has the commit; else a
# partial clone of the repository's URL. Corpora are never committed; their
# questions are. See docs/answer-quality.md for the figures and the rules
# (validation corpora are read only as aggregates).
#
# With EMBEDDINGS_BASE_URL and EMBEDDINGS_MODEL set (the server's settings,
# docs/configuration.md), chatkit's rows are the hybrid method's: words and
# meaning. Vectors are cached in EMBEDDINGS_CACHE
# (default ~/.cache/chatkit-bench-vectors.db).
#
# The package is unpacked, not installed: installing nodejs-doc would remove
# a NodeSource nodejs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../scripts/lib.sh"
install_packages "${BUILD_PACKAGES[@]}"
build
bench="$BUILD_DIR/examples/chatkit-bench-answers"
CORPORA_DIR=${CORPORA_DIR:-"$HOME/.cache/chatkit-corpora"}

work=$(mktemp -d /tmp/chatkit-bench-answers-XXXXXX)
trap 'rm -rf "$work"' EXIT
log="$work/log"

# The subtree of one corpus at its commit, in CORPORA_DIR/NAME; prints the folder.
corpus_dir() {
  local name=$1 repo=$2 commit=$3 subtree=$4 left_out=$5
  local dest="$CORPORA_DIR/$name"
  if [ -d "$dest" ] && { [ ! -f "$dest/.commit" ] || [ "$(cat "$dest/.commit")" = "$commit" ]; }; then
    [ -f "$dest/.commit" ] || echo "note: $name: using $dest as it is (no .commit file)" >&2
    echo "$dest"
    return
  fi
  local git_dir=""
  for candidate in "${CORPUS_MIRRORS:-/nonexistent}"/*/ "${CORPUS_MIRRORS:-/nonexistent}"/*/*/; do
    if git --git-dir="$candidate" cat-file -e "$commit^{commit}" 2>/dev/null; then
      git_dir=$candidate
      break
    fi
  done
  if [ -z "$git_dir" ]; then
    git_dir="$CORPORA_DIR/.git/$name"
    [ -d "$git_dir" ] || git clone --quiet --bare --filter=blob:none "$repo" "$git_dir" >&2
    git --git-dir="$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null ||
      git --git-dir="$git_dir" fetch --quiet origin "$commit" >&2
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  local depth
  depth=$(awk -F/ '{print NF}' <<<"$subtree")
  git --git-dir="$git_dir" archive "$commit" "$subtree" | tar -x -C "$dest" --strip-components="$depth"
  if [ "$left_out" != "-" ]; then
    for path in ${left_out//,/ }; do rm -rf "${dest:?}/$path"; done
  fi
  echo "$commit" >"$dest/.commit"
  echo "$dest"
}

{
(cd "$work" && apt-get download nodejs-doc >/dev/null 2>&1) || {
  as_root apt-get update -qq && (cd "$work" && apt-get download nodejs-doc >/dev/null)
}
dpkg-deb -x "$work"/nodejs-doc_*.deb "$work/pkg"
mkdir -p "$work/api"
for f in "$work"/pkg/usr/share/doc/nodejs/api/*.md.gz; do
  gunzip -c "$f" >"$work/api/$(basename "$f" .gz)"
done
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo
echo "== corpus nodejs (development, plain, nodejs-doc $(dpkg-deb -f "$work"/nodejs-doc_*.deb Version))"
echo "corpus: $(ls "$work/api" | wc -l) files, $(du -sh "$work/api" | cut -f1)"
nodejs_sets=("$here/bench_answers/questions-dev.json" "$here/bench_answers/questions-holdout.json")
for n in $(seq 2 23); do nodejs_sets+=("$here/bench_answers/questions-holdout$n.json"); done
"$bench" "$work/api" "${nodejs_sets[@]}" "$@"
"$bench" "$work/api" --leaks | tail -n 1

echo
echo "== corpus chatkit-docs (development, plain, this repository's docs)"
"$bench" "$here/../docs" "$here/bench_answers/chatkit-docs/questions.json" \
  "$here/bench_answers/chatkit-docs/questions-2.json" "$here/bench_answers/chatkit-docs/questions-3.json"
"$bench" "$here/../docs" --leaks | tail -n 1

while IFS=$'\t' read -r name role site repo commit subtree left_out; do
  case $name in '#'* | '') continue ;; esac
  dir=$(corpus_dir "$name" "$repo" "$commit" "$subtree" "$left_out")
  echo
  echo "== corpus $name ($role, $site, $repo at ${commit:0:12}, $subtree)"
  "$bench" "$dir" "$here/bench_answers/corpora/$name/questions.json" --site "$site"
  "$bench" "$dir" --leaks --site "$site" | tail -n 1
done <"$here/bench_answers/corpora.tsv"

echo
echo "== retrieval latency on ~10 MB (the Node.js docs three times)"
for copy in a b c; do mkdir -p "$work/big/$copy" && cp "$work"/api/*.md "$work/big/$copy/"; done
echo "corpus: $(du -sh "$work/big" | cut -f1)"
"$bench" "$work/big" "$here/bench_answers/questions-dev.json" | tail -n 1
} | tee "$log"

echo
python3 "$here/bench_answers_summary.py" "$log"
