#!/usr/bin/env bash
# Recompute the planning indicators of the cim sample scheme with PostGIS and
# compare them with the hand calculation of make_sample.py.
#
#   samples/gen/check_indicators.sh            # as root (or a user with a PostgreSQL role
#                                              # that may create databases)
#
# 1. starts the PostgreSQL 15 cluster (pg_ctlcluster 15 main start) if it is
#    down, and stops it again at the end if this script started it;
# 2. creates the scratch database cim_sample (PostGIS), loads the seven
#    sample files with ogr2ogr -f PostgreSQL into a table of the same name;
# 3. runs indicators.sql (validity and orientation checks, then indicators),
#    writes samples/gen/indicators.csv (name,value);
# 4. compares with samples/gen/indicators_hand.csv: fails if any value differs
#    by more than 0.1 %; prints a Markdown table of both;
# 5. drops the database.
#
# Environment: PGCLUSTER_VERSION (15), PGCLUSTER_NAME (main), DB (cim_sample),
# KEEP_DB=1 to keep the database for inspection.
set -euo pipefail

GEN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SAMPLES="$(dirname "$GEN")"
VER="${PGCLUSTER_VERSION:-15}"
CLUSTER="${PGCLUSTER_NAME:-main}"
DB="${DB:-cim_sample}"
TOL="0.001"

# Run PostgreSQL clients as the postgres OS user when we are root (peer
# authentication); otherwise as ourselves.
if [ "$(id -u)" = 0 ]; then
  AS=(runuser -u postgres --)
else
  AS=()
fi
psql_() { "${AS[@]}" psql -X -q -v ON_ERROR_STOP=1 "$@"; }

started=0
if ! pg_lsclusters -h | awk -v v="$VER" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
  echo "starting PostgreSQL $VER/$CLUSTER"
  pg_ctlcluster "$VER" "$CLUSTER" start
  started=1
fi
cleanup() {
  if [ "${KEEP_DB:-0}" != 1 ]; then
    psql_ -d postgres -c "DROP DATABASE IF EXISTS $DB" || true
  fi
  if [ "$started" = 1 ]; then
    echo "stopping PostgreSQL $VER/$CLUSTER"
    pg_ctlcluster "$VER" "$CLUSTER" stop || true
  fi
}
trap cleanup EXIT

psql_ -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB"
psql_ -d postgres -c "CREATE DATABASE $DB"
psql_ -d "$DB" -c "CREATE EXTENSION postgis"

for t in site buildings storeys green transit roads facilities; do
  f="$SAMPLES/$t.geojson"
  "${AS[@]}" ogr2ogr -f PostgreSQL "PG:dbname=$DB" "$f" -nln "$t" -overwrite \
    -nlt GEOMETRY -lco GEOMETRY_NAME=geom -lco LAUNDER=NO -lco SPATIAL_INDEX=NONE -lco FID=ogc_fid
done

psql_ -d "$DB" -o /dev/null -f "$GEN/indicators.sql"
{
  echo "name,value"
  psql_ -d "$DB" -A -t -F, -c "SELECT name, round(value::numeric, 6)::float8 FROM ind ORDER BY ord"
} > "$GEN/indicators.csv"
echo "wrote $GEN/indicators.csv ($(($(wc -l < "$GEN/indicators.csv") - 1)) indicators)"

python3 - "$GEN/indicators_hand.csv" "$GEN/indicators.csv" "$TOL" <<'EOF'
import csv, sys
hand = {r["name"]: float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))}
pg = {r["name"]: float(r["value"]) for r in csv.DictReader(open(sys.argv[2]))}
tol = float(sys.argv[3])
bad = []
print("| indicator | hand | PostGIS | rel. diff |")
print("|---|---:|---:|---:|")
for k, h in hand.items():
    if k not in pg:
        bad.append(k + " missing in PostGIS")
        continue
    p = pg[k]
    d = abs(p - h) / abs(h) if h else abs(p)
    if d > tol:
        bad.append("%s: hand %s, PostGIS %s (%.3g)" % (k, h, p, d))
    fmt = (lambda v: "%.4f" % v) if abs(h) < 100 and h != int(h) else (lambda v: "%.1f" % v)
    print("| %s | %s | %s | %.1e |" % (k, fmt(h), fmt(p), d))
bad += [k + " missing in hand" for k in pg if k not in hand]
if bad:
    print("\nMISMATCH (> %.1f %%):\n  " % (tol * 100) + "\n  ".join(bad))
    sys.exit(1)
print("\nall %d indicators agree within %.1f %%" % (len(hand), tol * 100))
EOF
