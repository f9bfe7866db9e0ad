package plan

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/browsertest"
	"github.com/future-community/cim/internal/storetest"
)

func sampleHTML(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteHTML(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	page := sampleHTML(t, r)
	checkBalanced(t, page)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, `<meta charset="utf-8">`) {
		t.Error("no doctype or utf-8 charset")
	}
	if n := strings.Count(page, "<svg"); n != 1 {
		t.Errorf("%d <svg> elements, want 1 (the map)", n)
	}
	if !strings.Contains(page, template.HTMLEscapeString(r.Site.Name)) {
		t.Errorf("site name %q not in the page", r.Site.Name)
	}
	drawn := 0
	for _, b := range r.scene.buildings {
		if b.footprint == nil || !cim.Contains(r.site, b.lon, b.lat) {
			continue
		}
		drawn++
		if !strings.Contains(page, `data-id="`+template.HTMLEscapeString(b.f.ID)+`"`) {
			t.Errorf("building %s in the site has no path", b.f.ID)
		}
	}
	if drawn == 0 {
		t.Error("no buildings in the sample site")
	}
	for _, p := range r.Parcels {
		if !strings.Contains(page, `data-id="`+template.HTMLEscapeString(p.ID)+`"`) {
			t.Errorf("parcel %s has no path", p.ID)
		}
	}
	// The failing rule's homes are outlined, and each ring is labelled.
	if r.Counts.Fail == 0 {
		t.Fatal("the sample has no failing rule to outline")
	}
	if !strings.Contains(page, "; fails ") {
		t.Error("no building names the rule it fails")
	}
	for _, ring := range r.Stations[0].Rings {
		label := formatNum(ring.RadiusM) + " m: FAR " + optFixed(ring.FAR, 2)
		if !strings.Contains(page, ">"+label+"<") {
			t.Errorf("no ring label %q", label)
		}
	}
	for _, res := range r.Results {
		if !strings.Contains(page, "<code>"+template.HTMLEscapeString(res.Rule)+"</code>") {
			t.Errorf("rule %s not in the results table", res.Rule)
		}
	}
	checkSelfContained(t, page)
}

func TestWriteHTMLEscapes(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	cp := *r
	cp.Site.Name = "<script>x</script>"
	cp.Parcels = append([]ParcelReport{}, r.Parcels...)
	cp.Parcels[0].Name = `"><img src=x onerror=alert(1)>`
	cp.Notes = append([]string{"<b>&amp;</b>"}, r.Notes...)
	page := sampleHTML(t, &cp)
	for _, bad := range []string{"<script", "<img", "<b>&amp;"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;x&lt;/script&gt;") {
		t.Error("escaped site name not in the page")
	}
	checkBalanced(t, page)
}

func TestWriteHTMLWithoutGeometry(t *testing.T) {
	// A report decoded from JSON has no geometry: a page without a map.
	r := &Report{Site: SiteInfo{ID: "s"}, Results: []Result{{Rule: "r", Status: NotApplicable, Features: []Contribution{}}}}
	page := sampleHTML(t, r)
	if strings.Contains(page, "<svg") {
		t.Error("a map without geometry")
	}
	checkBalanced(t, page)
}

// checkSelfContained fails on anything the page would fetch.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(src|href|xlink:href|action)\s*=`),
		regexp.MustCompile(`(?i)<(script|link|img|iframe|object|embed|image|use)\b`),
		regexp.MustCompile(`(?i)@import|url\(\s*['"]?[^#'"\s]`),
	} {
		if m := re.FindString(page); m != "" {
			t.Errorf("page fetches something: %q", m)
		}
	}
	rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
	if i := strings.Index(rest, "http://"); i >= 0 {
		t.Errorf("http:// in the page: %q", rest[max(0, i-40):min(len(rest), i+40)])
	}
	if i := strings.Index(rest, "https://"); i >= 0 {
		t.Errorf("https:// in the page: %q", rest[max(0, i-40):min(len(rest), i+40)])
	}
}

