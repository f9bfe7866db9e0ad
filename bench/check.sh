#!/usr/bin/env bash
# cim check beside PostGIS, issue #4. On a K-copy archipelago of Monaco
# (default K=100, made with ../shared/tools if absent) the site drawn around
# Monte-Carlo station (plan/testdata/monaco-site.geojson) is shifted
# into every copy, and each tool computes FAR, building density and green
# ratio of all K sites:
#   - one cim check of all K sites (a GeoJSON file of K site features)
#     with the far-green pack (the same indicators) one site at a time
#     (--jobs 1, as the one PostgreSQL backend works) and on every CPU,
#     and with the full zj-future-community pack (TOD rings, walks, living
#     circles as well) on every CPU;
#   - K cim check processes, one per site (what a script looping over
#     sites costs: each opens the store);
#   - PostGIS: bench/check/indicators.sql on an osm2pgsql -k import.
# Both stores are loaded before timing; one untimed warm-up round
# (WARMUP=0 skips it) brings them into the page cache. Then RUNS rounds
# (default 5), each running every contestant once in turn (A B C D E A B
# …), because this machine drifts: reported are each contestant's median,
# min and max, and its ratio to PostGIS, both of the medians and as the
# median of the ratios within a round.
# The values are compared site by site (within 1 %). K=1 checks Monaco
# itself; GOLDEN=1 (with K=1) rewrites plan/testdata/monaco-postgis.csv,
# which TestMonacoAgainstPostGIS compares with.
# Needs: osmium-tool osm2pgsql postgresql-15-postgis-3 jq python3.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-100}
RUNS=${RUNS:-5}
SHARED=${SHARED:-../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-check}
DB=${DB:-cimbench_check}
SITE=plan/testdata/monaco-site.geojson
DX=0.2 # make_archipelago.py's default shift per copy
mkdir -p "$WORK" bench/results
out=bench/results/check-$(date -u +%Y%m%dT%H%M%SZ).md
for tool in osmium osm2pgsql psql jq python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install osmium-tool osm2pgsql postgresql-15-postgis-3 jq python3" >&2; exit 2; }
done
if [ "$K" = 1 ]; then PBF=$SHARED/data/osm/monaco-latest.osm.pbf; else
  PBF=${PBF:-$WORK/archipelago-$K.osm.pbf}
  [ -f "$PBF" ] || python3 "$SHARED/tools/make_archipelago.py" "$SHARED/data/osm/monaco-latest.osm.pbf" "$K" "$PBF"
fi

started=
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then pg_ctlcluster 15 main start; started=1; fi
trap '[ -n "$started" ] && pg_ctlcluster 15 main stop' EXIT
export PGHOST=/var/run/postgresql PGUSER=${PGUSER:-$(id -un)}
if ! psql -X -q -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  runuser -u postgres -- env -u PGUSER psql -X -q -d postgres -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN"
fi
psql -X -q -d postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1 || createdb "$DB"
psql -X -q -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS postgis' -c 'CREATE EXTENSION IF NOT EXISTS hstore'

go build -o "$WORK/cim" ./cmd/cim
echo "loading $PBF into cim and PostGIS (not timed)" >&2
rm -rf "$WORK/cim.db"
"$WORK/cim" ingest --db "$WORK/cim.db" "$PBF" >/dev/null
osm2pgsql -d "$DB" -k --log-level=warn "$PBF"

# The K sites: copy c is the drawn site shifted c × DX degrees east.
geom=$(jq -c '.features[0].geometry' "$SITE")
psql -X -q -d "$DB" -v geom="$geom" -v k="$K" -v dx="$DX" <<'SQL'
DROP TABLE IF EXISTS cim_sites;
CREATE TABLE cim_sites AS
SELECT format('site-%s', lpad(c::text, 3, '0')) AS id,
       ST_Translate(ST_SetSRID(ST_GeomFromGeoJSON(:'geom'), 4326), c * :dx, 0) AS g
FROM generate_series(0, :k - 1) AS c;
SQL
rm -rf "$WORK/sites" "$WORK/out"; mkdir -p "$WORK/sites" "$WORK/out"
for ((c = 0; c < K; c++)); do
  jq --argjson c "$c" --argjson dx "$DX" --arg id "site-$(printf %03d "$c")" \
    '.features[0] | .id = $id | .geometry.coordinates |= map(map([.[0] + $c * $dx, .[1]]))' "$SITE"
done | jq -s '{type: "FeatureCollection", features: .}' > "$WORK/sites.geojson"
for ((c = 0; c < K; c++)); do
  jq --argjson i "$c" '.features |= [.[$i]]' "$WORK/sites.geojson" > "$WORK/sites/site-$(printf %03d "$c").geojson"
