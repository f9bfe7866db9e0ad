#!/usr/bin/env bash
# IFC benchmarks of issue #7, beside web-ifc (bench/ifc/package.json, from
# npm) measured in the same run:
#   - parse throughput on the 4 MB GSA Office A model (MB/s): cim's STEP
#     reader decoding every instance, and keeping six types with Only;
#     cim's IFC reader (parse, placements, footprints, slabs,
#     georeferencing: features out); web-ifc OpenModel plus its storey
#     and space lists. COUNT runs each (default 10), benchstat medians;
#   - ingest of all the shared IFC files together into a fresh store,
#     `cim ingest --db DIR ../shared/data/ifc/*.ifc`, beside one node
#     process opening the same files with web-ifc: hyperfine, RUNS runs
#     (default 10).
# Results go to bench/results/ifc-<UTC>.txt. Run on an idle machine.
# Needs: node, npm, hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10}
RUNS=${RUNS:-10}
SHARED=${SHARED:-../shared}
IFCS=("$SHARED"/data/ifc/*.ifc)
out=bench/results/ifc-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/results
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
BENCHSTAT=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
[ -d bench/ifc/node_modules/web-ifc ] || (cd bench/ifc && npm install --no-audit --no-fund --silent)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/cim" ./cmd/cim
{
  echo "# $(date -u) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); web-ifc $(node -p 'require("./bench/ifc/node_modules/web-ifc/package.json").version' 2>/dev/null || grep -m1 '"version"' bench/ifc/node_modules/web-ifc/package.json)"
  go test -run XXX -bench 'BenchmarkOffice' -count "$COUNT" ./ingest/ifc/step ./ingest/ifc
  node bench/ifc/webifc.js "$COUNT" "$SHARED/data/ifc/Office_A_20110811.ifc"
} | tee "$out.raw"
"$BENCHSTAT" "$out.raw" | tee "$out"
{
  echo
  echo "# all shared IFC files: $(du -cb "${IFCS[@]}" | tail -1 | cut -f1) bytes in ${#IFCS[@]} files"
} | tee -a "$out"
hyperfine --style basic --runs "$RUNS" --warmup 1 \
  --prepare "rm -rf $work/db" \
  -n "cim ingest (fresh store)" "$work/cim ingest --db $work/db ${IFCS[*]}" \
  -n "web-ifc open (node)" "node bench/ifc/webifc.js 0 ${IFCS[*]}" \
  --export-markdown "$work/hf.md" >/dev/null
cat "$work/hf.md" | tee -a "$out"
rm -rf "$work/db"
"$work/cim" ingest --db "$work/db" "${IFCS[@]}" 2>&1 | tee -a "$out"
echo "results: $out"
