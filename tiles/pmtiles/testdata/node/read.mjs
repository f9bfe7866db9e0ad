// Reads a PMTiles archive with the npm pmtiles package, a reader written
// independently of cim, and prints as JSON its header, its metadata and
// the sha256 of each requested tile's decompressed bytes (null when the
// archive has no such tile).
//
// Usage: node read.mjs FILE [Z/X/Y ...]
import { open } from "node:fs/promises";
import { createHash } from "node:crypto";
import { PMTiles } from "pmtiles";

// A pmtiles Source over a local file (the package's FileSource is for
// browsers' File objects).
class NodeFileSource {
  constructor(path, handle) {
    this.path = path;
    this.handle = handle;
  }
  getKey() {
    return this.path;
  }
  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) };
  }
}

const [file, ...zxys] = process.argv.slice(2);
if (!file) {
  console.error("usage: node read.mjs FILE [Z/X/Y ...]");
  process.exit(2);
}
const handle = await open(file, "r");
try {
  const archive = new PMTiles(new NodeFileSource(file, handle));
  const header = await archive.getHeader();
  const metadata = await archive.getMetadata();
  const tiles = {};
  for (const zxy of zxys) {
    const [z, x, y] = zxy.split("/").map(Number);
    const resp = await archive.getZxy(z, x, y);
    tiles[zxy] = resp
      ? createHash("sha256").update(new Uint8Array(resp.data)).digest("hex")
      : null;
  }
  console.log(JSON.stringify({ header, metadata, tiles }));
} finally {
  await handle.close();
}
