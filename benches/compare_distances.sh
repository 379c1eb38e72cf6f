#!/usr/bin/env bash
# Diagram distances, nnph against its peers in ONE run on the same inputs: bottleneck and
# W_2 (exact and delta = 0.01) against Hera and GUDHI (through gudhi), POT (through
# gudhi.wasserstein), persim; the vectorisations (heat, silhouette, landscape) against
# giotto-tda's PairwiseDistance on the golden digits19 batch. Checks that the values agree,
# prints time ratios and peak memory (GNU time, one process per measurement), and writes
# the table and raw numbers to benches/runs/<date>-<host>/distances/.
#
#   benches/compare_distances.sh [--venv DIR] [--timeout SECONDS] [--only CASES] [--baseline NNPH]
#                                [--out DIR] [--best N]
#
# --only general,paper,digits19 runs only those groups of rows (default: all). On digits19,
# every measurement is the best of 3 processes (peak RSS: the largest), and nnph is timed twice: the whole `nnph compare` process (file reading included) and
# `distbench batch` (the batch already in memory, as giotto's timed region: Filtering,
# inf -> 1, PairwiseDistance); --baseline also times another nnph binary (an older build).
# --out is the run folder (default benches/runs/<date>-<host>/distances). --best N times every
# general and paper row as the best of N processes, peers and nnph alike (default 1: one
# process; a single cold call of a few milliseconds varies by 10-20% on a shared VM).
# Timed regions are the calls alone: the peers' imports are not timed, nor is the start of
# nnph's thread pool (distbench starts it first, as importing numpy starts its BLAS threads;
# about 0.2 ms once per process on the 2-core VM).
# The venv needs gudhi, giotto-tda, persim (and pot, installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
LIMIT=600
ONLY=general,paper,digits19
BASELINE=
OUT=
BEST=1
while [ $# -gt 0 ]; do
  case "$1" in
    --venv) VENV=$2; shift 2 ;;
    --timeout) LIMIT=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --baseline) BASELINE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --best) BEST=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
PY="$VENV/bin/python"
"$PY" -c "import ot" 2>/dev/null || "$VENV/bin/pip" install --quiet pot
cargo build --release -p nnph -p nnph-benches --bin nnph --bin distbench
BIN="${CARGO_TARGET_DIR:-target}/release"
OUT=${OUT:-"benches/runs/$(date +%Y-%m-%d)-$(hostname)/distances"}
DATA="$OUT/data"
mkdir -p "$DATA" "$OUT/tmp"
"$PY" benches/peer/distance_peers.py gen "$DATA" testdata/golden/digits19/golden/diagrams
RAW="$OUT/raw.txt"
: > "$RAW"

