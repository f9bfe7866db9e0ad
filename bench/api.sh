#!/usr/bin/env bash
# The query API under load, issue #19: cim serve's OGC API – Features beside
# MapServer 8's OGC API – Features over PostGIS, and beside PostGIS itself
# answering the same boxes through pgbench, in one run.
#
# Inputs: Monaco and a K-copy archipelago of Monaco (default K=100, made
# with ../shared/tools/make_archipelago.py if absent; copy c is shifted
# c × DX = 0.2° east). Each is loaded (untimed) into a fresh cim store (cim
# ingest, cim compact) and into the PostGIS database cimbench_api_NAME by
# osm2pgsql -k, as the PostGIS harness imports (01_import.sh), re-imported
# only when the PBF changed.
#
# Boxes: the PostGIS harness's 1,000 fixed 200 m boxes centred on Monaco's
# land (../shared/bench-postgis/reference/monaco-boxes.csv, kind monaco,
# lon/lat corners). For the archipelago, box i goes to copy (i−1) mod K,
# shifted (i−1 mod K) × DX east as the data is, so the boxes spread over the
# copies. In PostGIS the boxes are the lon/lat boxes transformed to EPSG:3857
# (table api_boxes), as MapServer transforms a CRS84 bbox to the layer's
# 3857; buildings are planet_osm_polygon rows with building set and not
# 'no' (the harness's cim_buildings, MapServer's layer).
#
# Before anything is timed, the first CHECK boxes (default 50) must give
# the same number of buildings: cim's numberReturned and MapServer's
# feature count at limit=1000 must equal PostGIS's ST_Intersects count;
# otherwise the run stops and prints the boxes that differ. One definition
# difference is allowed for, by counting it in PostGIS: cim's building
# class also holds buildings mapped as a node (Monaco has one, node
# 8425070183, a restaurant tagged building=yes; osm2pgsql puts it in
# planet_osm_point), so cim's count is checked against PostGIS's building
# polygons plus building points, MapServer's (its layer is
# planet_osm_polygon) against the polygons. pgbench runs the harness's
# polygon query: cim answers at most one feature more per box.
#
# Contestants, per input, alternating in RUNS rounds (default 3); in each
# round, for each connection count in CONNS (default 1 2 8), each in turn
# for WRK_SECONDS (default 20):
#   - cim: one `cim serve` per input (started once, warm after the check),
#     wrk GET /collections/building/items?f=json&limit=100&bbox=W,S,E,N;
#   - MapServer: ../shared/bench-peers/mapserver.sh (lighttpd + 4 FastCGI
#     mapserv, one PostGIS connection each) over cimbench_api_NAME, the same
#     wrk load on /collections/buildings/items;
#   - PostGIS: pgbench -M prepared, -c conns, -j min(conns, 2), one random
#     box per transaction, the harness's 05_bbox.sh SQL (osm_id of the
#     buildings intersecting the box; no GeoJSON is written, so this is the
#     database's share of MapServer's work, a lower bound for a server);
#   - PostGIS GeoJSON (PG_JSON=1, the default): pgbench with the query a
#     feature server such as pg_featureserv sends: the same boxes, at most
#     100 buildings, each as ST_AsGeoJSON of (osm_id, building, name, the
#     polygon in 4326), aggregated into one FeatureCollection text.
# wrk: threads = min(conns, 2), each thread walks the box list from its own
# start (as ../shared/bench-peers/oapif-load.sh does); p50/p99 from wrk's
# HdrHistogram; pgbench's from its per-transaction log (nearest rank).
# Nothing is pinned to a CPU. Reported: per input × contestant × conns the
# median over rounds of req/s, p50, p99 (min–max), and the target's ratios
# cim req/s ÷ peer req/s and cim p99 ÷ peer p99, met when the first is > 1
# and the second ≤ 1.
#
# Needs: wrk cgi-mapserver mapserver-bin lighttpd (../shared/bench-peers/
# setup.sh), osm2pgsql postgresql-15-postgis-3 (pgbench) curl jq python3.
# Loopback only; every command under timeout. Results go to
# bench/results/api-<UTC>.md. Smoke: RUNS=1 WRK_SECONDS=3 K=10 bench/api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-100}
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-20}
CONNS=${CONNS:-1 2 8}
CHECK=${CHECK:-50}
MAPSERVER=${MAPSERVER:-1} # 0: leave MapServer out
PG_JSON=${PG_JSON:-1}     # 0: leave the PostGIS GeoJSON query out
SHARED=${SHARED:-../shared}
SHARED=$(cd "$SHARED" && pwd)
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-api}
PORT=${PORT:-19$((RANDOM % 900 + 100))}
MS_PORT0=${MS_PORT0:-$((PORT + 1))}
DX=0.2 # make_archipelago.py's default shift per copy
T=${T:-900} # seconds: bound on any one command
MONACO=$SHARED/data/osm/monaco-latest.osm.pbf
ARCH=${ARCH:-$WORK/archipelago-$K.osm.pbf}
BOXES=$SHARED/bench-postgis/reference/monaco-boxes.csv
PEERS=$SHARED/bench-peers
mkdir -p "$WORK" bench/results
out=bench/results/api-$(date -u +%Y%m%dT%H%M%SZ).md
need="wrk curl jq python3 osmium osm2pgsql psql pgbench"
[ "$MAPSERVER" = 0 ] || need="$need lighttpd /usr/lib/cgi-bin/mapserv"
for tool in $need; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run $PEERS/setup.sh (as root) or apt-get install wrk cgi-mapserver mapserver-bin lighttpd osm2pgsql postgresql-15-postgis-3 jq curl" >&2; exit 2; }
done
[ -r "$BOXES" ] || { echo "missing $BOXES" >&2; exit 2; }
[ -f "$ARCH" ] || timeout "$T" python3 "$SHARED/tools/make_archipelago.py" "$MONACO" "$K" "$ARCH" >&2
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

