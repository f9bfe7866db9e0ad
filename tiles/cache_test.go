package tiles

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/future-community/cim/internal/storetest"
	"github.com/future-community/cim/problem"
)

func TestCacheBoundAndOrder(t *testing.T) {
	noise := func(n int) []byte { // bytes that gzip does not shrink
		b := make([]byte, n)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	tile := func(n int) func() ([]byte, error) {
		return func() ([]byte, error) { return noise(n), nil }
	}
	one := NewTile(noise(1000)).size()
	c := NewCache(3 * one) // three tiles of 1000 bytes
	for i := range 3 {
		if _, hit, _ := c.Get(fmt.Sprint(i), tile(1000)); hit {
			t.Fatalf("tile %d: a hit before it was built", i)
		}
	}
	c.Get("0", tile(1000)) // 0 is now the most recent
	c.Get("3", tile(1000)) // evicts 1, the least recent
	for _, key := range []string{"0", "2", "3"} {
		if _, hit, _ := c.Get(key, tile(1000)); !hit {
			t.Errorf("tile %s: a miss, want a hit", key)
		}
	}
	if _, hit, _ := c.Get("1", tile(1000)); hit {
		t.Error("tile 1, the least recent, was not evicted")
	}
	st := c.Stats()
	if st.Bytes > 3*one || st.Evictions == 0 {
		t.Errorf("stats %+v: over the bound or nothing evicted", st)
	}
	if _, hit, _ := c.Get("huge", tile(10*1000)); hit {
		t.Error("a tile larger than the cache was a hit")
	}
	if _, hit, _ := c.Get("huge", tile(10*1000)); hit {
		t.Error("a tile larger than the cache was kept")
	}
}

// TestCacheBuildsOnce: callers asking at once for a missing tile wait for
// one build; a failed build is not kept.
func TestCacheBuildsOnce(t *testing.T) {
	c := NewCache(1 << 20)
	var builds atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tl, _, err := c.Get("k", func() ([]byte, error) {
				builds.Add(1)
				<-release
				return []byte("tile"), nil
			})
			data, derr := tl.Data()
			if err != nil || derr != nil || string(data) != "tile" {
				t.Errorf("got %q, %v, %v", data, err, derr)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("%d builds for one key", n)
	}
	boom := errors.New("boom")
	if _, _, err := c.Get("bad", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if _, hit, err := c.Get("bad", func() ([]byte, error) { return []byte("ok"), nil }); hit || err != nil {
		t.Errorf("after a failed build: hit %v, %v", hit, err)
	}
}

// TestCachePanickingBuild: a build that panics is an error for its
// caller, and the key is free for the next build.
func TestCachePanickingBuild(t *testing.T) {
	c := NewCache(1 << 20)
	if _, _, err := c.Get("k", func() ([]byte, error) { panic("bad geometry") }); err == nil {
		t.Fatal("a panicking build gave no error")
	}
	tl, hit, err := c.Get("k", func() ([]byte, error) { return []byte("tile"), nil })
	if err != nil || hit || tl == nil || tl.Size != 4 {
		t.Errorf("after a panicking build: %+v, hit %v, %v", tl, hit, err)
	}
	// A panic in parallel's workers comes back on the caller's goroutine.
	if _, _, err := c.Get("p", func() ([]byte, error) {
		parallel(1000, func(k int) {
			if k == 700 {
				panic("worker")
			}
		})
		return nil, nil
	}); err == nil {
		t.Error("a panic in a worker gave no error")
	}
}

// TestBusyServerAnswers503: with every build slot taken, a tile that
// cannot start within the build timeout is a 503 problem with no ETag,
// never an empty tile a client would keep.
func TestBusyServerAnswers503(t *testing.T) {
	s := storetest.Sample(t)
	h := NewHandler(s, Options{CacheBytes: 1 << 20})
	h.builds, h.buildTimeout = make(chan struct{}, 1), 50*time.Millisecond
	h.builds <- struct{}{} // the one slot, taken
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	z, x, y := sampleTile()
	resp, err := http.Get(fmt.Sprintf("%s/tiles/%d/%d/%d.mvt", srv.URL, z, x, y))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("ETag") != "" || resp.Header.Get("Content-Type") != problem.ContentType {
		t.Errorf("busy: %d, %v", resp.StatusCode, resp.Header)
	}
	<-h.builds // the slot comes free: the tile builds
	resp, err = http.Get(fmt.Sprintf("%s/tiles/%d/%d/%d.mvt", srv.URL, z, x, y))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after: %d", resp.StatusCode)
	}
}
