// Package step reads STEP physical files (ISO 10303-21, "Part 21"), the
// clear-text encoding that IFC files use, as a stream of entity
// instances: the base of the IFC reader.
//
// NewReader reads the HEADER section (FILE_DESCRIPTION, FILE_NAME,
// FILE_SCHEMA); Next then returns the instances of the DATA sections one
// at a time, #12=IFCWALL('2O2Fr$t4X7Zf8NOew3FLOH',#1,$,*,.T.,(#3,#4),…);
// as an Instance with its values decoded: integers, reals, strings in
// UTF-8, enumerations, binaries, references, lists, typed values such as
// IFCLABEL('x'), $ and *. Complex instances, #5=(IFCA(1)IFCB(#2));, come
// with one Part for each entity type. The reader resolves no references:
// that is the caller's job, with the instance ids.
//
// # Streaming
//
// The input is read in blocks of 64 KiB through one buffer; no token and
// no instance needs to fit in it, and the file is never held whole. Only
// the instance being read is kept, and a bitmap of the ids seen (8 KiB
// for each 64Ki ids in use) to report duplicates. An IFC reader needs a
// few dozen of the hundreds of entity types; Only makes Next skip the
// others without building their values. Reading the 4 MB Office A model
// (62,930 instances) takes 28 ms, 145 MB/s, on a 2-core machine; keeping
// six types with Only, 7.6 ms (go test -bench . ./ingest/ifc/step).
//
// # Syntax
//
// The reader follows the second edition of ISO 10303-21 (2002), which
// IFC files use, and is lenient where real files stray from it and
// nothing is ambiguous:
//
//   - white space, line breaks (CR LF, LF or CR) and comments /* … */
//     may stand between any two tokens; line breaks inside strings and
//     binaries are not part of them and are dropped;
//   - keywords and enumeration names may be in lower case and are given
//     in upper case;
//   - a real has digits before its point and an optional exponent: 1.,
//     -0., 1.E-05, 1.5E+3; the exponent's E may be e. .5 and 1E5 are
//     not STEP reals and are syntax errors;
//   - an integer or real that does not fit an int64 or a float64 is an
//     error, as is an instance id beyond 2⁶⁴−1;
//   - strings are decoded to UTF-8 (see Strings below);
//   - a typed value holds exactly one value;
//   - a DATA section may have parameters (second edition); they are
//     ignored. The third edition's ANCHOR, REFERENCE and SIGNATURE
//     sections are not read (a syntax error); what follows
//     END-ISO-10303-21; is ignored.
//
// # Strings
//
// A string's escapes are decoded as follows:
//
//	''                  an apostrophe
//	\\                  a backslash
//	\S\c                the character c+128 (c is 0x20 to 0x7E) of the code
//	                    page set by the last \P?\ in the string
//	\PA\ … \PI\         set the code page to ISO 8859-1 … 8859-9;
//	                    ISO 8859-1 until there is one
//	\X\hh               the ISO 8859-1 character hh
//	\X2\hhhh…\X0\       UTF-16, surrogate pairs making one character
//	\X4\hhhhhhhh…\X0\   UCS-4
//	\N\ \F\             print control directives of the first edition: dropped
//	CR, LF              not part of the string: dropped
//
// A lone surrogate or a code beyond U+10FFFF becomes U+FFFD. Any other
// backslash is a syntax error. Bytes above 0x7F (UTF-8 in the third
// edition, not allowed before) are kept where they are valid UTF-8 and
// read as ISO 8859-1 where they are not.
//
// # Errors
//
// Errors are *Error, located by name:line:col, byte offset and instance
// id, wrapping one of ErrNotSTEP, ErrHeader, ErrSyntax, ErrTruncated,
// ErrDuplicateID and ErrTooLarge. The reader never panics, whatever its
// input. Limits keep damaged input from taking unbounded memory: 64 KiB
// for a keyword or number, 64 MiB for a string or binary, 100 levels of
// nested lists, 32Mi values in one instance.
package step
