#!/usr/bin/env bash
# nnph's persistence engines against the peers from PyPI, same inputs, same machine, same run:
# Vietoris–Rips against ripser.py and giotto-ph (1 and 2 threads), directed flag complexes
# against pyflagser. Checks that every barcode agrees, prints ratios and peak memory, and
# writes a Markdown table and the raw numbers to benches/runs/<date>-<host>-peers/.
#
#   benches/compare_peers.sh [--venv DIR] [--repeat R] [--only rips|flag] [--quick]
#
# The venv needs the peers: python3 -m venv DIR && DIR/bin/pip install ripser giotto-ph pyflagser
# (testdata/reference/requirements.txt installs them all). Each run is repeated R times
# (default 3) and the fastest is reported, with its peak RSS. Times: a peer's is the time of
# its library call alone, measured inside Python (interpreter start and input parsing
# excluded). nnph's is measured in two ways: "in-process", the same span (building the complex
# from the parsed input, and the persistence; the `--verbose` stage times `complex` and
# `persistence`), which is what the ratios compare; and "process", the wall time of the whole
# `nnph rips|flag` process (start, reading and parsing the file, writing the JSON included),
# shown beside it. Peak memory is that of the whole process (for the peers it includes the
# interpreter and NumPy; the baseline line shows how much that is).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
REPEAT=3
ONLY=""
QUICK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "unknown argument $1 (try --venv DIR, --repeat R, --only rips|flag, --quick)" >&2; exit 2 ;;
  esac
done
PY="$VENV/bin/python"
[ -x "$PY" ] || { echo "no Python at $PY: pass --venv DIR (see the header of this script)" >&2; exit 2; }
OUT="benches/runs/$(date +%Y-%m-%d)-$(hostname)-peers"
TMP="$OUT/tmp"
mkdir -p "$TMP"
cargo build --release -p nnph >&2
BIN=${CARGO_TARGET_DIR:-target}/release/nnph
PEER=benches/peer/ph_peers.py
: > "$OUT/raw.txt"

# measure KEY CMD...: runs CMD REPEAT times; appends "KEY wall_s rss_mb compute_s" of the
# fastest run (compute_s = the `compute_seconds` the command printed on stdout, else the sum of
# the `nnph: complex|persistence: S s` stage times it printed on stderr, else the wall time).
measure() {
  local key=$1; shift
  local best="" line
  for _ in $(seq "$REPEAT"); do
    local start end wall kb compute
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$TMP/$key.time" "$@" > "$TMP/$key.out" 2> "$TMP/$key.err" || {
      echo "$key failed:" >&2; cat "$TMP/$key.err" >&2; return 1; }
    end=$(date +%s%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", (b - a) / 1e9}')
    read -r kb < "$TMP/$key.time"
    compute=$(awk '/^compute_seconds/{print $2}' "$TMP/$key.out")
    [ -n "$compute" ] || compute=$(awk '/^nnph: (complex|persistence): /{s += $3; n++} END {if (n) printf "%.6f", s}' "$TMP/$key.err")
    [ -n "$compute" ] || compute=$wall
    line="$key $wall $((kb / 1024)) $compute"
    if [ -z "$best" ] || awk -v a="$compute" -v b="$(echo "$best" | cut -d' ' -f4)" 'BEGIN{exit !(a < b)}'; then
      best=$line
    fi
  done
  echo "$best" | tee -a "$OUT/raw.txt" >&2
}

# check NAME A.json B.json: barcodes equal as multisets (relative 1e-5: the peers use float32).
check() {
  if "$PY" "$PEER" compare "$2" "$3" > "$TMP/$1.cmp"; then echo "yes"; else echo "NO: $(cat "$TMP/$1.cmp")"; fi
}

measure python_baseline "$PY" -c "import numpy, ripser, gph, pyflagser"

RIPS_CASES=(
  # name file format maxdim threshold
  "sphere_3_192 testdata/ripser/sphere_3_192.lower_distance_matrix lower-distance 2 -"
  "o3_1024 testdata/ripser/o3_1024.txt point-cloud 3 1.8"
  "dragon2000 testdata/ripser/dragon2000.txt point-cloud 1 -"
  "random50_16 testdata/ripser/random50_16.txt point-cloud 4 -"
  "fractal_r testdata/ripser/fractal_r.distance_matrix distance 2 -"
  "celegans testdata/ripser/celegans.distance_matrix distance 2 -"
  "vicsek300 testdata/ripser/vicsek300.distance_matrix distance 2 -"
)
[ "$QUICK" = 1 ] && RIPS_CASES=("${RIPS_CASES[@]:0:1}")
RIPS_ROWS=()
if [ "$ONLY" != flag ]; then
  for c in "${RIPS_CASES[@]}"; do
    read -r name file format maxdim thresh <<< "$c"
    targ=(); parg=()
    if [ "$thresh" != - ]; then targ=(--threshold "$thresh"); parg=(--thresh "$thresh"); fi
    for t in 1 2; do
      measure "nnph_${name}_t$t" "$BIN" --verbose --threads "$t" rips "$file" --format "$format" --max-dim "$maxdim" "${targ[@]}" --json "$TMP/nnph_$name.json"
      measure "gph_${name}_t$t" "$PY" "$PEER" gph "$file" --format "$format" --maxdim "$maxdim" "${parg[@]}" --threads "$t" --out "$TMP/gph_$name.json"
    done
    measure "ripser_${name}" "$PY" "$PEER" ripser "$file" --format "$format" --maxdim "$maxdim" "${parg[@]}" --out "$TMP/ripser_$name.json"
    RIPS_ROWS+=("$name|$maxdim|$thresh|$(check "r_$name" "$TMP/nnph_$name.json" "$TMP/ripser_$name.json")|$(check "g_$name" "$TMP/nnph_$name.json" "$TMP/gph_$name.json")")
  done
