// Validates a MapLibre style with the style specification's own
// validator (@maplibre/maplibre-gl-style-spec), and prints its errors as
// JSON, an empty list when the style is valid.
//
// Usage: node validate.mjs STYLE.json
import { readFile } from "node:fs/promises";
import { validateStyleMin } from "@maplibre/maplibre-gl-style-spec";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node validate.mjs STYLE.json");
  process.exit(2);
}
const style = JSON.parse(await readFile(file, "utf8"));
const errors = validateStyleMin(style).map((e) => e.message);
console.log(JSON.stringify(errors));