# measure CASE TOOL CMD...: "case tool value seconds peakMB" (value/seconds from the
# command's stdout; "timeout" or "failed" otherwise).
measure() {
  local case=$1 tool=$2; shift 2
  local t="$OUT/tmp/$case.$tool"
  if timeout "$LIMIT" /usr/bin/time -f "%e %M" -o "$t.time" "$@" > "$t.out" 2> "$t.err"; then
    read -r value secs < "$t.out"
    read -r _ kb < "$t.time"
    echo "$case $tool $value $secs $((kb / 1024))" | tee -a "$RAW"
  else
    echo "$case $tool timeout-or-failed $LIMIT -" | tee -a "$RAW"
  fi
}
# measure_best N CASE TOOL CMD...: as measure, N times (one process each): the smallest
# seconds, the largest peak RSS. Used on digits19, where one run of a 0.1 s process on this
# shared machine can be twice another.
measure_best() {
  local n=$1 case=$2 tool=$3; shift 3
  local t="$OUT/tmp/$case.$tool" best="" mb=0 value="" secs kb k
  for k in $(seq "$n"); do
    if timeout "$LIMIT" /usr/bin/time -f "%e %M" -o "$t.time" "$@" > "$t.out" 2> "$t.err"; then
      read -r value secs < "$t.out"
      read -r _ kb < "$t.time"
      mb=$(( kb / 1024 > mb ? kb / 1024 : mb ))
      best=$(awk -v a="${best:-$secs}" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
    else
      echo "$case $tool timeout-or-failed $LIMIT -" | tee -a "$RAW"
      return
    fi
  done
  echo "$case $tool $value $best $mb" | tee -a "$RAW"
}
peer() { measure_best "$BEST" "$1" "$2" "$PY" benches/peer/distance_peers.py run "$2" "$3" "$4"; }
ours() { local case=$1 tool=$2; shift 2; measure_best "$BEST" "$case" "$tool" "$BIN/distbench" "$@"; }

runs() { [[ ",$ONLY," == *",$1,"* ]]; }

runs general && for n in 1000 2000 5000 10000; do
  c="general_$n"; A="$DATA/${c}_a.npy"; B="$DATA/${c}_b.npy"
  ours "$c" ours_bottleneck_exact bottleneck "$A" "$B" 2 0 3
  ours "$c" ours_bottleneck_0.01 bottleneck "$A" "$B" 2 0.01 3
  # wasserstein with delta > 0 answers exactly up to EXACT_WHEN_APPROXIMATE (200,000) points;
  # the auction row times the auction itself at every size.
  ours "$c" ours_w2_0.01 wasserstein "$A" "$B" 2 0.01 1
  ours "$c" ours_auction_0.01 auction "$A" "$B" 2 0.01 1
  peer "$c" hera_bottleneck_exact "$A" "$B"
  peer "$c" hera_bottleneck_0.01 "$A" "$B"
  peer "$c" hera_w2_0.01 "$A" "$B"
  if [ "$n" -le 2000 ]; then
    # Exact W_2 off a line: our Hungarian solver and POT's network simplex (both cubic).
    ours "$c" ours_w2_exact wasserstein "$A" "$B" 2 0 1
    peer "$c" pot_w2_exact "$A" "$B"
    peer "$c" gudhi_bottleneck_exact "$A" "$B"
    peer "$c" persim_bottleneck "$A" "$B"
  fi
  if [ "$n" -le 5000 ]; then
    # persim: O(n^2) memory (1.35 GB at 5k); W_1 with the L2 ground metric.
    ours "$c" ours_w1_l2_exact wasserstein "$A" "$B" 1 0 1 2
    peer "$c" persim_w1_l2 "$A" "$B"
  fi
done
runs paper && for h in h0 h1; do
  c="paper_${h}_2000"; A="$DATA/${c}_a.npy"; B="$DATA/${c}_b.npy"
  ours "$c" ours_bottleneck_exact bottleneck "$A" "$B" 2 0 3
  ours "$c" ours_w2_exact wasserstein "$A" "$B" 2 0 3
  ours "$c" ours_w2_0.01 wasserstein "$A" "$B" 2 0.01 3
  peer "$c" hera_bottleneck_exact "$A" "$B"
  peer "$c" hera_w2_0.01 "$A" "$B"
  peer "$c" pot_w2_exact "$A" "$B"
  peer "$c" persim_bottleneck "$A" "$B"
  c="paper_${h}_200000"; A="$DATA/${c}_a.npy"; B="$DATA/${c}_b.npy"
  ours "$c" ours_bottleneck_exact bottleneck "$A" "$B" 2 0 3
  ours "$c" ours_w2_exact wasserstein "$A" "$B" 2 0 3
done
runs digits19 && for m in heat silhouette landscape; do
  measure_best 3 digits19 "giotto_$m" "$PY" benches/peer/distance_peers.py giotto "$m" "$DATA/digits19_post.npy" "$OUT/tmp/giotto_$m.npy"
  # The whole giotto process too (interpreter, imports, np.load, the call, np.save), to compare
  # with the whole nnph process below: the like-for-like end-to-end ratio.
  measure_best 3 digits19 "giottowhole_$m" bash -c "s=\$(date +%s.%N); \"$PY\" benches/peer/distance_peers.py giotto $m \"$DATA/digits19_post.npy\" \"$OUT/tmp/giottowhole_$m.npy\" > /dev/null && e=\$(date +%s.%N) && awk -v s=\$s -v e=\$e 'BEGIN { printf \"0 %.6f\\n\", e - s }'"
  # nnph compare prints the matrix; the checksum line comes from the helper below.
  measure_best 3 digits19 "nnph_$m" bash -c "s=\$(date +%s.%N); \"$BIN/nnph\" compare \"$DATA/digits19_post.npy\" --metric $m --grid giotto-joint --out \"$OUT/tmp/nnph_$m.npy\" && e=\$(date +%s.%N) && awk -v s=\$s -v e=\$e 'BEGIN { printf \"0 %.6f\\n\", e - s }'"
  # The same matrix with the batch already in memory (best of 5): giotto's timed region.
  measure_best 3 digits19 "nnphmem_$m" "$BIN/distbench" batch "$m" "$DATA/digits19_post.npy" 5
  if [ -n "$BASELINE" ]; then
    measure_best 3 digits19 "nnphold_$m" bash -c "s=\$(date +%s.%N); \"$BASELINE\" compare \"$DATA/digits19_post.npy\" --metric $m --grid giotto-joint --out \"$OUT/tmp/nnphold_$m.npy\" && e=\$(date +%s.%N) && awk -v s=\$s -v e=\$e 'BEGIN { printf \"0 %.6f\\n\", e - s }'"
  fi
  echo "digits19 check_$m $("$PY" benches/peer/distance_peers.py check "$OUT/tmp/nnph_$m.npy" "$OUT/tmp/giotto_$m.npy") 0 0" | tee -a "$RAW"
done

"$PY" - "$RAW" "$OUT/README.md" <<'PYEOF'
import sys, datetime, os, subprocess
raw, out = sys.argv[1], sys.argv[2]
rows = [(l.split() + ['-'] * 5)[:5] for l in open(raw) if l.strip()]
res = {(r[0], r[1]): r for r in rows}
ours_for = {
    "hera_bottleneck_exact": "ours_bottleneck_exact", "gudhi_bottleneck_exact": "ours_bottleneck_exact",
    "persim_bottleneck": "ours_bottleneck_exact", "hera_bottleneck_0.01": "ours_bottleneck_0.01",
    "hera_w2_0.01": "ours_w2_0.01", "pot_w2_exact": "ours_w2_exact", "persim_w1_l2": "ours_w1_l2_exact",
}
exact_for = {"ours_bottleneck_0.01": "ours_bottleneck_exact", "ours_w2_0.01": "ours_w2_exact",
             "ours_auction_0.01": "ours_w2_exact",
             "hera_bottleneck_0.01": "ours_bottleneck_exact", "hera_w2_0.01": "ours_w2_exact"}
def num(x):
    try: return float(x)
    except ValueError: return None
lines = [f"# Diagram distances: nnph vs peers ({datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ}, {os.cpu_count()} cores)", "",
         "digits19: best of 3 processes per row. nnph_* rows: the whole `nnph compare` process (file",
         "reading included); nnphmem_* rows: `distbench batch`, the batch already in memory (giotto's",
         "timed region); nnphold_*: --baseline.",
         "For giotto_* rows (giotto's timed call: Filtering, inf -> 1, PairwiseDistance) the ratio is",
         "giotto's time over nnph_* (whole process: a lower bound) and over nnphmem_* (like for like);",
         "giottowhole_* rows time the whole giotto process (interpreter, imports, np.load, the call,",
         "np.save) over the whole nnph_* process: like for like end to end.", "",
         "| case | tool | value | seconds | peak RSS MB | peer time / ours | check |", "|---|---|---|---|---|---|---|"]
for case, tool, value, secs, mb in rows:
    if tool.startswith("check_"):
        ok = num(value) is not None and num(value) <= 1e-9
        lines.append(f"| {case} | {tool} (max rel. diff. nnph vs giotto) | {value} | | | | {'ok' if ok else 'MISMATCH'} |")
        continue
    ratio, check = "", ""
    mine = ours_for.get(tool) or (("nnph_" + tool[7:]) if tool.startswith("giotto_") else None)
    if tool.startswith("giottowhole_"):
        # Whole process against whole process.
        mine = "nnph_" + tool[12:]
    if mine and (case, mine) in res and num(secs) and num(res[(case, mine)][3]):
        ratio = f"{num(secs) / num(res[(case, mine)][3]):.1f}x"
        if num(value) is None:
            ratio = ">" + ratio
        mem = "nnphmem_" + tool[7:] if tool.startswith("giotto_") else None
        if mem and (case, mem) in res and num(res[(case, mem)][3]):
            ratio += f" ({num(secs) / num(res[(case, mem)][3]):.1f}x in memory)"
    v = num(value)
    if v is not None:
        if tool in exact_for and (case, exact_for[tool]) in res and num(res[(case, exact_for[tool])][2]):
            e = num(res[(case, exact_for[tool])][2])
            rel = (v - e) / e
            check = f"{rel:+.2e} vs exact ({'ok' if -1e-9 <= rel <= 0.01 + 1e-9 else 'OUT OF BOUND'})"
        elif tool in exact_for and tool.startswith("hera") and (case, mine) in res and num(res[(case, mine)][2]):
            # No exact value at this size: both are within 1% above it.
            o = num(res[(case, mine)][2])
            rel = (v - o) / o
            check = f"{rel:+.2e} vs ours, both approximate ({'ok' if abs(rel) <= 0.0101 else 'MISMATCH'})"
        elif tool in ours_for and (case, mine) in res and num(res[(case, mine)][2]):
            o = num(res[(case, mine)][2])
            rel = abs(v - o) / abs(o)
            check = f"{rel:.1e} vs ours ({'ok' if rel <= 1e-9 else 'MISMATCH'})"
    lines.append(f"| {case} | {tool} | {value} | {secs} | {mb} | {ratio} | {check} |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
PYEOF
