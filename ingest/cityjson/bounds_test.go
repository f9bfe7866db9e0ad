package cityjson

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// boundsDoc is a CityJSON file whose one Building has the attribute
// "name" with the value v (JSON text).
func boundsDoc(v string) (head, tail string) {
	head = `{"type":"CityJSON","version":"2.0","transform":{"scale":[0.001,0.001,0.001],"translate":[85000,447500,0]},` +
		`"metadata":{"referenceSystem":"EPSG:7415"},"CityObjects":{"b":{"type":"Building","attributes":{"name":`
	tail = `},"geometry":[{"type":"MultiSurface","lod":"0","boundaries":[[[0,1,2,3]]]}]}},` +
		`"vertices":[[0,0,0],[5000,0,0],[5000,5000,0],[0,5000,0]]}`
	return head, tail
}

// repeatReader reads n copies of the byte c.
type repeatReader struct {
	c byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.c
	}
	r.n -= k
	return k, nil
}

// TestTokenBounds reads strings and numbers at and past their bounds
// (maxString, maxLiteral): past one, the error names the token's first
// byte and the bound, and the reader stops there instead of buffering
// the rest; at one, the file reads.
func TestTokenBounds(t *testing.T) {
	tests := []struct {
		name string
		pre  string // the value's first bytes
		c    byte   // repeated n times after pre
		n    int
		post string
		big  bool   // skipped under -short
		want string // "" for a file that reads
	}{
		{name: "number at the bound", pre: "0.", c: '0', n: maxLiteral - 3, post: "1"},
		{name: "number past the bound", pre: "0.", c: '0', n: maxLiteral - 2, post: "1",
			want: "invalid JSON: number or literal longer than 1024 bytes"},
		{name: "10 MB number", pre: "1", c: '1', n: 10 << 20, post: "",
			want: "invalid JSON: number or literal longer than 1024 bytes"},
		{name: "string at the bound", pre: `"`, c: 'a', n: maxString, post: `"`, big: true},
		{name: "string past the bound", pre: `"`, c: 'a', n: maxString + 1, post: `"`, big: true,
			want: "invalid JSON: string longer than 64 MiB"},
		{name: "string with escapes past the bound", pre: `"\"\\`, c: 'a', n: maxString - 3, post: `\n"`, big: true,
			want: "invalid JSON: string longer than 64 MiB"},
		{name: "300 MB string", pre: `"`, c: 'a', n: 300 << 20, post: `"`, big: true,
			want: "invalid JSON: string longer than 64 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.big && testing.Short() {
				t.Skip("a 64 MiB token: skipped under -short")
			}
			head, tail := boundsDoc("")
			src := &repeatReader{c: tt.c, n: tt.n}
			in := io.MultiReader(strings.NewReader(head+tt.pre), src, strings.NewReader(tt.post+tail))
			fs, _, err := readAll(t, in, Options{Name: "big.city.json"})
			if tt.want == "" {
				if err != nil || len(fs) != 1 {
					t.Fatalf("%d features, %v; want 1", len(fs), err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if wantOff := int64(len(head)); e.Offset != wantOff || e.Name != "big.city.json" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %.300q at byte %d; want %q at byte %d, naming big.city.json", err, e.Offset, tt.want, wantOff)
			}
			// What the reader took of the token: the bound, and what one
			// read ahead (bufio's 256 KiB, the decoder's buffer) holds.
			if took := tt.n - src.n; took > maxString+4<<20 {
				t.Errorf("the reader took %d bytes of the token before failing", took)
			}
		})
	}
}
