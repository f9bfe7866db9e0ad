package plan

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pack is a rule pack: the definitions a jurisdiction uses (Params), the
// tables its thresholds come from, and its rules.
type Pack struct {
	Name        string           `yaml:"name" json:"name"`
	Title       string           `yaml:"title" json:"title"`
	Description string           `yaml:"description" json:"description,omitempty"`
	Params      Params           `yaml:"params" json:"params"`
	Tables      map[string]Table `yaml:"tables" json:"tables,omitempty"`
	Rules       []Rule           `yaml:"rules" json:"rules"`
	// Tolerances say how far a site's indicators may move from the
	// approved scheme to what is built (规划条件核实, cim diff --site), by
	// indicator.
	Tolerances map[string]Tolerance `yaml:"tolerances" json:"tolerances,omitempty"`
	// Sunlight are the pack's sunlight standards (日照), which package
	// sunlight checks beside the rules.
	Sunlight []SunlightRule `yaml:"sunlight" json:"sunlight,omitempty"`
	// Source is the file the pack came from, or "built-in".
	Source string `yaml:"-" json:"source"`
}

// Tolerance is how far an indicator may move: by at most Relative of its
// approved value (0.03 for ±3 %), or by at most Absolute.
type Tolerance struct {
	Relative  float64 `yaml:"relative" json:"relative,omitempty"`
	Absolute  float64 `yaml:"absolute" json:"absolute,omitempty"`
	Reference string  `yaml:"reference" json:"reference,omitempty"`
}

// Allows reports whether an indicator may move from approved to built.
func (t Tolerance) Allows(approved, built float64) bool {
	d := math.Abs(built - approved)
	if t.Relative > 0 {
		return d <= t.Relative*math.Abs(approved)+1e-9
	}
	return d <= t.Absolute+1e-9
}

func (t Tolerance) String() string {
	if t.Relative > 0 {
		return fmt.Sprintf("±%g %%", t.Relative*100)
	}
	return fmt.Sprintf("±%g", t.Absolute)
}

// Rule compares one indicator with a limit.
type Rule struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title,omitempty"`
	// LabelZh is the rule's Chinese label, shown beside its id.
	LabelZh   string `yaml:"label_zh" json:"label_zh,omitempty"`
	Indicator string `yaml:"indicator" json:"indicator"`
	// Op is max (value ≤ limit), min (value ≥ limit), between (limit[0]
	// ≤ value ≤ limit[1]) or is (a yes/no indicator equals limit).
	Op    string    `yaml:"op" json:"op"`
	Limit Threshold `yaml:"limit" json:"limit"`
	// Scope is site, parcel (each parcel in the site) or station (each
	// station near the site).
	Scope string `yaml:"scope" json:"scope"`
	// When restricts the rule to scopes whose properties have these
	// values (parcel landuse: residential).
	When      map[string][]string `yaml:"when" json:"when,omitempty"`
	Severity  string              `yaml:"severity" json:"severity"`
	Reference string              `yaml:"reference" json:"reference"`
}

// Threshold is where a limit comes from: a number, a yes/no, a property of
// the site or parcel (planners' control data, "far_max"), or a column of a
// table row picked by site attributes. Between takes two thresholds.
type Threshold struct {
	Number   *float64    `json:"number,omitempty"`
	Bool     *bool       `json:"bool,omitempty"`
	Property string      `json:"property,omitempty"`
	Table    string      `json:"table,omitempty"`
	Column   string      `json:"column,omitempty"`
	Range    []Threshold `json:"range,omitempty"`
}

