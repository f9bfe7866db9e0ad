package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// smallDisk mounts a tmpfs of sizeMB on a temp dir, or skips where that is
// not allowed (not root, no mount in a container).
func smallDisk(t *testing.T, sizeMB int) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a %d MB tmpfs here (%v: %s)", sizeMB, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestFullDisk ingests onto a 48 MB file system: a small file goes in; a
// file that cannot fit fails part-way with exit 3 and a message that says
// the disk is full and how much is needed (before the store's checks,
// Badger's mapped writes killed the process with SIGBUS), and the store
// still answers with what it held. Then the disk is filled to the last
// byte by another file: reads still work, and an ingest is refused.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t, 48)
	db := filepath.Join(disk, "db")
	if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/green.geojson"); code != 0 {
		t.Fatalf("the small file: exit %d: %s", code, errOut)
	}
	_, before, _ := runCim(t, "query", "--db", db, "--all-versions", "--format", "ndjson")

	big := filepath.Join(t.TempDir(), "big.geojsons")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range 300_000 { // about 40 MB
		x, y := 120+float64(i%400)*0.0004, 30+float64(i/400)*0.0004
		fmt.Fprintf(w, `{"type":"Feature","id":%d,"geometry":{"type":"Polygon","coordinates":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]},"properties":{"building":"yes"}}`+"\n",
			i, x, y, x+0.0002, y, x+0.0002, y+0.0002, x, y)
	}
	w.Flush()
	f.Close()
	code, out, errOut := runCim(t, "ingest", "--db", db, big)
	if code != exitEnv || !strings.Contains(out, "FAILED") || !strings.Contains(errOut, "full") || !strings.Contains(errOut, "needs about") {
		t.Errorf("the big file: exit %d, stdout %q, stderr %q; want exit %d and a full disk", code, out, errOut, exitEnv)
	}
	if code, after, errOut := runCim(t, "query", "--db", db, "--all-versions", "--format", "ndjson"); code != 0 || after != before {
		t.Errorf("the store after the refusal: exit %d, %s; %d bytes of features, want %d", code, errOut, len(after), len(before))
	}

	filler, err := os.Create(filepath.Join(disk, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 64<<10)
	for err == nil {
		_, err = filler.Write(block)
	}
	for n := 4096; n > 0; n /= 2 { // the last partial block
		for err == nil || n > 0 {
			if _, err = filler.Write(block[:n]); err != nil {
				break
			}
		}
	}
	filler.Close()
	if code, after, errOut := runCim(t, "query", "--db", db, "--all-versions", "--format", "ndjson"); code != 0 || after != before {
		t.Errorf("query on a full disk: exit %d, %s; %d bytes of features, want %d", code, errOut, len(after), len(before))
	}
	if code, _, errOut := runCim(t, "info", "--db", db); code != 0 {
		t.Errorf("info on a full disk: exit %d, %s", code, errOut)
	}
	code, out, errOut = runCim(t, "ingest", "--db", db, "../../samples/green.geojson")
	if code != exitEnv || out != "" || !strings.Contains(errOut, "full") {
		t.Errorf("ingest onto a filled disk: exit %d, stdout %q, stderr %q; want exit %d and a full disk", code, out, errOut, exitEnv)
	}
}
