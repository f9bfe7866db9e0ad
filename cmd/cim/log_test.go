package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLog ingests the sample, then a file twice: the log has two
// commits, with what did each (the second ingest of the file changed
// nothing, so it made no revision); --changes lists the features.
func TestLog(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if code, _, errOut := runCim(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	for range 2 {
		if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/buildings.geojson"); code != 0 {
			t.Fatalf("ingest: %d %s", code, errOut)
		}
	}
	var commits []logJSON
	code, out, errOut := runCim(t, "log", "--db", db, "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &commits) != nil {
		t.Fatalf("log: %d %s %s", code, out, errOut)
	}
	if len(commits) != 2 {
		t.Fatalf("%d commits: %s", len(commits), out)
	}
	for i, want := range []struct {
		what                                 string
		created, updated, unchanged, deleted int
	}{
		{"ingest the bundled sample", 139, 0, 0, 0},
		{"ingest ../../samples/buildings.geojson", 45, 0, 0, 0},
	} {
		c := commits[i]
		if c.Revision != uint64(i+1) || c.What != want.what || c.Created != want.created || c.Updated != want.updated || c.Unchanged != want.unchanged || c.Deleted != want.deleted {
			t.Errorf("commit %d: %+v, want %+v", i+1, c.Commit, want)
		}
	}

	code, out, _ = runCim(t, "log", "--db", db, "--since", "1", "--changes", "--format", "json")
	commits = nil
	if code != 0 || json.Unmarshal([]byte(out), &commits) != nil || len(commits) != 1 {
		t.Fatalf("--since 1 --changes: %d %s", code, out)
	}
	if len(commits[0].Changes) != 45 || commits[0].Changes[0].Kind != "created" || commits[0].Changes[0].Dataset != "buildings" {
		t.Errorf("changes: %d; first %+v", len(commits[0].Changes), commits[0].Changes)
	}

	code, out, _ = runCim(t, "log", "--db", db, "--dataset", "hz-city")
	if code != 0 || !strings.Contains(out, "ingest the bundled sample") || strings.Contains(out, "buildings.geojson") {
		t.Errorf("--dataset hz-city: %d\n%s", code, out)
	}
	code, out, _ = runCim(t, "info", "--db", db)
	if code != 0 || !strings.Contains(out, "history: 2 commits logged, revisions 1 to 2") {
		t.Errorf("info: %d\n%s", code, out)
	}
	if code, _, errOut := runCim(t, "log", "--db", db, "--since", "9"); code != exitUsage || !strings.Contains(errOut, "revision 2") {
		t.Errorf("--since past the store: %d %s", code, errOut)
	}
}

// TestQueryAsOf ingests a file, a changed copy of it (a taller building,
// one building gone) and a second file, saving cim query's output after
// each; cim query --as-of each revision then prints exactly what was
// saved. With one revision kept, the first is a clear error.
func TestQueryAsOf(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	orig, err := os.ReadFile("../../samples/buildings.geojson")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(orig), `"height": 79.5`, `"height": 99.5`, 1)
	var fc map[string]any
	if err := json.Unmarshal([]byte(changed), &fc); err != nil {
		t.Fatal(err)
	}
	fs := fc["features"].([]any)
	fc["features"] = fs[1:]
	b, _ := json.Marshal(fc)
	second := filepath.Join(dir, "buildings.geojson") // the same dataset name
	if err := os.WriteFile(second, b, 0o644); err != nil {
		t.Fatal(err)
	}
	saved := map[string]string{}
	for i, file := range []string{"../../samples/buildings.geojson", second, "../../samples/green.geojson"} {
		if code, _, errOut := runCim(t, "ingest", "--db", db, "--replace", file); code != 0 {
			t.Fatalf("ingest %s: %d %s", file, code, errOut)
		}
		code, out, errOut := runCim(t, "query", "--db", db, "--format", "geojson")
		if code != 0 {
			t.Fatalf("query: %d %s", code, errOut)
		}
		saved[fmt.Sprint(i+1)] = out
	}
	if saved["1"] == saved["2"] || saved["2"] == saved["3"] {
		t.Fatal("the ingests changed nothing: the test shows nothing")
	}
	for rev, want := range saved {
		code, out, errOut := runCim(t, "query", "--db", db, "--format", "geojson", "--as-of", rev)
		if code != 0 || out != want {
			t.Errorf("--as-of %s: %d %s; %d bytes, then %d", rev, code, errOut, len(out), len(want))
		}
	}
	if code, out, errOut := runCim(t, "compact", "--db", db, "--keep-history", "1"); code != 0 || !strings.Contains(out, "readable from revision 3") {
		t.Fatalf("compact: %d %s %s", code, out, errOut)
	}
	code, _, errOut := runCim(t, "query", "--db", db, "--as-of", "1")
	if code != exitUsage || !strings.Contains(errOut, "the oldest it can read is revision 3") {
		t.Errorf("--as-of a revision no longer kept: %d %s", code, errOut)
	}
	if code, out, _ := runCim(t, "query", "--db", db, "--format", "geojson", "--as-of", "3"); code != 0 || out != saved["3"] {
		t.Errorf("--as-of 3 after the compaction: %d", code)
	}
}
