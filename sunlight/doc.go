// Package sunlight is the sunlight-hours engine (日照分析) for
// GB 50180-2018 §4.0.9: how long, on a standard winter day, the Sun
// reaches each window sill of a scheme past the buildings around it.
//
// # Model
//
// Everything is in a local east-north-up frame in metres, the frame of the
// Sun's direction vectors from package sun (sun.Step.Dir). Obstructions
// are vertical prisms (Prism: a footprint with holes, from Z0 to Z1); a
// building is one or several. Receivers (Receiver) are points with an
// outward horizontal facade normal, or none on the ground; Facade samples
// a footprint's walls at a sill height every spacing metres (centres of
// equal pieces, never the corners), 5 cm outside the wall.
//
// # Lit test
//
// A Track (NewTrack) is the Sun over a rule's band at the site, one track
// for the whole site (sun.Sweep explains why that is good to 0.005° over
// 1 km). At each sample a receiver is lit iff the Sun is above the horizon,
// in front of its facade by at least the sweep angle (u·n ≥ sin(sweep),
// with u the unit horizontal direction to the Sun and n the outward normal:
// u·n is the sine of the horizontal angle between the ray and the wall
// line), and no prism meets the ray from the receiver to the Sun. A
// receiver's own building is a prism like any other, so an L-shaped
// block's wing shades the other wing's inner facade.
//
// The ray test is exact, with no rasterisation: the ray's height is
// z + s·tan(alt) at horizontal distance s, so it is between a prism's
// bottom and top for s in an interval; the ray hits the prism iff the
// horizontal segment over that interval meets the footprint (crosses an
// edge, or starts inside by the even-odd rule). A uniform grid over the
// footprints (Scene) lists in each cell the prisms whose bounding box
// overlaps it; a ray walks only the cells its projection crosses, in
// order (Amanatides & Woo), up to where it clears the tallest top, and
// stops at the first hit. The prism that stopped the previous sample's
// ray is tried first.
//
// # Periods and counting
//
// Sample i of a track decides the interval [t_i, t_i + step) (left
// endpoints); the last sample, at the band's end, only closes the last
// interval. A receiver lit at every sample thus gets exactly the band's
// length (8 h on 大寒日). Runs of lit intervals are the periods (Period,
// with times in both true solar and Beijing time from Track.Span). A Rule
// counts periods no shorter than Rule.Shortest, the Rule.MaxPeriods
// longest of them (0: all, cumulative; 1: the longest, continuous), and
// passes at Rule.Min. The discretisation error of a period's end is under
// one step; the tests compare with hand-worked windows to one step.
//
// # Cut-off
//
// Only obstructions within the longest shadow of the band matter: an
// obstruction H metres above the lowest receiver shades at most
// H / tan(alt_min) away, alt_min the lowest positive Sun altitude of the
// band (Track.Reach): about 13° at 8:00 on 大寒日 at Hangzhou, so a 100 m
// tower reaches 430 m. The reach is bounded by Rule.MaxReachM (default
// 1.5 km, see DefaultMaxReachM); each ray is also cut where it clears the
// scene's tallest top, which is exact.
//
// # The model adapter
//
// Analyse reads a site from the store: buildings and parts (storeys
// stacked where a model has them) as prisms, and the facades of the
// residential buildings in the site sampled at each checked storey's sill
// (windows are not in the store yet), in a local east-north frame at the
// site's centre (Frame: ECEF to the origin's tangent plane; horizontal
// error 0.03 mm at 2 km, the ground's drop below the plane 0.31 m there).
// A building is judged on the sills that would get the minimum with
// nothing around, its Sun-facing walls.
package sunlight
