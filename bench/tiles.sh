#!/usr/bin/env bash
# Vector tiles, issue #17: cim serve beside PostGIS ST_AsMVT, and cim tiles
# export beside tilemaker, in one run.
#
# Serving. For Monaco and a K-copy archipelago of Monaco (default K=100, made
# with ../shared/tools if absent), each tool loads the same PBF (untimed): a
# fresh cim store (cim ingest, cim compact) and an osm2pgsql -k import with
# the PostGIS harness's views and its tile function cim_buildings_mvt(z,x,y)
# (../shared/bench-postgis/sql/00_views.sql, 10_mvt.sql: buildings only,
# the way Martin and pg_tileserv build a tile). The tiles: every z12–z16 tile
# over the harness's Monaco box (env.sh BBOX_*; its own zooms are 14–16), and
# for the archipelago the union of those over the K copies of the box, each
# shifted c × DX degrees east as make_archipelago.py shifts the data. Each
# round runs, per input, in turn:
#   - cim, layers=building (what the PostGIS function builds): a fresh
#     `cim serve` process, then bench/tilebench fetches every tile once in
#     order (pass 1: cold cache), then again (pass 2: warm, from the cache);
#   - cim, full tiles (all layers): the same on another fresh server;
#   - PostGIS: one fresh psql session runs SELECT cim_buildings_mvt(z,x,y)
#     for every tile in the same order, twice (pass 1 is a fresh backend,
#     pass 2 the same one: PostGIS has no tile cache, so it rebuilds), each
#     timed client-side by psql's \timing (send to last byte, bytea as hex).
# One client, one request at a time (C=1), keep-alive, Accept-Encoding:
# gzip. Per tile latency p50/p90/p99/max (nearest rank) and tiles/s (tiles /
# wall time of the pass); reported are the median over RUNS rounds (default
# 5) with min and max, and the ratios the issue's targets name.
#
# Export (EXPORT=0 skips it): on the archipelago store, cim tiles export
# --maxzoom 16 and --maxzoom 14 (every CPU), beside tilemaker 2.2 with the
# openmaptiles config Debian ships (z0–z14; no shapefiles) on the same PBF,
# renumbered (tilemaker aborts on the generator's huge ids) and with the
# data's bbox, as ../shared/bench-peers/tilemaker.sh runs it. Alternating,
# ERUNS rounds (default RUNS), each under GNU time: wall, CPU, peak RSS, and
# tiles/s = tiles written / wall.
#
# Needs: osmium-tool osm2pgsql postgresql-15-postgis-3 tilemaker sqlite3
# jq python3 time curl. Loopback only; every command under timeout.
# Results go to bench/results/tiles-<UTC>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-100}
RUNS=${RUNS:-5}
ERUNS=${ERUNS:-$RUNS}
EXPORT=${EXPORT:-1}
SHARED=${SHARED:-../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/cim-bench-tiles}
PORT=${PORT:-18$((RANDOM % 900 + 100))}
CACHE_MB=${CACHE_MB:-256} # cim serve --cache-mb (256 is its default)
ZOOMS=${ZOOMS:-12-16}
DX=0.2 # make_archipelago.py's default shift per copy
T=${T:-900} # seconds: bound on any one command
# The PostGIS harness's study box: the Geofabrik Monaco header bbox.
eval "$(grep -E '^BBOX_[WSEN]=' "$SHARED/bench-postgis/env.sh")"
BOX="$BBOX_W,$BBOX_S,$BBOX_E,$BBOX_N"
MONACO=$SHARED/data/osm/monaco-latest.osm.pbf
ARCH=${ARCH:-$WORK/archipelago-$K.osm.pbf}
mkdir -p "$WORK" bench/results
out=bench/results/tiles-$(date -u +%Y%m%dT%H%M%SZ).md
for tool in osmium osm2pgsql psql jq python3 curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install osmium-tool osm2pgsql postgresql-15-postgis-3 jq python3 curl time" >&2; exit 2; }
done
if [ "$EXPORT" = 1 ]; then
  for tool in tilemaker sqlite3; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install tilemaker sqlite3 (or EXPORT=0)" >&2; exit 2; }
  done
