package pbf

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// readAll reads every block of a file and returns the node ids in order.
func readAll(data []byte, workers int) ([]int64, error) {
	r, err := NewReader(context.Background(), bytes.NewReader(data), Options{Workers: workers})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var ids []int64
	for {
		b, err := r.Next()
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, b.Nodes.ID...)
	}
}

func TestReaderKeepsOrder(t *testing.T) {
	var blocks []msg
	var want []int64
	for i := range 60 {
		n := 1 + i%7*300 // blocks of different sizes finish out of order
		blocks = append(blocks, denseBlock(int64(i)*10000, n))
		for k := range n {
			want = append(want, int64(i)*10000+int64(k))
		}
	}
	data := file(blocks...)
	for _, workers := range []int{1, 3, 8} {
		got, err := readAll(data, workers)
		if err != nil {
			t.Fatal(err)
		}
		if !slicesEqual(got, want) {
			t.Errorf("%d workers: %d ids, want %d in order", workers, len(got), len(want))
		}
	}
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHeader(t *testing.T) {
	h := headerBlock("OsmSchema-V0.6", "DenseNodes").
		bytes(fhbBBox, msg(nil).sint(fbbLeft, -1).sint(fbbRight, 2).sint(fbbTop, 3).sint(fbbBottom, -4)).
		str(fhbSource, "src").varint(fhbReplicationTime, 1700000000).varint(fhbReplicationSeq, 42).str(fhbReplicationURL, "u")
	r, err := NewReader(context.Background(), bytes.NewReader(frame("OSMHeader", zlibBlob(h))), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := r.Header()
	if !got.Sorted() || !got.HasBBox || got.BBox != [4]int64{-1, 2, 3, -4} || got.WritingProgram != "test" || got.Source != "src" ||
		got.ReplicationSeq != 42 || got.ReplicationURL != "u" || got.ReplicationTime.Unix() != 1700000000 {
		t.Errorf("header %+v", got)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("no data blocks: %v, want io.EOF", err)
	}
}

func TestBadFiles(t *testing.T) {
	ok := file(denseBlock(1, 3))
	header := frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.6")))
	data := frame("OSMData", zlibBlob(denseBlock(1, 3)))
	withBlob := func(blob msg) []byte { return append(bytes.Clone(header), frame("OSMData", blob)...) }
	z := zlibBlob(denseBlock(1, 3))
	for _, tc := range []struct {
		name string
		data []byte
		is   error // wanted in the chain
		want string
		at   int64
	}{
		{"empty", nil, nil, "an empty file", 0},
		{"not a PBF", []byte("<?xml version='1.0'?><osm/>"), nil, "BlobHeader of 1010792557 bytes", 0},
		{"data first", data, nil, `the first block is "OSMData"`, 0},
		{"history", frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.6", "HistoricalInformation"))), ErrHistory, "history", 0},
		{"unknown feature", frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.7"))), ErrUnsupported, `"OsmSchema-V0.7"`, 0},
		{"locations on ways", frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.6", "LocationsOnWays"))), ErrUnsupported, `"LocationsOnWays"`, 0},
		{"zstd", withBlob(msg(nil).varint(fbRawSize, 10).bytes(fbZstd, []byte("x"))), ErrUnsupported, "zstd-compressed", int64(len(header))},
		{"lzma", withBlob(msg(nil).varint(fbRawSize, 10).bytes(fbLzma, []byte("x"))), ErrUnsupported, "lzma-compressed", int64(len(header))},
		{"no data", withBlob(msg(nil).varint(fbRawSize, 10)), nil, "a blob without data", int64(len(header))},
		{"raw size too small", withBlob(zlibRawSize(z, 5)), nil, "inflates to more than the 5 bytes", int64(len(header))},
		{"raw size too large", withBlob(zlibRawSize(z, 1000)), nil, "inflates to ", int64(len(header))},
		{"raw size beyond the limit", withBlob(zlibRawSize(z, 64<<20)), nil, "claims 67108864 bytes uncompressed", int64(len(header))},
		{"no raw size", withBlob(msg(nil).bytes(fbZlib, []byte{1, 2})), nil, "claims -1 bytes", int64(len(header))},
		{"bad zlib", withBlob(msg(nil).varint(fbRawSize, 10).bytes(fbZlib, []byte("not zlib"))), nil, "zlib", int64(len(header))},
		{"unknown block type", append(bytes.Clone(header), frame("OSMDiff", zlibBlob(denseBlock(1, 3)))...), nil, `a block of type "OSMDiff"`, int64(len(header))},
		{"BlobHeader too large", append(bytes.Clone(header), 0, 1, 0, 0), nil, "BlobHeader of 65536 bytes", int64(len(header))},
		{"blob too large", append(bytes.Clone(header), frame("OSMData", make(msg, 33<<20))[:40]...), nil, "no blob size within", int64(len(header))},
		{"truncated in the size", ok[:len(header)+2], io.ErrUnexpectedEOF, "unexpected EOF", int64(len(header) + 2)},
		{"truncated in the blob", ok[:len(ok)-3], io.ErrUnexpectedEOF, "unexpected EOF", int64(len(ok) - 3)},
		{"corrupt block", withBlob(rawBlob(cat(stringTable("a"), group(msg(nil).bytes(fpgNodes, msg(nil).sint(fnID, 9).packed(fnKeys, 4).packed(fnVals, 0)))))),
			nil, "node 9: key index 4", int64(len(header))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(tc.data, 2)
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an *Error with %q", err, tc.want)
			}
			if pe.Offset != tc.at {
				t.Errorf("at byte %d, want %d", pe.Offset, tc.at)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

// zlibRawSize rewrites a zlib blob's raw_size.
func zlibRawSize(blob msg, raw int) msg {
	var data []byte
	var f field
	for m := []byte(blob); len(m) > 0; {
		m, _ = next(m, &f)
		if f.num == fbZlib {
			data = f.data
		}
	}
	return msg(nil).varint(fbRawSize, uint64(raw)).bytes(fbZlib, data)
}

// TestStopping: Close or a cancelled context, before the end or after a
// failed block, leaves no goroutine behind.
func TestStopping(t *testing.T) {
	var blocks []msg
	for i := range 40 {
		blocks = append(blocks, denseBlock(int64(i)*1000, 500))
	}
	data := file(blocks...)
	bad := append(file(blocks[:3]...), frame("OSMData", rawBlob(msg("\xff")))...)
	bad = append(bad, file(blocks...)[len(frame("OSMHeader", rawBlob(headerBlock("OsmSchema-V0.6", "DenseNodes")))):]...)
	base := runtime.NumGoroutine()
	for range 5 {
		r, err := NewReader(context.Background(), bytes.NewReader(data), Options{Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		r.Next()
		r.Close()

		ctx, cancel := context.WithCancel(context.Background())
		r, err = NewReader(ctx, bytes.NewReader(data), Options{Workers: 4})
		if err != nil {
			t.Fatal(err)
		}
		r.Next()
		cancel()
		for err == nil {
			_, err = r.Next()
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after cancel: %v", err)
		}
		r.Close()

		if _, err := readAll(bad, 4); err == nil {
			t.Error("a bad block read")
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left (%d before)", n, base)
	}
}
