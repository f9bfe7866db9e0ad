// Floors: the switcher's levels, their Chinese names, and the layers that
// show one floor in 3D while the rest of the buildings fade.

// floorLabel names a level as Chinese drawings do (cim.FloorLabel): level
// 0 is the ground floor 1F, level 1 is 2F, level -1 is the basement B1.
export function floorLabel(level) {
  if (!Number.isInteger(level)) return "";
  return level >= 0 ? `${level + 1}F` : `B${-level}`;
}

// floorRange names the floors from lo to hi: "1F", "B1–3F".
export function floorRange(lo, hi) {
  if (lo == null) return "";
  if (hi == null || hi === lo) return floorLabel(lo);
  return `${floorLabel(lo)}–${floorLabel(hi)}`;
}

const FLOOR_LAYERS = ["storey", "space", "floor-storey", "floor-space"];

// levelsInView lists the whole levels of the storeys and spaces drawn on
// the map now, lowest first; none when none is drawn (zoomed out).
export function levelsInView(map) {
  const layers = FLOOR_LAYERS.filter((id) => map.getLayer(id));
  const seen = new Set();
  for (const f of map.queryRenderedFeatures({ layers })) {
    const lo = f.properties.level_min, hi = f.properties.level_max ?? lo;
    if (lo == null) continue;
    for (let l = Math.ceil(lo); l <= Math.floor(hi) && l - lo < 200; l++) seen.add(l);
  }
  return [...seen].sort((a, b) => a - b);
}

// onLevel is a filter expression: the feature stands on level.
export function onLevel(level) {
  return ["all",
    ["<=", ["to-number", ["get", "level_min"], 1e9], level],
    [">=", ["to-number", ["coalesce", ["get", "level_max"], ["get", "level_min"]], -1e9], level]];
}

// Storeys and spaces of the chosen floor: basements are lifted to the
// ground (an extrusion cannot go below it), keeping their thickness; the
// map says so (basementNote).
const base = ["max", 0, ["to-number", ["get", "min_height"], 0]];
const top = ["case",
  ["<", ["to-number", ["get", "min_height"], 0], 0],
  ["-", ["to-number", ["get", "height"], 0], ["to-number", ["get", "min_height"], 0]],
  ["max", ["to-number", ["get", "height"], 0], ["+", base, 3]]];

const SPACE_COLOURS = ["match", ["get", "kind"],
  "room", "#f2d59b", "unit", "#e8b04b", "corridor", "#e9e4da", "stair", "#c9c3b8", "#f7e7c6"];

// addFloorLayers adds the chosen floor's layers to a map whose style has
// just loaded; they stay hidden until a floor is chosen.
export function addFloorLayers(map) {
  const storeyColour = map.getLayer("storey") ? map.getPaintProperty("storey", "fill-extrusion-color") : "#e8b04b";
  const before = map.getLayer("site") ? "site" : undefined;
  map.addLayer({
    id: "floor-storey", type: "fill-extrusion", source: "cim", "source-layer": "storey", minzoom: 14,
    layout: { visibility: "none" },
    paint: { "fill-extrusion-color": storeyColour, "fill-extrusion-base": base, "fill-extrusion-height": top, "fill-extrusion-opacity": 0.9 },
  }, before);
  map.addLayer({
    id: "floor-space", type: "fill-extrusion", source: "cim", "source-layer": "space", minzoom: 14,
    layout: { visibility: "none" },
    paint: { "fill-extrusion-color": SPACE_COLOURS, "fill-extrusion-base": ["+", base, 0.05],
      "fill-extrusion-height": ["-", top, 0.4], "fill-extrusion-opacity": 0.95 },
  }, before);
}

// Paint of the style's own layers, kept to restore "all floors".
const FADED = 0.12;
// A basement is drawn at ground level, inside the buildings above it:
// those fade further, so it can be read from above.
const FADED_OVER_BASEMENT = 0.04;

// basementNote says how a basement floor is drawn, since MapLibre cannot
// extrude below the ground: "" for a floor above it.
export function basementNote(level) {
  if (!Number.isInteger(level) || level >= 0) return "";
  return `地下 ${floorLabel(level)} — drawn at ground level (its real base is below ground)`;
}

// showFloor shows level (null: every floor, as the style draws them).
export function showFloor(map, level) {
  const set = (id, prop, v) => map.getLayer(id) && map.setPaintProperty(id, prop, v);
  const filter = (id, f) => map.getLayer(id) && map.setFilter(id, f);
  const visible = (id, on) => map.getLayer(id) && map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  if (map._cimPaint === undefined) {
    map._cimPaint = {};
    for (const id of ["building", "building-part", "storey"]) {
      if (map.getLayer(id)) map._cimPaint[id] = map.getPaintProperty(id, "fill-extrusion-opacity");
    }
  }
  const all = level == null;
  const faded = level < 0 ? FADED_OVER_BASEMENT : FADED;
  for (const id of ["building", "building-part"]) set(id, "fill-extrusion-opacity", all ? map._cimPaint[id] : faded);
  set("storey", "fill-extrusion-opacity", all ? map._cimPaint.storey : faded);
  filter("storey", all ? null : ["!", onLevel(level)]);
  filter("space", all ? null : onLevel(level));
  for (const id of ["floor-storey", "floor-space"]) {
    visible(id, !all);
    if (!all) filter(id, onLevel(level));
  }
}

// resetPaint forgets the remembered paint after a new style loads.
export function resetPaint(map) {
  delete map._cimPaint;
}

// FloorSwitcher is the column of floor buttons over the map.
export class FloorSwitcher {
  constructor(el, onChange) {
    this.el = el;
    this.onChange = onChange;
    this.levels = [];
    this.level = null;
    el.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      if (b) this.choose(b.dataset.level === "" ? null : Number(b.dataset.level));
    });
  }

  // setLevels shows levels (highest on top), keeping the chosen one.
  setLevels(levels) {
    const ls = new Set(levels);
    if (this.level != null) ls.add(this.level);
    const next = [...ls].sort((a, b) => b - a);
    if (next.join() === this.levels.join() && this.el.childElementCount) return;
    this.levels = next;
    this.el.replaceChildren(this.button(null, "全部", "All floors"),
      ...next.map((l) => this.button(l, floorLabel(l), `Floor ${floorLabel(l)} (level ${l})`)));
  }

  button(level, text, title) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.dataset.level = level == null ? "" : String(level);
    b.setAttribute("aria-pressed", String(level === this.level));
    return b;
  }

  choose(level) {
    this.level = level;
    for (const b of this.el.querySelectorAll("button")) {
      const l = b.dataset.level === "" ? null : Number(b.dataset.level);
      b.setAttribute("aria-pressed", String(l === level));
      if (l === level) b.scrollIntoView({ block: "nearest" });
    }
    this.onChange(level);
  }

  // step moves up (+1) or down (-1) one floor of the list.
  step(dir) {
    const asc = [...this.levels].sort((a, b) => a - b);
    if (!asc.length) return;
    let i = this.level == null ? (dir > 0 ? -1 : asc.length) : asc.indexOf(this.level);
    i = Math.min(asc.length - 1, Math.max(0, i + dir));
    this.choose(asc[i]);
  }
}
