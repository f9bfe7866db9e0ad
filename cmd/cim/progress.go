package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	*ticker
	name     string
	size     int64
	read     func() int64  // bytes read
	phase    func() string // what the reader is doing
	features func() int64  // features passed on to the store
}

// ticker redraws a status line on stderr while long work runs: on a
// terminal several times a second, in place; elsewhere (a log, CI) a line
// every `every`.
type ticker struct {
	w     io.Writer
	line  func(tty bool) string
	start time.Time
	tty   bool
	drawn bool
	stop  chan struct{}
	wg    sync.WaitGroup
}

// startTicker starts writing line's status to w.
func startTicker(w io.Writer, every time.Duration, line func(tty bool) string) *ticker {
	t := &ticker{w: w, line: line, start: time.Now(), stop: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.tty, every = true, 150*time.Millisecond
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-tk.C:
				t.draw()
			}
		}
	}()
	return t
}

func (t *ticker) draw() {
	if !t.tty {
		fmt.Fprintln(t.w, t.line(false))
		return
	}
	t.drawn = true
	fmt.Fprint(t.w, "\r\033[K"+t.line(true))
}

// done stops the reports and clears the terminal line.
func (t *ticker) done() {
	close(t.stop)
	t.wg.Wait()
	if t.tty && t.drawn {
		fmt.Fprint(t.w, "\r\033[K")
	}
}

// logEvery is how often progress writes a line when stderr is not a
// terminal.
const logEvery = 5 * time.Second

// startProgress starts reporting on the reading of the file name of size
// bytes, every `every` where w is not a terminal.
func startProgress(w io.Writer, name string, size int64, read, features func() int64, phase func() string, every time.Duration) *progress {
	p := &progress{name: filepath.Base(name), size: size, read: read, features: features, phase: phase}
	p.ticker = startTicker(w, every, p.line)
	return p
}

func (p *progress) line(tty bool) string {
	read, n, phase := p.read(), int(p.features()), p.phase()
	elapsed := time.Since(p.start)
	rate := float64(n) / max(elapsed.Seconds(), 1e-3)
	frac := 0.0
	if p.size > 0 {
		frac = min(1, float64(read)/float64(p.size))
	}
	if !tty {
		return fmt.Sprintf("cim: %s: %s, %s of %s read (%.0f %%), %s features, %s/s, %s",
			p.name, phase, mb(read), mb(p.size), frac*100, humanInt(n), humanInt(int(rate)), elapsed.Round(time.Second))
	}
	const width = 20
	bar := strings.Repeat("█", int(frac*width)) + strings.Repeat("░", width-int(frac*width))
	return fmt.Sprintf("%s  %-12s %s %3.0f%%  %s / %s  %s features  %s/s  %s",
		p.name, phase, bar, frac*100, mb(read), mb(p.size), humanInt(n), humanInt(int(rate)), elapsed.Round(time.Second))
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
