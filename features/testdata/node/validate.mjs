// Validates an OpenAPI document with @apidevtools/swagger-parser (its
// schema and its references), and prints what it finds wrong, or "ok".
//
// Usage: node validate.mjs API.json
import { readFile } from "node:fs/promises";
import SwaggerParser from "@apidevtools/swagger-parser";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node validate.mjs API.json");
  process.exit(2);
}
const api = JSON.parse(await readFile(file, "utf8"));
try {
  await SwaggerParser.validate(api);
  console.log("ok");
} catch (e) {
  console.log(e.message);
  process.exit(1);
}
