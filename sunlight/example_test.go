package sunlight_test

import (
	"context"
	"fmt"

	"github.com/future-community/cim/sun"
	"github.com/future-community/cim/sunlight"
)

// A south-facing ground-floor sill 30 m north of a 30 m slab 60 m wide, at Hangzhou
// on 大寒日 2026, under the zone III rule (≥ 2 h between 8:00 and 16:00).
func ExampleEvaluate() {
	site := sun.Site{Lat: 30.2741, Lon: 120.1551}
	rule := sunlight.Hangzhou
	track, err := sunlight.NewTrack(site, 2026, rule, sun.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	slab := sunlight.Prism{Rings: [][][2]float64{{{-30, -42}, {30, -42}, {30, -30}, {-30, -30}}}, Z1: 30}
	scene, err := sunlight.NewScene([]sunlight.Prism{slab}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	sill := sunlight.Receiver{Y: -0.05, Z: 0.9, NY: -1}
	res, err := sunlight.Evaluate(context.Background(), scene, track, rule, []sunlight.Receiver{sill})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res[0].Periods {
		a, b, _, _ := track.Span(p)
		fmt.Printf("lit %s–%s true solar time\n", a.Format("15:04"), b.Format("15:04"))
	}
	fmt.Printf("counted %v, pass %v\n", res[0].Counted, res[0].Pass)
	// Output:
	// lit 08:00–09:07 true solar time
	// lit 14:53–16:00 true solar time
	// counted 2h14m0s, pass true
}
