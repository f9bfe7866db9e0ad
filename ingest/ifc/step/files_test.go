package step

import (
	"bufio"
	"io"
	"os"
	"testing"
	"testing/iotest"
)

// sharedIFC holds the IFC sample files described in shared/data/SOURCES.md.
const sharedIFC = "../../../../shared/data/ifc"

func openShared(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(sharedIFC + "/" + name)
	if os.IsNotExist(err) {
		t.Skipf("shared test data absent: %s not found (see shared/data/SOURCES.md)", sharedIFC+"/"+name)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sharedFiles are the facts checked on each sample file. Type counts are
// from shared/data/SOURCES.md and from
//
//	grep -cE '^#[0-9]+ *= *IFCTYPE\(' FILE
//
// and total from
//
//	grep -cE '^#[0-9]+ *=' FILE
//
// which counts every instance in these four files: each instance is on
// one line of its own, and no string spans lines (checked with tr -d '\r'
// < FILE | sed -n '/^DATA;/,/^ENDSEC;/p' | grep -vcE '^(#[0-9]+ *=.*;|DATA;|ENDSEC;|)$',
// which is 0 but for the 9 comment lines of geographic-referencing-utm.ifc).
var sharedFiles = []struct {
	file   string
	schema string
	total  int
	types  map[string]int
	// strings maps instance ids to the text of their first attribute.
	strings map[uint64]string
	lines   map[uint64]int // instance lines, from grep -n
}{
	{
		file: "AC20-FZK-Haus.ifc", schema: "IFC4", total: 44249,
		types: map[string]int{"IFCBUILDINGSTOREY": 2, "IFCSPACE": 7, "IFCSLAB": 4,
			"IFCWALLSTANDARDCASE": 13, "IFCRELSPACEBOUNDARY": 81, "IFCCARTESIANPOINT": 11359},
		// German umlauts and ß in \X2\ escapes.
		strings: map[uint64]string{
			14954: "Höhe (Z Größe)",
			15115: "Außenseite Oberfläche",
			17523: "Größe Wandloch",
			479:   "2eyxpyOx95m90jmsXLOuR0",
		},
		lines: map[uint64]int{479: 249, 14954: 8594, 35065: 19978},
	},
	{
		file: "duplex.ifc", schema: "IFC2X3", total: 38898,
		types: map[string]int{"IFCBUILDINGSTOREY": 4, "IFCSPACE": 21, "IFCSLAB": 21,
			"IFCWALLSTANDARDCASE": 56, "IFCRELSPACEBOUNDARY": 265, "IFCCARTESIANPOINT": 8520},
		lines: map[uint64]int{38274: 37891},
	},
	{
		file: "Office_A_20110811.ifc", schema: "IFC2X3", total: 62930,
		types: map[string]int{"IFCBUILDINGSTOREY": 3, "IFCSPACE": 99, "IFCSLAB": 2,
			"IFCWALLSTANDARDCASE": 487, "IFCRELSPACEBOUNDARY": 1334, "IFCCARTESIANPOINT": 12063},
		lines: map[uint64]int{11652: 11659},
	},
	{
		file: "geographic-referencing-utm.ifc", schema: "IFC4X3_ADD2", total: 40,
		types: map[string]int{"IFCBUILDINGSTOREY": 1, "IFCSPACE": 0, "IFCSLAB": 0,
			"IFCMAPCONVERSION": 1, "IFCPROJECTEDCRS": 1, "IFCCARTESIANPOINT": 2},
		strings: map[uint64]string{1: "EPSG:25832"},
		lines:   map[uint64]int{1: 22, 100020: 58},
	},
}

// TestSharedFiles reads the four sample IFC files to the end and checks
// their schemas, instance counts and some strings against independent
// counts.
func TestSharedFiles(t *testing.T) {
	for _, tc := range sharedFiles {
		t.Run(tc.file, func(t *testing.T) {
			r, err := NewReader(bufio.NewReaderSize(openShared(t, tc.file), 4096), tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if s := r.Header().Schemas; len(s) != 1 || s[0] != tc.schema {
				t.Errorf("schemas %q, want %s", s, tc.schema)
			}
			types := map[string]int{}
			total := 0
			for {
				in, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				total++
				types[in.Type]++
				if want, ok := tc.strings[in.ID]; ok {
					if got, _ := in.Arg(0).Text(); got != want {
						t.Errorf("#%d: %q, want %q", in.ID, got, want)
					}
				}
				if want, ok := tc.lines[in.ID]; ok && in.Line != want {
					t.Errorf("#%d on line %d, want %d", in.ID, in.Line, want)
				}
			}
			if total != tc.total {
				t.Errorf("%d instances, want %d", total, tc.total)
			}
			for typ, want := range tc.types {
				if types[typ] != want {
					t.Errorf("%d %s, want %d", types[typ], typ, want)
				}
			}
		})
	}
}

// TestSharedFilesSite decodes IfcSite's reference latitude and longitude,
// lists of integers with negative parts west of Greenwich.
func TestSharedFilesSite(t *testing.T) {
	f := openShared(t, "Office_A_20110811.ifc")
	r, err := NewReader(iotest.HalfReader(f), "Office_A_20110811.ifc")
	if err != nil {
		t.Fatal(err)
	}
	r.Only(func(typ string) bool { return typ == "IFCSITE" })
	site, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := site.String(); got != "#11652=IFCSITE('27TOPmxCrDgPimmYFfwtvD',#1,'Default',$,'',#9570,$,$,.ELEMENT.,(42,21,30,344238),(-71,-3,-35,-194702),-0.,$,$)" {
		t.Errorf("got %s", got)
	}
	lon, _ := site.Arg(10).List()
	if deg, _ := lon[0].Int(); deg != -71 {
		t.Errorf("longitude %v", site.Arg(10))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("a second IFCSITE: %v", err)
	}
}