started=
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then timeout 120 pg_ctlcluster 15 main start; started=1; fi
export PGHOST=/var/run/postgresql PGUSER=${PGUSER:-$(id -un)}
servers=()
ms_runs=()
cleanup() {
  local p d
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  for d in "${ms_runs[@]}"; do MS_RUN=$d timeout 60 "$PEERS/mapserver.sh" stop >/dev/null 2>&1 || true; done
  [ -z "$started" ] || timeout 120 pg_ctlcluster 15 main stop
}
trap cleanup EXIT
if ! timeout 60 psql -X -q -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  timeout 60 runuser -u postgres -- env -u PGUSER psql -X -q -d postgres -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN"
fi

timeout "$T" go build -o "$WORK/cim" ./cmd/cim

# load NAME PBF: a fresh cim store $WORK/NAME.db and the PostGIS database
# cimbench_api_NAME (re-imported only when the PBF changed), untimed.
load() {
  local name=$1 pbf=$2 db=cimbench_api_$1 stamp
  echo "loading $pbf into cim and PostGIS (not timed)" >&2
  rm -rf "$WORK/$name.db"
  timeout "$T" "$WORK/cim" ingest --db "$WORK/$name.db" "$pbf" >/dev/null
  timeout "$T" "$WORK/cim" compact --db "$WORK/$name.db" >/dev/null
  stamp="$(stat -c '%s %Y' "$pbf")"
  timeout 60 psql -X -q -d postgres -Atc "select 1 from pg_database where datname='$db'" | grep -q 1 || timeout 60 createdb "$db"
  if [ "$(timeout 60 psql -X -q -d "$db" -Atc "select obj_description('planet_osm_polygon'::regclass)" 2>/dev/null)" != "$stamp" ]; then
    timeout 60 psql -X -q -d "$db" -c 'CREATE EXTENSION IF NOT EXISTS postgis' -c 'CREATE EXTENSION IF NOT EXISTS hstore'
    timeout "$T" osm2pgsql -d "$db" -k --log-level=warn "$pbf"
    timeout 60 psql -X -q -d "$db" -c "COMMENT ON TABLE planet_osm_polygon IS '$stamp'"
  fi
}

