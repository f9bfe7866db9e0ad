//go:build unix

package index

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes the store's own lock, lockName in dir: shared for a
// reader, exclusive for a writer, never waiting. It is held for the
// Store's life, across the moments when recovery closes and reopens
// Badger (which gives up Badger's own directory lock), so that no other
// process takes the store in between. release gives it up.
func lockDir(dir string, shared bool) (release func() error, err error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	}
	if err != nil {
		if shared {
			return func() error { return nil }, nil // a store on read-only media: Badger's lock alone
		}
		return nil, err
	}
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return f.Close, nil // closing the file releases the lock
}
