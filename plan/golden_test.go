package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSampleReportGolden pins the JSON report of the sample, the form
// digital-twin front ends and scripts read: every key, and every value to
// 1e-9. go test ./plan -run Golden -update rewrites it after a change
// that is meant.
func TestSampleReportGolden(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	const path = "testdata/sample-report.golden.json"
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(buf.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	for _, d := range jsonDiff("", g, w) {
		t.Error(d)
	}
}

// jsonDiff lists where got differs from want: keys, types, strings, and
// numbers beyond 1e-9 relative.
func jsonDiff(at string, got, want any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", at, got)}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", at, k))
				continue
			}
			out = append(out, jsonDiff(at+"."+k, gv, wv)...)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: not in the golden file", at, k))
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d items, want %d", at, len(g), len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, jsonDiff(fmt.Sprintf("%s[%d]", at, i), g[i], w[i])...)
		}
		return out
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return []string{fmt.Sprintf("%s: %v, want %v", at, got, w)}
		}
		return nil
	default:
		if got != want {
			return []string{fmt.Sprintf("%s: %v, want %v", at, got, want)}
		}
		return nil
	}
}
