package server

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/future-community/cim/internal/storetest"
)

// TestAPIDescribesEveryRoute checks /api against the mux: every route the
// server registers is in the document (but the viewer's page and files),
// every operation in the document reaches a route of the mux, and the
// whole document passes an OpenAPI 3.0 validator written elsewhere.
func TestAPIDescribesEveryRoute(t *testing.T) {
	srv, err := New(Config{Store: storetest.Sample(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Features().Close()
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api", nil))
	if rec.Code != 200 {
		t.Fatalf("/api: %d %s", rec.Code, rec.Body)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.routes {
		if r.ID == "" {
			if !strings.HasPrefix(r.Pattern, "GET /viewer/") && r.Pattern != "GET /{$}" {
				t.Errorf("%s has no operationId: only the viewer's page and files go undescribed", r.Pattern)
			}
			continue
		}
		if doc.Paths[r.Path()][strings.ToLower(r.Method())] == nil {
			t.Errorf("%s (%s) is served but not in /api", r.Pattern, r.ID)
		}
	}
	fill := strings.NewReplacer("{collectionId}", "building", "{featureId}", "x", "{id}", "x", "{name}", "x",
		"{z}", "0", "{x}", "0", "{tile}", "0.mvt")
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			req := httptest.NewRequest(strings.ToUpper(method), fill.Replace(path), nil)
			if _, pattern := srv.mux.Handler(req); pattern == "" || pattern == "GET /{$}" && path != "/" {
				t.Errorf("/api has %s %s, which no route of the server serves", strings.ToUpper(method), path)
			}
			n++
		}
	}
	if n < 20 {
		t.Errorf("only %d operations in /api", n)
	}

	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	validator := "../features/testdata/node/validate.mjs"
	if _, err := os.Stat("../features/testdata/node/node_modules/@apidevtools/swagger-parser"); err != nil {
		t.Skip("the OpenAPI validator is not installed: npm ci --prefix features/testdata/node")
	}
	path := filepath.Join(t.TempDir(), "api.json")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, validator, path).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("the /api document does not validate: %v\n%s", err, out)
	}
}
