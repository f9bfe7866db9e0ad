#!/usr/bin/env bash
# IFC benchmarks of issue #7, beside web-ifc (bench/ifc/package.json, from
# npm, `npm ci` there) measured in the same run, the two taking turns
# (A B A B …) so that a change in the machine's load falls on both:
#   - parse throughput on the 4 MB GSA Office A model: cim's STEP reader
#     decoding every instance (BenchmarkOffice), and keeping six types
#     with Only (BenchmarkOfficeOnly); cim's IFC reader (parse,
#     placements, footprints, slabs, georeferencing: features out,
#     BenchmarkOfficeA); web-ifc OpenModel plus its storey and space
#     lists. COUNT rounds (default 10), each running every benchmark once
#     (go test -benchtime 1s);
#   - ingest of all the shared IFC files together into a fresh store,
#     `cim ingest --db DIR ../shared/data/ifc/*.ifc`, beside one node
#     process opening the same files with web-ifc: RUNS rounds (default
#     10) of one each, wall-clock.
# It reports the median of each (with min and max) and the ratio of
# web-ifc's median to cim's. Results go to bench/results/ifc-<UTC>.txt,
# the runs themselves to the same name with .raw. Needs: go, node, npm.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
COUNT=${COUNT:-10}
RUNS=${RUNS:-10}
SHARED=${SHARED:-../shared}
IFCS=("$SHARED"/data/ifc/*.ifc)
OFFICE=$SHARED/data/ifc/Office_A_20110811.ifc
out=bench/results/ifc-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/results
[ -d bench/ifc/node_modules/web-ifc ] || (cd bench/ifc && npm ci --no-audit --no-fund --silent)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/cim" ./cmd/cim
go test -c -o "$work/step.test" ./ingest/ifc/step
go test -c -o "$work/ifc.test" ./ingest/ifc

# bench runs one Go benchmark once in its package's directory (the tests
# find the shared data relative to it) and prints its result line.
bench() { # dir binary name
  (cd "$1" && "$work/$2" -test.run '^$' -test.bench "^$3\$" -test.benchtime 1s -test.count 1 -test.benchmem) | grep '^Benchmark'
}

# summary reads "name value" lines and prints, per name in order of first
# appearance, the number of values, their median, min and max.
summary() { # unit
  awk -v unit="$1" '
    { if (!($1 in n)) order[++k] = $1; v[$1, ++n[$1]] = $2 }
    END {
      for (i = 1; i <= k; i++) {
        name = order[i]; c = n[name]
        for (a = 1; a <= c; a++) s[a] = v[name, a]
        for (a = 2; a <= c; a++) { x = s[a]; for (b = a - 1; b >= 1 && s[b] > x; b--) s[b+1] = s[b]; s[b+1] = x }
        med = (c % 2) ? s[(c+1)/2] : (s[c/2] + s[c/2+1]) / 2
        printf "%-40s n=%-3d median %10.4g %s  (min %.4g, max %.4g)\n", name, c, med, unit, s[1], s[c]
        median[name] = med
      }
      for (i = 1; i <= k; i++) print "MEDIAN", order[i], median[order[i]] > "/dev/stderr"
    }'
}

{
  echo "# $(date -u) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version); node $(node --version); web-ifc $(node -p 'require("./bench/ifc/node_modules/web-ifc/package.json").version')"
  echo "# parse: $COUNT rounds, each: STEP all, STEP Only, IFC reader, web-ifc"
} | tee "$out" >"$out.raw"
for i in $(seq "$COUNT"); do
  {
    bench ingest/ifc/step step.test BenchmarkOffice
    bench ingest/ifc/step step.test BenchmarkOfficeOnly
    bench ingest/ifc ifc.test BenchmarkOfficeA
    node bench/ifc/webifc.js 1 "$OFFICE"
  } | tee -a "$out.raw"
done
{
  echo
  echo "## Office A ($(stat -c %s "$OFFICE") bytes), ns per read"
  grep '^Benchmark' "$out.raw" | awk '{ sub(/-[0-9]+$/, "", $1); print $1, $3 }' | summary ns 2>"$work/parse.med"
  awk '$2 ~ /WebIFC/ { w = $3 } $2 == "BenchmarkOfficeA" { a = $3 } $2 == "BenchmarkOffice" { s = $3 }
    END { printf "ratio web-ifc / cim IFC reader (features out): %.2f\nratio web-ifc / cim STEP reader (every instance): %.2f\n", w / a, w / s }' "$work/parse.med"
} | tee -a "$out"

{
  echo
  echo "## ingest of all the shared IFC files ($(du -cb "${IFCS[@]}" | tail -1 | cut -f1) bytes in ${#IFCS[@]} files), $RUNS rounds, seconds"
} | tee -a "$out"
: >"$work/ingest"
for i in $(seq "$RUNS"); do
  rm -rf "$work/db"
  t0=$EPOCHREALTIME
  "$work/cim" ingest --db "$work/db" "${IFCS[@]}" >/dev/null 2>&1
  t1=$EPOCHREALTIME
  node bench/ifc/webifc.js 0 "${IFCS[@]}"
  t2=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { print "cim-ingest", b - a }' >>"$work/ingest"
  awk -v a="$t1" -v b="$t2" 'BEGIN { print "web-ifc-open", b - a }' >>"$work/ingest"
done
cat "$work/ingest" >>"$out.raw"
{
  summary s <"$work/ingest" 2>"$work/ingest.med"
  awk '$2 == "cim-ingest" { c = $3 } $2 == "web-ifc-open" { w = $3 } END { printf "ratio web-ifc / cim: %.2f\n", w / c }' "$work/ingest.med"
  echo
  rm -rf "$work/db"
  "$work/cim" ingest --db "$work/db" "${IFCS[@]}" 2>&1
} | tee -a "$out"
echo "results: $out (runs: $out.raw)"
