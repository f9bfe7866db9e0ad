// Package browsertest starts Debian's Chromium for tests, headless, with
// WebGL through SwiftShader, as the viewer and report tests need it.
package browsertest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/systeminfo"
	"github.com/chromedp/chromedp"
)

// Chromium returns the path of a Chromium on PATH, or skips the test
// (and under -short), saying what to install: apt lists the packages.
func Chromium(t testing.TB, apt string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives a browser: skipped under -short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("no chromium on PATH: install it (apt-get install %s) to run this test in a browser", apt)
	return ""
}

// Tab starts bin headless with a window of width×height and returns a
// tab's context, ended by timeout or when the test ends.
func Tab(t testing.TB, bin string, timeout time.Duration, width, height int, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Flag("headless", "new"), chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true), chromedp.WindowSize(width, height))...)
	tab, cancelTab := chromedp.NewContext(actx, opts...)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})
	return tab
}

// Settle waits until the browser of ctx has finished starting up: until
// its processes together used under a tenth of a core for two intervals
// of 200 ms in a row, or for at most max. A browser just launched spends
// its first seconds on its own work (on a two-core machine it holds one
// core), so a page timed before that measures the browser, not the page.
// It returns how long it waited.
func Settle(ctx context.Context, max time.Duration) (time.Duration, error) {
	const every = 200 * time.Millisecond
	start := time.Now()
	cpu := func() (float64, error) {
		r, err := chromedp.CallBrowser(ctx, systeminfo.GetProcessInfo, cdp.Empty{})
		if err != nil {
			return 0, err
		}
		var s float64
		for _, p := range r.ProcessInfo {
			s += p.CPUTime
		}
		return s, nil
	}
	last, err := cpu()
	if err != nil {
		return 0, err
	}
	quiet := 0
	for quiet < 2 && time.Since(start) < max {
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-time.After(every):
		}
		now, err := cpu()
		if err != nil {
			return time.Since(start), err
		}
		if now-last < every.Seconds()/10 {
			quiet++
		} else {
			quiet = 0
		}
		last = now
	}
	return time.Since(start), nil
}
