package cim_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers checks that imports flow one way: the model (cim) imports
// no other package of the module; crs and walk only the model; the store
// (index) only those; the readers (ingest/...) no store, query, planning
// or serving package; the tiles and the features API only the store,
// queries, problem details and routes; the sun no package of the module; the
// server the handlers it composes; and nothing imports the command.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	const mod = "github.com/future-community/cim/"
	// allowed lists, for a package (or a prefix ending in /), the packages
	// of the module it may import (prefixes ending in /).
	allowed := map[string][]string{
		"cim":     {},
		"cim/":    {"cim", "cim/"},
		"crs":     {},
		"walk":    {"cim"},
		"index":   {"cim"},
		"geojson": {"cim"},
		"ingest/": {"cim", "crs", "geojson", "ingest/"},
		// ingest itself runs a file into the store, and serves that over
		// HTTP (POST /datasets/{name}/ingest).
		"ingest": {"cim", "crs", "geojson", "ingest/", "index", "problem", "route"},
		"query":  {"cim", "index"},
		"query/": {"cim"},
		// features validates a written feature as cim ingest does.
		"features": {"cim", "crs", "geojson", "index", "query", "query/", "problem", "route", "plan", "ingest/geojson"},
		"sun":      {},
		"sunlight": {"cim", "sun", "index", "query", "plan", "problem", "route"},
		// plan reads a what-if's proposed GeoJSON as cim ingest does.
		"plan": {"cim", "walk", "index", "query", "problem", "route", "ingest/geojson"},
		// problem answers the store's errors (a bad as_of, history gone).
		"problem": {"cim", "index"},
		// diff compares two states of the model, and their checks.
		"diff": {"cim", "index", "query", "plan"},
		// route holds the server's routes as data, for the mux and /api.
		"route":  {"cim"},
		"tiles/": {},
		"tiles":  {"cim", "index", "query", "problem", "route", "tiles/"},
		"viewer": {"cim", "index", "query", "problem", "route", "plan"},
		"server": {"cim", "index", "query", "problem", "route", "tiles", "tiles/", "viewer", "plan", "features", "ingest", "sunlight"},
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], mod)
		if pkg == fields[0] {
			continue
		}
		n++
		rules, ok := allowed[pkg]
		if !ok {
			for k, v := range allowed {
				if strings.HasSuffix(k, "/") && strings.HasPrefix(pkg, k) {
					rules, ok = v, true
				}
			}
		}
		for _, imp := range fields[1:] {
			dep, ours := strings.CutPrefix(imp, mod)
			if !ours {
				continue
			}
			if strings.HasPrefix(dep, "cmd/") {
				t.Errorf("%s imports the command %s", pkg, dep)
			}
			if !ok {
				continue // the command, samples: anything
			}
			if !permitted(dep, rules) {
				t.Errorf("%s imports %s: it may import only %v", pkg, dep, rules)
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list found %d packages of the module", n)
	}
}

func permitted(dep string, rules []string) bool {
	for _, r := range rules {
		if dep == r || strings.HasSuffix(r, "/") && strings.HasPrefix(dep, r) {
			return true
		}
	}
	return false
}
