package tiles

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStyleIsValid runs the MapLibre style specification's own validator
// on the style, and on a broken copy to show that it can fail.
func TestStyleIsValid(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	if _, err := os.Stat("testdata/node/node_modules/@maplibre/maplibre-gl-style-spec"); err != nil {
		t.Skip("the style validator is not installed: npm ci --prefix tiles/testdata/node")
	}
	validate := func(style map[string]any) []string {
		t.Helper()
		b, _ := json.Marshal(style)
		path := filepath.Join(t.TempDir(), "style.json")
		os.WriteFile(path, b, 0o644)
		out, err := exec.Command(node, "testdata/node/validate.mjs", path).Output()
		if err != nil {
			t.Fatalf("validate.mjs: %v", err)
		}
		var errs []string
		if err := json.Unmarshal(out, &errs); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return errs
	}
	style := Style("http://127.0.0.1:8080/tiles.json", []float64{120.21, 30.25, 16})
	if errs := validate(style); len(errs) > 0 {
		t.Errorf("the style is invalid: %v", errs)
	}
	layers := style["layers"].([]any)
	layers[1].(map[string]any)["type"] = "fill-extruded"
	if errs := validate(style); len(errs) == 0 {
		t.Error("the validator accepted a layer of type fill-extruded")
	}
}
