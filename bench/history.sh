#!/usr/bin/env bash
# What history costs, issue #20 ("Cost"): the space a store's history takes
# and whether reads at the head got slower, each beside a peer measured in
# the same run.
#
# 1. Space. Monaco (v1, monaco-latest.osm.pbf) and a second version v2 made
#    with osmium: of the ways tagged building=*, in file order, every 10th is
#    dropped and every 10th from the 5th on gets a tag note=histbench, so
#    switching v1 → v2 deletes and updates a known set of features and
#    v2 → v1 re-creates and updates them. Scenarios, each on a fresh store,
#    every load `cim ingest --db S --replace --dataset monaco FILE`:
#      A  10 ingests of v1 (after the first, every feature unchanged);
#      B  10 ingests alternating v1, v2, v1, v2 … (the head is v2);
#    size after the 1st ingest, after the 10th, after `cim compact --db S`
#    (the default retention, 30 days, keeps every revision) and after
#    `cim compact --db S --keep-history 1` (drops the history). Peers: a
#    store holding one ingest of v1, and one of v2, each compacted. Size is
#    `du -sb` of the store's .sst and .vlog files (cim compact prints .sst
#    only; the .vlog is 20 bytes, values being stored in the tables). Sizes
#    are deterministic up to the log's timestamps: no rounds.
# 2. Head reads.
#    (a) The store benchmark's query part (bench/store.sh, QUERY: 1M
#        synthetic footprints, ~100 hits per box, peers rtree, badger,
#        badger-decode, paired) built from BEFORE (default 42eeb2a, the
#        commit before the revision log and history) and from this tree,
#        one process each per round, alternating before, after, before,
#        after … for ROUNDS rounds (default 5); benchstat compares them.
#    (b) `cim query --db S --bbox 7.41,43.72,7.44,43.75 --format ndjson`
#        (process start, open, scan, write; to /dev/null), QRUNS times
#        (default 15) each, alternating, on: the one-ingest v2 store (peer),
#        scenario B's store after the default compaction (10 revisions of
#        history) and after --keep-history 1 (none). The three answers are
#        checked to be the same bytes first.
# Needs osmium, go, benchstat (installed if absent). Every command runs
# under timeout T (default 600 s); the whole run takes ~8 minutes on 2 CPUs.
# Results: bench/results/history-<UTC>.md (raw benchmark output beside it).
# Smoke: ROUNDS=1 QRUNS=3 bench/history.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
QRUNS=${QRUNS:-15}
BEFORE=${BEFORE:-42eeb2a}
T=${T:-600}
SHARED=${SHARED:-../shared}
SHARED=$(cd "$SHARED" && pwd)
MONACO=$SHARED/data/osm/monaco-latest.osm.pbf
BBOX=7.41,43.72,7.44,43.75
for tool in osmium go awk jq; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done
[ -f "$MONACO" ] || { echo "missing $MONACO (the shared data)" >&2; exit 2; }
command -v benchstat >/dev/null || [ -x "$(go env GOPATH)/bin/benchstat" ] || timeout "$T" go install golang.org/x/perf/cmd/benchstat@latest
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/history-$stamp
mkdir -p bench/results
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cim-bench-history.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)
after_rev=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' || echo +dirty)
before_rev=$(git rev-parse --short "$BEFORE")

echo "building cim ($after_rev) and the index benchmarks of $before_rev and $after_rev" >&2
timeout "$T" go build -o "$WORK/cim" ./cmd/cim
mkdir -p "$WORK/before-src"
git archive "$BEFORE" | tar -x -C "$WORK/before-src"
(cd "$WORK/before-src" && timeout "$T" go test -c -o "$WORK/before.test" ./index)
timeout "$T" go test -c -o "$WORK/after.test" ./index
cim() { timeout "$T" "$WORK/cim" "$@"; }

# v2: every 10th building way dropped, every 10th from the 5th tagged.
timeout "$T" osmium cat -f opl "$MONACO" -o "$WORK/v1.opl"
awk '/^w/ && / T(|[^ ]*,)building=/ { n++; if (n % 10 == 0) next; if (n % 10 == 5) sub(/ T/, " Tnote=histbench,") } { print }' \
  "$WORK/v1.opl" > "$WORK/v2.opl"
timeout "$T" osmium cat -F opl "$WORK/v2.opl" -o "$WORK/v2.osm.pbf"
dropped=$(awk '/^w/ && / T(|[^ ]*,)building=/ { n++ } END { print int(n / 10) }' "$WORK/v1.opl")
tagged=$(grep -c 'Tnote=histbench,' "$WORK/v2.opl")
V1=$MONACO V2=$WORK/v2.osm.pbf

