package step

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dump reads a whole STEP file and writes what the reader makes of it: the
// header, every instance with its line (and byte offset when offsets is
// set), and the error that ends it, if any. An ErrDuplicateID does not end
// it.
func dump(name string, src io.Reader, offsets bool) string {
	var b strings.Builder
	r, err := NewReader(src, name)
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	h := r.Header()
	fmt.Fprintf(&b, "description: %q %q\n", h.Description, h.ImplementationLevel)
	fmt.Fprintf(&b, "name: %q %q %q %q %q %q %q\n", h.Name, h.TimeStamp, h.Author, h.Organization,
		h.PreprocessorVersion, h.OriginatingSystem, h.Authorization)
	fmt.Fprintf(&b, "schemas: %q\n", h.Schemas)
	for {
		in, err := r.Next()
		if err == io.EOF {
			b.WriteString("EOF\n")
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			if errors.Is(err, ErrDuplicateID) {
				continue
			}
			if _, again := r.Next(); again != err {
				fmt.Fprintf(&b, "error not sticky: %v\n", again)
			}
			break
		}
		if offsets {
			fmt.Fprintf(&b, "%d:%d: %s\n", in.Line, in.Offset, in)
		} else {
			fmt.Fprintf(&b, "%d: %s\n", in.Line, in)
		}
	}
	return b.String()
}

func testdataFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.ifc")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	return files
}

// TestGolden reads each testdata/*.ifc and compares what it reads, errors
// included, with testdata/*.golden. go test -update rewrites those.
func TestGolden(t *testing.T) {
	for _, file := range testdataFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".ifc")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(filepath.Base(file), bytes.NewReader(data), true)
			golden := strings.TrimSuffix(file, ".ifc") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			if bad := strings.HasPrefix(name, "err-"); bad != strings.Contains(got, "error: ") {
				t.Errorf("an err- file should fail and no other: %s", got)
			}
		})
	}
}

// TestChunks reads each testdata file one byte at a time and in uneven
// chunks, with the last bytes coming with io.EOF: the reader must make
// the same of it as when the buffer holds the whole file.
func TestChunks(t *testing.T) {
	for _, file := range testdataFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := dump("x", bytes.NewReader(data), true)
			for _, rd := range []struct {
				name string
				r    io.Reader
			}{
				{"one byte", iotest.OneByteReader(bytes.NewReader(data))},
				{"half", iotest.HalfReader(bytes.NewReader(data))},
				{"data with EOF", iotest.DataErrReader(bytes.NewReader(data))},
			} {
				if got := dump("x", rd.r, true); got != want {
					t.Errorf("%s: got\n%s\nwant\n%s", rd.name, got, want)
				}
			}
		})
	}
}

// TestLineEndings reads each valid testdata file with LF, CR LF and CR
// line endings: the same instances on the same lines.
func TestLineEndings(t *testing.T) {
	for _, file := range testdataFiles(t) {
		if strings.HasPrefix(filepath.Base(file), "err-") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
			want := dump("x", bytes.NewReader(lf), false)
			if strings.Contains(want, "error") {
				t.Fatal(want)
			}
			for _, nl := range []string{"\r\n", "\r", "\n\n"} {
				in := bytes.ReplaceAll(lf, []byte("\n"), []byte(nl))
				got := dump("x", bytes.NewReader(in), false)
				if nl == "\n\n" {
					// Blank lines between all lines: line n is now 2n-1.
					got = want // checked below
					r, _ := NewReader(bytes.NewReader(in), "x")
					r2, _ := NewReader(bytes.NewReader(lf), "x")
					for {
						a, err := r.Next()
						b, err2 := r2.Next()
						if err != nil || err2 != nil {
							if err != err2 {
								t.Errorf("blank lines: %v, %v", err, err2)
							}
							break
						}
						if a.Line != 2*b.Line-1 {
							t.Errorf("blank lines: #%d on line %d, want %d", a.ID, a.Line, 2*b.Line-1)
						}
					}
				}
				if got != want {
					t.Errorf("%q line endings: got\n%s\nwant\n%s", nl, got, want)
				}
			}
		})
	}
}

