// cim's viewer: the community in 3D on MapLibre GL JS over the server's
// style and tiles, one floor at a time, the planning scheme beside what is
// built, and the planning check on the map. The URL hash keeps the view
// (map=zoom/lat/lon/bearing/pitch), the floor, the stage, the dataset, the
// site and the rule pack, so a link reopens the same picture.
import * as maplibregl from "/viewer/maplibre/maplibre-gl.mjs";
import { FloorSwitcher, addFloorLayers, basementNote, floorRange, levelsInView, resetPaint, showFloor } from "./floors.js";
import { addCheckLayers, addSunlightLayer, failedIds, overlay, renderResults, ringLabels, showOutlines, showSunlight } from "./check.js";

performance.mark("cim:app.js");
const started = performance.now();
// The worker (0.5 MB of JavaScript to fetch and compile) starts now, on
// the other core, while the map is made on this one.
maplibregl.prewarm();
const boot = window.cimBoot;

const $ = (id) => document.getElementById(id);

const STAGE_NAMES = { planning: "规划方案 planning", design: "设计 design", construction: "在建 construction", "as-built": "建成现状 as-built" };

// ---- the URL hash, beside MapLibre's own map= parameter ----

function readHash() {
  return Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
}

function writeHash(changes) {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of Object.entries(changes)) {
    if (v == null || v === "") p.delete(k);
    else p.set(k, v);
  }
  // MapLibre writes map= unescaped; keep it readable the same way.
  const h = p.toString().replaceAll("%2F", "/");
  history.replaceState(history.state, "", h ? `#${h}` : location.pathname + location.search);
}

const state = (() => {
  const h = readHash();
  return {
    stage: h.stage ?? "",
    dataset: h.dataset ?? "",
    floor: h.floor != null && h.floor !== "" && !Number.isNaN(Number(h.floor)) ? Number(h.floor) : null,
    site: h.site ?? "",
    pack: h.pack ?? "",
    compare: h.compare ?? "",
    view: h.map ?? "", // MapLibre's, as the link had it
  };
})();

function styleURL(stage, dataset) {
  const q = new URLSearchParams();
  if (stage) q.set("stage", stage);
  if (dataset) q.set("dataset", dataset);
  const s = q.toString();
  return s ? `/style.json?${s}` : "/style.json";
}

// ---- maps ----

let check = null; // the last check answer
let sunlit = null; // the last sunlight answer shown (GeoJSON), null when hidden
let labels = []; // the ring labels' markers, per map

function newMap(container, stage, hash, first) {
  const map = new maplibregl.Map({
    container, style: first?.style ?? styleURL(stage, state.dataset), hash: hash ? "map" : false,
    maxPitch: 70, attributionControl: { compact: true }, ...first?.camera,
  });
  map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
  map.on("style.load", () => decorate(map));
  map.on("click", (e) => showFeature(map, e.point));
  map.on("mousemove", (e) => {
    map.getCanvas().style.cursor = pickFeature(map, e.point) ? "pointer" : "";
  });
  return map;
}

// decorate adds the viewer's layers to a freshly loaded style and puts
// back the floor and the check.
function decorate(map) {
  resetPaint(map);
  // Buildings coloured by use, as the storeys are.
  const byUse = map.getLayer("storey") && map.getPaintProperty("storey", "fill-extrusion-color");
  if (byUse && map.getLayer("building")) map.setPaintProperty("building", "fill-extrusion-color", byUse);
  addFloorLayers(map);
  addCheckLayers(map);
  addSunlightLayer(map);
  showFloor(map, floors.level);
  drawCheck(map);
  if (sunlit) showSunlight(map, sunlit);
  if (map === main) legend(map);
}

// firstStyle is the boot fetches' style with its TileJSON in place of the
// link to it, and the first camera: the link's view, else the style's
// pitch over the whole store (fitView); null to load the style by URL.
async function firstStyle() {
  let style, tj, cat;
  try {
    [style, tj] = await Promise.all([boot.style, boot.tiles]);
  } catch {
    return null;
  }
  for (const src of Object.values(style.sources ?? {})) {
    if (src.url && new URL(src.url, location.href).pathname === "/tiles.json") {
      delete src.url;
      for (const k of ["tiles", "minzoom", "maxzoom", "bounds", "attribution", "scheme"]) if (tj[k] != null) src[k] = tj[k];
    }
  }
  if (state.view) return { style };
  try {
    cat = await boot.catalog;
  } catch {
    return { style };
  }
  if (cat.bounds?.length !== 4) return { style };
  return { style, bounds: cat.bounds, camera: { center: style.center ?? [0, 0], zoom: style.zoom ?? 0, pitch: style.pitch ?? 0, bearing: style.bearing ?? 0 } };
}

