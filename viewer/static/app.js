import * as maplibregl from "/viewer/maplibre/maplibre-gl.mjs";

const map = new maplibregl.Map({ container: "map", style: "/style.json", hash: true });
window.cimMap = map;
