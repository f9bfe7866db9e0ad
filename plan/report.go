package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/future-community/cim/cim"
)

// WriteJSON writes the report as indented JSON (the form documented in
// the package doc and README; stable across versions).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteJSONArray writes several reports as one indented JSON array.
func WriteJSONArray(w io.Writer, rs []*Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rs)
}

// WriteTable writes the report for a terminal: the key indicators, the
// TOD rings, then one aligned line per rule with its value next to its
// limit, and a summary line.
func WriteTable(w io.Writer, r *Report) error {
	bw := &errWriter{w: w}
	name := r.Site.Name
	if name == "" {
		name = r.Site.ID
	}
	ds := r.Dataset
	if ds == "" {
		ds = "all datasets"
	}
	in := &r.Indicators
	fmt.Fprintf(bw, "Site %s: %s ha · %s · %s · pack %s · revision %d\n\n", name, fixed(in.SiteAreaHa, 2), ds, r.StageView(), r.Pack, r.Revision)
	tw := newTable(bw)
	lbl := func(name string) string { return r.params.IndicatorLabel(name).String() }
	fmt.Fprintf(tw, "%s\t%s\tGFA %s m² counted, %s m² underground\n", lbl("far"), fixed(in.FAR, 3), thousands(in.GFAM2), thousands(in.GFAUndergroundM2))
	fmt.Fprintf(tw, "%s\t%s\tfootprints %s m² (union)\n", lbl("building_density"), fixed(in.BuildingDensity, 3), thousands(in.FootprintM2))
	fmt.Fprintf(tw, "%s\t%s\tground green %s m² (union)\n", lbl("green_ratio"), fixed(in.GreenRatio, 3), thousands(in.GreenGroundM2))
	fmt.Fprintf(tw, "%s\t%s\troof %s m² (credited %s), vertical %s m², balcony %s m²\n", lbl("green_ratio_3d"), fixed(in.GreenRatio3D, 3),
		thousands(in.GreenRoofM2), thousands(in.GreenRoofCreditedM2), thousands(in.GreenVerticalM2), thousands(in.GreenBalconyM2))
	fmt.Fprintf(tw, "%s\t%s m\t%d storeys above ground (level 0 = the ground floor, 1F)\n", lbl("max_height_m"), fixed(in.MaxHeightM, 1), in.MaxLevels)
	if in.TransitWalkShare != nil {
		fmt.Fprintf(tw, "%s\t%s\tresidential GFA within %s m of a station (%s)\n", lbl("transit_walk_share"), fixed(*in.TransitWalkShare, 3), formatNum(r.params.WalkM), in.Walk)
	}
	tw.Flush()
	if len(r.Stations) > 0 {
		fmt.Fprintln(bw)
		tw = newTable(bw)
		fmt.Fprint(tw, "STATION\tDISTANCE")
		for _, ring := range r.Stations[0].Rings {
			fmt.Fprintf(tw, "\tFAR %s m", formatNum(ring.RadiusM))
		}
		fmt.Fprint(tw, "\tINNER/OUTER\tGRADIENT\n")
		for _, s := range r.Stations {
			label := s.Name
			if label == "" {
				label = s.ID
			}
			fmt.Fprintf(tw, "%s\t%s m", label, fixed(s.DistanceM, 0))
			for _, ring := range s.Rings {
				fmt.Fprintf(tw, "\t%s", optFixed(ring.FAR, 3))
			}
			g := "n/a"
			if s.GradientOK != nil {
				g = map[bool]string{true: "dense near the hub", false: "NOT denser near the hub"}[*s.GradientOK]
			}
			fmt.Fprintf(tw, "\t%s / %s\t%s\n", optFixed(s.InnerFAR, 3), optFixed(s.OuterFAR, 3), g)
		}
		tw.Flush()
	}
	fmt.Fprintln(bw)
	tw = newTable(bw)
	var notes []string
	fmt.Fprint(tw, "STATUS\tRULE\t规则\tSCOPE\tINDICATOR 指标\tVALUE\tLIMIT\tSEVERITY\tREFERENCE\n")
	for _, res := range r.Results {
		mark := map[Status]string{Pass: "✓ pass", Fail: "✗ FAIL", NotApplicable: "- n/a"}[res.Status]
		scope := res.Scope
		if res.Scope != "site" {
			scope += " " + shortID(res.ScopeID)
		}
		val, lim := "—", "n/a"
		if res.Status == NotApplicable {
			notes = append(notes, fmt.Sprintf("%s (%s): %s", res.Rule, scope, res.Note))
		}
		if res.Value != nil {
			val = formatValue(res.Indicator, *res.Value)
		}
		if res.Status != NotApplicable {
			lim = formatLimit(res.Indicator, res.Op, res.Limit)
		}
		ind := res.Indicator
		if res.IndicatorZh != "" {
			ind += " " + res.IndicatorZh
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, res.Rule, res.LabelZh, scope, ind, val, lim, res.Severity, clip(res.Reference, 60))
	}
	tw.Flush()
	c := r.Counts
	fmt.Fprintf(bw, "\n%s: %s checked, %d pass, %d fail, %d not applicable\n",
		r.Verdict(), plural(len(r.Results), "rule"), c.Pass, c.Fail, c.NotApplicable)
	for _, n := range notes {
		fmt.Fprintf(bw, "n/a: %s\n", n)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	return bw.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// shortID drops the source prefix of an id for display:
// "geojson:hz:p-01" → "p-01".
func shortID(id string) string {
	if strings.HasPrefix(id, "geojson:") {
		if i := strings.LastIndexByte(id, ':'); i >= 0 {
			return id[i+1:]
		}
	}
	return id
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func fixed(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

func optFixed(v *float64, prec int) string {
	if v == nil {
		return "—"
	}
	return fixed(*v, prec)
}

// thousands writes v rounded to a whole number with comma separators:
// 617,592.
func thousands(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1<<62 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return cim.FormatInt(int64(math.Round(v)))
}

// formatValue writes an indicator's value in its unit.
func formatValue(ind string, v float64) string {
	switch {
	case ind == "site_area_ok" || ind == "tod_gradient_ok":
		if v != 0 {
			return "yes"
		}
		return "no"
	case strings.HasSuffix(ind, "_m2"):
		return thousands(v) + " m²"
	case strings.HasSuffix(ind, "_m"):
		return fixed(v, 1) + " m"
	case ind == "max_levels" || ind == "buildings":
		return fixed(v, 0)
	case ind == "site_area_ha":
		return fixed(v, 2) + " ha"
	case ind == "park_m2_per_person":
		return fixed(v, 2) + " m²/p"
	}
	return fixed(v, 3)
}

func formatLimit(ind, op string, lim any) string {
	switch l := lim.(type) {
	case float64:
		sym := map[string]string{"max": "≤ ", "min": "≥ "}[op]
		return sym + formatValue(ind, l)
	case []float64:
		return formatValue(ind, l[0]) + " … " + formatValue(ind, l[1])
	case bool:
		if l {
			return "yes"
		}
		return "no"
	}
	return "?"
}

// table aligns tab-separated columns like text/tabwriter, but counts East
// Asian wide characters (Chinese names) as two columns, as terminals show
// them.
type table struct {
	w    io.Writer
	rows [][]string
	buf  strings.Builder
}

func newTable(w io.Writer) *table { return &table{w: w} }

func (t *table) Write(p []byte) (int, error) {
	t.buf.Write(p)
	for {
		s := t.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		t.rows = append(t.rows, strings.Split(s[:i], "\t"))
		t.buf.Reset()
		t.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

// Flush writes the rows, padded; the last column is not padded.
func (t *table) Flush() error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r[:len(r)-1] {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteByte('\n')
	}
	t.rows = nil
	_, err := io.WriteString(t.w, b.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for East Asian
// wide and fullwidth characters (Han, kana, Hangul, fullwidth forms such as
// "（" and "：", CJK symbols such as "㎡"), none for combining marks and
// zero-width characters, one for the rest (East Asian ambiguous ones such
// as "…" and "✓" included, as terminals outside CJK locales show them).
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' ||
			unicode.In(r, unicode.Mn, unicode.Me) || (r >= 0xfe00 && r <= 0xfe0f):
		case width.LookupRune(r).Kind() == width.EastAsianWide || width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// Verdict sums the report up: "PASS", "PASS, 1 warning failed", "FAIL: 2
// errors failed", "FAIL: 1 error and 2 warnings failed".
func (r *Report) Verdict() string {
	c := r.Counts
	switch {
	case !r.Passed && c.FailedWarning > 0:
		return fmt.Sprintf("FAIL: %s and %s failed", plural(c.FailedErrors, "error"), plural(c.FailedWarning, "warning"))
	case !r.Passed:
		return fmt.Sprintf("FAIL: %s failed", plural(c.FailedErrors, "error"))
	case c.FailedWarning > 0:
		return fmt.Sprintf("PASS, %s failed", plural(c.FailedWarning, "warning"))
	}
	return "PASS"
}

// StageView names the view the check read: "stage planning", or "each
// dataset's latest stage".
func (r *Report) StageView() string {
	if r.Stage == "" || r.Stage == "latest" {
		return "each dataset's latest stage"
	}
	return "stage " + r.Stage
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return cim.FormatInt(int64(n)) + " " + noun + "s"
}
