#!/usr/bin/env bash
# OSM ingest benchmark of issue #3, all in one run on the same file:
#   - osmium cat (decode and re-encode: a decode-bound lower bound),
#   - cim ingest (into a fresh store each run),
#   - osm2pgsql into a local PostGIS (-k, non-slim: what planners use today),
#   - with BEFORE=path/to/cim, an older cim binary as a fourth contestant.
# The tools run alternately, one after the other, RUNS rounds (default 5),
# each run under GNU time for its wall time, CPU time (user + system) and
# peak RSS; the report gives per-tool medians and the ratios of the medians.
# On a shared machine the CPU times vary less than the wall times. The input is a K-copy
# archipelago of Monaco (default K=100: about 42 MB, 2.5M nodes), made with
# ../shared/tools if absent.
# Needs: osmium-tool osm2pgsql postgresql-15-postgis-3 time (Debian).
# Results go to bench/results/osm-<UTC>.md. Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-100}
RUNS=${RUNS:-5}
SHARED=${SHARED:-../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-osm}
PBF=${PBF:-$WORK/archipelago-$K.osm.pbf}
DB=${DB:-cimbench_osm}
BEFORE=${BEFORE:-}
mkdir -p "$WORK" bench/results
out=bench/results/osm-$(date -u +%Y%m%dT%H%M%SZ).md

for tool in osmium osm2pgsql psql /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install osmium-tool osm2pgsql postgresql-15-postgis-3 time" >&2; exit 2; }
done
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "BEFORE=$BEFORE is not an executable" >&2; exit 2; }
[ -f "$PBF" ] || python3 "$SHARED/tools/make_archipelago.py" "$SHARED/data/osm/monaco-latest.osm.pbf" "$K" "$PBF"

# PostgreSQL: start the Debian cluster if it is down; make the role and database.
started=
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then pg_ctlcluster 15 main start; started=1; fi
export PGHOST=/var/run/postgresql PGUSER=${PGUSER:-$(id -un)}
if ! psql -X -q -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  runuser -u postgres -- env -u PGUSER psql -X -q -d postgres -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN"
fi
psql -X -q -d postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1 || createdb "$DB"
psql -X -q -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS postgis' -c 'CREATE EXTENSION IF NOT EXISTS hstore'
DROP="DROP TABLE IF EXISTS planet_osm_point, planet_osm_line, planet_osm_polygon, planet_osm_roads"

go build -o "$WORK/cim" ./cmd/cim
tools=("osmium cat" "cim ingest" "osm2pgsql")
[ -n "$BEFORE" ] && tools+=("cim before")

# run TOOL: one run, after its preparation (untimed); prints "wall-seconds
# KiB cpu-seconds".
run() {
  local cmd
  case $1 in
  "osmium cat") cmd=(osmium cat -f pbf -o /dev/null --overwrite "$PBF") ;;
  "cim ingest") rm -rf "$WORK/cim.db"; cmd=("$WORK/cim" ingest --db "$WORK/cim.db" "$PBF") ;;
  "cim before") rm -rf "$WORK/before.db"; cmd=("$BEFORE" ingest --db "$WORK/before.db" "$PBF") ;;
  osm2pgsql) psql -X -q -d "$DB" -c "$DROP"; cmd=(osm2pgsql -d "$DB" -k --log-level=warn "$PBF") ;;
  esac
  if ! /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "${cmd[@]}" >/dev/null 2>"$WORK/stderr.txt"; then
    echo "$1 failed:" >&2; cat "$WORK/stderr.txt" >&2; exit 1
  fi
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/time.txt"
}

: > "$WORK/runs.txt"
for round in $(seq "$RUNS"); do
  for t in "${tools[@]}"; do
    r=$(run "$t")
    echo "$t	$r" >> "$WORK/runs.txt"
    echo "round $round: $t $r" >&2
  done
done

# median TOOL COLUMN: the median of a column (2 wall seconds, 3 KiB, 4 CPU
# seconds) of a tool's runs.
median() {
  awk -F'\t' -v t="$1" '$1 == t {print $2}' "$WORK/runs.txt" | awk -v c="$2" '{print $(c-1)}' | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

{
  echo "# OSM ingest: $(basename "$PBF") ($(du -h "$PBF" | cut -f1), $(osmium fileinfo -e -g data.count.nodes "$PBF") nodes)"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(osmium --version | head -1); $(osm2pgsql --version 2>&1 | head -1 | sed "s/^.*osm2pgsql version/osm2pgsql/"); $RUNS rounds, tools alternating"
  echo
  echo "| tool | median wall s | runs (s) | median CPU s | median peak RSS MiB | max peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
  for t in "${tools[@]}"; do
    runs=$(awk -F'\t' -v t="$t" '$1 == t {split($2, a, " "); printf "%s%s", sep, a[1]; sep = " "}' "$WORK/runs.txt")
    maxrss=$(awk -F'\t' -v t="$t" '$1 == t {split($2, a, " "); if (a[2] > m) m = a[2]} END {printf "%.0f", m / 1024}' "$WORK/runs.txt")
    echo "| $t | $(median "$t" 2) | $runs | $(median "$t" 4) | $(awk -v k="$(median "$t" 3)" 'BEGIN {printf "%.0f", k / 1024}') | $maxrss |"
  done
  echo
  cim=$(median "cim ingest" 2)
  echo "- cim ingest / osmium cat: $(ratio "$cim" "$(median "osmium cat" 2)") wall, $(ratio "$(median "cim ingest" 4)" "$(median "osmium cat" 4)") CPU"
  echo "- cim ingest / osm2pgsql: $(ratio "$cim" "$(median osm2pgsql 2)") (osm2pgsql's client only: the PostgreSQL server's memory is not counted in its RSS)"
  if [ -n "$BEFORE" ]; then
    before=$(median "cim before" 2)
    echo "- cim before ($BEFORE) / osmium cat: $(ratio "$before" "$(median "osmium cat" 2)")"
    echo "- cim ingest / cim before: $(ratio "$cim" "$before") wall, $(ratio "$(median "cim ingest" 4)" "$(median "cim before" 4)") CPU"
  fi
} > "$out"
[ -n "$started" ] && pg_ctlcluster 15 main stop
cat "$out"
