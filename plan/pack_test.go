package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestBuiltinPacksAreValid(t *testing.T) {
	names := BuiltinPacks()
	if len(names) < 2 {
		t.Fatalf("built-in packs: %v", names)
	}
	for _, n := range names {
		p, err := LoadPack(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if p.Name != n || len(p.Rules) == 0 {
			t.Errorf("%s: name %q, %d rules", n, p.Name, len(p.Rules))
		}
	}
}

func TestPackErrors(t *testing.T) {
	rule := func(s string) string { return "name: t\nrules:\n  - {" + s + "}\n" }
	ok := "id: r, scope: site, indicator: far, op: max, limit: 2, severity: error, reference: x"
	tests := []struct{ name, yaml, want string }{
		{"valid", rule(ok), ""},
		{"no name", "rules: []\n", "no name"},
		{"unknown field", "name: t\ncolour: red\n", "colour"},
		{"unknown indicator", rule(strings.Replace(ok, "far", "fra", 1)), `unknown site indicator "fra"`},
		{"unknown op", rule(strings.Replace(ok, "op: max", "op: most", 1)), `op "most"`},
		{"between wants a range", rule(strings.Replace(ok, "op: max", "op: between", 1)), "[low, high]"},
		{"is wants a bool", rule(strings.Replace(ok, "op: max", "op: is", 1)), "true or false"},
		{"bad limit", rule(strings.Replace(ok, "limit: 2", "limit: lots", 1)), `limit "lots" is not a number`},
		{"no reference", rule(strings.Replace(ok, ", reference: x", "", 1)), "no reference"},
		{"bad scope", rule(strings.Replace(ok, "scope: site", "scope: city", 1)), `scope "city"`},
		{"unknown table", rule(strings.Replace(ok, "limit: 2", "limit: {table: t9, column: c}", 1)), `no table "t9"`},
		{"station ring", rule("id: r, scope: station, indicator: tod_far_400, op: min, limit: 1, severity: error, reference: x"), "unknown station indicator"},
		{"repeated id", "name: t\nrules:\n  - {" + ok + "}\n  - {" + ok + "}\n", "repeated id"},
		{"bad radii", "name: t\nparams: {tod_radii_m: [500, 300]}\n", "increasing"},
		{"repeated radius", "name: t\nparams: {tod_radii_m: [300, 300, 800]}\n", "increasing"},
		{"bad walk", "name: t\nparams: {walk: fly}\n", `walk "fly"`},
		{"unknown facility", rule(strings.Replace(ok, "indicator: far", "indicator: facility_coverage.zoo", 1)), "facility_coverage.zoo"},
		{"at the size bound", padPack(rule(ok), MaxPackBytes), ""},
		{"past the size bound", padPack(rule(ok), MaxPackBytes+1), "rule pack too large: over 1024 KiB"},
		{"alias bomb", aliasBomb(), "excessive aliasing"},
		{"deep nesting", "name: t\nparams: {defaults: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}\n", "max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePack([]byte(tt.yaml), "test.yaml")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one containing %q", err, tt.want)
			case err != nil && !strings.Contains(err.Error(), "test.yaml"):
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
}

// padPack pads a pack with a comment to n bytes.
func padPack(yaml string, n int) string {
	return yaml + "#" + strings.Repeat("x", n-len(yaml)-2) + "\n"
}

// aliasBomb is a "billion laughs" pack: ten levels of anchors, each a
// list of ten aliases of the one before, in a table row (a map of any),
// where every alias would expand to 10^10 strings.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("name: t\ntables:\n  t:\n    keys: [a]\n    rows:\n      - l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "        l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	return b.String()
}

// TestLoadPackTooLarge loads a 1 GiB pack file: refused after reading
// one byte past MaxPackBytes, not read whole.
func TestLoadPackTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(p, []byte("name: t\ndescription: \""), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 1<<30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	_, err := LoadPack(p)
	if !errors.Is(err, ErrPackTooLarge) || !strings.Contains(err.Error(), "huge.yaml") {
		t.Errorf("error %v, want ErrPackTooLarge naming huge.yaml", err)
	}
}

func TestTableLookup(t *testing.T) {
	p, err := LoadPack("gb50180-2018")
	if err != nil {
		t.Fatal(err)
	}
	tb := p.Tables["gb50180_4_0_2"]
	tests := []struct {
		zone, storeys string
		col           string
		want          float64
		err           string
	}{
		{"III", "26", "far_max", 3.1, ""},
		{"III", "12", "height_max_m", 54, ""},
		{"I", "2", "density_max", 0.35, ""},
		{"VI", "8", "green_min", 0.30, ""},
		{"III", "40", "far_max", 0, "no row"},
		{"IX", "5", "far_max", 0, "no row"},
	}
	for _, tt := range tests {
		attr := func(k string) (string, bool) {
			return map[string]string{"climate_zone": tt.zone, "avg_storeys": tt.storeys}[k], true
		}
		got, _, err := tb.lookup(tt.col, attr)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s/%s: err %v, want %q", tt.zone, tt.storeys, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s/%s %s = %v, %v; want %v", tt.zone, tt.storeys, tt.col, got, err, tt.want)
		}
	}
}

