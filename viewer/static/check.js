// The planning check on the map: the results list, the failed features
// outlined, the site boundary and the TOD rings around each station.

const EMPTY = { type: "FeatureCollection", features: [] };

// The tile layers a result's features can be in, and how to outline them.
const OUTLINED = ["building", "building_part", "storey", "green", "parcel", "space"];

// addCheckLayers adds the check's (empty) layers to a map whose style has
// just loaded.
export function addCheckLayers(map) {
  map.addSource("check", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "check-site", type: "line", source: "check", filter: ["==", ["get", "role"], "site"],
    paint: { "line-color": "#b3261e", "line-width": 3 } });
  map.addLayer({ id: "check-ring", type: "line", source: "check", filter: ["==", ["get", "role"], "ring"],
    paint: { "line-color": "#1f6f8b", "line-width": 2, "line-dasharray": [3, 2] } });
  map.addLayer({ id: "check-fail-3d", type: "fill-extrusion", source: "cim", "source-layer": "building",
    filter: ["in", ["get", "id"], ["literal", []]],
    paint: { "fill-extrusion-color": "#d93a2b", "fill-extrusion-height": ["coalesce", ["get", "height"], 3],
      "fill-extrusion-base": ["coalesce", ["get", "min_height"], 0], "fill-extrusion-opacity": 0.9 } });
  for (const layer of OUTLINED) {
    map.addLayer({ id: `check-outline-${layer}`, type: "line", source: "cim", "source-layer": layer,
      filter: ["in", ["get", "id"], ["literal", []]],
      layout: { "line-join": "round" },
      paint: { "line-color": "#d93a2b", "line-width": 3 } });
  }
}

// addSunlightLayer adds the sunlight analysis's sills (empty until
// showSunlight): a point each, green where the sill gets the rule's
// hours, red where it does not, grey where it is not judged (a wall
// facing away from the sun all day).
export function addSunlightLayer(map) {
  map.addSource("sunlight", { type: "geojson", data: EMPTY });
  map.addLayer({ id: "sunlight", type: "circle", source: "sunlight",
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 15, 1.5, 18, 4],
      "circle-color": ["case", ["!", ["get", "checked"]], "#9a9a9a", ["get", "pass"], "#2e8b57", "#d93a2b"],
      "circle-stroke-width": 0,
    } });
}

// showSunlight draws the sills of a /sites/{id}/sunlight?f=geojson answer
// (null clears them).
export function showSunlight(map, fc) {
  map.getSource("sunlight")?.setData(fc ?? EMPTY);
}

// outlineLayers are the ids of the layers that outline failed features.
export const outlineLayers = OUTLINED.map((l) => `check-outline-${l}`);

// showOutlines outlines the features of ids (an array of feature ids).
export function showOutlines(map, ids) {
  const f = ["in", ["get", "id"], ["literal", ids]];
  for (const id of [...outlineLayers, "check-fail-3d"]) if (map.getLayer(id)) map.setFilter(id, f);
}

// circle is a ring of radius m around lon, lat as a closed GeoJSON ring
// (a local equirectangular approximation: exact to well under a metre at
// the radii of the TOD rings).
export function circle(lon, lat, m, n = 96) {
  const R = 6371008.8, rad = Math.PI / 180;
  const dLat = m / R / rad, dLon = m / (R * Math.cos(lat * rad)) / rad;
  const ring = [];
  for (let i = 0; i <= n; i++) {
    const a = (2 * Math.PI * i) / n;
    ring.push([lon + dLon * Math.sin(a), lat + dLat * Math.cos(a)]);
  }
  return ring;
}

// overlay is the site and the rings of a check answer as GeoJSON.
export function overlay(answer) {
  const features = [];
  if (answer.site_geometry) features.push({ type: "Feature", properties: { role: "site" }, geometry: answer.site_geometry });
  for (const st of answer.report.stations ?? []) {
    for (const r of st.rings ?? []) {
      features.push({ type: "Feature", properties: { role: "ring", radius_m: r.radius_m, station: st.name },
        geometry: { type: "LineString", coordinates: circle(st.lon, st.lat, r.radius_m) } });
    }
  }
  return { type: "FeatureCollection", features };
}

// ringLabels are the labels of the rings (as HTML markers: the style has
// no glyphs): where, and what.
export function ringLabels(answer) {
  const out = [];
  for (const st of answer.report.stations ?? []) {
    for (const r of st.rings ?? []) {
      const far = r.far == null ? "" : ` · 容积率 FAR ${r.far.toFixed(2)}`;
      out.push({ lngLat: circle(st.lon, st.lat, r.radius_m, 4)[0], text: `${r.radius_m} m${far}` });
    }
    out.push({ lngLat: [st.lon, st.lat], text: `站 ${st.name ?? ""}`, station: true });
  }
  return out;
}

const STATUS = { pass: ["✓", "通过 pass"], fail: ["✗", "不通过 fail"], "n/a": ["–", "不适用 n/a"] };
const OPS = { min: "≥", max: "≤", is: "=", eq: "=" };

function fmt(v) {
  if (v == null) return "—";
  if (typeof v === "boolean") return v ? "是 yes" : "否 no";
  if (typeof v !== "number") return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en");
  return String(Number(v.toPrecision(3)));
}

// renderResults fills list with a row per result, failures first; a click
// on a row calls onPick with the result.
export function renderResults(list, report, onPick) {
  const order = { fail: 0, "n/a": 1, pass: 2 };
  const results = [...(report.results ?? [])].sort((a, b) => order[a.status] - order[b.status]);
  list.replaceChildren(...results.map((r) => {
    const li = document.createElement("li");
    li.className = `result ${r.status === "n/a" ? "na" : r.status}`;
    const [mark, word] = STATUS[r.status] ?? ["?", r.status];
    const head = document.createElement("div");
    head.className = "result-head";
    head.append(el("span", "badge", mark), el("span", "zh", r.label_zh || r.title));
    const body = document.createElement("div");
    body.className = "result-body";
    const unit = r.indicator?.endsWith("_m") ? " m" : "";
    body.append(
      el("div", "en", r.title),
      el("div", "scope", `${r.scope_name || r.scope}${r.indicator_zh ? " · " + r.indicator_zh : ""}`),
      el("div", "value", `${word}: ${fmt(r.value)}${unit} ${OPS[r.op] ?? r.op ?? ""} ${fmt(r.limit)}${r.limit == null ? "" : unit}`),
      el("div", "ref", r.reference ?? ""));
    if (r.note) body.append(el("div", "note", r.note));
    if (r.features?.length && r.status === "fail") {
      body.append(el("div", "feats", `${r.features.length} 要素 features: ` +
        r.features.slice(0, 4).map((f) => f.name || f.id).join("、") + (r.features.length > 4 ? " …" : "")));
    }
    li.append(head, body);
    li.dataset.rule = r.rule;
    li.tabIndex = 0;
    li.addEventListener("click", () => onPick(r, li));
    return li;
  }));
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = text;
  return e;
}

// failedIds are the ids of the features of the failed results.
export function failedIds(report) {
  const ids = new Set();
  for (const r of report.results ?? []) {
    if (r.status === "fail") for (const f of r.features ?? []) ids.add(f.id);
  }
  return [...ids];
}
