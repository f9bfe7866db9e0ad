package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIngestThroughServer runs cim serve in a child process on a store:
// a cim ingest --db on that store fails with exit 3, naming the server's
// URL and --server; cim ingest --server loads files through it (table
// and JSON, an IMDF folder), a bad file is exit 1 with the file's
// message, a missing or wrong token exit 3 naming the token, and the
// serve.json the server wrote is gone once it stops.
func TestIngestThroughServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/site.geojson"); code != 0 {
		t.Fatal(errOut)
	}
	const token = "tok-3e1f"
	cmd, base, stderr := startServe(t, db, "CIM_TOKEN="+token)
	defer cmd.Process.Kill()

	code, out, errOut := runCim(t, "ingest", "--db", db, "../../samples/green.geojson")
	if code != exitEnv || out != "" || !strings.Contains(errOut, "cim ingest --server "+base) || !strings.Contains(errOut, "cim serve") {
		t.Errorf("ingest --db on a served store: exit %d, stdout %q, stderr %q; want exit %d naming --server %s", code, out, errOut, exitEnv, base)
	}

	code, out, errOut = runCim(t, "ingest", "--server", base, "--token", token, "--stage", "design", "../../samples/green.geojson", "../../samples/roads.geojson")
	if code != 0 || !strings.Contains(out, "green") || !strings.Contains(out, "roads") || !strings.Contains(out, "server "+base+" at revision") {
		t.Errorf("ingest --server: exit %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = runCim(t, "ingest", "--server", base+"/", "--token", token, "--format", "json", "--dataset", "parks", "../../samples/green.geojson")
	var doc struct {
		Revision uint64
		Files    []struct {
			File, Dataset, Format string
			Features              int
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Files) != 1 || doc.Files[0].Dataset != "parks" ||
		doc.Files[0].Features != 23 || doc.Files[0].File != "../../samples/green.geojson" || doc.Revision == 0 {
		t.Errorf("ingest --server --format json: exit %d\n%s\n%s", code, out, errOut)
	}

	if imdf := "../../ingest/imdf/testdata/station-mall"; dirExists(imdf) {
		if code, out, errOut := runCim(t, "ingest", "--server", base, "--token", token, imdf); code != 0 || !strings.Contains(out, "imdf") {
			t.Errorf("an IMDF folder: exit %d\n%s\n%s", code, out, errOut)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.geojson")
	os.WriteFile(bad, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":["x",1]}}]}`), 0o644)
	code, out, errOut = runCim(t, "ingest", "--server", base, "--token", token, bad)
	if code != exitInput || !strings.Contains(out, "FAILED") || !strings.Contains(errOut, "bad.geojson") || !strings.Contains(errOut, "feature") {
		t.Errorf("a bad file: exit %d\n%s\n%s", code, out, errOut)
	}

	for _, tok := range []string{"", "wrong"} {
		code, _, errOut = runCim(t, "ingest", "--server", base, "--token", tok, "../../samples/green.geojson")
		if code != exitEnv || !strings.Contains(errOut, "token") {
			t.Errorf("token %q: exit %d, stderr %q; want %d naming the token", tok, code, errOut, exitEnv)
		}
	}

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(filepath.Join(db, serveInfoName)); !os.IsNotExist(err) {
		t.Errorf("serve.json after serve stopped: %v", err)
	}
	// The server is gone: an unreachable server is the environment's fault.
	if code, _, errOut := runCim(t, "ingest", "--server", base, "--token", token, "../../samples/green.geojson"); code != exitEnv || !strings.Contains(errOut, "cannot reach") {
		t.Errorf("no server: exit %d, stderr %q", code, errOut)
	}
	// And the store holds what went through it.
	if code, out, errOut := runCim(t, "info", "--db", db); code != 0 || !strings.Contains(out, "parks") || !strings.Contains(out, "roads") {
		t.Errorf("info: exit %d\n%s\n%s", code, out, errOut)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
