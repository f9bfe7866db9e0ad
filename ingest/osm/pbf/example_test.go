package pbf

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// ExampleReader reads a file block by block and each block's objects in
// file order. (The file is made by the tests: three tagged nodes.)
func ExampleReader() {
	data := file(denseBlock(100, 3))
	r, err := NewReader(context.Background(), bytes.NewReader(data), Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Println("sorted:", r.Header().Sorted())
	for {
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, g := range b.Groups {
			for i := g.Start; i < g.End; i++ {
				if g.Kind == Node {
					tags := b.NodeTags(i)
					fmt.Printf("node %d at %.7f, %.7f: %s=%s\n", b.Nodes.ID[i],
						float64(b.Nodes.Lat[i])*1e-9, float64(b.Nodes.Lon[i])*1e-9, tags.Key(0), tags.Value(0))
				}
			}
		}
	}
	// Output:
	// sorted: true
	// node 100 at 0.0000000, 0.0000000: k=v
	// node 101 at 0.0000001, -0.0000001: k=v
	// node 102 at 0.0000002, -0.0000002: k=v
}