// UnmarshalYAML reads 2.0, true, [1.0, 1.2], {property: far_max} or
// {table: T, column: C}.
func (t *Threshold) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!bool" {
			var b bool
			if err := n.Decode(&b); err != nil {
				return err
			}
			t.Bool = &b
			return nil
		}
		v, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return fmt.Errorf("line %d: limit %q is not a number", n.Line, n.Value)
		}
		t.Number = &v
		return nil
	case yaml.SequenceNode:
		if len(n.Content) != 2 {
			return fmt.Errorf("line %d: a range limit has two ends, [low, high]", n.Line)
		}
		t.Range = make([]Threshold, 2)
		for i, c := range n.Content {
			if err := t.Range[i].UnmarshalYAML(c); err != nil {
				return err
			}
		}
		return nil
	case yaml.MappingNode:
		var m struct {
			Property string `yaml:"property"`
			Table    string `yaml:"table"`
			Column   string `yaml:"column"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		if (m.Property == "") == (m.Table == "") || (m.Table != "") != (m.Column != "") {
			return fmt.Errorf("line %d: a limit is {property: NAME} or {table: NAME, column: NAME}", n.Line)
		}
		t.Property, t.Table, t.Column = m.Property, m.Table, m.Column
		return nil
	}
	return fmt.Errorf("line %d: a limit is a number, true/false, [low, high], {property: NAME} or {table: NAME, column: NAME}", n.Line)
}

// String writes the threshold as a pack would.
func (t Threshold) String() string {
	switch {
	case t.Number != nil:
		return formatNum(*t.Number)
	case t.Bool != nil:
		return strconv.FormatBool(*t.Bool)
	case t.Property != "":
		return "property " + t.Property
	case t.Table != "":
		return "table " + t.Table + "." + t.Column
	case len(t.Range) == 2:
		return "[" + t.Range[0].String() + ", " + t.Range[1].String() + "]"
	}
	return "?"
}

// Table is a lookup table: each row has values for the Keys and numeric
// columns. A row matches when each key's value (a site or parcel
// attribute, an indicator, or a params default) is one of the row's
// strings, or for a numeric range [low, high] lies in it.
type Table struct {
	Keys      []string         `yaml:"keys" json:"keys"`
	Reference string           `yaml:"reference" json:"reference"`
	Rows      []map[string]any `yaml:"rows" json:"rows"`
}

//go:embed packs/*.yaml
var builtinFS embed.FS

// BuiltinPacks returns the names of the packs built into cim.
func BuiltinPacks() []string {
	entries, _ := builtinFS.ReadDir("packs")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// BuiltinSource returns the YAML text of a built-in pack.
func BuiltinSource(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile("packs/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in rule pack %q (built in: %s)", name, strings.Join(BuiltinPacks(), ", "))
	}
	return b, nil
}

// LoadPack returns the built-in pack of that name, or reads a pack file
// (a path, or a name ending in .yaml or .yml).
func LoadPack(nameOrPath string) (*Pack, error) {
	if !strings.ContainsAny(nameOrPath, "/\\") && !strings.HasSuffix(nameOrPath, ".yaml") && !strings.HasSuffix(nameOrPath, ".yml") {
		b, err := BuiltinSource(nameOrPath)
		if err != nil {
			return nil, err
		}
		return ParsePack(b, "built-in")
	}
	f, err := os.Open(nameOrPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte past the bound is enough for ParsePack to refuse it.
	b, err := io.ReadAll(io.LimitReader(f, MaxPackBytes+1))
	if err != nil {
		return nil, err
	}
	return ParsePack(b, filepath.Clean(nameOrPath))
}

// MaxPackBytes is the largest rule pack ParsePack and LoadPack read. The
// built-in packs are under 8 KiB; YAML decoding takes some 40 times a
// pack's size in memory and about 0.3 s a MiB, so that a hostile 100 MB
// pack would take 800 MiB and seconds: a larger one is refused before
// it is decoded. (Alias "billion laughs" bombs are refused by the YAML
// decoder, as "excessive aliasing", and nesting past 10 000 levels.)
const MaxPackBytes = 1 << 20

// ErrPackTooLarge is wrapped by the error for a pack over MaxPackBytes.
var ErrPackTooLarge = errors.New("rule pack too large")

// ParsePack reads a pack from YAML. Params the pack leaves out keep their
// defaults (DefaultParams). Errors name the source and the rule.
func ParsePack(b []byte, source string) (*Pack, error) {
	if len(b) > MaxPackBytes {
		return nil, fmt.Errorf("rule pack %s: %w: over %d KiB (the built-in packs are under 8 KiB)", source, ErrPackTooLarge, MaxPackBytes>>10)
	}
	p := &Pack{Params: DefaultParams(), Source: source}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("rule pack %s: %w", source, err)
	}
	return p, nil
}

var stationIndicators = []string{"distance_m", "tod_gradient_ok", "inner_far", "outer_far"}

func (p *Pack) validate() error {
	if p.Name == "" {
		return errors.New("no name")
	}
	if err := p.Params.validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	for name, t := range p.Tables {
		if len(t.Keys) == 0 || len(t.Rows) == 0 {
			return fmt.Errorf("table %s: want keys and rows", name)
		}
	}
	for name, t := range p.Tolerances {
		if !slices.Contains(indicatorNames, name) {
			return fmt.Errorf("tolerance %s: unknown site indicator", name)
		}
		if (t.Relative > 0) == (t.Absolute > 0) || t.Relative < 0 || t.Absolute < 0 {
			return fmt.Errorf("tolerance %s: want one of relative (0.03 for ±3 %%) or absolute, above 0", name)
		}
	}
	ids := map[string]bool{}
	for i, r := range p.Rules {
		where := fmt.Sprintf("rule %d (%s)", i+1, r.ID)
		if r.ID == "" || ids[r.ID] {
			return fmt.Errorf("%s: missing or repeated id", where)
		}
		ids[r.ID] = true
		switch r.Scope {
		case "site", "parcel":
			ok := slices.Contains(indicatorNames, r.Indicator)
			if name, found := strings.CutPrefix(r.Indicator, "facility_coverage."); found {
				_, ok = p.Params.Facilities[name]
			}
			if !ok {
				return fmt.Errorf("%s: unknown %s indicator %q", where, r.Scope, r.Indicator)
			}
		case "station":
			ok := slices.Contains(stationIndicators, r.Indicator)
			for _, rad := range p.Params.TODRadiiM {
				ok = ok || r.Indicator == ringName(rad)
			}
			if !ok {
				return fmt.Errorf("%s: unknown station indicator %q (TOD rings: %v)", where, r.Indicator, p.Params.TODRadiiM)
			}
		default:
			return fmt.Errorf("%s: scope %q: want site, parcel or station", where, r.Scope)
		}
		switch r.Severity {
		case "error", "warning":
		default:
			return fmt.Errorf("%s: severity %q: want error or warning", where, r.Severity)
		}
		if r.Reference == "" {
			return fmt.Errorf("%s: no reference (cite the standard and clause)", where)
		}
		switch r.Op {
		case "max", "min":
			if r.Limit.Range != nil || r.Limit.Bool != nil || r.Limit.String() == "?" {
				return fmt.Errorf("%s: op %s wants one numeric limit", where, r.Op)
			}
		case "between":
			if len(r.Limit.Range) != 2 {
				return fmt.Errorf("%s: op between wants limit [low, high]", where)
			}
		case "is":
			if r.Limit.Bool == nil {
				return fmt.Errorf("%s: op is wants limit true or false", where)
			}
		default:
			return fmt.Errorf("%s: op %q: want max, min, between or is", where, r.Op)
		}
		for _, t := range append([]Threshold{r.Limit}, r.Limit.Range...) {
			if t.Table != "" {
				if _, ok := p.Tables[t.Table]; !ok {
					return fmt.Errorf("%s: no table %q in the pack", where, t.Table)
				}
			}
		}
	}
	for i, r := range p.Sunlight {
		if r.ID == "" || ids[r.ID] {
			return fmt.Errorf("sunlight rule %d (%s): missing or repeated id", i+1, r.ID)
		}
		ids[r.ID] = true
		if err := r.validate(); err != nil {
			return fmt.Errorf("sunlight rule %d (%s): %w", i+1, r.ID, err)
		}
	}
	return nil
}

// lookup finds a table row for the attributes attr gives and returns its
// column.
func (t Table) lookup(column string, attr func(string) (string, bool)) (float64, string, error) {
	var keys []string
	for _, k := range t.Keys {
		v, ok := attr(k)
		if !ok {
			return 0, "", fmt.Errorf("no %s to look the table up by", k)
		}
		keys = append(keys, k+"="+v)
	}
rows:
	for _, row := range t.Rows {
		for _, k := range t.Keys {
			v, _ := attr(k)
			if !cellMatches(row[k], v) {
				continue rows
			}
		}
		c, ok := row[column]
		if !ok {
			return 0, "", fmt.Errorf("the row for %s has no %s", strings.Join(keys, ", "), column)
		}
		f, ok := toFloat(c)
		if !ok {
			return 0, "", fmt.Errorf("the row for %s: %s is not a number", strings.Join(keys, ", "), column)
		}
		return f, strings.Join(keys, ", "), nil
	}
	return 0, "", fmt.Errorf("no row for %s", strings.Join(keys, ", "))
}

func cellMatches(cell any, v string) bool {
	switch c := cell.(type) {
	case string:
		return c == v
	case []any:
		if len(c) == 2 {
			lo, ok1 := toFloat(c[0])
			hi, ok2 := toFloat(c[1])
			if x, err := strconv.ParseFloat(v, 64); ok1 && ok2 && err == nil {
				return x >= lo && x <= hi
			}
		}
		for _, e := range c {
			if s, ok := e.(string); ok && s == v {
				return true
			}
		}
	case int, float64:
		f, _ := toFloat(c)
		x, err := strconv.ParseFloat(v, 64)
		return err == nil && x == f
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// formatNum writes a number in its shortest form.
func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
