package plan

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
	geojson "github.com/twpayne/go-geom/encoding/geojson"
)

// CheckAnswer is what GET /sites/{id}/check answers: the report, as cim
// check --format json writes it, and the site's boundary as a GeoJSON
// geometry for a map.
type CheckAnswer struct {
	Report *Report           `json:"report"`
	Site   *geojson.Geometry `json:"site_geometry"`
}

// CheckHandler answers GET /sites/{id}/check?rules=PACK&stage=STAGE&dataset=D
// with a check of the site on the store's current revision: rules is a
// built-in pack (default zj-future-community; files are not read over
// HTTP), stage the view (default: each dataset's latest), dataset narrows
// the features checked. A bad parameter is a 400 problem, an unknown site
// a 404.
func CheckHandler(s *index.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		packName := q.Get("rules")
		if packName == "" {
			packName = "zj-future-community"
		}
		if strings.ContainsAny(packName, `/\.`) {
			problem.BadParam(w, r, &problem.ParamError{Name: "rules", Value: packName, Reason: "name a built-in pack: " + strings.Join(BuiltinPacks(), ", ")})
			return
		}
		pack, err := LoadPack(packName)
		if err != nil {
			problem.BadParam(w, r, &problem.ParamError{Name: "rules", Value: packName, Reason: "name a built-in pack: " + strings.Join(BuiltinPacks(), ", ")})
			return
		}
		stage := cim.StageAny
		if v := q.Get("stage"); v != "" {
			if stage, err = cim.ParseStage(v); err != nil {
				problem.BadParam(w, r, &problem.ParamError{Name: "stage", Value: v, Reason: err.Error()})
				return
			}
		}
		sn, err := s.Snapshot()
		if err != nil {
			problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
			return
		}
		defer sn.Close()
		site, err := FindSite(r.Context(), sn, r.PathValue("id"), q.Get("dataset"), stage)
		switch {
		case errors.Is(err, ErrNoSite):
			problem.Status(w, r, http.StatusNotFound, err.Error())
			return
		case err != nil && r.Context().Err() != nil:
			problem.Status(w, r, http.StatusServiceUnavailable, err.Error())
			return
		case err != nil: // several datasets hold it, or it is not a polygon
			problem.Status(w, r, http.StatusBadRequest, err.Error())
			return
		}
		rep, err := Check(r.Context(), sn, site, Selection{Dataset: q.Get("dataset"), Stage: stage}, pack)
		if err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, r.Context().Err()) {
				status = http.StatusServiceUnavailable
			}
			problem.Status(w, r, status, err.Error())
			return
		}
		g, err := geojson.Encode(site.Geometry)
		if err != nil {
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		body, err := json.Marshal(CheckAnswer{Report: rep, Site: g})
		if err != nil {
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(append(body, '\n'))
	})
}
