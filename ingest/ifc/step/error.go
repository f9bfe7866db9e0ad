package step

import (
	"errors"
	"strconv"

	"github.com/future-community/cim/cim"
)

// The errors a Reader's errors wrap, for errors.Is.
var (
	// ErrNotSTEP: the input does not start with ISO-10303-21;.
	ErrNotSTEP = errors.New("not an ISO 10303-21 file")
	// ErrHeader: the HEADER section lacks FILE_SCHEMA or names no schema.
	ErrHeader = errors.New("bad header")
	// ErrSyntax: a bad token, a bad string escape, a missing ';', a
	// value where none may be, and the like.
	ErrSyntax = errors.New("syntax error")
	// ErrTruncated: the input ends inside a string, a comment or an
	// instance, or before END-ISO-10303-21;.
	ErrTruncated = errors.New("truncated file")
	// ErrDuplicateID: a second instance has the id of an earlier one. It
	// is the one error after which reading can go on: the second instance
	// is dropped and Next returns the instance after it.
	ErrDuplicateID = errors.New("duplicate instance id")
	// ErrTooLarge: a string, token, nesting or instance exceeds the
	// reader's limits (see the package documentation).
	ErrTooLarge = errors.New("too large")
)

// Error is a problem in the input, located by line and column (both from
// 1; the column counts bytes) and by byte offset, and by the id of the
// instance it is in when that id has been read. It is written as
// cim.Pos writes positions:
//
//	name:line:col: #id (byte offset): message
//
// Err wraps one of the package's sentinel errors, or the reader's own
// error when reading the input failed.
type Error struct {
	Name   string // the name given to NewReader, usually the file name
	Line   int
	Col    int
	Offset int64
	ID     uint64 // the instance id, 0 when not in an instance or not yet read
	Err    error
}

func (e *Error) Error() string {
	return e.Pos().Message(e.Err.Error())
}

// Pos returns where the error is, with the instance id as "#id".
func (e *Error) Pos() cim.Pos {
	p := cim.Pos{Name: e.Name, Line: e.Line, Col: e.Col, Offset: e.Offset, Feature: -1}
	if e.ID != 0 {
		p.ID = "#" + strconv.FormatUint(e.ID, 10)
	}
	return p
}

func (e *Error) Unwrap() error { return e.Err }
