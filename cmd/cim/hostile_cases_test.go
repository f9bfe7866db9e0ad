package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// Sources of the truncated cases: small samples of the repository, and
// larger real files from ../shared/data when present.
const (
	stationMall = "../../ingest/imdf/testdata/station-mall"
)

// hostileCases lists the hostile inputs of TestHostileInputs.
func hostileCases() []hostileCase {
	var cases []hostileCase
	// Truncated files of every format, cut at several points.
	cuts := []float64{0.1, 0.5, 0.9}
	for _, src := range []struct {
		format, path string
		shared       bool
	}{
		{"geojson", "../../samples/buildings.geojson", false},
		{"geojson", "zoning/minneapolis_Planning_Zoning_Built_Form.geojson", true},
		{"cityjson", "../../ingest/cityjson/testdata/v20_storeys.city.json", false},
		{"cityjson", "cityjson/delft.json", true},
		{"ifc", "../../ingest/ifc/testdata/nogeoref.ifc", false},
		{"ifc", "ifc/duplex.ifc", true},
		{"osm.pbf", "osm/bremen-trams.osm.pbf", true},
		{"osm.pbf", "osm/monaco-latest.osm.pbf", true},
	} {
		for _, cut := range cuts {
			cases = append(cases, hostileCase{
				name: fmt.Sprintf("truncated/%s/%s@%.0f%%", src.format, filepath.Base(src.path), cut*100),
				make: func(t *testing.T, dir string) string {
					p := src.path
					if src.shared {
						p = sharedFile(t, p)
					}
					return writeCut(t, dir, readFile(t, p), cut, "cut-"+filepath.Base(p))
				},
			})
		}
	}
	for _, cut := range cuts {
		cases = append(cases,
			hostileCase{
				name: fmt.Sprintf("truncated/geojsonseq@%.0f%%", cut*100),
				make: func(t *testing.T, dir string) string {
					return writeCut(t, dir, geoJSONSeq(t, "../../samples/buildings.geojson"), cut, "cut.geojsonl")
				},
			},
			hostileCase{
				name: fmt.Sprintf("truncated/cityjsonseq@%.0f%%", cut*100),
				make: func(t *testing.T, dir string) string {
					return writeCut(t, dir, readFile(t, "../../ingest/cityjson/testdata/seq.city.jsonl"), cut, "cut.city.jsonl")
				},
			},
			hostileCase{
				name: fmt.Sprintf("truncated/imdf.zip@%.0f%%", cut*100),
				want: "truncated or corrupt zip file",
				make: func(t *testing.T, dir string) string {
					return writeCut(t, dir, zipFolder(t, stationMall, nil), cut, "cut-imdf.zip")
				},
			},
			hostileCase{
				name: fmt.Sprintf("truncated/imdf-folder@%.0f%%", cut*100),
				make: func(t *testing.T, dir string) string {
					out := filepath.Join(dir, "cut-imdf")
					copyFolder(t, stationMall, out)
					unit := filepath.Join(out, "unit.geojson")
					writeCut(t, out, readFile(t, unit), cut, "unit.geojson")
					return out
				},
			},
		)
	}
	cases = append(cases, hostileCase{
		name: "truncated/osm.pbf/ok_zlib_datafirst.pbf@50%",
		make: func(t *testing.T, dir string) string {
			return writeCut(t, dir, readFile(t, "../../ingest/osm/testdata/ok_zlib_datafirst.pbf"), 0.5, "cut.osm.pbf")
		},
	})

	// Bombs.
	cases = append(cases,
		hostileCase{
			name: "bomb/pbf-zlib-256MiB-claims-1KiB",
			make: func(t *testing.T, dir string) string {
				z := zlibRepeat(0, 256<<20)
				data := append(pbfHeader(), pbfFrame("OSMData", 3, z, 1024)...)
				return writeFile(t, dir, "zlib-bomb.osm.pbf", data)
			},
		},
		hostileCase{
			name: "bomb/pbf-block-of-empty-nodes",
			make: func(t *testing.T, dir string) string {
				// A PrimitiveBlock of 15 million empty Node messages (two
				// bytes each) in one PrimitiveGroup, zlib-compressed.
				const n = 15_000_000
				group := bytes.Repeat([]byte{1<<3 | 2, 0}, n) // field 1 (nodes), length 0
				var block []byte
				block = protowire.AppendTag(block, 1, protowire.BytesType) // stringtable
				block = protowire.AppendBytes(block, []byte{1<<3 | 2, 0})  // s: [""]
				block = protowire.AppendTag(block, 2, protowire.BytesType) // primitivegroup
				block = protowire.AppendBytes(block, group)
				var z bytes.Buffer
				zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
				zw.Write(block)
				zw.Close()
				data := append(pbfHeader(), pbfFrame("OSMData", 3, z.Bytes(), len(block))...)
				return writeFile(t, dir, "empty-nodes.osm.pbf", data)
			},
		},
		hostileCase{
			name: "bomb/imdf-zip-1GiB-unit",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return zipBomb(t, dir, "bomb-imdf.zip", 1<<30)
			},
		},
		hostileCase{
			name: "bomb/imdf-zip-1GiB-claims-1KiB",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return zipBomb(t, dir, "liar-imdf.zip", 1024)
			},
		},
		hostileCase{
			name: "bomb/geojson-500MB-of-zero-bytes",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return sparseFile(t, dir, "zeros.geojson", `{"type":"FeatureCollection","features":[`, 500<<20)
			},
		},
		hostileCase{
			name: "bomb/geojsonseq-500MB-of-zero-bytes",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return sparseFile(t, dir, "zeros.geojsonl", "\x1e{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[120.2,30.25]}}\n\x1e", 500<<20)
			},
		},
	)

	// Deep nesting.
	const deep = 100_000
	cases = append(cases,
		hostileCase{
			name: "deep/geojson-coordinates-100000",
			make: func(t *testing.T, dir string) string {
				g := `{"type":"Polygon","coordinates":` + strings.Repeat("[", deep) + "0" + strings.Repeat("]", deep) + "}"
				return writeFile(t, dir, "deep-coords.geojson", []byte(featureCollection(`{}`, g)))
			},
		},
		hostileCase{
			name: "deep/geojson-properties-100000",
			make: func(t *testing.T, dir string) string {
				p := `{"a":` + strings.Repeat(`{"a":`, deep) + "1" + strings.Repeat("}", deep) + "}"
				return writeFile(t, dir, "deep-props.geojson", []byte(featureCollection(p, `{"type":"Point","coordinates":[120.2,30.25]}`)))
			},
		},
		hostileCase{
			name: "deep/cityjson-attributes-100000",
			make: func(t *testing.T, dir string) string {
				attr := strings.Repeat(`[`, deep) + strings.Repeat(`]`, deep)
				return writeFile(t, dir, "deep-attrs.city.json", []byte(cityJSON(`"b":{"type":"Building","attributes":{"x":`+attr+`}}`)))
			},
		},
		hostileCase{
			name: "deep/cityjson-children-chain-100000-to-a-missing-child",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "chain.city.json", []byte(cityJSON(childChain(deep, false))))
			},
		},
	)

	// Cycles.
	cases = append(cases,
		hostileCase{
			name: "cycle/ifc-aggregation",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "aggregation-cycle.ifc", readFile(t, "../../ingest/ifc/testdata/aggregation-cycle.ifc"))
			},
		},
		hostileCase{
			name: "cycle/ifc-references",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "cycle.ifc", readFile(t, "../../ingest/ifc/testdata/cycle.ifc"))
			},
		},
		hostileCase{
			name: "cycle/cityjson-parent-child",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "cycle.city.json", readFile(t, "../../ingest/cityjson/testdata/errors/cycle.city.json"))
			},
		},
		hostileCase{
			name: "cycle/cityjson-children-chain-100000-back-to-its-start",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "long-cycle.city.json", []byte(cityJSON(childChain(deep, true))))
			},
		},
	)

	// Huge tokens.
	cases = append(cases,
		hostileCase{
			name: "token/geojson-100MB-number",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamFile(t, dir, "huge-number.geojson",
					`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1`,
					'1', 100<<20, `,30]}}]}`)
			},
		},
		hostileCase{
			name: "token/geojson-300MB-string",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamFile(t, dir, "huge-string.geojson",
					`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"`,
					'a', 300<<20, `"},"geometry":{"type":"Point","coordinates":[120.2,30.25]}}]}`)
			},
		},
		hostileCase{
			name: "token/geojson-100MB-property-name",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamFile(t, dir, "huge-key.geojson",
					`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"`,
					'k', 100<<20, `":1},"geometry":{"type":"Point","coordinates":[120.2,30.25]}}]}`)
			},
		},
		hostileCase{
			name: "token/cityjson-300MB-string",
			big:  true,
			make: func(t *testing.T, dir string) string {
				head, tail, _ := strings.Cut(cityJSON(`"b":{"type":"Building","attributes":{"name":"@"}}`), "@")
				return streamFile(t, dir, "huge-string.city.json", head, 'a', 300<<20, tail)
			},
		},
		hostileCase{
			name: "token/ifc-300MB-string",
			big:  true,
			make: func(t *testing.T, dir string) string {
				src := string(readFile(t, "../../ingest/ifc/testdata/nogeoref.ifc"))
				i := strings.Index(src, "DATA;\n")
				if i < 0 {
					t.Fatal("nogeoref.ifc has no DATA section")
				}
				head := src[:i+len("DATA;\n")] + "#999999=IFCPROPERTYSINGLEVALUE('"
				tail := "',$,$,$);\n" + src[i+len("DATA;\n"):]
				return streamFile(t, dir, "huge-string.ifc", head, 'a', 300<<20, tail)
			},
		},
		hostileCase{
			name: "token/geojson-200MB-letters",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamFile(t, dir, "letters.geojson",
					`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":`, 'a', 200<<20, `}}]}`)
			},
		},
		hostileCase{
			name: "token/geojson-200MB-unterminated-string",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamFile(t, dir, "unterminated.geojson",
					`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":"`, 'a', 200<<20, ``)
			},
		},
		hostileCase{
			// Every token within its bound, the feature not: it took
			// 4.5 GB and four minutes before features were bounded.
			name: "token/geojsonseq-200MB-line",
			big:  true,
			make: func(t *testing.T, dir string) string {
				return streamPattern(t, dir, "long-line.geojsonl",
					`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.2,30.25]},"properties":{"a":[`, "1,", 100<<20, "1]}}\n")
			},
		},
	)

	// Geometry that validates piecewise but not as a whole, and archives
	// that name files outside themselves.
	cases = append(cases,
		hostileCase{
			name: "geometry/geojson-hole-outside-its-shell",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "stray-hole.geojson", []byte(featureCollection(`{"building":"yes"}`,
					`{"type":"Polygon","coordinates":[[[120.2,30.25],[120.201,30.25],[120.201,30.251],[120.2,30.251],[120.2,30.25]],[[120.3,30.3],[120.3,30.301],[120.301,30.301],[120.301,30.3],[120.3,30.3]]]}`)))
			},
		},
		hostileCase{
			name: "zip/imdf-ignored-entry-climbs-out",
			make: func(t *testing.T, dir string) string {
				return writeFile(t, dir, "climbs-out.zip", zipFolder(t, stationMall, func(zw *zip.Writer) {
					for name, body := range map[string]string{"unit.geojson": string(readFile(t, filepath.Join(stationMall, "unit.geojson"))), "../../../tmp/evil.geojson": "{}"} {
						w, err := zw.Create(name)
						if err != nil {
							t.Fatal(err)
						}
						w.Write([]byte(body))
					}
				}))
			},
		},
	)
	return cases
}