fi
[ -f "$ARCH" ] || timeout "$T" python3 "$SHARED/tools/make_archipelago.py" "$MONACO" "$K" "$ARCH" >&2

started=
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then timeout 120 pg_ctlcluster 15 main start; started=1; fi
server=
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  [ -z "$started" ] || timeout 120 pg_ctlcluster 15 main stop
}
trap cleanup EXIT
export PGHOST=/var/run/postgresql PGUSER=${PGUSER:-$(id -un)}
if ! timeout 60 psql -X -q -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  timeout 60 runuser -u postgres -- env -u PGUSER psql -X -q -d postgres -c "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN"
fi

go build -o "$WORK/cim" ./cmd/cim
go build -o "$WORK/tilebench" ./bench/tilebench

# load NAME PBF: a fresh cim store $WORK/NAME.db and the PostGIS database
# cimbench_tiles_NAME (re-imported only when the PBF changed), untimed.
load() {
  local name=$1 pbf=$2 db=cimbench_tiles_$1 stamp
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
  timeout 300 psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$SHARED/bench-postgis/sql/00_views.sql" -f "$SHARED/bench-postgis/sql/10_mvt.sql"
  timeout 300 psql -X -q -d "$db" -c "VACUUM ANALYZE"
}

# Tile lists: Monaco's box; the archipelago's K shifted boxes, each tile once.
"$WORK/tilebench" -bbox "$BOX" -zooms "$ZOOMS" -list > "$WORK/monaco.tiles"
for ((c = 0; c < K; c++)); do
  "$WORK/tilebench" -bbox "$(awk -F, -v c="$c" -v dx="$DX" '{printf "%.7f,%s,%.7f,%s", $1 + c * dx, $2, $3 + c * dx, $4}' <<<"$BOX")" -zooms "$ZOOMS" -list
done | sort -n -k1,1 -k2,2 -k3,3 -u > "$WORK/arch.tiles"
inputs=(monaco arch)
declare -A PBFS=([monaco]=$MONACO [arch]=$ARCH)
for n in "${inputs[@]}"; do
  load "$n" "${PBFS[$n]}"
  { echo '\o /dev/null'; echo '\timing on'; while read -r z x y; do echo "SELECT cim_buildings_mvt($z, $x, $y);"; done < "$WORK/$n.tiles"; } > "$WORK/$n.sql"
done