# boxes NAME COPIES: $WORK/NAME.boxes (id lon0 lat0 lon1 lat1), box i in
# copy (i−1) mod COPIES; the same boxes in 3857 as table api_boxes of
# cimbench_api_NAME, with each box's PostGIS building count (n).
boxes() {
  local name=$1 k=$2 db=cimbench_api_$1
  awk -F, -v k="$k" -v dx="$DX" 'NR > 1 && $2 == "monaco" {c = ($1 - 1) % k
    printf "%d %.9f %.9f %.9f %.9f\n", $1, $7 + c * dx, $8, $9 + c * dx, $10}' "$BOXES" > "$WORK/$name.boxes"
  timeout 300 psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<SQL
DROP TABLE IF EXISTS api_boxes;
CREATE TABLE api_boxes (id int PRIMARY KEY, lon0 float8, lat0 float8, lon1 float8, lat1 float8,
  bx0 float8, by0 float8, bx1 float8, by1 float8, n int, n_pt int);
\copy api_boxes (id, lon0, lat0, lon1, lat1) FROM '$WORK/$name.boxes' WITH (FORMAT text, DELIMITER ' ')
UPDATE api_boxes SET bx0 = ST_X(a), by0 = ST_Y(a), bx1 = ST_X(b), by1 = ST_Y(b)
FROM (SELECT id AS i, ST_Transform(ST_SetSRID(ST_MakePoint(lon0, lat0), 4326), 3857) AS a,
             ST_Transform(ST_SetSRID(ST_MakePoint(lon1, lat1), 4326), 3857) AS b FROM api_boxes) t WHERE id = i;
UPDATE api_boxes b SET n = (SELECT count(*) FROM planet_osm_polygon p WHERE p.building IS NOT NULL AND p.building <> 'no'
  AND ST_Intersects(p.way, ST_MakeEnvelope(b.bx0, b.by0, b.bx1, b.by1, 3857))),
  n_pt = (SELECT count(*) FROM planet_osm_point p WHERE p.building IS NOT NULL AND p.building <> 'no'
  AND ST_Intersects(p.way, ST_MakeEnvelope(b.bx0, b.by0, b.bx1, b.by1, 3857)));
VACUUM ANALYZE api_boxes;
VACUUM ANALYZE planet_osm_polygon;
SQL
  timeout 60 psql -X -q -d "$db" -Atc "SELECT id, n, n + n_pt FROM api_boxes ORDER BY id" | tr '|' ' ' > "$WORK/$name.want"
}

# lua NAME URL WHO: a wrk script cycling through NAME's boxes on URL's path.
lua() {
  local name=$1 path=/${2#http://*/}
  {
    echo "local paths = {"
    awk -v p="$path?f=json&limit=100" '{printf "  \"%s&bbox=%s,%s,%s,%s\",\n", p, $2, $3, $4, $5}' "$WORK/$name.boxes"
    cat <<'LUA'
}
local n = #paths
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  local nt = tonumber(args[1]) or 1
  i = math.floor(tid * n / nt)
end
function request()
  i = i % n + 1
  return wrk.format("GET", paths[i], { ["Accept"] = "application/geo+json" })
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
  } > "$WORK/$name-$3.lua"
}

