package viewer_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/internal/browsertest"
	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/server"
)

var update = flag.Bool("update", false, "rewrite testdata/viewer.png, the README's screenshot")

// browserCase is a store the viewer is opened on, and what to do there.
type browserCase struct {
	name  string
	store func(t testing.TB) *index.Store
	// floors are the switcher's buttons clicked in turn (levels); after each
	// the storeys and spaces drawn must be exactly of that floor, and a
	// basement must say it is drawn at ground level, the buildings above
	// it fainter than over a floor above ground.
	floors []int
	// wantFloors must be in the switcher at the first view.
	wantFloors []string
	// pack, when set, is checked on the catalog's first site, which must
	// fail it with at least one feature outlined.
	pack string
	// shot is the README's screenshot (testdata/viewer.png).
	shot bool
	// hash opens the viewer on a view (a link), when the store's extent is
	// too wide to show buildings.
	hash string
}

// TestBrowser opens the viewer in headless Chromium over a real server
// and drives it as a user would: the 3D overview, the floor switcher, the
// planning check. It fails on a console error and on a failed request,
// saves screenshots (CIM_SCREENSHOTS=DIR keeps them) and logs the time to
// the map's first idle and the bytes of the viewer's own files.
func TestBrowser(t *testing.T) {
	bin := browsertest.Chromium(t, "chromium")
	logOwnBytes(t)
	out := os.Getenv("CIM_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []browserCase{
		{name: "sample", store: storetest.Sample, floors: []int{1, -1, 0}, wantFloors: []string{"B1", "1F", "2F"}, pack: "gb50180-2018", shot: true},
		{name: "monaco", store: fileStore("../../shared/data/osm/monaco-latest.osm.pbf", ingest.Options{Stage: cim.StageAsBuilt}),
			hash: "#map=16.5/43.7395/7.4260/-20/50"}, // Monte Carlo
		{name: "ifc", store: fileStore("../../shared/data/ifc/AC20-FZK-Haus.ifc",
			ingest.Options{Anchor: &cim.Anchor{Lon: 120.2125, Lat: 30.2575}}),
			floors: []int{1, 0}, wantFloors: []string{"1F", "2F"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			browse(t, bin, serve(t, tc.store(t)), tc, out)
		})
	}
}

