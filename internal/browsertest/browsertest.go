// Package browsertest starts Debian's Chromium for tests, headless, with
// WebGL through SwiftShader, as the viewer and report tests need it.
package browsertest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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
