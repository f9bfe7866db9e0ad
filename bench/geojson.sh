#!/usr/bin/env bash
# GeoJSONSeq ingest beside GDAL: N synthetic building footprints (default
# N=1000000, about 240 MB; 2D, on the ground floor: one index key each, as
# BenchmarkIngest floors=1) on a grid around Hangzhou, one Feature a line,
# loaded
#   - by cim ingest into a fresh store (parse, validate, classify, index,
#     one atomic batch), and
#   - by ogr2ogr into a fresh GeoPackage with its R-tree spatial index
#     (GDAL's own reader and SQLite: the file-based peer QGIS users load
#     such data with).
# The two run alternately, RUNS rounds (default 5), each under GNU time for
# wall time, CPU time and peak RSS; reported are the medians and their
# ratio. Needs: gdal-bin, time (Debian). Results go to
# bench/results/geojson-<UTC>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-5}
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-geojson}
mkdir -p "$WORK" bench/results
out=bench/results/geojson-$(date -u +%Y%m%dT%H%M%SZ).md
for tool in ogr2ogr /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install gdal-bin time python3" >&2; exit 2; }
done
SEQ=$WORK/footprints2d-$N.geojsons
if [ ! -s "$SEQ" ]; then
  python3 - "$N" "$SEQ" <<'PY'
import math, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
random.seed(1)
side = math.ceil(math.sqrt(n))
lon0, lat0, step, size = 120.0, 30.0, 0.0004, 0.0002  # ~40 m apart, ~20 m wide
with open(path, "w") as f:
    for i in range(n):
        x, y = lon0 + (i % side) * step, lat0 + (i // side) * step
        w = size * (0.5 + random.random() / 2)
        ring = [[x, y], [x + w, y], [x + w, y + w], [x, y + w], [x, y]]
        coords = ",".join("[%.7f,%.7f]" % (a, b) for a, b in ring)
        f.write('{"type":"Feature","id":%d,"geometry":{"type":"Polygon","coordinates":[[%s]]},'
                '"properties":{"building":"yes","name":"b%d"}}\n'
                % (i, coords, i))
PY
fi
go build -o "$WORK/cim" ./cmd/cim

# run NAME CMD...: one timed run; appends "name wall cpu rss_mib" to $WORK/runs.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
  read -r wall user sys rss < "$WORK/time.txt"
  echo "$name $wall $(echo "$user + $sys" | bc) $((rss / 1024))" >> "$WORK/runs"
}
: > "$WORK/runs"
for round in $(seq "$RUNS"); do
  rm -rf "$WORK/cim.db"; run cim "$WORK/cim" ingest --db "$WORK/cim.db" --dataset seq "$SEQ"
  rm -f "$WORK/out.gpkg"; run ogr2ogr ogr2ogr -f GPKG "$WORK/out.gpkg" "$SEQ" -nln footprints -lco SPATIAL_INDEX=YES -gt 65536
  echo "round $round done" >&2
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
{
  echo "# GeoJSONSeq ingest: $N footprints ($(du -h "$SEQ" | cut -f1))"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(ogr2ogr --version); $RUNS rounds, alternating"
  echo
  echo "| tool | median wall s | median CPU s | median peak RSS MiB |"
  echo "|---|---|---|---|"
  for t in cim ogr2ogr; do
    w=$(awk -v t=$t '$1==t {print $2}' "$WORK/runs" | median)
    c=$(awk -v t=$t '$1==t {print $3}' "$WORK/runs" | median)
    r=$(awk -v t=$t '$1==t {print $4}' "$WORK/runs" | median)
    echo "| $t | $w | $c | $r |"
    eval "wall_$t=$w"
  done
  echo
  printf "cim / ogr2ogr (medians): %.2f×; cim features/s: %.0f\n" "$(echo "$wall_cim / $wall_ogr2ogr" | bc -l)" "$(echo "$N / $wall_cim" | bc -l)"
  echo
  echo "Runs (tool wall cpu rss):"; echo; sed 's/^/    /' "$WORK/runs"
} > "$out"
cat "$out"