func browse(t *testing.T, bin, url string, tc browserCase, out string) {
	var problems pageProblems
	ctx := browsertest.Tab(t, bin, 3*time.Minute, 1440, 900, chromedp.WithListener(problems.listen))
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v; page: %s", what, err, problems.String())
		}
	}
	shot := func(name string) []byte {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(out, tc.name+"-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
		return png
	}
	idle := func() {
		t.Helper()
		do("wait for idle", chromedp.Evaluate[chromedp.Void](`window.cimIdle()`, chromedp.EvalAwaitPromise))
	}

	// A browser that is already running, as a designer's is: its network
	// service has made a request (the first one of a fresh profile waited
	// about a second before it fetched anything) and its start-up work is
	// done (opened at once, the page shares this machine's two cores with
	// it, and its first idle comes 3.2-3.8 s after opening instead of
	// 2.0-2.2 s). Nothing of the viewer is in its cache.
	do("start the browser", chromedp.Navigate(url+"/healthz"))
	if waited, err := browsertest.Settle(ctx, 5*time.Second); err != nil {
		t.Fatalf("waiting for the browser to settle: %v", err)
	} else {
		t.Logf("the browser settled %v after it opened its first page", waited.Round(time.Millisecond))
	}
	problems.reset() // /healthz's own: the browser asks it for /favicon.ico
	start := time.Now()
	do("open "+url, chromedp.Navigate(url+"/"+tc.hash))
	ready, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		IdleMs   float64 `json:"idleMs"`
		ScriptMs float64 `json:"scriptMs"`
	}](`window.cimReady`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the map never got idle: %v; page: %s", err, problems.String())
	}
	t.Logf("first map idle %.0f ms after the page opened (%.0f ms after app.js started; %v after Navigate was sent)",
		ready.IdleMs, ready.ScriptMs, time.Since(start).Round(time.Millisecond))
	t.Logf("where the time went: %s", evalString(t, ctx, phasesJS))
	do("read the catalog", chromedp.Evaluate[chromedp.Void](`window.cimStart`, chromedp.EvalAwaitPromise))
	idle()

	// The 3D overview: buildings drawn.
	n := evalInt(t, ctx, `cimMap.queryRenderedFeatures({layers: ["building", "building-part"]}).length`)
	if n == 0 {
		shot("overview")
		t.Logf("view: %s", evalString(t, ctx, `JSON.stringify({z: cimMap.getZoom(), c: cimMap.getCenter(), layers: cimMap.getStyle().layers.length})`))
		t.Fatalf("no buildings drawn; page: %s", problems.String())
	}
	t.Logf("%d building features drawn; view %s", n, evalString(t, ctx, `location.hash`))
	shot("overview")

	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#floors button")].map(b => b.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range tc.wantFloors {
		if !slices.Contains(labels, want) {
			t.Errorf("floor %s not in the switcher %q", want, labels)
		}
	}

	// One floor at a time, by clicking its button.
	for i, level := range tc.floors {
		sel := fmt.Sprintf(`#floors button[data-level="%d"]`, level)
		do("click floor "+strconv.Itoa(level), chromedp.Click(chromedp.CSS(sel)))
		idle()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[][2]float64](
			`cimMap.queryRenderedFeatures({layers: ["floor-storey", "floor-space"]}).map(f => [f.properties.level_min, f.properties.level_max ?? f.properties.level_min])`))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Errorf("floor %d: no storey or space drawn", level)
		}
		for _, r := range got {
			if float64(level) < r[0] || float64(level) > r[1] {
				t.Errorf("floor %d: a feature of levels %v drawn", level, r)
			}
		}
		hash := evalString(t, ctx, `location.hash`)
		if !strings.Contains(hash, "floor="+strconv.Itoa(level)) {
			t.Errorf("floor %d: hash %q does not keep it", level, hash)
		}
		note := evalString(t, ctx, `(e => e.hidden ? "" : e.textContent)(document.querySelector("#floor-note"))`)
		fade := evalString(t, ctx, `String(cimMap.getPaintProperty("building", "fill-extrusion-opacity"))`)
		switch {
		case level < 0 && (!strings.Contains(note, "地下 B"+strconv.Itoa(-level)) || !strings.Contains(note, "ground level")):
			t.Errorf("basement floor %d: the note says %q, want that it is drawn at ground level", level, note)
		case level >= 0 && note != "":
			t.Errorf("floor %d: a basement note %q shown", level, note)
		}
		if f, err := strconv.ParseFloat(fade, 64); err != nil || level < 0 && f > 0.05 || level >= 0 && f <= 0.05 {
			t.Errorf("floor %d: the buildings' opacity is %s", level, fade)
		}
		t.Logf("floor %d: %d storeys and spaces drawn; buildings at opacity %s; note %q", level, len(got), fade, note)
		if i == 0 {
			shot("floor")
		}
		if level < 0 {
			shot("basement")
		}
	}
	if len(tc.floors) > 0 {
		// Up arrow: the floor above.
		last := tc.floors[len(tc.floors)-1]
		do("press up", chromedp.KeyEvent(kb.ArrowUp))
		if got := evalString(t, ctx, `document.querySelector('#floors button[aria-pressed="true"]')?.dataset.level ?? ""`); got != strconv.Itoa(last+1) {
			t.Errorf("after the up arrow on floor %d, floor %q chosen, want %d", last, got, last+1)
		}
		do("all floors", chromedp.Click(chromedp.CSS(`#floors button[data-level=""]`)))
		idle()
	}

	if tc.pack != "" {
		site := evalString(t, ctx, `document.querySelector("#site option:nth-child(2)")?.value ?? ""`)
		if site == "" {
			t.Fatal("no site in the picker")
		}
		do("check "+site,
			chromedp.SetValue(chromedp.CSS("#pack"), tc.pack),
			chromedp.SetValue(chromedp.CSS("#site"), site),
			chromedp.Click(chromedp.CSS("#run-check")),
			chromedp.WaitVisible(chromedp.CSS("#results li")))
		idle()
		fails := evalInt(t, ctx, `document.querySelectorAll("#results li.fail").length`)
		if fails == 0 {
			t.Errorf("%s fails no rule of %s in the results list", site, tc.pack)
		}
		outlined := evalInt(t, ctx, `cimMap.queryRenderedFeatures({layers: cimMap.getStyle().layers.map(l => l.id).filter(id => id.startsWith("check-outline-"))}).length`)
		if outlined == 0 {
			t.Errorf("no failed feature outlined")
		}
		rings := evalInt(t, ctx, `cimMap.queryRenderedFeatures({layers: ["check-ring"]}).length`)
		t.Logf("check %s on %s: %d failed results, %d outlined features, %d TOD ring pieces drawn", tc.pack, site, fails, outlined, rings)
		hash := evalString(t, ctx, `location.hash`)
		if !strings.Contains(hash, "site=") || !strings.Contains(hash, "pack="+tc.pack) {
			t.Errorf("hash %q does not keep the site and the pack", hash)
		}
		png := shot("check")
		if tc.shot && (*update || os.Getenv("CIM_SCREENSHOTS") != "") {
			if err := os.WriteFile(filepath.Join("testdata", "viewer.png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}

		// The sunlight analysis of the site: its sills on the map, and a
		// summary; a second click hides them.
		if tc.name == "sample" {
			do("sunlight", chromedp.Click(chromedp.CSS("#run-sunlight")),
				chromedp.WaitVisible(chromedp.CSS("#sunlight-summary[data-sills]")))
			idle()
			sills := evalInt(t, ctx, `cimMap.queryRenderedFeatures({layers: ["sunlight"]}).length`)
			summary := evalString(t, ctx, `document.querySelector("#sunlight-summary").textContent`)
			if sills == 0 {
				t.Errorf("the sunlight analysis draws no sill (%s)", summary)
			}
			t.Logf("sunlight: %s; %d sills drawn", summary, sills)
			shot("sunlight")
			do("hide sunlight", chromedp.Click(chromedp.CSS("#run-sunlight")))
			idle()
			if n := evalInt(t, ctx, `cimMap.queryRenderedFeatures({layers: ["sunlight"]}).length`); n != 0 {
				t.Errorf("%d sills still drawn after the second click", n)
			}
		}

		// A click on a building shows its properties.
		xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
			const r = cimMap.getCanvas().getBoundingClientRect();
			for (let y = 40; y < r.height; y += 16) for (let x = 40; x < r.width - 80; x += 16) {
				if (cimMap.queryRenderedFeatures([x, y], {layers: ["building"]}).length) return [r.left + x, r.top + y];
			}
			return [];
		})()`))
		if err != nil || len(xy) != 2 {
			t.Fatalf("no building to click on: %v", err)
		}
		do("click a building", chromedp.MouseClickXY(xy[0], xy[1]), chromedp.WaitVisible(chromedp.CSS("#feature")))
		props := evalString(t, ctx, `document.querySelector("#feature-props").textContent`)
		if !strings.Contains(props, "building") || !strings.Contains(props, "编号 ID") {
			t.Errorf("the feature panel of a building says %q", props)
		}

		// The panel's GFA comes from the building's floor stack (the OGC
		// API's /levels): the sample's community centre has storeys.
		if tc.name == "sample" {
			gfa, err := chromedp.Run(ctx, chromedp.Evaluate[string](`cimGFA("geojson:hz-future-community:b-cc01", "hz-future-community", "")`, chromedp.EvalAwaitPromise))
			if err != nil || !strings.Contains(gfa, "m²") || !strings.Contains(gfa, "storeys") {
				t.Errorf("the GFA of the community centre reads %q (%v)", gfa, err)
			}
			t.Logf("GFA in the feature panel of the community centre: %s", gfa)
		}

		// A link reopens the same picture: the floor, the site and the pack.
		link := evalString(t, ctx, `location.href`)
		do("reopen "+link, chromedp.Navigate("about:blank"), chromedp.Navigate(link),
			chromedp.Evaluate[chromedp.Void](`window.cimReady.then(() => window.cimStart)`, chromedp.EvalAwaitPromise),
			chromedp.WaitVisible(chromedp.CSS("#results li.fail")))
		if got := evalString(t, ctx, `location.hash`); !strings.Contains(got, "pack="+tc.pack) {
			t.Errorf("reopened at %q, not at %q", got, link)
		}

		// Side by side: the right-hand map draws the last stage.
		do("side by side", chromedp.Click(chromedp.CSS("#compare")),
			chromedp.Evaluate[chromedp.Void](`new Promise(r => { const m = cimCompareMap(); m.once("idle", () => r()); m.triggerRepaint(); })`, chromedp.EvalAwaitPromise))
		right := evalInt(t, ctx, `cimCompareMap().queryRenderedFeatures().length`)
		stages := evalString(t, ctx, `[...new Set(cimCompareMap().queryRenderedFeatures().map(f => f.properties.stage).filter(Boolean))].join()`)
		hash = evalString(t, ctx, `location.hash`)
		if right == 0 || !strings.Contains(hash, "compare=") {
			t.Errorf("side by side: %d features drawn on the right, hash %q", right, hash)
		}
		t.Logf("side by side: %d features drawn on the right, of stages %s", right, stages)
		shot("compare")
	}
	if s := problems.String(); s != "" {
		t.Errorf("the page had problems: %s", s)
	}
}

// pageProblems collects console errors, uncaught exceptions and failed
// requests as the browser reports them.
type pageProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *pageProblems) add(format string, args ...any) {
	p.mu.Lock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

func (p *pageProblems) reset() {
	p.mu.Lock()
	p.list = nil
	p.mu.Unlock()
}

func (p *pageProblems) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.list, "; ")
}

func (p *pageProblems) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range e.Args {
				if a.Description != "" {
					args = append(args, a.Description)
				} else {
					args = append(args, string(a.Value))
				}
			}
			p.add("console.%s: %s", e.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		p.add("exception at %s:%d: %s", d.URL, d.LineNumber, msg)
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			p.add("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	case *network.EventResponseReceived:
		if e.Response.Status >= 400 {
			p.add("HTTP %d %s", e.Response.Status, e.Response.URL)
		}
	case *network.EventLoadingFailed:
		// MapLibre cancels the tiles it no longer needs when the view moves.
		if !e.Canceled {
			p.add("request %s failed: %s", e.RequestID, e.ErrorText)
		}
	}
}

func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return n
}

func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// logOwnBytes logs the size of the viewer's own files (not MapLibre's).
func logOwnBytes(t *testing.T) {
	var total int64
	var each []string
	err := filepath.WalkDir("static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		each = append(each, fmt.Sprintf("%s %d", filepath.Base(path), info.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the viewer's own files: %d bytes (%s)", total, strings.Join(each, ", "))
}

// serve starts a server on a loopback port over s and returns its URL.
func serve(t *testing.T, s *index.Store) string {
	t.Helper()
	srv, err := server.New(server.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Viewer().Prepare(context.Background()); err != nil {
		t.Skipf("MapLibre GL JS is not at hand (no registry, no cache): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// fileStore is a store of a file of ../shared/data, for the table.
func fileStore(path string, o ingest.Options) func(t testing.TB) *index.Store {
	return func(t testing.TB) *index.Store { return storetest.File(t, path, o) }
}

// phasesJS splits the time to the first idle by the browser's own
// timings (ms since the page opened): the HTML, each of the viewer's and
// MapLibre's files, the documents, the marks app.js sets, and what each
// file cost on the wire. The tiles are the worker's: the marks say when
// the first came and when the map was idle.
const phasesJS = `(() => {
	const r = (x) => Math.round(x);
	const nav = performance.getEntriesByType("navigation")[0];
	const out = ["html " + r(nav.responseEnd)];
	let tiles = null;
	for (const e of performance.getEntriesByType("resource")) {
		const name = new URL(e.name).pathname;
		if (/^\/tiles\/\d/.test(name)) {
			tiles = tiles ?? {n: 0, start: Infinity, end: 0, bytes: 0};
			tiles.n++; tiles.start = Math.min(tiles.start, e.startTime); tiles.end = Math.max(tiles.end, e.responseEnd);
			tiles.bytes += e.transferSize;
			continue;
		}
		out.push(name.replace(/^.*\//, "") + " " + r(e.startTime) + "–" + r(e.responseEnd) + " (" + e.transferSize + " B on the wire)");
	}
	if (tiles) out.push("tiles×" + tiles.n + " " + r(tiles.start) + "–" + r(tiles.end) + " (" + tiles.bytes + " B)");
	for (const m of performance.getEntriesByType("mark")) out.push("mark " + m.name + " " + r(m.startTime));
	return out.join(", ");
})()`
