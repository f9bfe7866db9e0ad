// Package walk measures walking distances along a pedestrian network, for
// planning checks such as "a station within a 10-minute walk" or "a
// kindergarten within 300 m on foot".
//
// Build turns road and path lines (WGS84 longitude/latitude, from
// OpenStreetMap or drawn by hand) into a Network; Network.From spreads
// distances from one or more sources over it (a multi-source Dijkstra), and
// the resulting Field answers To for any point near the network.
//
// # Noding
//
// Every vertex is first rounded to 1e-7 degrees (about 1 cm, the precision
// of OpenStreetMap), so vertices that agree to that precision are the same
// node. Hand-drawn data seldom shares vertices where streets meet, so Build
// also puts a node wherever two segments, of different lines or of the same
// one, cross or touch: an end of one segment that lies within 2e-7 degrees
// (about 2 cm) of another segment splits that segment there (a T junction,
// or a line that stops just short of or just beyond another), and segments
// that properly cross are both split at the crossing point, rounded to the
// 1e-7 degree lattice. Overlapping collinear segments are split at each
// other's ends and the parallel edges that result are merged. Lines that
// only pass near each other, farther apart than that, stay unconnected, as
// do a bridge and the street beneath it when they are drawn crossing: a
// network where that matters should be cut into layers by the caller.
//
// Candidate pairs of segments come from a uniform grid in degrees whose
// cell side is the mean extent of a segment: each segment is registered in
// the cells it passes through (not those of its bounding box), and only
// segments sharing a cell are tested, each pair once. For street networks
// this is linear in the number of segments plus crossings; 100,000 segments
// are noded in well under a second.
//
// # Accuracy
//
// Edge lengths are geodesic distances between consecutive nodes on the
// WGS84 ellipsoid, computed with cim.DistanceM (Vincenty's inverse formula,
// accurate to well under a millimetre), and a network distance is the sum
// of those along the shortest path, so it agrees with the geodesic lengths
// of the same legs to rounding error (about 1e-12 relative). Between two
// vertices an edge is taken to be the geodesic; the straight line in
// longitude/latitude that the noding uses differs from it by millimetres
// for segments of a few hundred metres.
//
// A point is snapped to the nearest point of the nearest edge: the
// perpendicular foot is found in a plane tangent at the point (longitude
// and latitude scaled by the ellipsoid's radii of curvature there, good to
// about 1e-5 relative within SnapM), and then the distance from the point
// to the foot and from the foot along the edge to its ends are again
// measured with cim.DistanceM. Nearest edges are found by a ring search in
// a second uniform grid, nearest cells first, so a lookup visits only a few
// cells whatever the size of the network.
//
// # Distances through snapped points
//
// The distance from a source to a target is the snap distance of the
// source, plus the distance along the network, plus the snap distance of
// the target; a source and a target off the network at the same spot are
// therefore twice their snap distance apart. A point on the same edge as a
// source may be reached directly along that edge. Lines do not cross the
// antimeridian, and the package is not meant for the polar regions.
//
// A Network is immutable once built and a Field once computed; both may be
// used from several goroutines at once.
package walk
