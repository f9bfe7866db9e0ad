#!/bin/sh
# gen_areas.sh writes areas.golden.csv: for every feature of areas.geojson,
# the area and perimeter PostGIS computes on the WGS84 spheroid
# (ST_Area(geography) and ST_Perimeter(geography), which use GeographicLib's
# geodesic polygon algorithms). The Go tests compare AreaM2 and LengthM with
# these values, so they must come from PostGIS, never from cim.
#
# Usage, with a running PostgreSQL that has PostGIS available:
#
#	sh cim/testdata/gen_areas.sh [database]
#
# The database (default cimtest) must exist; the script creates the postgis
# extension in it if it is missing. psql connects as the current user, or,
# when run as root, as postgres. For a scratch database on Debian:
#
#	pg_ctlcluster 15 main start
#	su postgres -c "createdb cimtest"
#	sh cim/testdata/gen_areas.sh
#	su postgres -c "dropdb cimtest"; pg_ctlcluster 15 main stop
set -eu
db=${1:-cimtest}
cd "$(dirname "$0")"
psql=psql
if [ "$(id -u)" = 0 ]; then
	psql="runuser -u postgres -- psql"
fi
doc=$(cat areas.geojson)
trap 'rm -f areas.golden.csv.tmp' EXIT
{
	echo "id,area_m2,perimeter_m"
	$psql -X -q -v ON_ERROR_STOP=1 -d "$db" -A -t -F, -v doc="$doc" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
-- Shortest representation that reads back to the same double.
SET extra_float_digits = 1;
WITH f AS (
	SELECT ord, e->>'id' AS id,
		ST_SetSRID(ST_GeomFromGeoJSON(e->'geometry'), 4326) AS g
	FROM json_array_elements((:'doc')::json->'features') WITH ORDINALITY AS t(e, ord)
)
SELECT id,
	CASE WHEN ST_IsValid(g) THEN ST_Area(g::geography, true)::text
		ELSE 'invalid: ' || ST_IsValidReason(g) END,
	ST_Perimeter(g::geography, true)
FROM f ORDER BY ord;
SQL
} >areas.golden.csv.tmp
if grep -q invalid areas.golden.csv.tmp; then
	cat areas.golden.csv.tmp >&2
	exit 1
fi
mv areas.golden.csv.tmp areas.golden.csv
