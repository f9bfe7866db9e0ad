//go:build !unix

package index

// lockDir does nothing where flock is not had: Badger's own directory lock
// guards the store.
func lockDir(dir string, shared bool) (release func() error, err error) {
	return func() error { return nil }, nil
}