var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>`)

// checkBalanced checks that every element is closed in order and that no
// stray < or > is left in text: what the escaping guarantees.
func checkBalanced(t *testing.T, page string) {
	t.Helper()
	void := map[string]bool{}
	for _, name := range strings.Fields("area base br col embed hr img input link meta source track wbr") {
		void[name] = true
	}
	body := page
	if i := strings.Index(body, "<style>"); i >= 0 {
		j := strings.Index(body, "</style>")
		body = body[:i+len("<style>")] + body[j:]
	}
	body = strings.TrimPrefix(body, "<!DOCTYPE html>")
	var stack []string
	last := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(body, -1) {
		if text := body[last:m[0]]; strings.ContainsAny(text, "<>") {
			t.Fatalf("stray < or > in text %q", text)
		}
		last = m[1]
		closing, name, self := body[m[2]:m[3]] == "/", strings.ToLower(body[m[4]:m[5]]), body[m[6]:m[7]] == "/"
		switch {
		case self || void[name] && !closing:
		case !closing:
			stack = append(stack, name)
		case len(stack) == 0 || stack[len(stack)-1] != name:
			t.Fatalf("</%s> closes %v", name, stack)
		default:
			stack = stack[:len(stack)-1]
		}
	}
	if strings.ContainsAny(body[last:], "<>") {
		t.Fatalf("stray < or > after the last tag")
	}
	if len(stack) > 0 {
		t.Fatalf("unclosed elements %v", stack)
	}
}

// TestWriteHTMLRenders renders the page in headless Chromium, where there
// is one, and checks what a planner sees: the Chinese labels drawn in a CJK
// font, and the map drawn. It asks Chromium through the DevTools protocol
// (CSS.getPlatformFontsForNode) which fonts drew each Chinese label: a
// CJK font must draw every Han character of it. Without one on the system,
// Chromium draws them as boxes (tofu: the .notdef glyph of a Latin font)
// and the test fails. CIM_REPORT_SCREENSHOT=file.png keeps the screenshot.
func TestWriteHTMLRenders(t *testing.T) {
	bin := browsertest.Chromium(t, "chromium fonts-wqy-microhei")
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(sampleHTML(t, r)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.Tab(t, bin, 90*time.Second, 1200, 1600)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatalf("%s: %v", bin, err)
	}

	fonts, err := chromedp.Run(ctx, labelFonts(".zh, h1, svg text.lbl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fonts) < 20 {
		t.Fatalf("%d Chinese labels in the page, want the headings, rules, indicators and parcels", len(fonts))
	}
	families := map[string]bool{}
	for _, f := range fonts {
		for _, u := range f.fonts {
			families[u.FamilyName] = true
		}
	}
	t.Logf("%d labels, drawn in %v", len(fonts), slices.Sorted(maps.Keys(families)))
	tofu := 0
	for _, f := range fonts {
		han, cjk := 0, 0.0
		for _, c := range f.text {
			if unicode.Is(unicode.Han, c) {
				han++
			}
		}
		var used []string
		for _, u := range f.fonts {
			used = append(used, fmt.Sprintf("%s ×%v", u.FamilyName, u.GlyphCount))
			if cjkFont.MatchString(u.FamilyName) || cjkFont.MatchString(u.PostScriptName) {
				cjk += u.GlyphCount
			}
		}
		if han > 0 && cjk < float64(han) {
			if tofu++; tofu > 5 {
				continue
			}
			t.Errorf("%q: %d Han characters, %v drawn in a CJK font (fonts used: %s): boxes, not Chinese; install fonts-wqy-microhei or fonts-noto-cjk",
				f.text, han, cjk, strings.Join(used, ", "))
		}
	}
	if tofu > 5 {
		t.Errorf("… and %d more labels drawn as boxes", tofu-5)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv("CIM_REPORT_SCREENSHOT"); keep != "" {
		if err := os.WriteFile(keep, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot %v, want 1200 wide and the page long", b)
	}
	// A blank page is one colour; the map has many.
	colours := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[r>>11<<10|g>>11<<5|bl>>11] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("screenshot has %d colours: a blank page?", len(colours))
	}
	// The map is drawn: ground green, and the outline of a failed rule.
	near := func(want [3]int) int {
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				if abs(int(r>>8)-want[0]) <= 6 && abs(int(g>>8)-want[1]) <= 6 && abs(int(bl>>8)-want[2]) <= 6 {
					n++
				}
			}
		}
		return n
	}
	if n := near(hexRGB("#a1d99b")); n < 2000 {
		t.Errorf("%d pixels of ground green, want a map full of it", n)
	}
	if n := near(hexRGB("#e31a1c")) + near(hexRGB("#f59e0b")); n < 100 {
		t.Errorf("%d pixels of failed-rule outlines", n)
	}
}

func abs(v int) int { return max(v, -v) }

// cjkFont matches the families of fonts that hold Chinese: Noto (Sans|Serif)
// CJK and Source Han, WenQuanYi, Droid Sans Fallback, AR PL, and those of
// macOS and Windows.
var cjkFont = regexp.MustCompile(`(?i)CJK|Source ?Han|WenQuanYi|WQY|Droid ?Sans ?Fallback|AR ?PL|PingFang|Hiragino|Heiti|Songti|YaHei|SimSun|SimHei|Noto (Sans|Serif) (SC|TC|HK|JP|KR)`)

// labelFont is what Chromium drew one element's text with.
type labelFont struct {
	text  string
	fonts []*css.PlatformFontUsage
}

// labelFonts returns, for each element the CSS selector matches, its text
// and the platform fonts that drew it.
func labelFonts(selector string) chromedp.Action[[]labelFont] {
	return func(ctx context.Context, t *chromedp.Target) ([]labelFont, error) {
		if _, err := cdp.Call(ctx, t, dom.Enable, dom.EnableParams{}); err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, t, css.Enable, cdp.Empty{}); err != nil {
			return nil, err
		}
		nodes, err := chromedp.Nodes(chromedp.CSSAll(selector))(ctx, t)
		if err != nil {
			return nil, err
		}
		texts, err := chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(selector)+`), e => e.textContent)`)(ctx, t)
		if err != nil {
			return nil, err
		}
		if len(texts) != len(nodes) {
			return nil, fmt.Errorf("%d texts for %d nodes", len(texts), len(nodes))
		}
		out := make([]labelFont, len(nodes))
		for i, n := range nodes {
			res, err := cdp.Call(ctx, t, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: n.NodeID})
			if err != nil {
				return nil, fmt.Errorf("fonts of %q: %w", texts[i], err)
			}
			out[i] = labelFont{text: texts[i], fonts: res.Fonts}
		}
		return out, nil
	}
}

func TestWriteHTMLBilingualSummaryFirst(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	page := sampleHTML(t, r)
	if !strings.Contains(page, `<html lang="zh-CN">`) {
		t.Error(`no <html lang="zh-CN">`)
	}
	for _, res := range r.Results {
		if res.LabelZh == "" || !strings.Contains(page, ">"+template.HTMLEscapeString(res.LabelZh)+"<") {
			t.Errorf("rule %s: Chinese label %q not in the page", res.Rule, res.LabelZh)
		}
	}
	summary, failures, mapAt, results := strings.Index(page, "<h2>Summary"), strings.Index(page, "<h2>Failures"), strings.Index(page, "<h2>Map"), strings.Index(page, "<h2>Results")
	if summary < 0 || !(summary < failures && failures < mapAt && mapAt < results) {
		t.Errorf("sections at summary %d, failures %d, map %d, results %d: want the summary first", summary, failures, mapAt, results)
	}
	head := page[summary:failures]
	for _, want := range []string{"FAR <b class=\"zh\">容积率</b>", "建筑密度", "绿地率", "立体复合绿化率", "1.636", "≤ 2.000", "zj-site-far", "托育覆盖率"} {
		if !strings.Contains(head, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestWriteHTMLMadeBy(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	zero := sampleHTML(t, r)
	for _, bad := range []string{"· checked", ", version", "commit "} {
		if strings.Contains(zero, bad) {
			t.Errorf("page without options says %q", bad)
		}
	}
	if !strings.Contains(zero, fmt.Sprintf("store revision %d", r.Revision)) {
		t.Error("no store revision")
	}
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("CST", 8*3600))
	for _, tt := range []struct {
		name string
		opts HTMLOptions
		want string
	}{
		{"release", HTMLOptions{Checked: at, Version: "v0.4.0", VCSRevision: "0123456789ab"},
			"Written by cim check, version v0.4.0, commit 0123456789ab, on 2026-03-14 09:26:53 &#43;08:00: pack zj-future-community, store revision"},
		{"pseudo-version", HTMLOptions{Version: "v0.0.0-20260314012653-0123456789ab+dirty", VCSRevision: "0123456789ab+dirty"},
			"Written by cim check, version v0.0.0-20260314012653-0123456789ab&#43;dirty: pack"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteHTML(&buf, r, tt.opts); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
}
