//go:build !unix

package index

import "os"

func diskFree(dir string) int64 { return -1 }

func fileUsage(info os.FileInfo) int64 { return info.Size() }