fi

FLAG_CASES=()
# name file maxdim: flagser's test graphs in every dimension, and a paper MLP (digits 1ls_032)
# with the reference's intra-layer links (made by `nnph graph --layer-activation-link`).
for f in testdata/flagser/*.flag; do FLAG_CASES+=("$(basename "$f" .flag) $f 10"); done
FLAG_CASES+=("mlp_1ls032_links benches/data/mlp_1ls032_links.flag 2")
[ "$QUICK" = 1 ] && FLAG_CASES=("${FLAG_CASES[@]:0:2}")
FLAG_ROWS=()
if [ "$ONLY" != rips ]; then
  for c in "${FLAG_CASES[@]}"; do
    read -r name file maxdim <<< "$c"
    measure "nnph_flag_${name}_t1" "$BIN" --verbose --threads 1 flag "$file" --max-dim "$maxdim" --json "$TMP/nnph_flag_$name.json"
    measure "nnph_flag_${name}_t2" "$BIN" --verbose --threads 2 flag "$file" --max-dim "$maxdim" --json "$TMP/nnph_flag_$name.json"
    measure "pyflagser_${name}" "$PY" "$PEER" pyflagser "$file" --maxdim "$maxdim" --out "$TMP/pyflagser_$name.json"
    FLAG_ROWS+=("$name|$(check "f_$name" "$TMP/nnph_flag_$name.json" "$TMP/pyflagser_$name.json")")
  done
fi

# field KEY COLUMN: a column of raw.txt (2 wall, 3 MB, 4 compute).
field() { awk -v k="$1" -v c="$2" '$1==k{print $c}' "$OUT/raw.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "-" }'; }

{
  echo "# nnph against ripser.py, giotto-ph and pyflagser"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'); best of $REPEAT runs."
  echo "Peers: $("$PY" -c 'import ripser, gph, pyflagser; from importlib.metadata import version as v; print(", ".join(f"{p} {v(p)}" for p in ["ripser", "giotto-ph", "pyflagser"]))')."
  echo "Python + NumPy + the peers imported, doing nothing: $(field python_baseline 3) MB peak RSS."
  echo
  if [ ${#RIPS_ROWS[@]} -gt 0 ]; then
    echo "## Vietoris–Rips"
    echo
    echo "Times in seconds, in-process (see the script's header); (process): nnph's whole process. Ratio = nnph / peer (below 1: nnph is faster). Memory: peak RSS in MB."
    echo
    echo "| input | dim ≤ | threshold | nnph 1t | (process) | giotto-ph 1t | ratio | nnph 2t | giotto-ph 2t | ratio | ripser.py | ratio | nnph MB | giotto-ph MB | ripser.py MB | same as ripser.py | same as giotto-ph |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for row in "${RIPS_ROWS[@]}"; do
      IFS='|' read -r name maxdim thresh same_r same_g <<< "$row"
      n1=$(field "nnph_${name}_t1" 4); g1=$(field "gph_${name}_t1" 4)
      n2=$(field "nnph_${name}_t2" 4); g2=$(field "gph_${name}_t2" 4)
      r=$(field "ripser_${name}" 4)
      echo "| $name | $maxdim | $thresh | $n1 | $(field "nnph_${name}_t1" 2) | $g1 | $(ratio "$n1" "$g1") | $n2 | $g2 | $(ratio "$n2" "$g2") | $r | $(ratio "$n1" "$r") | $(field "nnph_${name}_t1" 3) | $(field "gph_${name}_t1" 3) | $(field "ripser_${name}" 3) | $same_r | $same_g |"
    done
    echo
  fi
  if [ ${#FLAG_ROWS[@]} -gt 0 ]; then
    echo "## Directed flag complexes ('max' filtration, Z/2; flagser's graphs in all dimensions, the MLP up to dimension 2)"
    echo
    echo "| graph | nnph 1t | (process) | nnph 2t | pyflagser | ratio 1t | nnph MB | pyflagser MB | same barcode |"
    echo "|---|---|---|---|---|---|---|---|---|"
    tn=0; tp=0
    for row in "${FLAG_ROWS[@]}"; do
      IFS='|' read -r name same <<< "$row"
      n1=$(field "nnph_flag_${name}_t1" 4); n2=$(field "nnph_flag_${name}_t2" 4); p=$(field "pyflagser_${name}" 4)
      tn=$(awk -v a="$tn" -v b="$n1" 'BEGIN{print a + b}'); tp=$(awk -v a="$tp" -v b="$p" 'BEGIN{print a + b}')
      echo "| $name | $n1 | $(field "nnph_flag_${name}_t1" 2) | $n2 | $p | $(ratio "$n1" "$p") | $(field "nnph_flag_${name}_t1" 3) | $(field "pyflagser_${name}" 3) | $same |"
    done
    echo "| **all** | $tn | | | $tp | $(ratio "$tn" "$tp") | | | |"
    echo
  fi
} > "$OUT/README.md"
cat "$OUT/README.md"
