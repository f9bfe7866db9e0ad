package cim

import "strconv"

// Pos is where in a source file something is, for the errors of the
// readers of every format, which write it alike:
//
//	name:line:col: feature 3 (id X) (byte 120): message
//
// Each part is left out where it is not known: the column without a
// line, the line without a name keeps its place ("12:4: …"). Without a
// feature index the ID stands alone ("#73" for a STEP instance), and the
// byte offset alone reads "byte 120". A zero Feature and Offset are the
// first feature and byte: a reader sets −1 where there is none.
type Pos struct {
	Name    string // the input, usually its file name
	Line    int    // from 1; 0 when not known
	Col     int    // from 1; 0 when not known
	Offset  int64  // bytes from the start of the input; −1 when not known
	Feature int    // the feature's index in the input, from 0; −1 when not in one
	ID      string // what is there, as the format names it; "" when nothing
}

// String formats p as a message prefix, without the ": " that follows
// it; "" where nothing is known.
func (p Pos) String() string { return string(p.Append(nil)) }

// Append appends p as String writes it to b.
func (p Pos) Append(b []byte) []byte {
	start := len(b)
	b = append(b, p.Name...)
	if p.Line > 0 {
		if p.Name != "" {
			b = append(b, ':')
		}
		b = strconv.AppendInt(b, int64(p.Line), 10)
		if p.Col > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(p.Col), 10)
		}
	}
	sep := func() {
		if len(b) > start {
			b = append(b, ": "...)
		}
	}
	what := len(b)
	switch {
	case p.Feature >= 0:
		sep()
		b = append(b, "feature "...)
		b = strconv.AppendInt(b, int64(p.Feature), 10)
		if p.ID != "" {
			b = append(b, " (id "...)
			b = append(b, p.ID...)
			b = append(b, ')')
		}
	case p.ID != "":
		sep()
		b = append(b, p.ID...)
	}
	if p.Offset >= 0 {
		if len(b) > what {
			b = append(b, " (byte "...)
			b = strconv.AppendInt(b, p.Offset, 10)
			b = append(b, ')')
		} else {
			sep()
			b = append(b, "byte "...)
			b = strconv.AppendInt(b, p.Offset, 10)
		}
	}
	return b
}

// Message returns msg located at p: "p: msg", or msg alone where p is
// empty. Readers' Error methods return it.
func (p Pos) Message(msg string) string {
	b := p.Append(make([]byte, 0, 64+len(msg)))
	if len(b) > 0 {
		b = append(b, ": "...)
	}
	return string(append(b, msg...))
}
