package tiles

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the tile handler's Prometheus metrics.
type metrics struct {
	tiles     *prometheus.CounterVec // by cache: hit, miss
	buildTime prometheus.Histogram
	bytes     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, c *Cache) *metrics {
	m := &metrics{
		tiles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cim_tiles_served_total", Help: "Vector tiles served, by whether the cache held them.",
		}, []string{"cache"}),
		buildTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "cim_tile_build_seconds", Help: "Time to build a tile that the cache did not hold.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cim_tile_bytes_total", Help: "Bytes of tiles served, before compression.",
		}),
	}
	if reg == nil {
		return m
	}
	reg.MustRegister(m.tiles, m.buildTime, m.bytes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cim_tile_cache_bytes", Help: "Bytes held by the tile cache."},
			func() float64 { return float64(c.Stats().Bytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cim_tile_cache_tiles", Help: "Tiles held by the tile cache."},
			func() float64 { return float64(c.Stats().Tiles) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cim_tile_cache_hits_total", Help: "Tile requests the cache answered."},
			func() float64 { return float64(c.Stats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cim_tile_cache_misses_total", Help: "Tile requests that built the tile."},
			func() float64 { return float64(c.Stats().Misses) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "cim_tile_cache_evictions_total", Help: "Tiles dropped from the cache to stay within its bound."},
			func() float64 { return float64(c.Stats().Evictions) }),
	)
	return m
}

func (m *metrics) served(hit bool, took time.Duration, n int) {
	if hit {
		m.tiles.WithLabelValues("hit").Inc()
	} else {
		m.tiles.WithLabelValues("miss").Inc()
		m.buildTime.Observe(took.Seconds())
	}
	m.bytes.Add(float64(n))
}
