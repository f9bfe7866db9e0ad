package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServe runs cim serve in a child process on a free loopback port:
// it prints the URLs, answers /healthz and a tile, and on SIGTERM
// finishes, exits 0 and leaves the store closed, so that a read opens it
// with nothing to recover. The SIGTERM comes twice at once, as timeout(1)
// sends it (to its child, then to its process group): that is one stop,
// not a stop and a kill.
func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "demo", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	cmd, base, stderr := startServe(t, db)
	defer cmd.Process.Kill()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status string }
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Status != "ok" {
		t.Errorf("healthz: %+v", h)
	}
	resp, err = http.Get(base + "/tiles/16/54651/26984.mvt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("tile: %d", resp.StatusCode)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(20 * time.Millisecond) // two signals at once would merge into one
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15 s after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopped; the store is closed") {
		t.Errorf("stderr: %s", stderr.String())
	}
	if code, _, errOut := runCim(t, "info", "--db", db); code != 0 || strings.Contains(errOut, "recover") {
		t.Errorf("info after the server stopped: exit %d, %s", code, errOut)
	}
}

// TestServeUsage: bad flags are usage errors and start nothing.
func TestServeUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "demo", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{
		{"serve", "--db", db, "--addr", "nonsense"},
		{"serve", "--db", db, "--cache-mb", "-1"},
		{"serve", "--db", db, "extra"},
		{"demo", "--serve", "--addr", "nonsense"},
		{"tiles", "export", "--db", db},
		{"tiles", "export", "--db", db, "--out", filepath.Join(t.TempDir(), "x.pmtiles"), "--maxzoom", "25"},
		{"tiles", "export", "--db", db, "--out", filepath.Join(t.TempDir(), "x.pmtiles"), "--level", "abc"},
		{"tiles", "export", "--db", db, "--out", "/no/such/dir/x.pmtiles"},
	} {
		if code, out, errOut := runCim(t, args...); code != exitUsage || out != "" {
			t.Errorf("cim %v: exit %d, stdout %q, stderr %q; want %d", args, code, out, errOut, exitUsage)
		}
	}
	if code, _, errOut := runCim(t, "serve", "--db", filepath.Join(t.TempDir(), "none")); code != exitEnv {
		t.Errorf("serve without a store: exit %d, %s", code, errOut)
	}
}

// TestTilesExport writes the demo's archive through the command.
func TestTilesExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "demo", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	out := filepath.Join(t.TempDir(), "demo.pmtiles")
	code, stdout, errOut := runCim(t, "tiles", "export", "--db", db, "--out", out, "--maxzoom", "17")
	if code != 0 || !strings.Contains(stdout, "wrote "+out) {
		t.Fatalf("exit %d: %s%s", code, stdout, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil || len(b) < 127 || string(b[:7]) != "PMTiles" || b[7] != 3 {
		t.Fatalf("%s is not a PMTiles v3 archive (%v)", out, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries: temporary files left behind", len(entries))
	}
}

// TestSignalTwiceIsOneStop: a second SIGTERM soon after the first, as
// timeout(1) sends, cancels nothing more and kills nothing (a kill would
// end this test process).
func TestSignalTwiceIsOneStop(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond) // time for a kill to land
}

// startServe starts cim serve on db in a child process on a loopback
// port, with extra environment variables, and returns it, its base URL
// from the first line it prints, and its stderr. The caller stops it.
func startServe(t *testing.T, db string, env ...string) (*exec.Cmd, string, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", "127.0.0.1:0", "--quiet")
	cmd.Args[0] = "cim"
	cmd.Env = append(append(os.Environ(), "CIM_TEST_MAIN=1"), env...)
	stdout, _ := cmd.StdoutPipe()
	stderr := &strings.Builder{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		cmd.Process.Kill()
		t.Fatalf("no output: %s", stderr.String())
	}
	m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)/`).FindStringSubmatch(lines.Text())
	if m == nil {
		cmd.Process.Kill()
		t.Fatalf("first line %q names no URL", lines.Text())
	}
	go io.Copy(io.Discard, stdout)
	return cmd, m[1], stderr
}
