package ingest

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/ingest/ifc"
	"github.com/future-community/cim/ingest/ifc/step"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head string
		want Format
	}{
		{"feature collection", `{"type":"FeatureCollection","features":[]}`, FormatGeoJSON},
		{"pretty collection", "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n", FormatGeoJSON},
		{"byte order mark", "\ufeff{\"type\":\"FeatureCollection\"}", FormatGeoJSON},
		{"newline-delimited", `{"type":"Feature","geometry":null,"properties":{}}` + "\n" + `{"type":"Feature"}`, FormatGeoJSON},
		{"seq with RS", "\x1e{\"type\":\"Feature\"}\n", FormatGeoJSONSeq},
		{"cityjson", `{"type":"CityJSON","version":"2.0"}`, FormatCityJSON},
		{"cityjson, type at the end", `{"CityObjects":{"b1":{"type":"Building"}}`, FormatCityJSON},
		{"zip (IMDF)", "PK\x03\x04\x14\x00", FormatIMDF},
		{"ifc", "ISO-10303-21;\nHEADER;", FormatIFC},
		{"osm xml", "<?xml version='1.0'?>\n<osm version=\"0.6\">", FormatOSMXML},
		{"osm pbf", "\x00\x00\x00\x0d\x0a\x09OSMHeader\x18", FormatOSMPBF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect([]byte(tt.head))
			if err != nil || got != tt.want {
				t.Errorf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "hello", "[1,2,3]"} {
		if _, err := Detect([]byte(bad)); !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("Detect(%q) err = %v, want ErrUnknownFormat", bad, err)
		}
	}
}

func TestOpenTellsFormatFromContentNotName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "parcels.txt")
	os.WriteFile(path, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"building":"yes"},"geometry":{"type":"Point","coordinates":[120,30]}}]}`), 0o644)
	in, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Format != FormatGeoJSON || in.Dataset != "parcels" {
		t.Errorf("format %q dataset %q", in.Format, in.Dataset)
	}
	f, err := in.Next()
	if err != nil || f.ID != "geojson:parcels:#0" {
		t.Errorf("first feature %v, %v", f, err)
	}
	if in.BytesRead() == 0 {
		t.Error("no bytes counted")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "notes.txt")
	os.WriteFile(unknown, []byte("just some text"), 0o644)
	ifc := filepath.Join(dir, "model.ifc")
	os.WriteFile(ifc, []byte("ISO-10303-21;\nHEADER;\n"), 0o644)
	osmXML := filepath.Join(dir, "map.osm")
	os.WriteFile(osmXML, []byte("<?xml version='1.0'?>\n<osm version='0.6'></osm>\n"), 0o644)
	for path, want := range map[string]error{
		unknown:                       ErrUnknownFormat,
		ifc:                           step.ErrTruncated,
		osmXML:                        ErrUnsupported,
		filepath.Join(dir, "missing"): os.ErrNotExist,
	} {
		if _, err := Open(path, Options{}); !errors.Is(err, want) {
			t.Errorf("Open(%s) = %v, want %v", filepath.Base(path), err, want)
		}
	}
	if _, err := Open(dir, Options{}); err == nil {
		t.Error("Open(directory) succeeded")
	}
}

func TestOpenIFC(t *testing.T) {
	const path = "ifc/testdata/nogeoref.ifc"
	if _, err := Open(path, Options{}); !errors.Is(err, ifc.ErrNoGeoref) {
		t.Errorf("Open without an anchor: %v, want ifc.ErrNoGeoref", err)
	}
	in, err := Open(path, Options{Anchor: &cim.Anchor{Lon: 120.15, Lat: 30.25}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Format != FormatIFC || in.Dataset != "nogeoref" {
		t.Errorf("format %q, dataset %q", in.Format, in.Dataset)
	}
	n := 0
	for {
		f, err := in.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if f.Dataset != "nogeoref" || f.Stage != cim.DefaultStage {
			t.Errorf("%s: dataset %q, stage %v", f.ID, f.Dataset, f.Stage)
		}
		n++
	}
	if n != 5 {
		t.Errorf("%d features, want 5", n)
	}
}

func TestDatasetName(t *testing.T) {
	for in, want := range map[string]string{
		"a/b/zoning.geojson": "zoning", "monaco-latest.osm.pbf": "monaco-latest", "x": "x", ".hidden": ".hidden",
	} {
		if got := DatasetName(in); got != want {
			t.Errorf("DatasetName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenRefinesNewlineDelimited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seq.geojsonl")
	f := `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120,30]}}`
	os.WriteFile(path, []byte(f+"\n"+f+"\n"), 0o644)
	in, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if in.Format != FormatGeoJSONSeq {
		t.Errorf("format %q", in.Format)
	}
}
