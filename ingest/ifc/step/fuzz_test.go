package step

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzReader feeds damaged STEP text to the reader. It must return
// errors, never panic or hang; read one byte at a time it must make the
// same of its input; and every instance it returns must read back the
// same from what Instance.String writes.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ifc")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, tc := range sharedFiles {
		if data, err := os.ReadFile(sharedIFC + "/" + tc.file); err == nil {
			f.Add(data[:min(len(data), 3000)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := dump("fuzz", bytes.NewReader(data), true)
		if got := dump("fuzz", iotest.OneByteReader(bytes.NewReader(data)), true); got != want {
			t.Fatalf("one byte at a time:\n%s\nat once:\n%s", got, want)
		}
		r, err := NewReader(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var written []string
		for range 10000 {
			in, err := r.Next()
			if err != nil {
				break
			}
			written = append(written, in.String())
		}
		text := "ISO-10303-21;HEADER;FILE_SCHEMA(('X'));ENDSEC;DATA;\n" + strings.Join(written, ";\n") + ";\nENDSEC;END-ISO-10303-21;"
		if len(written) == 0 {
			return
		}
		again, err := NewReader(strings.NewReader(text), "again")
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range written {
			in, err := again.Next()
			if err != nil {
				t.Fatalf("%s does not read back: %v", s, err)
			}
			if s2 := in.String(); s2 != s || in.Line != i+2 {
				t.Fatalf("%s reads back as %s on line %d", s, s2, in.Line)
			}
		}
	})
}
