package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/twpayne/go-geom"
)

type recoveryCall struct {
	phase       string
	done, total int64
}

// recoveryCalls is what Open passes to Options.Recovering for a batch of
// 1,200 keys.
var recoveryCalls = []recoveryCall{
	{index.RecoveryCounting, 0, 0},
	{index.RecoveryCounting, 700, 0},
	{index.RecoveryCounting, 1200, 0},
	{index.RecoveryUndoing, 0, 1200},
	{index.RecoveryUndoing, 300, 1200},
	{index.RecoveryUndoing, 1200, 1200},
	{index.RecoveryReclaiming, 0, 0},
	{index.RecoveryDone, 0, 0},
}

func TestRecoveryLog(t *testing.T) {
	const (
		start     = "cim: recovering the store city.db after an interrupted write: finding the keys it wrote (0 so far)…"
		counted   = "cim: recovering the store city.db after an interrupted write: finding the keys it wrote (1,200 so far)…"
		undoing   = "cim: recovering the store city.db after an interrupted write: 0 of 1,200 keys undone…"
		halfway   = "cim: recovering the store city.db after an interrupted write: 300 of 1,200 keys undone…"
		undone    = "cim: recovering the store city.db after an interrupted write: 1,200 of 1,200 keys undone…"
		reclaim   = "cim: recovering the store city.db after an interrupted write: 1,200 keys undone; reclaiming their space…"
		recovered = "cim: recovered the store city.db after an interrupted write in "
	)
	for _, tc := range []struct {
		name  string
		tty   bool
		every time.Duration
		want  []string // lines, the last one a prefix
	}{
		{"log, quiet", false, time.Hour, []string{start, undoing, reclaim, recovered}},
		{"log, every report", false, 0, []string{start, "…(700 so far)…", counted, undoing, halfway, undone, reclaim, recovered}},
		{"terminal", true, time.Hour, []string{"\r\033[K" + start + "\r\033[K"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			l := &recoveryLog{w: &out, dir: "city.db", tty: tc.tty, every: tc.every}
			for _, c := range recoveryCalls {
				l.report(c.phase, c.done, c.total)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.want), out.String())
			}
			for i, want := range tc.want {
				got := lines[i]
				switch {
				case strings.HasPrefix(want, "…"):
					if !strings.Contains(got, want[len("…"):]) {
						t.Errorf("line %d: %q, want it to contain %q", i, got, want)
					}
				case tc.tty:
					// One line redrawn, the last time with the result.
					last := got[strings.LastIndex(got, "\r\033[K")+len("\r\033[K"):]
					if !strings.HasPrefix(got, want) || !strings.Contains(got, "\r\033[K"+reclaim+"\r\033[K") ||
						!strings.HasPrefix(last, recovered) || !strings.HasSuffix(last, ": 1,200 keys undone, their space reclaimed") {
						t.Errorf("terminal output %q, want redraws from %q to %q, then %q…", got, start, reclaim, recovered)
					}
				case i == len(tc.want)-1:
					if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, ": 1,200 keys undone, their space reclaimed") {
						t.Errorf("last line %q, want %q…", got, want)
					}
				case got != want:
					t.Errorf("line %d: %q, want %q", i, got, want)
				}
			}
		})
	}
}

// killingSource yields point features and, at the n-th, waits for the
// batch's earlier writes to land and kills the process, as a crash would.
type killingSource struct{ i, n int }

func (s *killingSource) Next() (*cim.Feature, error) {
	s.i++
	if s.i == s.n {
		time.Sleep(500 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	x, y := 120.1+float64(s.i%1000)*1e-4, 30.2+math.Floor(float64(s.i)/1000)*1e-4
	return &cim.Feature{
		ID: fmt.Sprintf("p:%d", s.i), Class: cim.ClassFacility, Dataset: "crash", Stage: cim.StagePlanning,
		Geometry: geom.NewPointFlat(geom.XY, []float64{x, y}), Levels: cim.Level(0),
	}, nil
}

// TestCrashedIngestHelper is run by TestReadRefusesACrashedStore in a
// child process: it ingests into CIM_CRASH_DB and dies by SIGKILL before
// the commit.
func TestCrashedIngestHelper(t *testing.T) {
	db := os.Getenv("CIM_CRASH_DB")
	if db == "" {
		t.Skip("run by TestReadRefusesACrashedStore")
	}
	s, err := index.Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Ingest(t.Context(), &killingSource{n: 200_000}, nil)
	t.Fatal("the ingest ended without the process being killed")
}

// TestReadRefusesACrashedStore: on a store whose ingest was killed, the
// commands that read refuse it (exit 3, naming cim recover) and leave its
// files byte-identical; cim recover undoes the killed batch, says so on
// stderr, and reclaims its space; the store then answers with what was
// committed, and a second recover has nothing to do.
func TestReadRefusesACrashedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errOut := runCim(t, "ingest", "--db", db, "../../samples/green.geojson"); code != 0 {
		t.Fatal(errOut)
	}
	_, before, _ := runCim(t, "info", "--db", db, "--format", "json")
	tablesBefore := dirSize(db)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashedIngestHelper$")
	cmd.Env = append(os.Environ(), "CIM_CRASH_DB="+db)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, out)
	}

	files := fileHashes(t, db)
	for _, args := range [][]string{
		{"info", "--db", db},
		{"query", "--db", db},
		{"check", "--db", db, "--site", "x"},
	} {
		code, out, errOut := runCim(t, args...)
		if code != exitEnv || out != "" || !strings.Contains(errOut, "cim recover --db "+db) {
			t.Errorf("cim %s on a crashed store: exit %d, stdout %q, stderr %q; want exit %d naming cim recover",
				args[0], code, out, errOut, exitEnv)
		}
		if after := fileHashes(t, db); after != files {
			t.Fatalf("cim %s changed the store's files:\n%s", args[0], firstDiff(files, after))
		}
	}

	code, recovered, errOut := runCim(t, "recover", "--db", db)
	if code != 0 || !strings.Contains(recovered, "recovered") {
		t.Fatalf("recover: exit %d: %s%s", code, recovered, errOut)
	}
	for _, want := range []string{"cim: recovering the store " + db + " after an interrupted write: ", "cim: recovered the store " + db} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, after, errOut := runCim(t, "info", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("info after recover: exit %d: %s", code, errOut)
	}
	if features(t, after) != features(t, before) {
		t.Errorf("after recovery the store holds %d features, want the %d committed", features(t, after), features(t, before))
	}
	// The recovery compacted the killed batch away: the tables hold what
	// was committed, in other blocks (see index.TestKilledBatchIsUndoneOnOpen).
	if tablesAfter := dirSize(db); tablesAfter > tablesBefore+64<<10 {
		t.Errorf("after recovery the store's tables take %d bytes, %d before the killed ingest", tablesAfter, tablesBefore)
	} else {
		t.Logf("tables: %d bytes before the killed ingest, %d after recovery", tablesBefore, tablesAfter)
	}
	files = fileHashes(t, db)
	if code, out, _ := runCim(t, "recover", "--db", db); code != 0 || !strings.Contains(out, "nothing to recover") {
		t.Errorf("a second recover: exit %d, %q", code, out)
	}
	if after := fileHashes(t, db); after != files {
		t.Errorf("recover with nothing to recover changed the store's files:\n%s", firstDiff(files, after))
	}
}

// fileHashes lists the files in dir with their sizes and SHA-256, a line
// each.
func fileHashes(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %x\n", e.Name(), len(data), sha256.Sum256(data))
	}
	return b.String()
}
