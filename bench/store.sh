#!/usr/bin/env bash
# Store benchmarks of issue #2, each beside peers measured in the same run:
#   - bulk ingest of 1M synthetic footprints, 2D (floors=1) and buildings
#     of 1–6 floors (floors=6), features/s and store bytes per feature:
#       peer=cim         cim's Store.Ingest;
#       peer=writebatch  Badger's WriteBatch writing exactly the keys and
#                        values cim wrote, in cim's order, with the store's
#                        Badger options: the bare key-value store;
#       peer=rtree       an in-memory R-tree (tidwall/rtree) of the same
#                        features;
#   - a bbox + floor query returning ~100 of 1M features, p50/p99 latency:
#       peer=rtree          the R-tree holding the same features;
#       peer=badger         the store, each hit a new feature (Iter.Feature);
#       peer=badger-decode  the store, each hit decoded into one reused
#                           feature (Iter.Decode);
#     and "paired", the three in alternating blocks of 50 boxes, reporting
#     their ratios to the R-tree.
# Contestants alternate: each of the RUNS rounds (default 6) runs every
# contestant once, in turn (A B C A B C …), because this machine drifts; a
# block of A runs then a block of B would measure the drift. Reported:
# medians over the rounds and ratios to the first peer (benchstat -col
# /peer), and the medians of the paired ratios.
# Results go to bench/results/store-<UTC>.txt (raw runs beside it).
# INGEST=0 or QUERY=0 skips a part; INGEST_N=100000 ingests 100k.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-6}
out=bench/results/store-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
command -v benchstat >/dev/null || [ -x "$(go env GOPATH)/bin/benchstat" ] || go install golang.org/x/perf/cmd/benchstat@latest
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
go test -c -o "$out.test" ./index
trap 'rm -f "$out.test"' EXIT
header() { echo "# $(date -u) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $RUNS alternating rounds"; }

{
  header
  if [ "${INGEST:-1}" != 0 ]; then
    # One process: each -count round runs cim, writebatch, rtree in turn.
    (cd index && "../$out.test" -test.run XXX -test.bench "BenchmarkIngest/^n=${INGEST_N:-1000000}$/" \
      -test.benchtime 1x -test.count "$RUNS" -test.timeout 6h -test.benchmem) | tee "$out.ingest.raw"
    echo
    echo "## Ingest: medians over $RUNS rounds; ratios to peer=cim"
    "$BENCHSTAT" -col /peer "$out.ingest.raw"
  fi
  if [ "${QUERY:-1}" != 0 ]; then
    (cd index && "../$out.test" -test.run XXX -test.bench 'BenchmarkBoxLevelQuery' \
      -test.benchtime 5000x -test.count "$RUNS" -test.timeout 2h -test.benchmem) | tee "$out.query.raw"
    echo
    echo "## bbox + floor query: medians over $RUNS rounds; ratios to peer=rtree"
    grep -v '/paired' "$out.query.raw" > "$out.query-peers.raw"
    "$BENCHSTAT" -col /peer "$out.query-peers.raw"
    echo
    echo "## bbox + floor query, paired blocks: medians of each round's p50s and ratios"
    grep -v 'peer=' "$out.query.raw" > "$out.query-paired.raw"
    "$BENCHSTAT" "$out.query-paired.raw"
  fi
} 2>&1 | tee "$out.txt"
