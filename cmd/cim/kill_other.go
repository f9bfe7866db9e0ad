//go:build !unix

package main

import "os"

// killSelf ends the process, as Ctrl-C's default action would.
func killSelf(os.Signal) { os.Exit(130) }
