// web-ifc baseline for bench/ifc.sh. Usage: node webifc.js COUNT FILE...
// Opens each file COUNT times with web-ifc (That Open Company's IFC
// reader, C++ compiled to WebAssembly) and lists its storeys and spaces,
// printing one Go benchmark line per run so that benchstat summarises
// web-ifc beside cim's benchmarks. The first open of each file warms up
// and is not printed.
const WebIFC = require('web-ifc');
const fs = require('fs');
const path = require('path');

(async () => {
  const count = Number(process.argv[2]);
  const files = process.argv.slice(3);
  const api = new WebIFC.IfcAPI();
  await api.Init();
  for (const f of files) {
    const buf = new Uint8Array(fs.readFileSync(f));
    const name = path.basename(f, '.ifc').replace(/[^A-Za-z0-9]/g, '_');
    for (let i = 0; i <= count; i++) {
      const t0 = process.hrtime.bigint();
      const id = api.OpenModel(buf);
      const n = api.GetLineIDsWithType(id, WebIFC.IFCBUILDINGSTOREY).size() +
        api.GetLineIDsWithType(id, WebIFC.IFCSPACE).size();
      const ns = Number(process.hrtime.bigint() - t0);
      api.CloseModel(id);
      if (n === 0) throw new Error(`${f}: no storeys or spaces`);
      if (i > 0 && count > 0) {
        console.log(`BenchmarkWebIFCOpen/${name} 1 ${ns} ns/op ${(buf.length / (ns / 1e9) / 1e6).toFixed(2)} MB/s`);
      }
    }
  }
})().catch((e) => { console.error(e); process.exit(1); });
