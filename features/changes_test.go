package features_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twpayne/go-geom"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/internal/storetest"
)

type feedPage struct {
	Revision uint64
	Changes  []struct {
		Revision                             uint64
		Kind, ID, Collection, Dataset, Stage string
		Href                                 string
	}
	Links []struct{ Href, Rel string }
}

func (p feedPage) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// content is what a twin keeps of a feature.
type content struct {
	Geometry   any
	Properties map[string]any
}

// TestTwinFollowsTheFeed: a digital twin reads the change feed from
// revision 0, a few changes a page and long-polling when caught up, and
// fetches what each change names, while a writer commits 100 small
// changes (new buildings, new heights, deletions). At the end the twin
// holds exactly the store's features, with their contents.
func TestTwinFollowsTheFeed(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	r := rand.New(rand.NewPCG(1, 2))
	var wg sync.WaitGroup
	writerDone := make(chan struct{})
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(writerDone)
		var live []string
		for i := range 100 {
			b, err := s.Begin()
			if err != nil {
				werr = err
				return
			}
			switch x := r.IntN(4); {
			case x < 2 || len(live) == 0:
				id := fmt.Sprintf("live-%d", i)
				live = append(live, id)
				err = b.Put(building(id, r))
			case x == 2:
				err = b.Put(building(live[r.IntN(len(live))], r))
			default:
				j := r.IntN(len(live))
				_, err = b.Delete("live", cim.StageAsBuilt, live[j])
				live = slices.Delete(live, j, j+1)
			}
			if err == nil {
				_, err = b.Commit()
			} else {
				b.Abort()
			}
			if err != nil {
				werr = err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()

	twin := map[string]content{}
	u := srv.URL + "/changes?since=0&limit=7"
	pages := 0
	for {
		resp, b := get(t, u)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
		}
		var p feedPage
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range p.Changes {
			k := c.Dataset + "/" + c.Stage + "/" + c.ID
			if c.Kind == "deleted" {
				delete(twin, k)
				continue
			}
			resp, b := get(t, c.Href)
			switch resp.StatusCode {
			case 200:
				var f content
				if err := json.Unmarshal(b, &f); err != nil {
					t.Fatal(err)
				}
				twin[k] = f
			case 404: // deleted since: a later change says so
			default:
				t.Fatalf("%s: %d %s", c.Href, resp.StatusCode, b)
			}
		}
		if next := p.link("next"); next != "" {
			u = next
			continue
		}
		select {
		case <-writerDone:
			if p.Revision == s.Revision() {
				goto caughtUp
			}
		default:
		}
		u = p.link("poll")
		if !strings.Contains(u, "wait=25s") {
			t.Fatalf("caught up, but the poll link %q does not wait", u)
		}
		// Not the whole 25 s when the writer has just finished.
		u = strings.Replace(u, "wait=25s", "wait=1s", 1)
	}
caughtUp:
	wg.Wait()
	if werr != nil {
		t.Fatal(werr)
	}
	// The store, read whole, and each feature's content now.
	sn, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	it, err := sn.Scan(context.Background(), index.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for it.Next() {
		f, _ := it.Feature()
		want[f.Dataset+"/"+f.Stage.String()+"/"+f.ID] = "/collections/" + f.Class.String() + "/items/" + f.ID + "?dataset=" + f.Dataset + "&stage=" + f.Stage.String()
	}
	it.Close()
	sn.Close()
	if len(twin) != len(want) {
		t.Errorf("the twin holds %d features, the store %d", len(twin), len(want))
	}
	live := 0
	for k, path := range want {
		got, ok := twin[k]
		if !ok {
			t.Errorf("the twin lacks %s", k)
			continue
		}
		if strings.Contains(k, "live-") {
			live++
		}
		_, b := get(t, srv.URL+path)
		var now content
		json.Unmarshal(b, &now)
		if !reflect.DeepEqual(got, now) {
			t.Errorf("%s: the twin has %v, the store %v", k, got, now)
		}
	}
	if live == 0 || pages < 20 {
		t.Errorf("%d live buildings, %d pages: the test shows little", live, pages)
	}
	t.Logf("the twin read %d pages and holds %d features, %d of them written while it followed", pages, len(twin), live)
}

func building(id string, r *rand.Rand) *cim.Feature {
	x, y := 120.21+r.Float64()*0.002, 30.256+r.Float64()*0.002
	return &cim.Feature{ID: id, Class: cim.ClassBuilding, Dataset: "live", Stage: cim.StageAsBuilt,
		Geometry: geom.NewPolygonFlat(geom.XY, []float64{x, y, x + 0.0002, y, x + 0.0002, y + 0.0002, x, y + 0.0002, x, y}, []int{10}),
		Props:    map[string]any{"height": float64(3 + r.IntN(60))}}
}

// TestFeedLongPollWakesAtCommit: a poll that waits returns when a commit
// lands, long before its wait is over; one that nothing wakes returns
// empty at the end of its wait.
func TestFeedLongPollWakesAtCommit(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	rev := s.Revision()
	type answer struct {
		at   time.Time
		page feedPage
	}
	got := make(chan answer, 1)
	go func() {
		_, b := get(t, fmt.Sprintf("%s/changes?since=%d&wait=10s", srv.URL, rev))
		var p feedPage
		json.Unmarshal(b, &p)
		got <- answer{time.Now(), p}
	}()
	time.Sleep(300 * time.Millisecond)
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(building("poll-1", rand.New(rand.NewPCG(1, 1)))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	select {
	case a := <-got:
		if len(a.page.Changes) != 1 || a.page.Changes[0].ID != "poll-1" || a.page.Changes[0].Kind != "created" || a.page.Revision != rev+1 {
			t.Fatalf("the poll answered %+v", a.page)
		}
		t.Logf("the long poll answered %v after the commit", a.at.Sub(committed).Round(100*time.Microsecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the long poll did not answer after the commit")
	}

	start := time.Now()
	_, body := get(t, fmt.Sprintf("%s/changes?since=%d&wait=300ms", srv.URL, rev+1))
	var p feedPage
	json.Unmarshal(body, &p)
	if len(p.Changes) != 0 || time.Since(start) < 300*time.Millisecond || p.link("poll") == "" {
		t.Fatalf("an idle poll answered %s after %v", body, time.Since(start))
	}
}

// TestFeedAsServerSentEvents reads the feed as an EventSource does: two
// commits arrive as two events, named by their kind, whose ids resume
// the stream after them (Last-Event-ID).
func TestFeedAsServerSentEvents(t *testing.T) {
	s := storetest.Sample(t)
	srv := serve(t, s)
	rev := s.Revision()
	type event struct{ id, name, data string }
	read := func(lastID string, n int) []event {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/changes?since=%d", srv.URL, rev), nil)
		req.Header.Set("Accept", "text/event-stream")
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var evs []event
		var e event
		sc := bufio.NewScanner(resp.Body)
		for len(evs) < n && sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data = line[6:]
			case line == "":
				evs = append(evs, e)
				e = event{}
			}
		}
		return evs
	}
	got := make(chan []event, 1)
	go func() { got <- read("", 2) }()
	r := rand.New(rand.NewPCG(5, 5))
	for _, id := range []string{"sse-1", "sse-2"} {
		time.Sleep(100 * time.Millisecond)
		b, _ := s.Begin()
		b.Put(building(id, r))
		if _, err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var evs []event
	select {
	case evs = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no events")
	}
	if len(evs) != 2 || evs[0].name != "created" || !strings.Contains(evs[0].data, `"id":"sse-1"`) || !strings.Contains(evs[1].data, `"id":"sse-2"`) {
		t.Fatalf("events %+v", evs)
	}
	again := read(evs[0].id, 1)
	if len(again) != 1 || !strings.Contains(again[0].data, `"id":"sse-2"`) || again[0].id != evs[1].id {
		t.Fatalf("resumed after %s: %+v", evs[0].id, again)
	}
}