// FuzzParsePack is seeded with the built-in packs cut into small packs,
// one a rule, a param or a table (seedPieces), not with whole packs: the
// fuzzer minimizes each new input it finds, for up to a minute, in time
// quadratic in its length, and mutants of a whole 7 KiB pack had it
// minimizing for all of a 2-minute run (8 execs).
func FuzzParsePack(f *testing.F) {
	for _, n := range BuiltinPacks() {
		b, _ := BuiltinSource(n)
		for _, p := range seedPieces(f, b) {
			f.Add(p)
		}
	}
	f.Add([]byte("name: t\nrules:\n  - {id: r, scope: parcel, indicator: far, op: between, limit: [1, {property: far_max}], severity: error, reference: x}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePack(b, "fuzz")
		if err != nil {
			return
		}
		for _, r := range p.Rules { // a valid pack's limits print
			_ = r.Limit.String()
		}
	})
}

// seedPieces cuts a pack into packs of its name and one member each: a
// rule, a table (its first rows), a param or one entry of a param (a
// facility); comments dropped.
func seedPieces(f *testing.F, src []byte) [][]byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		f.Fatal(err)
	}
	root := doc.Content[0]
	var pieces [][]byte
	add := func(k, v *yaml.Node) {
		m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: "seed"}, k, v}}
		b, err := yaml.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		pieces = append(pieces, b)
	}
	uncomment(root)
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch k, v := root.Content[i], root.Content[i+1]; v.Kind {
		case yaml.SequenceNode: // rules
			for _, item := range v.Content {
				add(k, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}})
			}
		case yaml.MappingNode: // params, tables
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := v.Content[j], v.Content[j+1]
				if k.Value == "tables" {
					pv = firstRows(pv, 2)
				}
				if k.Value != "params" || pv.Kind != yaml.MappingNode {
					add(k, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{pk, pv}})
					continue
				}
				for l := 0; l+1 < len(pv.Content); l += 2 { // one facility, one default
					add(k, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{pk,
						{Kind: yaml.MappingNode, Content: pv.Content[l : l+2]}}})
				}
			}
		}
	}
	return pieces
}

// firstRows returns a copy of a table with its first n rows.
func firstRows(table *yaml.Node, n int) *yaml.Node {
	t := *table
	t.Content = slices.Clone(t.Content)
	for i := 0; i+1 < len(t.Content); i += 2 {
		if rows := *t.Content[i+1]; t.Content[i].Value == "rows" && len(rows.Content) > n {
			rows.Content = rows.Content[:n]
			t.Content[i+1] = &rows
		}
	}
	return &t
}

func uncomment(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		uncomment(c)
	}
}

func ExampleParsePack() {
	p, err := ParsePack([]byte(`
name: my-district
title: District controls
params:
  roof_credit: {by: elevation, property: "cim:elevation", steps: [{max: 1.5, credit: 1.0}, {max: 5, credit: 0.7}, {max: 12, credit: 0.5}], reference: Shanghai 2013}
rules:
  - id: far
    scope: parcel
    indicator: far
    op: max
    limit: {property: far_max}
    severity: error
    reference: parcel control
`), "my-district.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := p.Rules[0]
	fmt.Println(p.Name, len(p.Rules), "rule:", r.ID, r.Scope, r.Indicator, r.Op, r.Limit)
	fmt.Println("roof credit at 3 m:", p.Params.RoofCredit.Of(3, true), "at 20 m:", p.Params.RoofCredit.Of(20, true))
	fmt.Println("walk:", p.Params.WalkM, "m", p.Params.Walk)
	// Output:
	// my-district 1 rule: far parcel far max property far_max
	// roof credit at 3 m: 0.7 at 20 m: 0
	// walk: 800 m auto
}