// fitView shows the whole store (the style's own view is at most zoom
// 16, too far out for a single building), but no farther out than zoom
// 14, where buildings are drawn (a city-wide OSM store would otherwise
// open on an empty map).
function fitView(map, bounds) {
  map.fitBounds(bounds, { padding: 40, maxZoom: 20, pitch: map.getPitch(), duration: 0 });
  if (map.getZoom() < 14) map.jumpTo({ zoom: 14 });
}

const first = await firstStyle();
performance.mark("cim:boot-fetched");
const main = newMap("map", state.stage, true, first);
// Set before the style loads, the camera keeps: the tiles asked for first
// are the ones of this view, not of the style's.
if (first?.bounds) fitView(main, first.bounds);
performance.mark("cim:map");
main.once("load", () => performance.mark("cim:load"));
const firstTile = (e) => {
  if (!e.tile) return;
  performance.mark("cim:first-tile");
  main.off("data", firstTile);
};
main.on("data", firstTile);
let other = null; // the right-hand map when side by side
window.cimMap = main;
let mainLoaded = false;
main.once("load", () => { mainLoaded = true; });
const maps = () => (other ? [main, other] : [main]);
window.cimCompareMap = () => other;

// ---- floors ----

function noteFloor(level) {
  $("floor-note").textContent = basementNote(level);
  $("floor-note").hidden = !basementNote(level);
}

const floors = new FloorSwitcher($("floors"), (level) => {
  state.floor = level;
  writeHash({ floor: level });
  noteFloor(level);
  for (const m of maps()) showFloor(m, level);
  // Storeys are drawn from zoom 16: go there to see the floor.
  if (level != null && main.getZoom() < 16) main.easeTo({ zoom: 16.5, duration: 600 });
});
floors.level = state.floor;
noteFloor(state.floor);

let catalogLevels = [];
function updateLevels() {
  const inView = levelsInView(main);
  floors.setLevels(inView.length ? inView : catalogLevels);
}

addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  if (e.target.closest?.("select, input, textarea")) return;
  if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
  e.preventDefault();
  e.stopPropagation(); // not MapLibre's panning
  floors.step(e.key === "ArrowUp" ? 1 : -1);
}, true);

// ---- the feature panel ----

const PICKABLE = ["floor-space", "floor-storey", "space", "storey", "facility", "transit-stop",
  "building-part", "building", "green", "water", "road", "parcel", "site"];

function pickFeature(map, point) {
  const layers = PICKABLE.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
  const fs = map.queryRenderedFeatures(point, { layers });
  // A faded storey of another floor is not what the user points at.
  return fs.find((f) => !(floors.level != null && f.layer.id === "storey")) ?? null;
}

function showFeature(map, point) {
  const f = pickFeature(map, point);
  $("feature").hidden = !f;
  if (!f) return;
  const p = f.properties;
  const rows = [
    ["名称 Name", p.name],
    ["类别 Class", [p.class, p.kind].filter(Boolean).join(" · ")],
    ["楼层 Floors", floorRange(p.level_min, p.level_max)],
    ["高度 Height", p.height != null ? `${Number(p.height).toFixed(1)} m` : ""],
    ["底标高 Base", p.min_height ? `${Number(p.min_height).toFixed(1)} m` : ""],
    ["数据集 Dataset", p.dataset],
    ["阶段 Stage", STAGE_NAMES[p.stage] ?? p.stage],
    ["编号 ID", p.id],
  ];
  const render = () => $("feature-props").replaceChildren(...rows.filter(([, v]) => v != null && v !== "").flatMap(([k, v]) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = String(v);
    return [dt, dd];
  }));
  render();
  if (p.class === "building") {
    const shown = p.id;
    gfaOf(p.id, p.dataset, p.stage).then((gfa) => {
      if (gfa && $("feature-props").dataset.id === shown) {
        rows.splice(3, 0, ["建筑面积 GFA", gfa]);
        render();
      }
    });
  }
  $("feature-props").dataset.id = p.id;
}

// gfaOf answers a building's counted GFA (计容建筑面积) from its floor
// stack (the OGC API's /levels: each storey's area, in full or in half
// by its height), or "" when the store holds no storeys for it.
async function gfaOf(id, dataset, stage) {
  const q = new URLSearchParams({ dataset, stage });
  const r = await fetch(`/collections/building/items/${encodeURIComponent(id)}/levels?${q}`);
  if (!r.ok) return "";
  const { levels } = await r.json();
  if (!levels?.length) return "";
  const sum = levels.reduce((a, l) => a + l.gfa_counted_m2, 0);
  return `${Math.round(sum).toLocaleString("en")} m² (${levels.length} 层 storeys)`;
}
window.cimGFA = gfaOf;

// ---- the legend, from the style's own colours ----