size() { find "$1" -maxdepth 1 \( -name '*.sst' -o -name '*.vlog' \) -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
ingest() { cim ingest --db "$1" --replace --dataset monaco "$2" >/dev/null; }
mb() { awk -v b="$1" 'BEGIN { printf "%.3f", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Peers: one ingest each, compacted.
declare -A base
for v in v1 v2; do
  f=V1; [ $v = v2 ] && f=V2
  ingest "$WORK/base-$v" "${!f}"
  base[$v-1]=$(size "$WORK/base-$v")
  cim compact --db "$WORK/base-$v" > "$WORK/base-$v.compact"
  base[$v-c]=$(size "$WORK/base-$v")
done

# Scenarios A and B.
declare -A sz
scenario() { # name file-of-odd-ingests file-of-even-ingests
  local s=$WORK/$1 i t0 t1
  for i in $(seq 1 10); do
    t0=$(date +%s%N)
    if [ $((i % 2)) = 1 ]; then ingest "$s" "$2"; else ingest "$s" "$3"; fi
    t1=$(date +%s%N)
    echo "$1 ingest $i: $(((t1 - t0) / 1000000)) ms" >> "$WORK/ingest-times"
    if [ "$i" = 1 ]; then sz[$1-1]=$(size "$s"); fi
  done
  sz[$1-10]=$(size "$s")
  cim log --db "$s" > "$WORK/$1.log"
  cim compact --db "$s" > "$WORK/$1.compact"
  sz[$1-c]=$(size "$s")
  cp -a "$s" "$s-hist"
  cim compact --db "$s" --keep-history 1 > "$WORK/$1.compact1"
  sz[$1-k1]=$(size "$s")
  cim log --db "$s" > "$WORK/$1.log-k1"
  # What the log and the change feed still hold after --keep-history 1.
  cim log --db "$s" --changes --format json > "$WORK/$1.changes-k1.json"
}
scenario A "$V1" "$V1"
scenario B "$V1" "$V2"

# 2a: the store benchmark's query part, before and after, alternating.
: > "$out.before.raw"
: > "$out.after.raw"
for r in $(seq 1 "$ROUNDS"); do
  for who in before after; do
    echo "round $r/$ROUNDS: BenchmarkBoxLevelQuery, $who" >&2
    (cd index && timeout "$T" "$WORK/$who.test" -test.run XXX -test.bench BenchmarkBoxLevelQuery \
      -test.benchtime 5000x -test.count 1 -test.timeout 1h -test.benchmem) >> "$out.$who.raw"
  done
done

# 2b: cim query at the head, alternating over the three stores.
stores=(base-v2 B-hist B)
names=("one ingest of v2 (peer)" "B, 10 revisions of history, compacted" "B after --keep-history 1")
for st in "${stores[@]}"; do
  cim query --db "$WORK/$st" --bbox "$BBOX" --format ndjson > "$WORK/$st.ndjson"
done
same=yes
for st in B-hist B; do cmp -s "$WORK/base-v2.ndjson" "$WORK/$st.ndjson" || same=no; done
nfeat=$(wc -l < "$WORK/base-v2.ndjson")
for r in $(seq 1 "$QRUNS"); do
  for st in "${stores[@]}"; do
    t0=$(date +%s%N)
    cim query --db "$WORK/$st" --bbox "$BBOX" --format ndjson > /dev/null
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000)) $r" >> "$WORK/$st.q"
  done
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'; }

load1=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# What history costs (issue #20): space, and reads at the head"
  echo
  echo "Run from $stamp to $(date -u +%Y%m%dT%H%M%SZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load $load0 at the start, $load1 at the end."
  echo "cim built from $after_rev; \"before\" is $before_rev (before the revision log and history). bench/history.sh, ROUNDS=$ROUNDS, QRUNS=$QRUNS."
  echo
  echo "## 1. Space"
  echo
  echo "v1 is \`monaco-latest.osm.pbf\`; v2 is v1 with every 10th building way (in file order) removed ($dropped ways) and every 10th from the 5th tagged \`note=histbench\` ($tagged ways), made with \`osmium cat -f opl\`, awk, \`osmium cat -F opl\`."
  echo "Every load: \`cim ingest --db S --replace --dataset monaco FILE\`. A: v1 ten times. B: v1, v2, v1, v2 … (ten, the head is v2)."
  echo "Size: bytes of the store's .sst and .vlog files (\`du -sb\`-equivalent, \`find -printf %s\`); ratios to the one-ingest store of the same head, compacted (v1 after the 1st ingest, then v2 for B).