# check NAME URL COUNT_JQ POINTS: the first CHECK boxes' counts against
# PostGIS's: its building polygons, and with POINTS=1 its building points
# too (cim's building class holds building nodes; planet_osm_polygon and
# MapServer's layer do not).
check() {
  local name=$1 url=$2 jqx=$3 pts=$4 bad=0 n=0 id lon0 lat0 lon1 lat1 want got poly all
  while read -r id lon0 lat0 lon1 lat1 && read -r _ poly all <&3; do
    want=$poly; [ "$pts" = 0 ] || want=$all
    [ "$n" -lt "$CHECK" ] || break
    got=$(timeout 60 curl -fsS -m 30 -H 'Accept: application/geo+json' "$url?f=json&limit=1000&bbox=$lon0,$lat0,$lon1,$lat1" | jq "$jqx") || got=ERR
    [ "$got" = "$want" ] || { bad=$((bad + 1)); echo "$name box $id ($lon0,$lat0,$lon1,$lat1): $got from $url, PostGIS $want" >&2; }
    n=$((n + 1))
  done < "$WORK/$name.boxes" 3< "$WORK/$name.want"
  echo "$name: $url: $n boxes checked against PostGIS ST_Intersects, $bad differ" >&2
  echo "- $name, $url: $n boxes, $bad differ from PostGIS ($([ "$pts" = 0 ] && echo polygons || echo 'polygons + points'))" >> "$WORK/checks.txt"
  [ "$bad" = 0 ] || { echo "counts differ; not benchmarking a wrong answer" >&2; exit 1; }
}

wait_http() {
  local url=$1 pid=${2:-} i
  for ((i = 0; i < 600; i++)); do
    timeout 10 curl -sf -o /dev/null "$url" && return 0
    [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || { echo "server for $url exited; see $WORK/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "no answer from $url" >&2; exit 1
}

inputs=(monaco arch)
declare -A PBFS=([monaco]=$MONACO [arch]=$ARCH) COPIES=([monaco]=1 [arch]=$K) URL=()
: > "$WORK/serve.log"; : > "$WORK/checks.txt"
i=0
for n in "${inputs[@]}"; do
  load "$n" "${PBFS[$n]}"
  boxes "$n" "${COPIES[$n]}"
  p=$((PORT + 10 + i))
  timeout $((T + RUNS * 20 * (WRK_SECONDS + 30))) "$WORK/cim" serve --db "$WORK/$n.db" --quiet --addr "127.0.0.1:$p" >>"$WORK/serve.log" 2>&1 &
  servers+=($!)
  wait_http "http://127.0.0.1:$p/healthz" "$!"
  URL[$n-cim]="http://127.0.0.1:$p/collections/building/items"
  check "$n" "${URL[$n-cim]}" .numberReturned 1
  lua "$n" "${URL[$n-cim]}" cim
  if [ "$MAPSERVER" != 0 ]; then
    ms_runs+=("$WORK/ms-$n")
    DB=cimbench_api_$n MS_RUN=$WORK/ms-$n MS_PORT=$((MS_PORT0 + 20 + i)) MS_ALIAS=$n OUT=$WORK/peers WORK=$WORK/peers \
      timeout 120 "$PEERS/mapserver.sh" start >&2
    base=$(MS_PORT=$((MS_PORT0 + 20 + i)) MS_ALIAS=$n "$PEERS/mapserver.sh" url)
    URL[$n-mapserver]="$base/collections/buildings/items"
    check "$n" "${URL[$n-mapserver]}" '.features | length' 0
    lua "$n" "${URL[$n-mapserver]}" mapserver
  fi
  cat > "$WORK/$n.pgbench" <<'SQL'
\set id random(1, 1000)
SELECT p.osm_id
FROM api_boxes b
JOIN planet_osm_polygon p ON ST_Intersects(p.way, ST_MakeEnvelope(b.bx0, b.by0, b.bx1, b.by1, 3857))
WHERE b.id = :id AND p.building IS NOT NULL AND p.building <> 'no';
SQL
  cat > "$WORK/$n.pgjson" <<'SQL'
\set id random(1, 1000)
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(t.*)::json), '[]'))::text
FROM (SELECT p.osm_id, p.building, p.name, ST_Transform(p.way, 4326) AS geom
      FROM api_boxes b
      JOIN planet_osm_polygon p ON ST_Intersects(p.way, ST_MakeEnvelope(b.bx0, b.by0, b.bx1, b.by1, 3857))
      WHERE b.id = :id AND p.building IS NOT NULL AND p.building <> 'no' LIMIT 100) t;
