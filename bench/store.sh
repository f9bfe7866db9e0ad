#!/usr/bin/env bash
# Store benchmarks of issue #2, each repeated COUNT times (default 6),
# summarised by benchstat (medians with spread):
#   - bulk ingest of 1M synthetic footprints into Badger: features/s and
#     store bytes per feature, for 2D footprints (floors=1) and for
#     buildings of 1–6 floors (floors=6);
#   - a bbox + floor query returning ~100 of 1M features, from the store
#     and from an in-memory R-tree (tidwall/rtree) built in the same run.
# Results go to bench/results/store-<UTC>.txt. Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
out=bench/results/store-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/results
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
{
  echo "# $(date -u) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  go test -run XXX -bench 'BenchmarkIngest/n=1000000' -benchtime 1x -count "$COUNT" -timeout 60m ./index
  go test -run XXX -bench 'BenchmarkBoxLevelQuery' -benchtime 20000x -count "$COUNT" -timeout 60m ./index
} | tee "$out.raw"
"$BENCHSTAT" "$out.raw" | tee "$out"
