#!/usr/bin/env bash
# Side-by-side: nnph against the Python reference pipeline (giotto-tda 0.6.2 +
# pyflagser 0.4.7), same inputs, same machine, same run. Writes a Markdown table and
# the raw numbers to benches/runs/<date>-<host>/.
#
#   benches/compare_reference.sh [--venv DIR] [--skip-reference] [--threads N]
#
# The venv needs testdata/reference/requirements.txt (python3 -m venv DIR &&
# DIR/bin/pip install -r testdata/reference/requirements.txt). The paper-size nets are
# regenerated bit for bit with numpy by testdata/reference/make_cases.py.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
SKIP_REF=0
THREADS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV=$2; shift 2 ;;
    --skip-reference) SKIP_REF=1; shift ;;
    --threads) THREADS="--threads $2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
PY="$VENV/bin/python"
OUT="benches/runs/$(date +%Y-%m-%d)-$(hostname)"
mkdir -p "$OUT/tmp"
cargo build --release -p nnph
BIN=target/release/nnph

PAPER=testdata/reference/cases/random784_paper19/nets
if [ ! -d "$PAPER" ]; then
  (cd testdata/reference && "../../$PY" make_cases.py random784)
fi

# run NAME CMD...: wall seconds and peak RSS (MB) via GNU time.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/tmp/$name.time" "$@" > "$OUT/tmp/$name.out" 2> "$OUT/tmp/$name.err"
  read -r secs kb < "$OUT/tmp/$name.time"
  echo "$name $secs $((kb / 1024))" | tee -a "$OUT/raw.txt"
}
: > "$OUT/raw.txt"
run nnph_digits19 $BIN $THREADS demo --nets testdata/golden/digits19/nets --golden testdata/golden/digits19/golden/distances --out "$OUT/tmp/digits19"
run nnph_paper19 $BIN $THREADS demo --nets "$PAPER" --golden testdata/golden/random784_paper19/golden/distances --out "$OUT/tmp/paper19"
if [ "$SKIP_REF" = 0 ]; then
  run reference_digits19 "$PY" benches/peer/reference_pipeline.py testdata/golden/digits19/nets
fi

{
  echo "# nnph vs the Python reference pipeline ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB)"
  echo
  echo "| run | wall s | peak RSS MB |"
  echo "|---|---|---|"
  awk '{printf "| %s | %s | %s |\n", $1, $2, $3}' "$OUT/raw.txt"
  if [ "$SKIP_REF" = 0 ]; then
    awk '$1=="nnph_digits19"{n=$2} $1=="reference_digits19"{r=$2} END{ if (n>0) printf "\ndigits19, diagrams + heat + silhouette + landscape: nnph is %.0fx faster than the reference\n", r/n }' "$OUT/raw.txt"
  fi
  echo
  echo "nnph output (digits19):"; echo '```'; cat "$OUT/tmp/nnph_digits19.out"; echo '```'
  echo "nnph output (paper19):"; echo '```'; cat "$OUT/tmp/nnph_paper19.out"; echo '```'
  if [ "$SKIP_REF" = 0 ]; then echo "reference (digits19):"; echo '```'; cat "$OUT/tmp/reference_digits19.out"; echo '```'; fi
} > "$OUT/README.md"
rm -rf "$OUT/tmp/digits19" "$OUT/tmp/paper19"
cat "$OUT/README.md"