// streamPattern writes head, pattern n times, and tail to a file.
func streamPattern(t *testing.T, dir, name, head, pattern string, n int, tail string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(head)
	chunk := []byte(strings.Repeat(pattern, (1<<20)/len(pattern)))
	per := len(chunk) / len(pattern)
	for n > 0 {
		k := min(n, per)
		if _, err := f.Write(chunk[:k*len(pattern)]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	f.WriteString(tail)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeCut writes data cut at the fraction cut of its length, trailing
// white space not counted, so that every cut leaves the file unfinished.
func writeCut(t *testing.T, dir string, data []byte, cut float64, name string) string {
	t.Helper()
	data = bytes.TrimRight(data, " \t\r\n")
	return writeFile(t, dir, name, data[:int(float64(len(data))*cut)])
}

// geoJSONSeq rewrites a GeoJSON FeatureCollection as a GeoJSONSeq, one
// feature a line.
func geoJSONSeq(t *testing.T, path string) []byte {
	t.Helper()
	var fc struct{ Features []json.RawMessage }
	if err := json.Unmarshal(readFile(t, path), &fc); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, f := range fc.Features {
		json.Compact(&b, f)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// zipFolder zips the files of a folder; extra, if not nil, adds entries.
func zipFolder(t *testing.T, dir string, extra func(*zip.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if extra != nil && e.Name() == "unit.geojson" {
			continue // the bomb's name
		}
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		w.Write(readFile(t, filepath.Join(dir, e.Name())))
	}
	if extra != nil {
		extra(zw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func copyFolder(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// deflateRepeat returns a raw Deflate stream of n bytes (a multiple of
// 1 MiB) of the byte c, and their CRC-32 and Adler-32: one MiB is
// compressed once and its flushed blocks repeated, so that a gigabyte
// takes milliseconds.
func deflateRepeat(c byte, n int) (stream []byte, crc, adler uint32) {
	chunk := bytes.Repeat([]byte{c}, 1<<20)
	var seg bytes.Buffer
	fw, _ := flate.NewWriter(&seg, flate.BestCompression)
	fw.Write(chunk)
	fw.Flush() // non-final blocks ending on a byte boundary
	var out bytes.Buffer
	cr, ad := crc32.NewIEEE(), adler32.New()
	for range n >> 20 {
		out.Write(seg.Bytes())
		cr.Write(chunk)
		ad.Write(chunk)
	}
	out.Write([]byte{0x03, 0x00}) // a final, empty block of fixed codes
	return out.Bytes(), cr.Sum32(), ad.Sum32()
}

// zlibRepeat wraps deflateRepeat in a zlib header and checksum.
func zlibRepeat(c byte, n int) []byte {
	d, _, ad := deflateRepeat(c, n)
	z := append([]byte{0x78, 0x01}, d...)
	return binary.BigEndian.AppendUint32(z, ad)
}

// pbfFrame writes one PBF file block: a BlobHeader of type typ and a
// Blob holding data in field dataField (1 raw, 3 zlib_data) and raw_size.
func pbfFrame(typ string, dataField protowire.Number, data []byte, rawSize int) []byte {
	var b []byte
	b = protowire.AppendTag(b, dataField, protowire.BytesType)
	b = protowire.AppendBytes(b, data)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(rawSize))
	var h []byte
	h = protowire.AppendTag(h, 1, protowire.BytesType)
	h = protowire.AppendString(h, typ)
	h = protowire.AppendTag(h, 3, protowire.VarintType)
	h = protowire.AppendVarint(h, uint64(len(b)))
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(len(h))), h...), b...)
}

// pbfHeader is a raw OSMHeader block requiring the usual features.
func pbfHeader() []byte {
	var hb []byte
	for _, f := range []string{"OsmSchema-V0.6", "DenseNodes"} {
		hb = protowire.AppendTag(hb, 4, protowire.BytesType)
		hb = protowire.AppendString(hb, f)
	}
	return pbfFrame("OSMHeader", 1, hb, len(hb))
}

// zipBomb writes the station-mall IMDF zip with unit.geojson replaced by
// an entry that inflates to 1 GiB of spaces and whose header claims
// claimed bytes.
func zipBomb(t *testing.T, dir, name string, claimed uint64) string {
	t.Helper()
	stream, crc, _ := deflateRepeat(' ', 1<<30)
	data := zipFolder(t, stationMall, func(zw *zip.Writer) {
		w, err := zw.CreateRaw(&zip.FileHeader{
			Name: "unit.geojson", Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(len(stream)), UncompressedSize64: claimed,
		})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(stream)
	})
	return writeFile(t, dir, name, data)
}

// sparseFile writes head and extends the file with zero bytes to size,
// as a sparse file that takes no disk space.
func sparseFile(t *testing.T, dir, name, head string, size int64) string {
	t.Helper()
	p := writeFile(t, dir, name, []byte(head))
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
	return p
}

// streamFile writes head, n copies of the byte c, and tail.
func streamFile(t *testing.T, dir, name, head string, c byte, n int, tail string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(head)
	chunk := bytes.Repeat([]byte{c}, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := f.Write(chunk[:k]); err != nil {
			t.Fatal(err)
		}
		n -= k
	}
	f.WriteString(tail)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func featureCollection(props, geom string) string {
	return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","properties":` + props + `,"geometry":` + geom + `}]}`
}

// cityJSON is a CityJSON 2.0 file in EPSG:7415 with the given CityObjects
// members and one square of vertices.
func cityJSON(objects string) string {
	return `{"type":"CityJSON","version":"2.0","transform":{"scale":[0.001,0.001,0.001],"translate":[85000,447500,0]},` +
		`"metadata":{"referenceSystem":"https://www.opengis.net/def/crs/EPSG/0/7415"},` +
		`"CityObjects":{` + objects + `},"vertices":[[0,0,0],[5000,0,0],[5000,5000,0],[0,5000,0]]}`
}

// childChain is n CityObjects, each the child of the one before; the last
// names as its child the first (cycle) or one that is not there.
func childChain(n int, cycle bool) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		typ, child := "BuildingPart", fmt.Sprintf("o%d", i+1)
		if i == 0 {
			typ = "Building"
		}
		if i == n-1 {
			child = "missing"
			if cycle {
				child = "o0"
			}
		}
		fmt.Fprintf(&b, `"o%d":{"type":%q,"children":[%q]`, i, typ, child)
		switch {
		case i > 0:
			fmt.Fprintf(&b, `,"parents":["o%d"]`, i-1)
		case cycle:
			fmt.Fprintf(&b, `,"parents":["o%d"]`, n-1)
		}
		if i == n-1 {
			b.WriteString(`,"geometry":[{"type":"MultiSurface","lod":"0","boundaries":[[[0,1,2,3]]]}]`)
		}
		b.WriteByte('}')
	}
	return b.String()
}
