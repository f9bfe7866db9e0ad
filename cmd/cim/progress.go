package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws a progress line on a terminal; elsewhere it does nothing.
type progress struct {
	w     io.Writer
	name  string
	size  int64
	start time.Time
	last  time.Time
	on    bool
}

func newProgress(w io.Writer, name string, size int64) *progress {
	p := &progress{w: w, name: filepath.Base(name), size: size, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) update(read int64, features int) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 150*time.Millisecond {
		return
	}
	p.last = now
	frac := 0.0
	if p.size > 0 {
		frac = min(1, float64(read)/float64(p.size))
	}
	const width = 24
	bar := strings.Repeat("█", int(frac*width)) + strings.Repeat("░", width-int(frac*width))
	rate := float64(features) / max(now.Sub(p.start).Seconds(), 1e-3)
	fmt.Fprintf(p.w, "\r%s %s %3.0f%%  %s / %s  %s features  %s/s ", p.name, bar, frac*100,
		mb(read), mb(p.size), humanInt(features), humanInt(int(rate)))
}

func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