// parseOne reads one instance written in a minimal file.
func parseOne(t *testing.T, inst string) (*Instance, error) {
	t.Helper()
	src := "ISO-10303-21;HEADER;FILE_SCHEMA(('IFC4'));ENDSEC;DATA;" + inst + "ENDSEC;END-ISO-10303-21;"
	r, err := NewReader(strings.NewReader(src), "one")
	if err != nil {
		t.Fatal(err)
	}
	return r.Next()
}

func TestValues(t *testing.T) {
	type check func(v Value) bool
	tests := []struct {
		attr  string
		kind  Kind
		str   string // Value.String
		check check
	}{
		{"$", Unset, "$", func(v Value) bool { return v.IsNull() }},
		{"*", Derived, "*", func(v Value) bool { return !v.IsNull() }},
		{"42", Integer, "42", func(v Value) bool { i, ok := v.Int(); f, okf := v.Float(); return i == 42 && ok && f == 42 && okf }},
		{"-7", Integer, "-7", func(v Value) bool { i, _ := v.Int(); return i == -7 }},
		{"1.", Real, "1.", func(v Value) bool { f, ok := v.Float(); _, isInt := v.Int(); return f == 1 && ok && !isInt }},
		{"-0.", Real, "-0.", func(v Value) bool { f, _ := v.Float(); return f == 0 && math.Signbit(f) }},
		{"1.E-05", Real, "1.E-05", func(v Value) bool { f, _ := v.Float(); return f == 1e-5 }},
		{"1.5E+3", Real, "1500.", func(v Value) bool { f, _ := v.Float(); return f == 1500 }},
		{"0.01745329251994328", Real, "0.01745329251994328", func(v Value) bool { f, _ := v.Float(); return f == 0.01745329251994328 }},
		{"'it''s'", String, "'it''s'", func(v Value) bool { s, ok := v.Text(); return s == "it's" && ok }},
		{"''", String, "''", func(v Value) bool { s, ok := v.Text(); return s == "" && ok }},
		{"'a\\X2\\000A\\X0\\b'", String, "'a\\X\\0Ab'", func(v Value) bool { s, _ := v.Text(); return s == "a\nb" }},
		{".T.", Enum, ".T.", func(v Value) bool { b, ok := v.Bool(); e, _ := v.Enum(); return b && ok && e == "T" }},
		{".F.", Enum, ".F.", func(v Value) bool { b, ok := v.Bool(); return !b && ok }},
		{".U.", Enum, ".U.", func(v Value) bool { _, ok := v.Bool(); return !ok }},
		{".ELEMENT.", Enum, ".ELEMENT.", func(v Value) bool { e, ok := v.Enum(); _, isText := v.Text(); return e == "ELEMENT" && ok && !isText }},
		{"#12", Ref, "#12", func(v Value) bool { id, ok := v.Ref(); _, isInt := v.Int(); return id == 12 && ok && !isInt }},
		{"\"0FF\"", Binary, "\"0FF\"", func(v Value) bool { s, ok := v.Binary(); return s == "0FF" && ok }},
		{"()", List, "()", func(v Value) bool { l, ok := v.List(); return len(l) == 0 && ok }},
		{"((1.,2.),(3.,4.))", List, "((1.,2.),(3.,4.))", func(v Value) bool {
			l, _ := v.List()
			l1, _ := l[1].List()
			f, _ := l1[0].Float()
			return len(l) == 2 && f == 3
		}},
		{"IFCLABEL('x')", Typed, "IFCLABEL('x')", func(v Value) bool {
			name, in, ok := v.Typed()
			s, _ := in.Text()
			u, _ := v.Untyped().Text()
			_, isList := v.List()
			return name == "IFCLABEL" && s == "x" && ok && u == "x" && !isList
		}},
		{"IFCA(IFCB((1)))", Typed, "IFCA(IFCB((1)))", func(v Value) bool { l, ok := v.Untyped().List(); return ok && len(l) == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.attr, func(t *testing.T) {
			in, err := parseOne(t, "#1=IFCX("+tt.attr+");")
			if err != nil {
				t.Fatal(err)
			}
			v := in.Arg(0)
			if v.Kind != tt.kind {
				t.Errorf("kind %v, want %v", v.Kind, tt.kind)
			}
			if k := v.Kind.String(); k == "" || strings.HasPrefix(k, "Kind(") {
				t.Errorf("kind name %q", k)
			}
			if s := v.String(); s != tt.str {
				t.Errorf("String() = %s, want %s", s, tt.str)
			}
			if !tt.check(v) {
				t.Errorf("check failed for %#v", v)
			}
			if a := in.Arg(1); !a.IsNull() {
				t.Errorf("Arg(1) = %v, want unset", a)
			}
		})
	}
}

// TestOnly keeps some types of a file and checks that they come out as
// when every instance is read.
func TestOnly(t *testing.T) {
	data, err := os.ReadFile("testdata/values.ifc")
	if err != nil {
		t.Fatal(err)
	}
	data = append([]byte(nil), data...)
	complexData, err := os.ReadFile("testdata/complex.ifc")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data []byte
		keep []string
	}{
		{data, []string{"IFCWALL", "IFCCARTESIANPOINT"}},
		{data, []string{"IFCX"}},
		{data, nil},
		{complexData, []string{"SI_UNIT"}},
		{complexData, []string{"UNCERTAINTY_MEASURE_WITH_UNIT"}},
	} {
		t.Run(strings.Join(tc.keep, ","), func(t *testing.T) {
			keep := func(typ string) bool {
				for _, k := range tc.keep {
					if k == typ {
						return true
					}
				}
				return false
			}
			var want []string
			all, err := NewReader(bytes.NewReader(tc.data), "x")
			if err != nil {
				t.Fatal(err)
			}
			for {
				in, err := all.Next()
				if err != nil {
					break
				}
				ok := keep(in.Type)
				for _, p := range in.Parts {
					ok = ok || keep(p.Type)
				}
				if ok {
					want = append(want, in.String())
				}
			}
			r, err := NewReader(iotest.OneByteReader(bytes.NewReader(tc.data)), "x")
			if err != nil {
				t.Fatal(err)
			}
			asked := map[string]int{}
			r.Only(func(typ string) bool { asked[typ]++; return keep(typ) })
			var got []string
			for {
				in, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, in.String())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for typ, n := range asked {
				if n != 1 {
					t.Errorf("asked about %s %d times", typ, n)
				}
			}
		})
	}
}

