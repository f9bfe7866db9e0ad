package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/future-community/cim/index"
	"golang.org/x/term"
)

// recoveryLog reports on stderr that a store is being recovered after an
// interrupted write, which can take tens of seconds before the command
// itself starts: on a terminal a line redrawn at each report, elsewhere a
// line at the start, at each phase, every `every`, and at the end.
type recoveryLog struct {
	w       io.Writer
	dir     string
	tty     bool
	every   time.Duration
	start   time.Time
	last    time.Time // when the last line was written
	phase   string
	total   int64
	drawn   bool
	started bool
}

// newRecoveryLog returns the Options.Recovering callback of the store in
// dir, reporting to w.
func newRecoveryLog(w io.Writer, dir string) func(phase string, done, total int64) {
	l := &recoveryLog{w: w, dir: dir, every: logEvery}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		l.tty = true
	}
	return l.report
}

func (l *recoveryLog) report(phase string, done, total int64) {
	now := time.Now()
	if !l.started {
		l.started, l.start = true, now
	}
	if phase == index.RecoveryUndoing {
		l.total = total
	}
	changed := phase != l.phase
	l.phase = phase
	if phase == index.RecoveryDone {
		if l.drawn {
			fmt.Fprint(l.w, "\r\033[K")
		}
		fmt.Fprintf(l.w, "cim: recovered the store %s after an interrupted write in %s: %s keys undone, their space reclaimed\n",
			l.dir, now.Sub(l.start).Round(100*time.Millisecond), humanInt(int(l.total)))
		return
	}
	prefix := "cim: recovering the store " + l.dir + " after an interrupted write: "
	var msg string
	switch phase {
	case index.RecoveryCounting:
		msg = fmt.Sprintf("finding the keys it wrote (%s so far)…", humanInt(int(done)))
	case index.RecoveryUndoing:
		msg = fmt.Sprintf("%s of %s keys undone…", humanInt(int(done)), humanInt(int(total)))
	case index.RecoveryReclaiming:
		msg = fmt.Sprintf("%s keys undone; reclaiming their space…", humanInt(int(l.total)))
	default:
		msg = phase + "…"
	}
	if l.tty {
		l.drawn = true
		fmt.Fprintf(l.w, "\r\033[K%s%s", prefix, msg)
		return
	}
	if changed || now.Sub(l.last) >= l.every {
		l.last = now
		fmt.Fprintf(l.w, "%s%s\n", prefix, msg)
	}
}
