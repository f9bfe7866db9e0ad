package sun_test

import (
	"fmt"
	"time"

	"github.com/future-community/cim/sun"
)

func ExampleCompute() {
	// The paper's example, with refraction for 820 hPa and 11 °C.
	t := time.Date(2003, 10, 17, 12, 30, 30, 0, time.FixedZone("MST", -7*3600))
	p := sun.Compute(t, sun.Site{Lat: 39.742476, Lon: -105.1786, ElevationM: 1830.14}, sun.Options{
		DeltaT:     67,
		Atmosphere: &sun.Atmosphere{PressureHPa: 820, TemperatureC: 11},
	})
	fmt.Printf("zenith %.5f°, azimuth %.5f°\n", p.Zenith, p.Azimuth)
	// Output: zenith 50.11162°, azimuth 194.34024°
}

func ExampleSweep() {
	hangzhou := sun.Site{Lat: 30.25, Lon: 120.17, ElevationM: 10}
	day, err := sun.MajorCold.Day(2026, nil, sun.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	steps, err := sun.Sweep(hangzhou, day, sun.MajorColdBand, time.Hour, sun.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range steps {
		fmt.Printf("%s true solar = %s Beijing: altitude %5.2f°, azimuth %6.2f°\n",
			s.TrueSolar.Format("15:04"), s.Beijing.Format("2006-01-02 15:04"), s.Alt, s.Az)
	}
	// Output:
	// 08:00 true solar = 2026-01-20 08:10 Beijing: altitude 13.40°, azimuth 123.31°
	// 09:00 true solar = 2026-01-20 09:10 Beijing: altitude 23.57°, azimuth 133.60°
	// 10:00 true solar = 2026-01-20 10:10 Beijing: altitude 31.92°, azimuth 146.42°
	// 11:00 true solar = 2026-01-20 11:10 Beijing: altitude 37.59°, azimuth 162.14°
	// 12:00 true solar = 2026-01-20 12:10 Beijing: altitude 39.62°, azimuth 180.00°
	// 13:00 true solar = 2026-01-20 13:10 Beijing: altitude 37.60°, azimuth 197.86°
	// 14:00 true solar = 2026-01-20 14:10 Beijing: altitude 31.96°, azimuth 213.60°
	// 15:00 true solar = 2026-01-20 15:10 Beijing: altitude 23.61°, azimuth 226.44°
	// 16:00 true solar = 2026-01-20 16:10 Beijing: altitude 13.45°, azimuth 236.75°
}
