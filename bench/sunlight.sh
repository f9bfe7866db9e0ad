#!/usr/bin/env bash
# Sunlight benchmarks of issue #22, beside GRASS GIS r.sun in the same run:
#   1. facade: the generated 100 ha community (200 residential towers of
#      6–33 storeys, fixed seed, as sunlight's BenchmarkCommunity), every
#      storey's sills at 1 m, the Hangzhou rule (大寒日 8:00–16:00 true solar
#      time, 1 min): wall time and peak memory (target: 10 s, 1 GiB);
#   2. ground: a 1 km² ground grid at 1 m over the same towers, insolation
#      time on 大寒日 from sunrise to sunset at STEP minutes (default 3),
#      cim's package sunlight against GRASS r.sun's insol_time over a DSM
#      rasterised from the same towers (same day, same declination, same
#      grid): the time ratio and the share of cells within 10 minutes.
# Needs grass-core (apt-get install grass-core) for part 2; without it part
# 2 is skipped with a message. Results go to bench/results/sunlight-<UTC>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
STEP=${STEP:-3}
NPROCS=${NPROCS:-$(nproc)}
out=bench/results/sunlight-$(date -u +%Y%m%dT%H%M%SZ).md
mkdir -p bench/results
work=$(mktemp -d /tmp/cim-bench-sunlight.XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -o "$work/sunground" ./bench/sunground

{
  echo "# Sunlight: the facade grid, and a ground grid beside GRASS r.sun"
  echo
  echo "$(date -u), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the start; cim $(git rev-parse --short HEAD)."
  echo
  echo "## 1. Facade grid (bench/sunground -mode facade, under /usr/bin/time -v)"
  echo
  /usr/bin/time -v "$work/sunground" -mode facade 2>"$work/ftime" >"$work/facade.json"
  rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$work/ftime")
  wall=$(awk '/Elapsed/ {print $NF}' "$work/ftime")
  python3 - "$work/facade.json" "$rss" "$wall" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); rss = int(sys.argv[2]); wall = sys.argv[3]
print(f"| receivers | evaluate | per million | process wall | peak RSS | pass share |")
print(f"|---:|---:|---:|---:|---:|---:|")
print(f"| {d['receivers']:,} | {d['seconds']:.2f} s | {d['seconds_per_million']:.2f} s | {wall} | {rss/1024:.0f} MiB | {d['pass_share']:.3f} |")
print()
print(f"Target: at most 10 s and 1 GiB on the two cores; {'met' if d['seconds_per_million'] <= 10 and rss <= 1<<20 else 'NOT met'} (the generator's towers hold {d['receivers']:,} sills; per million is the evaluate time scaled).")
PY
  echo
  echo "## 2. Ground grid beside GRASS r.sun"
  echo
  "$work/sunground" -mode gen -dir "$work" -step "$STEP" >"$work/gen.json"
  if ! command -v grass >/dev/null; then
    echo "GRASS GIS is not installed (apt-get install grass-core): skipped."
  else
    read -r W S E N DECL DOY < <(python3 -c "import json;d=json.load(open('$work/gen.json'));print(d['west'],d['south'],d['east'],d['north'],d['declination_rad'],d['day_of_year'])")
    grass -c EPSG:4549 "$work/gdb" -e >/dev/null 2>&1
    cat >"$work/grass.sh" <<G
set -e
g.region n=$N s=$S e=$E w=$W res=1 -a
v.in.ogr input=$work/towers.geojson output=towers -o --quiet
v.to.rast input=towers output=bld use=attr attribute_column=height --quiet
r.mapcalc "dsm = if(isnull(bld), 0, bld)" --quiet
start=\$(date +%s.%N)
r.sun elevation=dsm day=$DOY step=$(python3 -c "print($STEP/60)") declination=$DECL nprocs=$NPROCS insol_time=insol --quiet
end=\$(date +%s.%N)
echo "\$end - \$start" | bc > $work/rsun.seconds
r.mapcalc "insol_ground = if(isnull(bld), insol, null())" --quiet
r.out.ascii input=insol_ground output=$work/grass.asc null_value=-9999 precision=4 --quiet
G
    grass "$work/gdb/PERMANENT" --exec bash "$work/grass.sh" >"$work/grass.log" 2>&1
    "$work/sunground" -mode compare -dir "$work" >"$work/cmp.json"
    python3 - "$work/gen.json" "$work/rsun.seconds" "$work/cmp.json" "$(grass --version 2>&1 | head -1)" <<'PY'
import json, sys
g = json.load(open(sys.argv[1])); rs = float(open(sys.argv[2]).read()); c = json.load(open(sys.argv[3]))
print(f"{g['day']} (day {g['day_of_year']}), declination {g['declination_rad']:.6f} rad (cim's, at noon, given to r.sun), {g['step_min']:.0f} min steps, a 1,000 × 1,000 grid of 1 m over the towers in EPSG:4549; {sys.argv[4]}, r.sun nprocs as the CPUs.")
print()
print("| contestant | cells | time | ratio |")
print("|---|---:|---:|---:|")
print(f"| cim (package sunlight) | {g['receivers']:,} ground cells | {g['seconds']:.2f} s | 1 |")
print(f"| GRASS r.sun insol_time | the same grid (roofs left out) | {rs:.1f} s | {rs/g['seconds']:.1f} |")
print()
print(f"Cells within 10 minutes of each other: **{c['agree_10min']*100:.1f} %** of {c['cells']:,}; mean absolute difference {c['mean_abs_diff_min']:.1f} min.")
print(f"Within 2 m of a tower: {c['near_walls_agree']*100:.1f} % of {c['near_walls_cells']:,}; farther: {c['open_agree']*100:.1f} % of {c['open_cells']:,}.")
print(f"Where they differ by more: r.sun gives more time in {c['grass_more_than_cim']:,} cells, cim in {c['cim_more_than_grass']:,}.")
print()
print("r.sun minus cim, in the cells that differ by more than 10 min:")
print()
print("| minutes | cells |")
print("|---|---:|")
for k, v in sorted(c['disagreements_grass_minus_cim'].items(), key=lambda kv: float(kv[0].split('..')[0])):
    print(f"| {k.replace(' min','')} | {v:,} |")
PY
  fi
} | tee "$out"
echo "wrote $out" >&2