// TestOnlyErrors: a skipped instance is still checked for its framing,
// and its id for duplicates.
func TestOnlyErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"err-string.ifc", "unterminated string"},
		{"err-comment.ifc", "unterminated comment"},
		{"err-escape.ifc", "bad escape"},
		{"err-eof-instance.ifc", "end of file in an instance"},
		{"err-duplicate.ifc", "duplicate instance id"},
	} {
		data, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(bytes.NewReader(data), tc.file)
		if err != nil {
			t.Fatal(err)
		}
		r.Only(func(string) bool { return false })
		_, err = r.Next()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.file+":") {
			t.Errorf("%s: got %v, want %s", tc.file, err, tc.want)
		}
	}
}

// TestLong reads a string and a list much larger than the buffer, and a
// line of a million instances.
func TestLong(t *testing.T) {
	long := strings.Repeat("Größe \\X2\\00E4\\X0\\ ''", 100000) // 2.3 MB
	wantText := strings.Repeat("Größe ä '", 100000)
	var list strings.Builder
	for i := range 300000 {
		if i > 0 {
			list.WriteByte(',')
		}
		fmt.Fprintf(&list, "(%d.5,-%d.,1.E-%d)", i, i, i%300)
	}
	in, err := parseOne(t, "#1=IFCX('"+long+"',("+list.String()+"));")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := in.Arg(0).Text(); s != wantText {
		t.Errorf("long string: %d bytes, want %d", len(s), len(wantText))
	}
	l, _ := in.Arg(1).List()
	if len(l) != 300000 {
		t.Fatalf("%d items", len(l))
	}
	last, _ := l[299999].List()
	if f, _ := last[0].Float(); f != 299999.5 {
		t.Errorf("last item %v", l[299999])
	}

	var line strings.Builder
	for i := range 1000000 {
		fmt.Fprintf(&line, "#%d=IFCX(%d);", i+1, i)
	}
	r, err := NewReader(strings.NewReader("ISO-10303-21;HEADER;FILE_SCHEMA(('X'));ENDSEC;DATA;"+line.String()+"ENDSEC;END-ISO-10303-21;"), "line")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		in, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if in.Line != 1 || in.ID != uint64(n+1) {
			t.Fatalf("instance %d: %s on line %d", n, in, in.Line)
		}
		n++
	}
	if n != 1000000 {
		t.Errorf("%d instances", n)
	}
}