v2.osm.pbf lies in the run's scratch directory $WORK, removed after the run."
  echo
  echo "| store | after 1st ingest | after 10th | after \`cim compact\` (30 d, keeps all) | after \`cim compact --keep-history 1\` |"
  echo "|---|---:|---:|---:|---:|"
  echo "| peer: one ingest of v1 | $(mb "${base[v1-1]}") MB | | $(mb "${base[v1-c]}") MB | |"
  echo "| peer: one ingest of v2 | $(mb "${base[v2-1]}") MB | | $(mb "${base[v2-c]}") MB | |"
  for s in A B; do
    row="| $s |"
    for k in 1 10 c k1; do
      p=${base[v1-c]}; if [ $s = B ] && [ $k != 1 ]; then p=${base[v2-c]}; fi
      row="$row $(mb "${sz[$s-$k]}") MB (×$(ratio "${sz[$s-$k]}" "$p")) |"
    done
    echo "$row"
  done
  echo
  nchg=$(jq '[.[1:][] | .created + .updated + .deleted] | add' "$WORK/B.changes-k1.json")
  echo "B's history, compacted, beside the v2 peer compacted: $((sz[B-c] - base[v2-c])) bytes for 9 revisions after the first, that changed $nchg features in all:" \
    "$(((sz[B-c] - base[v2-c]) / 9)) bytes a revision, $(((sz[B-c] - base[v2-c]) / nchg)) bytes a changed feature."
  echo "After \`--keep-history 1\` B is still $((sz[B-k1] - base[v2-c])) bytes larger than the peer, and A $((sz[A-k1] - base[v1-c])) bytes:" \
    "the revision log and the change lists are not dropped with the history. \`cim log --db B --changes --format json\` then still lists" \
    "$(jq '[.[].changes | length] | add' "$WORK/B.changes-k1.json") changes of revisions $(jq '.[0].revision' "$WORK/B.changes-k1.json")–$(jq '.[-1].revision' "$WORK/B.changes-k1.json")" \
    "(the first ingest's $(jq '.[0].changes | length' "$WORK/B.changes-k1.json") creations included), while \`--as-of\` reads only revision 10."
  echo
  echo "What \`cim compact\` printed (it counts .sst only):"
  echo
  echo '```'
  cat "$WORK"/base-v1.compact "$WORK"/base-v2.compact "$WORK"/A.compact "$WORK"/A.compact1 "$WORK"/B.compact "$WORK"/B.compact1 | sed "s|$WORK/||"
  echo '```'
  echo
  echo "\`cim log --db S\` after the 10th ingest, B then A:"
  echo
  echo '```'
  cat "$WORK/B.log"
  echo
  cat "$WORK/A.log"
  echo '```'
  echo
  echo "\`cim log\` of B after \`--keep-history 1\`:"
  echo
  echo '```'
  cat "$WORK/B.log-k1"
  echo '```'
  echo
  echo "Ingest wall times (ms, process included): $(awk -F': ' '{ printf "%s%s", (NR > 1 ? ", " : ""), $2 }' "$WORK/ingest-times" | sed 's/ ms//g') (A 1–10, then B 1–10)."
  echo
  echo "## 2a. Head reads: the store benchmark's query part, before ($before_rev) and after ($after_rev)"
  echo
  echo "Per round, one process each, before then after, $ROUNDS rounds; the command (bench/store.sh's QUERY part, in index/):"
  echo "\`index.test -test.run XXX -test.bench BenchmarkBoxLevelQuery -test.benchtime 5000x -test.count 1 -test.timeout 1h -test.benchmem\`"
  echo "(1M synthetic footprints, one ingest, compacted; ~100 hits per box on floor 2). benchstat medians; raw output in $(basename "$out").{before,after}.raw."
  echo
  echo '```'
  (cd "$(dirname "$out")" && "$BENCHSTAT" "$(basename "$out").before.raw" "$(basename "$out").after.raw")
  echo '```'
  echo
  echo "## 2b. Head reads on a store with history: \`cim query\`"
  echo
  echo "\`cim query --db S --bbox $BBOX --format ndjson > /dev/null\`, wall time with process start, $QRUNS runs each, alternating the three stores. The three answers: $nfeat features each, the same bytes: $same."
  echo
  echo "| store | median ms | min–max ms | ratio to peer (medians) |"
  echo "|---|---:|---:|---:|"
  read -r pm _ _ <<< "$(med "$WORK/base-v2.q")"
  for i in 0 1 2; do
    read -r m lo hi <<< "$(med "$WORK/${stores[$i]}.q")"
    echo "| ${names[$i]} | $m | $lo–$hi | $(ratio "$m" "$pm") |"
  done
} > "$out.md"
cat "$out.md"