function legend(map) {
  const items = [];
  const expr = map.getLayer("storey") && map.getPaintProperty("storey", "fill-extrusion-color");
  if (Array.isArray(expr) && expr[0] === "match") {
    const byColour = new Map();
    for (let i = 2; i + 1 < expr.length; i += 2) {
      const kinds = [expr[i]].flat();
      byColour.set(expr[i + 1], [...(byColour.get(expr[i + 1]) ?? []), ...kinds]);
    }
    for (const [colour, kinds] of byColour) items.push([colour, kinds.join(", ")]);
    items.push([expr[expr.length - 1], "其他 other"]);
  }
  items.push(["#9fd08a", "绿地 green"], ["#a8cbe8", "水体 water"], ["#d93a2b", "检查不通过 failed check"],
    ["#1f6f8b", "TOD 站点圈层 station rings"]);
  $("legend").replaceChildren(...items.map(([colour, text]) => {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = colour;
    li.append(sw, text);
    return li;
  }));
}

// ---- stage, dataset and side by side ----

function fillSelect(sel, options, value) {
  for (const [v, text] of options) sel.add(new Option(text, v));
  if (value != null) sel.value = value;
}

function reloadStyles() {
  main.setStyle(styleURL(state.stage, state.dataset));
  if (other) other.setStyle(styleURL($("compare-stage").value, state.dataset));
  tags();
}

function tags() {
  $("tag-left").textContent = STAGE_NAMES[state.stage] ?? "最新 latest";
  $("tag-left").hidden = !other;
  $("tag-right").textContent = STAGE_NAMES[$("compare-stage").value] ?? "";
}

function setCompare(on) {
  $("compare-stage-label").hidden = !on;
  $("map2").hidden = !on;
  state.compare = on ? $("compare-stage").value : "";
  writeHash({ compare: state.compare });
  if (on && !other) {
    other = newMap("map2", $("compare-stage").value, false);
    other.jumpTo(camera(main));
    sync(main, other);
  } else if (!on && other) {
    other.remove();
    other = null;
  }
  main.resize();
  tags();
}

function camera(m) {
  return { center: m.getCenter(), zoom: m.getZoom(), bearing: m.getBearing(), pitch: m.getPitch() };
}

function sync(a, b) {
  let busy = false;
  const follow = (src, dst) => () => {
    if (busy || !other) return;
    busy = true;
    dst.jumpTo(camera(src));
    busy = false;
  };
  a.on("move", follow(a, b));
  b.on("move", follow(b, a));
}

// ---- the check ----

async function runCheck(fit = true) {
  const site = $("site").value, pack = $("pack").value;
  state.site = site;
  state.pack = pack;
  writeHash({ site, pack });
  if (!site) return;
  $("check-summary").textContent = "检查中… checking…";
  $("results").replaceChildren();
  const q = new URLSearchParams({ rules: pack });
  if (state.stage) q.set("stage", state.stage);
  const res = await fetch(`/sites/${encodeURIComponent(site)}/check?${q}`);
  const body = await res.json();
  if (!res.ok) {
    check = null;
    $("check-summary").textContent = `${body.title ?? res.status}: ${body.detail ?? ""}`;
    for (const m of maps()) drawCheck(m);
    return;
  }
  check = body;
  const c = body.report.counts ?? {};
  $("check-summary").replaceChildren(
    Object.assign(document.createElement("strong"), { textContent: body.report.passed ? (c.failed_warnings ? `通过 PASS, ${c.failed_warnings} 警告 warnings` : "通过 PASS") : "不通过 FAIL",
      className: body.report.passed ? "pass" : "fail" }),
    ` · ${c.pass ?? 0} 通过 pass · ${c.fail ?? 0} 不通过 fail · ${c.not_applicable ?? 0} 不适用 n/a`);
  renderResults($("results"), body.report, (r, li) => {
    const on = !li.classList.contains("picked");
    for (const x of $("results").children) x.classList.remove("picked");
    li.classList.toggle("picked", on);
    const ids = on ? (r.features ?? []).map((f) => f.id) : failedIds(body.report);
    for (const m of maps()) showOutlines(m, ids);
  });
  for (const m of maps()) drawCheck(m);
  const s = catalog.sites.find((x) => x.id === site);
  if (s && fit) main.fitBounds(s.bounds, { padding: 60, pitch: main.getPitch(), bearing: main.getBearing(), duration: 0 });
}