SQL
  i=$((i + 1))
done
contestants=(cim)
[ "$MAPSERVER" = 0 ] || contestants+=(mapserver)
contestants+=(postgis)
[ "$PG_JSON" = 0 ] || contestants+=(pgjson)

# run NAME CONTESTANT CONNS ROUND: one timed load; appends a line to runs.tsv
# (round input contestant conns requests rps p50 p99 max errors non2xx).
run() {
  local name=$1 who=$2 c=$3 r=$4 t res log hp
  t=$((c < 2 ? c : 2))
  log=$WORK/runs/$r-$name-$who-c$c
  if [ "$who" = postgis ] || [ "$who" = pgjson ]; then
    timeout $((WRK_SECONDS + 60)) pgbench -n -M prepared -c "$c" -j "$t" -T "$WRK_SECONDS" -l --log-prefix="$log" \
      -f "$WORK/$name.$([ "$who" = postgis ] && echo pgbench || echo pgjson)" "cimbench_api_$name" > "$log.txt" 2>&1 || { echo "pgbench failed: $log.txt" >&2; cat "$log.txt" >&2; exit 1; }
    res=$(cat "$log".[0-9]* | python3 -c '
import math, sys
ms = sorted(int(l.split()[2]) / 1000 for l in sys.stdin)
rank = lambda p: ms[max(0, math.ceil(p * len(ms)) - 1)]
print(len(ms), "%.3f %.3f" % (rank(.5), rank(.99)), "%.3f" % ms[-1])')
    local tps; tps=$(awk '/^tps = /{print $3; exit}' "$log.txt")
    rm -f "$log".[0-9]*
    read -r a b c2 d <<<"$res"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t0\n' "$r" "$name" "$who" "$c" "$a" "$tps" "$b" "$c2" "$d" >> "$WORK/runs.tsv"
  else
    hp=${URL[$name-$who]#http://}; hp=${hp%%/*}
    timeout $((WRK_SECONDS + 60)) wrk -t "$t" -c "$c" -d "${WRK_SECONDS}s" --timeout 10s -s "$WORK/$name-$who.lua" "http://$hp/" -- "$t" > "$log.txt" 2>&1 ||
      { echo "wrk failed: $log.txt" >&2; cat "$log.txt" >&2; exit 1; }
    res=$(awk '/^RESULT/{print $2, $3, $4, $5, $6, $7, $8}' "$log.txt")
    [ -n "$res" ] || { echo "no RESULT in $log.txt" >&2; exit 1; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$name" "$who" "$c" "$(tr ' ' '\t' <<<"$res")" >> "$WORK/runs.tsv"
  fi
  echo "round $r $name $who c=$c: $(tail -1 "$WORK/runs.tsv" | cut -f5-)" >&2
}

rm -rf "$WORK/runs"; mkdir -p "$WORK/runs"; : > "$WORK/runs.tsv"
for ((r = 1; r <= RUNS; r++)); do
  for n in "${inputs[@]}"; do
    for c in $CONNS; do
      for who in "${contestants[@]}"; do run "$n" "$who" "$c" "$r"; done
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# The query API under load: cim serve beside MapServer OGC API – Features and PostGIS (pgbench)"
  echo
  echo "$(date -u), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $load_start at the start, $load_end at the end; $(psql -X -Atc 'select version()' -d postgres | cut -d' ' -f1-2), PostGIS $(psql -X -Atc 'select postgis_lib_version()' -d cimbench_api_monaco); $("/usr/lib/cgi-bin/mapserv" -v 2>/dev/null | cut -d' ' -f1-3); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)."
  echo "RUNS=$RUNS alternating rounds, WRK_SECONDS=$WRK_SECONDS s per load, connections $CONNS; inputs: Monaco ($(basename "$MONACO")) and $(basename "$ARCH") (K=$K); $(wc -l < "$WORK/monaco.boxes") boxes of 200 m (bench-postgis reference/monaco-boxes.csv, kind monaco; for the archipelago box i in copy (i−1) mod K, shifted by $DX° per copy)."
  echo "HTTP: GET …/items?f=json&limit=100&bbox=W,S,E,N, keep-alive, wrk threads = min(conns, 2); PostGIS: pgbench -M prepared, a random box per transaction: the osm_ids of the intersecting buildings (the harness's 05_bbox.sh query, no GeoJSON), and (GeoJSON) at most 100 of them as one FeatureCollection text from json_agg(ST_AsGeoJSON(osm_id, building, name, way in 4326)). Nothing pinned."
  echo
  echo "Answers checked before timing (building count per box: cim numberReturned, MapServer feature count, at limit=1000, against PostGIS ST_Intersects over planet_osm_polygon, building set and not 'no'):"
  echo
  cat "$WORK/checks.txt"
  echo
  python3 - "$WORK/runs.tsv" "${contestants[*]}" "$CONNS" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
who_all, conns = sys.argv[2].split(), sys.argv[3].split()
runs = {}
for r, name, who, c, req, rps, p50, p99, mx, err, non2xx in rows:
    runs.setdefault((name, who, c), []).append(dict(r=int(r), req=int(req), rps=float(rps), p50=float(p50), p99=float(p99), max=float(mx), err=int(err) + int(non2xx)))
med = lambda xs: statistics.median(xs)
labels = {"cim": "cim serve", "mapserver": "MapServer 8 OAPIF (lighttpd, 4 mapserv)", "postgis": "PostGIS pgbench (osm_ids only)", "pgjson": "PostGIS pgbench (GeoJSON FeatureCollection)"}
titles = {"monaco": "Monaco", "arch": "Archipelago"}
for name in ("monaco", "arch"):
    print(f"## {titles[name]}\n")
    print("| contestant | conns | req/s median (min–max) | p50 ms median (min–max) | p99 ms median (min–max) | requests | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for who in who_all:
        for c in conns:
            xs = runs[(name, who, c)]
            f = lambda k, d: f"{med(x[k] for x in xs):.{d}f} ({min(x[k] for x in xs):.{d}f}–{max(x[k] for x in xs):.{d}f})"
            print(f"| {labels[who]} | {c} | {f('rps', 0)} | {f('p50', 2)} | {f('p99', 2)} | {sum(x['req'] for x in xs)} | {sum(x['err'] for x in xs)} |")
    print()
print("## Targets (issue #19): more requests/s than each peer at equal or better p99\n")
print("Ratios of the medians over rounds; in brackets the median of the per-round ratios (each round's runs were back to back).\n")
for name in ("monaco", "arch"):
    for peer in [w for w in who_all if w != "cim"]:
        for c in conns:
            a, b = runs[(name, "cim", c)], runs[(name, peer, c)]
            rr = med(x["rps"] for x in a) / med(x["rps"] for x in b)
            pr = med(x["p99"] for x in a) / med(x["p99"] for x in b)
            rrr = med(x["rps"] / y["rps"] for x, y in zip(a, b))
            prr = med(x["p99"] / y["p99"] for x, y in zip(a, b))
            ok = rr > 1 and pr <= 1
            print(f"- {titles[name]}, {c} conn: cim ÷ {labels[peer]}: req/s {rr:.2f} ({rrr:.2f}), p99 {pr:.2f} ({prr:.2f}): {'**met**' if ok else '**not met**'}")
    print()
PY
} > "$out"
cat "$out"
