package features_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/future-community/cim/internal/storetest"
)

// TestOpenAPIValidates checks the /api document with an OpenAPI 3.0
// validator written elsewhere (@apidevtools/swagger-parser, pinned by
// testdata/node/package-lock.json).
func TestOpenAPIValidates(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	if _, err := os.Stat("testdata/node/node_modules/@apidevtools/swagger-parser"); err != nil {
		t.Skip("the OpenAPI validator is not installed: npm ci --prefix features/testdata/node")
	}
	srv := serve(t, storetest.Sample(t))
	resp, b := get(t, srv.URL+"/api")
	if resp.StatusCode != 200 {
		t.Fatalf("/api: %d %s", resp.StatusCode, b)
	}
	path := filepath.Join(t.TempDir(), "api.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, "testdata/node/validate.mjs", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("the /api document does not validate: %v\n%s", err, out)
	}
	// The validator is not one that passes anything: a broken copy fails.
	broken := strings.Replace(string(b), `"openapi":"3.0.3"`, `"openapi":"3.0.3","paths2":1`, 1)
	broken = strings.Replace(broken, `"in":"path"`, `"in":"nowhere"`, 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, "testdata/node/validate.mjs", path).CombinedOutput(); err == nil {
		t.Errorf("a broken document validates: %s", out)
	}
}
