//go:build unix

package main

import (
	"os"
	"syscall"
)

// killSelf ends the process by sig with its default action, as a shell
// sees a process killed by a signal.
func killSelf(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		syscall.Kill(os.Getpid(), s)
		return
	}
	os.Exit(130)
}