# cim_passes NAME QUERY ROUND TAG: a fresh server on NAME's store, two
# passes of tilebench; writes $WORK/runs/ROUND-NAME-TAG-{1,2}.json.
cim_passes() {
  local name=$1 query=$2 r=$3 tag=$4 i
  timeout "$T" "$WORK/cim" serve --db "$WORK/$name.db" --quiet --cache-mb "$CACHE_MB" --addr "127.0.0.1:$PORT" >>"$WORK/serve.log" 2>&1 &
  server=$!
  for ((i = 0; i < 300; i++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    kill -0 "$server" 2>/dev/null || { echo "cim serve exited; see $WORK/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  for pass in 1 2; do
    timeout "$T" "$WORK/tilebench" -base "http://127.0.0.1:$PORT/tiles" -tiles "$WORK/$name.tiles" -query "$query" \
      -connect "http://127.0.0.1:$PORT/healthz" > "$WORK/runs/$r-$name-$tag-$pass.json" ||
      { echo "round $r: cim $name $tag pass $pass failed (above: the tile and the answer)" >&2; exit 1; }
  done
  kill "$server"
  wait "$server" || true
  server=
}

# pg_passes NAME ROUND: one psql session, two passes; per-tile ms into
# $WORK/runs/ROUND-NAME-postgis-{1,2}.ms, the sum of them (s) into .wall.
pg_passes() {
  local name=$1 r=$2 n
  n=$(wc -l < "$WORK/$name.tiles")
  timeout "$T" python3 - "$WORK/$name.sql" "cimbench_tiles_$name" "$WORK/runs/$r-$name-postgis" "$n" <<'PY'
import subprocess, sys
sql, db, stem, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
body = open(sql).read()
# Two passes in one session, a marker line before, between and after.
# The script goes in a file (-f): through a pipe, psql would block on a
# full stdout while this blocks writing its stdin.
mark = "\\timing off\n\\o\n\\echo MARK\n"
open(stem + ".sql", "w").write(mark + body + mark + body + mark)
p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", stem + ".sql"], stdout=subprocess.PIPE, text=True)
marks, ms = [], [[], []]
for line in p.stdout:
    if line.startswith("MARK"):
        marks.append(line)
    elif line.startswith("Time: "):
        ms[len(marks) - 1].append(float(line.split()[1]))
if p.wait() != 0 or len(marks) != 3 or any(len(m) != n for m in ms):
    sys.exit(f"psql failed or timed {[len(m) for m in ms]} of {n} tiles")
for i in range(2):
    open(f"{stem}-{i + 1}.ms", "w").write("".join(f"{x}\n" for x in ms[i]))
    # psql's stdout is buffered, so the pass's wall time cannot be read
    # here; tiles/s is over the sum of the tiles' latencies.
    open(f"{stem}-{i + 1}.wall", "w").write(f"{sum(ms[i]) / 1000}\n")
PY
}

rm -rf "$WORK/runs"; mkdir -p "$WORK/runs"
: > "$WORK/serve.log"
for ((r = 1; r <= RUNS; r++)); do
  for n in "${inputs[@]}"; do
    cim_passes "$n" layers=building "$r" building
    cim_passes "$n" "" "$r" full
    pg_passes "$n" "$r" || { echo "round $r: PostGIS $n failed" >&2; exit 1; }
  done
  echo "serving round $r of $RUNS done" >&2
done

# Export: cim z0–16, cim z0–14, tilemaker z0–14, alternating.
if [ "$EXPORT" = 1 ]; then
  TM=$WORK/tilemaker; mkdir -p "$TM/cwd"
  renum=$WORK/archipelago-$K.renumbered.osm.pbf
  if [ ! -s "$renum" ] || [ "$renum" -ot "$ARCH" ]; then timeout "$T" osmium renumber -o "$renum" --overwrite "$ARCH"; fi
  read -r -a bb <<<"$(osmium fileinfo -e -g data.bbox "$ARCH" | tr -d '()' | sed 's/^/--bbox /')"
  TM_EX=/usr/share/doc/tilemaker/examples
  jq '.settings.minzoom = 0 | .settings.maxzoom = 14' "$TM_EX/config-openmaptiles.json" > "$TM/config.json"
  enames=("cim tiles export z0–16" "cim tiles export z0–14" "tilemaker openmaptiles z0–14")
  : > "$WORK/export.tsv"
  for ((r = 1; r <= ERUNS; r++)); do
    for i in 0 1 2; do
      case $i in
      0 | 1)
        f=$WORK/arch-$i.pmtiles; rm -f "$f"
        cmd=("$WORK/cim" tiles export --db "$WORK/arch.db" --out "$f" --maxzoom $((i == 0 ? 16 : 14))) ;;
      2)
        f=$TM/arch.mbtiles; rm -f "$f"
        cmd=(tilemaker --input "$renum" --output "$f" --config "$TM/config.json" --process "$TM_EX/process-openmaptiles.lua" "${bb[@]}") ;;
      esac
      # tilemaker runs in an empty directory: the openmaptiles config's shapefile layers are absent.
      if ! (cd "$TM/cwd" && timeout "$T" /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "${cmd[@]}" > "$WORK/export.log" 2>&1); then
        echo "round $r: ${enames[$i]} failed:" >&2; tail -5 "$WORK/export.log" >&2; exit 1
      fi
      if [ "$i" = 2 ]; then
        tiles=$(timeout 60 sqlite3 "$f" 'select count(*) from tiles')
      else # PMTiles v3 header: addressed tiles count at byte 72 (uint64 LE)
        tiles=$(python3 -c 'import struct, sys; print(struct.unpack_from("<Q", open(sys.argv[1], "rb").read(127), 72)[0])' "$f")
      fi
      printf '%d\t%d\t%s %s\t%s\n' "$r" "$i" "$(cat "$WORK/time.txt")" "$tiles" "$(stat -c %s "$f")" >> "$WORK/export.tsv"
      echo "export round $r: ${enames[$i]}: $(cat "$WORK/time.txt") $tiles tiles" >&2
    done
  done
  timeout 60 sqlite3 -separator ' ' "$TM/arch.mbtiles" 'select zoom_level, count(*) from tiles group by 1' | tr '\n' ',' > "$WORK/tm-zooms.txt"
fi

{
  echo "# Vector tiles: cim serve beside PostGIS ST_AsMVT; cim tiles export beside tilemaker"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(psql -X -Atc 'select postgis_lib_version()' -d cimbench_tiles_monaco | sed 's/^/PostGIS /'); $RUNS alternating rounds; inputs: Monaco ($(basename "$MONACO")) and $(basename "$ARCH") (K=$K)."
  echo "Tiles: z$ZOOMS over the PostGIS harness's Monaco box $BOX: $(wc -l < "$WORK/monaco.tiles") tiles for Monaco, $(wc -l < "$WORK/arch.tiles") for the archipelago (the box shifted into each of the K copies). cim serve --cache-mb $CACHE_MB. One client (C=1), keep-alive, Accept-Encoding: gzip; latency per tile, send to last byte; tiles/s = tiles / wall time of the pass (for PostGIS / the sum of its tiles' latencies: psql buffers its output, so the pass's wall is not seen)."
  echo
  python3 - "$WORK/runs" "$RUNS" <<'PY'
import json, math, os, statistics, sys
runs, R = sys.argv[1], int(sys.argv[2])
def rank(xs, p):
    xs = sorted(xs); return xs[max(0, min(len(xs) - 1, math.ceil(p * len(xs)) - 1))]
def stats(r, name, tag, p):
    stem = os.path.join(runs, f"{r}-{name}-{tag}-{p}")
    if tag == "postgis":
        ms = [float(l) for l in open(stem + ".ms")]
        wall = float(open(stem + ".wall").read())
        return {"p50": rank(ms, .5), "p90": rank(ms, .9), "p99": rank(ms, .99), "max": max(ms), "tps": len(ms) / wall, "n": len(ms), "ne": None}
    a = json.load(open(stem + ".json"))["all"]
    return {"p50": a["p50_ms"], "p90": a["p90_ms"], "p99": a["p99_ms"], "max": a["max_ms"], "tps": a["tiles_per_s"], "n": a["count"], "ne": a["non_empty"]}
rows = [("cim layers=building, cold (fresh server)", "building", 1), ("cim layers=building, warm (cache)", "building", 2),
        ("cim full tiles, cold (fresh server)", "full", 1), ("cim full tiles, warm (cache)", "full", 2),
        ("PostGIS cim_buildings_mvt, pass 1 (fresh backend)", "postgis", 1), ("PostGIS cim_buildings_mvt, pass 2", "postgis", 2)]
med = {}
for name, title in [("monaco", "Monaco"), ("arch", "Archipelago")]:
    print(f"## Serving: {title}\n")
    print("| contestant | tiles (non-empty) | p50 ms | p90 ms | p99 ms (min–max) | max ms | tiles/s (min–max) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, tag, p in rows:
        s = [stats(r, name, tag, p) for r in range(1, R + 1)]
        m = {k: statistics.median(x[k] for x in s) for k in ("p50", "p90", "p99", "max", "tps")}
        m["p99s"] = [x["p99"] for x in s]
        med[(name, tag, p)] = m
        ne = "" if s[0]["ne"] is None else f" ({s[0]['ne']})"
        print(f"| {label} | {s[0]['n']}{ne} | {m['p50']:.2f} | {m['p90']:.2f} | {m['p99']:.2f} ({min(x['p99'] for x in s):.2f}–{max(x['p99'] for x in s):.2f}) "
              f"| {m['max']:.2f} | {m['tps']:.0f} ({min(x['tps'] for x in s):.0f}–{max(x['tps'] for x in s):.0f}) |")
    print()
print("## Targets (issue #17), medians over the rounds\n")
def ok(b): return "**met**" if b else "**not met**"
for name, title in [("monaco", "Monaco"), ("arch", "archipelago")]:
    c, pg = med[(name, "building", 1)]["p99"], med[(name, "postgis", 1)]["p99"]
    per = statistics.median(a / b for a, b in zip(med[(name, "building", 1)]["p99s"], med[(name, "postgis", 1)]["p99s"]))
    print(f"- {title}: cim cold p99 (layers=building) / PostGIS p99 (pass 1) = {c:.2f} / {pg:.2f} ms = {c / pg:.2f} (median of per-round ratios {per:.2f}); target ≤ 1: {ok(c <= pg)}")
    for tag in ("building", "full"):
        w = med[(name, tag, 2)]["p99"]
        print(f"- {title}: cim warm p99 ({'layers=building' if tag == 'building' else 'full tiles'}) = {w:.3f} ms; target < 1 ms: {ok(w < 1)}")
for tag, p, label in [("building", 1, "cold, layers=building"), ("full", 1, "cold, full tiles"), ("building", 2, "warm, layers=building"), ("full", 2, "warm, full tiles"), ("postgis", 1, "PostGIS pass 1")]:
    a, m = med[("arch", tag, p)]["p99"], med[("monaco", tag, p)]["p99"]
    tgt = "" if tag == "postgis" else f"; target ≤ 2: {ok(a / m <= 2)}"
    print(f"- p99 archipelago / Monaco, {label}: {a:.2f} / {m:.2f} ms = {a / m:.2f}{tgt}")
print()
PY
  if [ "$EXPORT" = 1 ]; then
    echo "## Export: the archipelago (K=$K), $ERUNS alternating rounds"
    echo
    echo "cim builds its own layers (a layer per CIM class) from the cim store (ingest not timed); tilemaker builds the OpenMapTiles schema (no shapefiles: no ocean, urban areas, glaciers) from the renumbered PBF. Both on every CPU. Tiles = tiles written (PMTiles addressed tiles; MBTiles rows). tilemaker tiles per zoom: $(sed 's/,$//' "$WORK/tm-zooms.txt" 2>/dev/null)."
    echo
    printf '%s\n' "${enames[@]}" | python3 -c '
import statistics, sys
names = [l.rstrip("\n") for l in sys.stdin]
runs = {}
for line in open(sys.argv[1]):
    r, i, rest = line.rstrip("\n").split("\t", 2)
    wall, rss, user, sys_, tiles = rest.split("\t")[0].split()
    size = rest.split("\t")[1]
    runs.setdefault(int(i), []).append((float(wall), int(rss) / 1024, float(user) + float(sys_), int(tiles), int(size)))
print("| contestant | tiles | wall s median (min–max) | CPU s median | tiles/s median | peak RSS MiB median (max) | file MiB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for i, n in enumerate(names):
    xs = runs[i]; w = [x[0] for x in xs]; mw = statistics.median(w)
    print(f"| {n} | {xs[0][3]} | {mw:.2f} ({min(w):.2f}–{max(w):.2f}) | {statistics.median(x[2] for x in xs):.2f} | {xs[0][3] / mw:.0f} | {statistics.median(x[1] for x in xs):.0f} ({max(x[1] for x in xs):.0f}) | {xs[0][4] / 2**20:.1f} |")
tm = statistics.median(x[0] for x in runs[2])
print()
for i in (0, 1):
    m = statistics.median(x[0] for x in runs[i])
    print(f"- {names[i]} / tilemaker z0–14: wall {m / tm:.2f}, tiles/s {(runs[i][0][3] / m) / (runs[2][0][3] / tm):.2f}, peak RSS {statistics.median(x[1] for x in runs[i]) / statistics.median(x[1] for x in runs[2]):.2f}")
' "$WORK/export.tsv"
  fi
} > "$out"
cat "$out"