done
# exit 1 from a check with a failing rule is expected
cat > "$WORK/cim-all.sh" <<SH
#!/usr/bin/env bash
"$WORK/cim" check --db "$WORK/cim.db" --site "$WORK/sites.geojson" --rules "\$1" --jobs "\${3:-0}" --format json > "$WORK/out/all.\$2.json" || [ \$? = 1 ]
SH
cat > "$WORK/cim-each.sh" <<SH
#!/usr/bin/env bash
for f in $WORK/sites/*.geojson; do "$WORK/cim" check --db "$WORK/cim.db" --site "\$f" --rules "\$1" --format json > /dev/null || [ \$? = 1 ]; done
SH
chmod +x "$WORK/cim-each.sh" "$WORK/cim-all.sh"
psqlrun="psql -X -q -d $DB -v ON_ERROR_STOP=1 -f bench/check/indicators.sql -o $WORK/postgis.csv"

names=(
  "cim check, $K sites (far-green pack), --jobs 1"
  "cim check, $K sites (far-green pack), --jobs $(nproc)"
  "cim check, $K sites (zj-future-community pack), --jobs $(nproc)"
  "$K × cim check, one site each (far-green pack)"
  "PostGIS SQL"
)
cmds=(
  "$WORK/cim-all.sh bench/check/far-green.yaml fg1 1"
  "$WORK/cim-all.sh bench/check/far-green.yaml fg"
  "$WORK/cim-all.sh zj-future-community zj"
  "$WORK/cim-each.sh bench/check/far-green.yaml"
  "$psqlrun"
)
# Rounds: every contestant once per round, in turn. times.tsv gets
# round, contestant, start and end (s); round 0 is the warm-up.
times=$WORK/times.tsv
: > "$times"
for ((r = ${WARMUP:-1} ? 0 : 1; r <= RUNS; r++)); do
  for i in "${!cmds[@]}"; do
    start=$EPOCHREALTIME
    bash -c "${cmds[$i]}" || { echo "round $r: ${names[$i]} failed" >&2; exit 1; }
    end=$EPOCHREALTIME
    printf '%d\t%d\t%s\t%s\n' "$r" "$i" "$start" "$end" >> "$times"
  done
  echo "round $r of $RUNS done" >&2
done

{
  echo "# cim check beside PostGIS: $K site(s) on $(basename "$PBF")"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(psql -X -Atc 'select postgis_lib_version()' -d "$DB" | sed 's/^/PostGIS /'); $RUNS alternating rounds"
  echo
  printf '%s\n' "${names[@]}" | python3 -c '
import statistics, sys
names = [l.rstrip("\n") for l in sys.stdin]
rounds = {}
for line in open(sys.argv[1]):
    r, i, start, end = line.split("\t")
    if int(r) > 0:
        rounds.setdefault(int(r), {})[int(i)] = float(end) - float(start)
base = len(names) - 1  # PostGIS
med = {i: statistics.median(rd[i] for rd in rounds.values()) for i in range(len(names))}
print("| contestant | median s | min s | max s | median / PostGIS median | median of per-round ratios |")
print("|---|---:|---:|---:|---:|---:|")
for i, n in enumerate(names):
    xs = [rd[i] for rd in rounds.values()]
    per = statistics.median(rd[i] / rd[base] for rd in rounds.values())
    print(f"| {n} | {med[i]:.3f} | {min(xs):.3f} | {max(xs):.3f} | {med[i] / med[base]:.2f} | {per:.2f} |")
' "$times"
} > "$out"

# Compare the values site by site.
{
  echo
  echo "Values (cim from the far-green run; worst relative difference over the $K sites):"
  echo
  python3 - "$WORK" <<'PY'
import csv, json, os, sys
work = sys.argv[1]
worst = {}
reports = json.load(open(os.path.join(work, "out", "all.fg.json")))
if isinstance(reports, dict):
    reports = [reports]
by_id = {r["site"]["id"]: r["indicators"] for r in reports}
for row in csv.DictReader(open(os.path.join(work, "postgis.csv"))):
    ind = by_id[row["id"]]
    for cim_key, pg_key in [("site_area_m2", "site_area_m2"), ("gfa_m2", "gfa_m2"), ("far", "far"),
                            ("footprint_m2", "footprint_m2"), ("building_density", "building_density"),
                            ("green_ground_m2", "green_m2"), ("green_ratio", "green_ratio")]:
        a, b = ind[cim_key], float(row[pg_key])
        rel = abs(a - b) / abs(b) if b else abs(a - b)
        if rel > worst.get(cim_key, (0,))[0] or cim_key not in worst:
            worst[cim_key] = (rel, row["id"], a, b)
print("| indicator | worst rel. diff | site | cim | PostGIS |")
print("|---|---:|---|---:|---:|")
bad = False
for k, (rel, site, a, b) in worst.items():
    print(f"| {k} | {rel:.2e} | {site} | {a:.6g} | {b:.6g} |")
    bad = bad or rel > 0.01
if bad:
    print("\nFAIL: a value differs by more than 1 %")
PY
} >> "$out"
if [ "$K" = 1 ] && [ "${GOLDEN:-}" = 1 ]; then
  cp "$WORK/postgis.csv" plan/testdata/monaco-postgis.csv
  echo "wrote plan/testdata/monaco-postgis.csv" >&2
fi
cat "$out"
