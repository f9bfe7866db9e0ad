package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// progress reports a long ingest on stderr while it runs: on a terminal a
// line redrawn several times a second, elsewhere (a log, CI) a line every
// few seconds. It shows the phase the reader is in, how much of the file
// it has read and how many features it has passed on, so an OSM ingest
// that has read its last byte but is still assembling and committing says
// so instead of sitting at 100 %.
type progress struct {
	w        io.Writer
	name     string
	size     int64
	read     func() int64  // bytes read
	phase    func() string // what the reader is doing
	features atomic.Int64
	start    time.Time
	tty      bool
	drawn    bool
	stop     chan struct{}
	wg       sync.WaitGroup
}

// logEvery is how often progress writes a line when stderr is not a
// terminal.
const logEvery = 5 * time.Second

// startProgress starts reporting on the reading of the file name of size
// bytes, every `every` where w is not a terminal.
func startProgress(w io.Writer, name string, size int64, read func() int64, phase func() string, every time.Duration) *progress {
	p := &progress{w: w, name: filepath.Base(name), size: size, read: read, phase: phase, start: time.Now(), stop: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, every = true, 150*time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

// add counts features passed on to the store.
func (p *progress) add(n int) { p.features.Add(int64(n)) }

func (p *progress) draw() {
	read, n, phase := p.read(), int(p.features.Load()), p.phase()
	elapsed := time.Since(p.start)
	rate := float64(n) / max(elapsed.Seconds(), 1e-3)
	frac := 0.0
	if p.size > 0 {
		frac = min(1, float64(read)/float64(p.size))
	}
	if !p.tty {
		fmt.Fprintf(p.w, "cim: %s: %s, %s of %s read (%.0f %%), %s features, %s/s, %s\n",
			p.name, phase, mb(read), mb(p.size), frac*100, humanInt(n), humanInt(int(rate)), elapsed.Round(time.Second))
		return
	}
	const width = 20
	bar := strings.Repeat("█", int(frac*width)) + strings.Repeat("░", width-int(frac*width))
	p.drawn = true
	fmt.Fprintf(p.w, "\r\033[K%s  %-12s %s %3.0f%%  %s / %s  %s features  %s/s  %s",
		p.name, phase, bar, frac*100, mb(read), mb(p.size), humanInt(n), humanInt(int(rate)), elapsed.Round(time.Second))
}

// done stops the reports and clears the terminal line.
func (p *progress) done() {
	close(p.stop)
	p.wg.Wait()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
