// Package storetest makes real stores for tests: a Badger store in the
// test's temporary directory, closed when the test ends, empty, holding
// the bundled sample, or holding a file of ../shared/data.
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/samples"
)

// New returns an empty store.
func New(t testing.TB) *index.Store {
	t.Helper()
	s, err := index.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Sample returns a store holding the bundled sample (samples.Ingest).
func Sample(t testing.TB) *index.Store {
	t.Helper()
	s := New(t)
	if err := samples.Ingest(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// File returns a store holding the file at path, read with opts; the test
// is skipped, saying so, when the file is absent (../shared/data is not
// beside the repository).
func File(t testing.TB, path string, opts ingest.Options) *index.Store {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is absent (the shared test data, ../shared/data, is not beside the repository): %v", path, err)
	}
	s := New(t)
	in, err := ingest.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, _, err := s.Ingest(context.Background(), in, nil); err != nil {
		t.Fatal(err)
	}
	return s
}
