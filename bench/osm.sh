#!/usr/bin/env bash
# OSM ingest benchmark of issue #3, all in one run on the same file:
#   - osmium cat (decode and re-encode: a decode-bound lower bound),
#   - cim ingest (into a fresh store each run),
#   - osm2pgsql into a local PostGIS (-k, non-slim: what planners use today),
# each timed by hyperfine (RUNS runs, default 5) and once under GNU time -v
# for the peak RSS. The input is a K-copy archipelago of Monaco (default
# K=100: about 42 MB, 2.5M nodes), made with ../shared/tools if absent.
# Needs: osmium-tool osm2pgsql postgresql-15-postgis-3 hyperfine (Debian).
# Results go to bench/results/osm-<UTC>.md. Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-100}
RUNS=${RUNS:-5}
SHARED=${SHARED:-../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-osm}
PBF=${PBF:-$WORK/archipelago-$K.osm.pbf}
DB=${DB:-cimbench_osm}
mkdir -p "$WORK" bench/results
out=bench/results/osm-$(date -u +%Y%m%dT%H%M%SZ).md

for tool in osmium osm2pgsql hyperfine psql; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install osmium-tool osm2pgsql postgresql-15-postgis-3 hyperfine" >&2; exit 2; }
done
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
peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.0f MiB", $6/1024}'; }

{
  echo "# OSM ingest: $(basename "$PBF") ($(du -h "$PBF" | cut -f1), $(osmium fileinfo -e -g data.count.nodes "$PBF") nodes)"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(osmium --version | head -1); $(osm2pgsql --version 2>&1 | head -1); hyperfine $RUNS runs"
  echo
} > "$out"
hyperfine --style basic --runs "$RUNS" --export-markdown "$WORK/hf.md" \
  --prepare "true" -n "osmium cat" "osmium cat -f pbf -o /dev/null --overwrite $PBF" \
  --prepare "rm -rf $WORK/cim.db" -n "cim ingest" "$WORK/cim ingest --db $WORK/cim.db $PBF" \
  --prepare "psql -X -q -d $DB -c '$DROP'" -n "osm2pgsql" "osm2pgsql -d $DB -k --log-level=warn $PBF"
cat "$WORK/hf.md" >> "$out"
{
  echo
  echo "Peak RSS (GNU time -v, one run each):"
  echo
  echo "- osmium cat: $(peak osmium cat -f pbf -o /dev/null --overwrite "$PBF")"
  rm -rf "$WORK/cim.db"
  echo "- cim ingest: $(peak "$WORK/cim" ingest --db "$WORK/cim.db" "$PBF")"
  psql -X -q -d "$DB" -c "$DROP"
  echo "- osm2pgsql: $(peak osm2pgsql -d "$DB" -k --log-level=warn "$PBF") (client; the PostgreSQL server's memory is not counted)"
} >> "$out"
[ -n "$started" ] && pg_ctlcluster 15 main stop
cat "$out"
