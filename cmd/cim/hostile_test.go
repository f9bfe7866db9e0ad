package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the test binary as the cim command when CIM_TEST_MAIN=1,
// so that a test can run cim in a child process (runChild) and read its
// peak memory, without building the command first. With
// CIM_TEST_PEAK_FILE set, the child writes its peak resident set there
// as it exits.
func TestMain(m *testing.M) {
	if os.Getenv("CIM_TEST_MAIN") == "1" {
		ctx, stop := signalContext()
		code := run(ctx, os.Args, os.Stdout, os.Stderr)
		stop()
		if p := os.Getenv("CIM_TEST_PEAK_FILE"); p != "" {
			if kib, err := peakRSSKiB(); err == nil {
				os.WriteFile(p, []byte(strconv.FormatInt(kib, 10)), 0o644)
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// peakRSSKiB returns this process's peak resident set size, VmHWM in
// /proc/self/status. It, not getrusage's ru_maxrss, is the figure for a
// child: Go starts a child with vfork, and Linux carries the parent's
// high-water mark over the exec into the child's ru_maxrss, so that a
// child of a 90 MiB test process reports at least 90 MiB.
func peakRSSKiB() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("/proc/self/status has no VmHWM")
}

// childResult is what a cim child process did.
type childResult struct {
	code    int
	stderr  string
	peakKiB int64 // the child's peak resident set size
	elapsed time.Duration
}

// runChild runs cim args in a child process (this test binary, by
// TestMain) and returns its exit status, standard error and peak RSS.
func runChild(t *testing.T, timeout time.Duration, args ...string) childResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Args[0] = "cim"
	peakFile := filepath.Join(t.TempDir(), "peak")
	cmd.Env = append(os.Environ(), "CIM_TEST_MAIN=1", "GOMEMLIMIT=", "CIM_TEST_PEAK_FILE="+peakFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	start := time.Now()
	err := cmd.Run()
	res := childResult{stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("cim %s: still running after %v (a hang?)\n%s", strings.Join(args, " "), timeout, res.stderr)
	case errors.As(err, &ee):
	case err != nil:
		t.Fatalf("cim %s: %v", strings.Join(args, " "), err)
	}
	res.code = cmd.ProcessState.ExitCode()
	b, err := os.ReadFile(peakFile)
	if err == nil {
		res.peakKiB, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil {
		// A child that died before reporting (killed, a crash): ru_maxrss
		// bounds its peak from above (see peakRSSKiB).
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.peakKiB = ru.Maxrss // KiB on Linux
		}
		t.Logf("cim %s reported no peak RSS (%v); ru_maxrss %d KiB", args[0], err, res.peakKiB)
	}
	return res
}

// storeContent is what the store answers: its info and every version of
// every feature.
func storeContent(t *testing.T, db string) string {
	t.Helper()
	code1, info, e1 := runCim(t, "info", "--db", db, "--format", "json")
	code2, q, e2 := runCim(t, "query", "--db", db, "--all-versions", "--format", "ndjson")
	if code1 != 0 || code2 != 0 || q == "" {
		t.Fatalf("reading the store: exit %d %d: %s %s", code1, code2, e1, e2)
	}
	return info + q
}

// hostileCase is one hostile input: make writes it under dir and returns
// its path.
type hostileCase struct {
	name  string
	big   bool // skipped under -short
	make  func(t *testing.T, dir string) string
	known string // a known failure, reported by t.Skip
	want  string // what the error must say, besides the file's name
}

// maxPeakMiB bounds the peak RSS of cim ingest --memory 256 on any
// hostile input.
const maxPeakMiB = 600

// TestHostileInputs ingests truncated files of every format, bombs, deep
// nesting, cycles and huge tokens, each into a store that holds a
// sample, in a child process: each must exit 1 with an error naming the
// file, without a panic, within maxPeakMiB of resident memory, and leave
// the store byte-identical. It logs each case's peak RSS and time.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	var content string
	seed := func(t *testing.T) {
		t.Helper()
		if err := os.RemoveAll(db); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/green.geojson"); code != 0 {
			t.Fatal(errOut)
		}
		content = storeContent(t, db)
	}
	seed(t)
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.big && testing.Short() {
				t.Skip("a large generated input: skipped under -short")
			}
			if tc.known != "" {
				t.Skip("known failure: " + tc.known)
			}
			caseDir := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(tc.name))
			if err := os.MkdirAll(caseDir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := tc.make(t, caseDir)
			defer os.RemoveAll(caseDir)
			res := runChild(t, 90*time.Second, "ingest", "--db", db, "--memory", "256", "--anchor", "120.15,30.25", path)
			msg, _, _ := strings.Cut(res.stderr, "\n")
			t.Logf("peak RSS %d MiB, %v: %.300s", res.peakKiB>>10, res.elapsed.Round(time.Millisecond), msg)
			if res.code != exitInput {
				t.Errorf("exit %d, want %d (bad input)\n%.2000s", res.code, exitInput, res.stderr)
			}
			if !strings.Contains(res.stderr, filepath.Base(path)) {
				t.Errorf("stderr does not name %s:\n%.2000s", filepath.Base(path), res.stderr)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr does not say %q:\n%.2000s", tc.want, res.stderr)
			}
			for _, crash := range []string{"panic", "goroutine ", "fatal error"} {
				if strings.Contains(res.stderr, crash) {
					t.Errorf("stderr has %q, a crash:\n%.4000s", crash, res.stderr)
					break
				}
			}
			if res.peakKiB>>10 > maxPeakMiB {
				t.Errorf("peak RSS %d MiB, over %d MiB", res.peakKiB>>10, maxPeakMiB)
			}
			// The store's files may change (an aborted ingest writes its
			// features at the next version, then undoes them, and each
			// read-write open starts a new empty value log): what it
			// answers must not.
			if after := storeContent(t, db); after != content {
				t.Errorf("the store's content changed:\n%s", firstDiff(content, after))
				seed(t) // a fresh store for the cases after this one
			}
		})
	}
}
