package tiles

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/problem"
)

// Params narrows what a tile holds.
type Params struct {
	// Levels keeps, in the layers on floors (Layer.OnFloors), only the
	// features on one of these floors; nil keeps every floor.
	Levels *cim.LevelRange
	// Stage is the stage whose view the tile shows (query.View); StageAny
	// shows each dataset at its latest stage.
	Stage cim.Stage
	// Dataset keeps only that dataset's features.
	Dataset string
	// Layers keeps only these layers; nil keeps all.
	Layers []string
	// AsOf shows the store as it was at a revision or a time
	// (index.Store.SnapshotAsOf); "" shows it as it is.
	AsOf string
}

// maxParam bounds a parameter's value: no valid one comes near.
const maxParam = 256

// ParseParams reads level=, stage=, dataset= and layers= from a tile
// request's query. A bad value is a *problem.ParamError naming it; other
// parameters are ignored, as tile servers do (clients add cache busters).
func ParseParams(q url.Values) (Params, error) {
	var p Params
	get := func(name string) (string, error) {
		vs := q[name]
		switch {
		case len(vs) == 0:
			return "", nil
		case len(vs) > 1:
			return "", &problem.ParamError{Name: name, Value: strings.Join(vs, ","), Reason: "given more than once"}
		case len(vs[0]) > maxParam:
			return "", &problem.ParamError{Name: name, Value: vs[0][:32] + "…", Reason: fmt.Sprintf("longer than %d bytes", maxParam)}
		}
		return vs[0], nil
	}
	v, err := get("level")
	if err != nil {
		return p, err
	}
	if v != "" {
		r, err := cim.ParseLevelRange(v)
		if err != nil {
			return p, &problem.ParamError{Name: "level", Value: v, Reason: "want a floor (0 is the ground floor, -1 the first basement) or a range A..B: " + err.Error()}
		}
		p.Levels = &r
	}
	if v, err = get("stage"); err != nil {
		return p, err
	}
	if v != "" {
		if p.Stage, err = cim.ParseStage(v); err != nil {
			return p, &problem.ParamError{Name: "stage", Value: v, Reason: err.Error()}
		}
	}
	if v, err = get("dataset"); err != nil {
		return p, err
	}
	p.Dataset = v
	if v, err = get("layers"); err != nil {
		return p, err
	}
	if v != "" {
		for _, name := range strings.Split(v, ",") {
			if _, ok := LayerByName(name); !ok {
				return p, &problem.ParamError{Name: "layers", Value: v, Reason: fmt.Sprintf("no layer %q (want some of %s)", name, layerNames())}
			}
			if !slices.Contains(p.Layers, name) {
				p.Layers = append(p.Layers, name)
			}
		}
		slices.Sort(p.Layers)
	}
	if p.AsOf, err = get("as_of"); err != nil {
		return p, err
	}
	return p, nil
}

func layerNames() string {
	names := make([]string, len(Layers))
	for i, l := range Layers {
		names[i] = l.Name
	}
	return strings.Join(names, ",")
}

// Query returns the parameters as a query string in a fixed order ("" for
// none): the same for every spelling of the same parameters, so that it
// serves as a cache key and carries into TileJSON's template.
func (p Params) Query() string {
	v := url.Values{}
	if p.Levels != nil {
		v.Set("level", p.Levels.String())
	}
	if p.Stage != cim.StageAny {
		v.Set("stage", p.Stage.String())
	}
	if p.Dataset != "" {
		v.Set("dataset", p.Dataset)
	}
	if len(p.Layers) > 0 {
		v.Set("layers", strings.Join(p.Layers, ","))
	}
	if p.AsOf != "" {
		v.Set("as_of", p.AsOf)
	}
	return v.Encode()
}

// wants reports whether the tile holds layer l.
func (p Params) wants(l Layer) bool {
	return len(p.Layers) == 0 || slices.Contains(p.Layers, l.Name)
}

// ParseTile reads z, x and y as a tile request's path gives them. What is
// not a whole number is a *problem.ParamError (a bad request); a tile
// outside the pyramid (z past MaxZoom, x or y past the zoom's 2^z) is an
// *OutsideError (not found).
func ParseTile(zs, xs, ys string) (z, x, y uint32, err error) {
	num := func(name, s string) (uint64, error) {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || len(s) > 1 && s[0] == '0' {
			return 0, &problem.ParamError{Name: name, Value: s, Reason: "want a whole number"}
		}
		return v, nil
	}
	zv, err := num("z", zs)
	if err != nil {
		return 0, 0, 0, err
	}
	xv, err := num("x", xs)
	if err != nil {
		return 0, 0, 0, err
	}
	yv, err := num("y", ys)
	if err != nil {
		return 0, 0, 0, err
	}
	if zv > MaxZoom {
		return 0, 0, 0, &OutsideError{fmt.Sprintf("zoom %d is past the deepest, %d", zv, MaxZoom)}
	}
	if n := uint64(1) << zv; xv >= n || yv >= n {
		return 0, 0, 0, &OutsideError{fmt.Sprintf("tile %d/%d/%d is outside the pyramid: x and y run from 0 to %d at zoom %d", zv, xv, yv, n-1, zv)}
	}
	return uint32(zv), uint32(xv), uint32(yv), nil
}