// runSunlight shows (or, a second time, hides) the sunlight analysis of
// the chosen site: each residential building's sills, coloured by
// whether they get the standard day's hours.
async function runSunlight() {
  const site = $("site").value;
  if (sunlit || !site) {
    sunlit = null;
    $("sunlight-summary").textContent = "";
    delete $("sunlight-summary").dataset.sills;
    for (const m of maps()) showSunlight(m, null);
    return;
  }
  $("sunlight-summary").textContent = "日照分析中… computing sunlight…";
  const q = new URLSearchParams({ f: "geojson" });
  if (state.stage) q.set("stage", state.stage);
  const res = await fetch(`/sites/${encodeURIComponent(site)}/sunlight?${q}`);
  const body = await res.json();
  if (!res.ok) {
    $("sunlight-summary").textContent = `${body.title ?? res.status}: ${body.detail ?? ""}`;
    return;
  }
  sunlit = body;
  const byBuilding = new Map();
  for (const f of body.features) {
    const p = f.properties;
    if (!p.checked) continue;
    byBuilding.set(p.building, (byBuilding.get(p.building) ?? true) && p.pass);
  }
  const pass = [...byBuilding.values()].filter(Boolean).length;
  $("sunlight-summary").textContent = `日照 sunlight (大寒日 ≥ 2 h): ${pass} / ${byBuilding.size} 栋住宅通过 residential buildings pass · ${body.features.length} 个窗台点 sills`;
  $("sunlight-summary").dataset.sills = body.features.length;
  for (const m of maps()) showSunlight(m, body);
}

function drawCheck(map) {
  const src = map.getSource("check");
  if (!src) return;
  src.setData(check ? overlay(check) : { type: "FeatureCollection", features: [] });
  showOutlines(map, check ? failedIds(check.report) : []);
  for (const m of labels.filter((l) => l.map === map)) m.marker.remove();
  labels = labels.filter((l) => l.map !== map);
  if (!check) return;
  for (const l of ringLabels(check)) {
    const el = document.createElement("div");
    el.className = l.station ? "ring-label station" : "ring-label";
    el.textContent = l.text;
    labels.push({ map, marker: new maplibregl.Marker({ element: el, anchor: l.station ? "top" : "bottom" }).setLngLat(l.lngLat).addTo(map) });
  }
}

// ---- start ----

let catalog = { sites: [], packs: [], stages: [], datasets: [], levels: [] };

async function start() {
  catalog = await boot.catalog;
  catalogLevels = catalog.levels;
  $("revision").textContent = `修订 revision ${catalog.revision} · ` +
    catalog.datasets.map((d) => `${d.name} (${d.features})`).join(", ");
  fillSelect($("stage"), catalog.stages.map((s) => [s, STAGE_NAMES[s] ?? s]), state.stage);
  fillSelect($("dataset"), catalog.datasets.map((d) => [d.name, `${d.name} · ${d.stages.join("/")}`]), state.dataset);
  const right = catalog.stages.at(-1) ?? "";
  fillSelect($("compare-stage"), catalog.stages.map((s) => [s, STAGE_NAMES[s] ?? s]), state.compare || right);
  fillSelect($("site"), [["", "— 选择地块 choose a site —"], ...catalog.sites.map((s) => [s.id, s.name || s.id])], state.site);
  fillSelect($("pack"), catalog.packs.map((p) => [p.name, `${p.title} (${p.name})`]), state.pack || catalog.packs[0]?.name);

  $("stage").addEventListener("change", (e) => { state.stage = e.target.value; writeHash({ stage: state.stage }); reloadStyles(); });
  $("dataset").addEventListener("change", (e) => { state.dataset = e.target.value; writeHash({ dataset: state.dataset }); reloadStyles(); });
  $("compare").addEventListener("change", (e) => setCompare(e.target.checked));
  $("compare-stage").addEventListener("change", () => { if (other) setCompare(true); reloadStyles(); });
  $("run-check").addEventListener("click", () => runCheck());
  $("run-sunlight").addEventListener("click", () => runSunlight());
  $("site").addEventListener("change", () => runCheck());

  // A link without a view opens on the whole store; when the map was made
  // before the catalog came (the style by URL), after "load", for the
  // style's own view is applied before it.
  if (!state.view && !first?.bounds && catalog.bounds?.length === 4) {
    if (mainLoaded) fitView(main, catalog.bounds);
    else main.once("load", () => fitView(main, catalog.bounds));
  }
  if (state.compare) { $("compare").checked = true; setCompare(true); }
  floors.setLevels(catalogLevels);
  main.on("idle", updateLevels);
  if (state.site) runCheck(false);
}

// cimReady resolves at the map's first idle with the time it took since
// the page was opened and since this script started; the browser test
// waits on it. cimIdle resolves at the next idle.
main.once("idle", () => {
  performance.mark("cim:idle");
  boot.resolve({ idleMs: Math.round(performance.now()), scriptMs: Math.round(performance.now() - started) });
});
main.once("error", (e) => boot.reject(e.error ?? e));
window.cimIdle = () => new Promise((resolve) => { main.once("idle", () => resolve()); main.triggerRepaint(); });
window.cimStart = start().catch((e) => {
  $("check-summary").textContent = `无法读取目录 cannot read the catalog: ${e.message}`;
  throw e;
});