// generator writes a STEP file of n instances as it is read, without
// holding it.
type generator struct {
	n, i int
	buf  []byte
	done bool
}

func (g *generator) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.done:
			return 0, io.EOF
		case g.i == 0:
			g.buf = []byte("ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n")
		case g.i > g.n:
			g.buf, g.done = []byte("ENDSEC;\nEND-ISO-10303-21;\n"), true
		default:
			g.buf = fmt.Appendf(g.buf, "#%d=IFCCARTESIANPOINT((%d.25,-%d.5,0.)); /* a point */\n#%d=IFCLABEL('H\\X2\\00F6\\X0\\he %d');\n", 2*g.i, g.i, g.i, 2*g.i+1, g.i)
		}
		g.i++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

// TestStream reads a 100 MB file made as it is read: the reader must not
// hold it.
func TestStream(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100 MB")
	}
	const n = 1000000
	r, err := NewReader(&generator{n: n}, "generated")
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	count := 0
	for {
		in, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
		if count%100000 == 0 {
			// The live heap, not garbage a busy machine has not yet
			// collected (CI saw 67 MiB of that once).
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			if in.Line != count+5 {
				t.Fatalf("instance %d on line %d", count, in.Line)
			}
		}
	}
	if count != 2*n {
		t.Errorf("%d instances, want %d", count, 2*n)
	}
	t.Logf("%d instances, peak heap %d MiB", count, peak>>20)
	if peak > 16<<20 {
		t.Errorf("peak heap %d MiB: the reader holds the input", peak>>20)
	}
}

// TestReadError: an error reading the input is reported with its place.
func TestReadError(t *testing.T) {
	data, err := os.ReadFile("testdata/values.ifc")
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	r, err := NewReader(io.MultiReader(bytes.NewReader(data[:500]), iotest.ErrReader(boom)), "x")
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
	}
	var se *Error
	if !errors.Is(err, boom) || !errors.As(err, &se) || se.Offset != 500 {
		t.Errorf("got %v", err)
	}
}

func TestErrorIs(t *testing.T) {
	for _, tc := range []struct {
		file string
		want error
	}{
		{"err-not-step.ifc", ErrNotSTEP},
		{"err-empty.ifc", ErrNotSTEP},
		{"err-no-schema.ifc", ErrHeader},
		{"err-token.ifc", ErrSyntax},
		{"err-escape.ifc", ErrSyntax},
		{"err-string.ifc", ErrTruncated},
		{"err-string-runaway.ifc", ErrSyntax},
		{"err-comment.ifc", ErrTruncated},
		{"err-eof-end.ifc", ErrTruncated},
		{"err-duplicate.ifc", ErrDuplicateID},
	} {
		f, err := os.Open("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(f, tc.file)
		for err == nil {
			_, err = r.Next()
		}
		f.Close()
		var se *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &se) || se.Name != tc.file {
			t.Errorf("%s: %v, want %v", tc.file, err, tc.want)
		}
	}
}
