//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"syscall"
)

// freeBytes returns the bytes free to an unprivileged writer on the file
// system that holds path (or, while path does not exist yet, the nearest
// directory above it that does).
func freeBytes(path string) (int64, error) {
	var st syscall.Statfs_t
	for {
		err := syscall.Statfs(path, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), nil
		}
		parent := filepath.Dir(path)
		if parent == path {
			return 0, fmt.Errorf("free space of %s: %w", path, err)
		}
		path = parent
	}
}
