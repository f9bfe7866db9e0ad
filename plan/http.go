package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
	"github.com/future-community/cim/route"
	geojson "github.com/twpayne/go-geom/encoding/geojson"
)

// Routes returns plan's routes: the check of a stored site for a map
// (GET /sites/{id}/check), the report (GET /sites/{id}/indicators) and
// the what-if (POST /check).
func Routes(s *index.Store, maxAge time.Duration, extras ...Extra) []route.Route {
	site := []route.Param{
		{Name: "id", In: "path", Description: "The site: its feature id, or its name."},
		{Name: "rules", Description: "A built-in rule pack; default zj-future-community.", Enum: BuiltinPacks()},
		{Name: "stage", Description: "Checks the model as that stage sees it; default each dataset's latest.", Enum: route.Stages},
		{Name: "dataset", Description: "Narrows the features checked to one dataset."},
		{Name: "as_of", Description: "Checks the store as it was at a revision (12) or a time (2026-12-01T08:00:00+08:00)."},
	}
	return []route.Route{
		{Pattern: "GET /sites/{id}/check", ID: "checkSite", Params: site, Type: "application/json", Handler: CheckHandler(s, extras...),
			Summary: "The rule check of a site at the current revision (or as_of), with the site's boundary for a map: {report, site_geometry}."},
		{Pattern: "GET /sites/{id}/indicators", ID: "getIndicators", Params: site, Type: "application/json", Handler: IndicatorsHandler(s, maxAge, extras...),
			Summary: "The planning indicators of a site at the current revision (or as_of): the report cim check --format json writes (FAR, density, green, TOD, living circles), with an ETag of the revision."},
		{Pattern: "POST /check", ID: "whatIf", Body: "application/json", Type: "application/json", Handler: WhatIfHandler(s, extras...),
			Summary: "A what-if: the check of a site (stored, by id, or drawn, as a GeoJSON polygon) with proposed features laid over the store in memory and the stored ones they replace hidden. Nothing is stored; it needs no write token."},
	}
}

// CheckAnswer is what GET /sites/{id}/check answers: the report, as cim
// check --format json writes it, and the site's boundary as a GeoJSON
// geometry for a map.
type CheckAnswer struct {
	Report *Report           `json:"report"`
	Site   *geojson.Geometry `json:"site_geometry"`
}

// CheckHandler answers GET /sites/{id}/check?rules=PACK&stage=STAGE&dataset=D
// with a check of the site on the store's current revision (as_of= an
// earlier one, a revision or an RFC 3339 time): rules is a
// built-in pack (default zj-future-community; files are not read over
// HTTP), stage the view (default: each dataset's latest), dataset narrows
// the features checked. A bad parameter is a 400 problem, an unknown site
// a 404.
func CheckHandler(s *index.Store, extras ...Extra) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := readSiteRequest(w, r, s)
		if !ok {
			return
		}
		defer req.sn.Close()
		sel := Selection{Dataset: r.URL.Query().Get("dataset"), Stage: req.stage}
		rep, err := checkWith(r.Context(), req.sn, req.site, sel, req.pack, extras)
		if err != nil {
			checkFailed(w, r, err)
			return
		}
		g, err := geojson.Encode(req.site.Geometry)
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

// IndicatorsHandler answers GET /sites/{id}/indicators?rules=PACK&stage=STAGE&dataset=D
// with the report of a check of the site on the store's current revision
// (as_of= an earlier one),
// byte for byte as cim check --site ID --format json writes it: rules is a
// built-in pack (default zj-future-community), stage the view (default:
// each dataset's latest), dataset the scheme's dataset (default: the site
// feature's). The answer carries an ETag of the revision and the request
// and Cache-Control max-age maxAge, as the store's other documents; an
// If-None-Match naming the ETag gets 304 without a check. A bad rules or
// stage is a 400 problem naming the parameter, an unknown site a 404.
func IndicatorsHandler(s *index.Store, maxAge time.Duration, extras ...Extra) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := readSiteRequest(w, r, s)
		if !ok {
			return
		}
		defer req.sn.Close()
		etag := etagOf(req.sn.Revision(), r.URL.Path+"?"+r.URL.RawQuery)
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
		if matchETag(r, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		dataset := r.URL.Query().Get("dataset")
		if dataset == "" {
			dataset = req.site.Dataset // as cim check does
		}
		rep, err := checkWith(r.Context(), req.sn, req.site, Selection{Dataset: dataset, Stage: req.stage}, req.pack, extras)
		if err != nil {
			checkFailed(w, r, err)
			return
		}
		writeReport(w, r, rep)
	})
}

// siteRequest is what a request for a stored site's check names: the
// pack, the stage, the snapshot (as_of) and the site.
type siteRequest struct {
	pack  *Pack
	stage cim.Stage
	sn    *index.Snapshot
	site  Site
}

// readSiteRequest reads a site check's request, answering it itself (400,
// 404, 410) when it cannot; the caller closes the snapshot.
func readSiteRequest(w http.ResponseWriter, r *http.Request, s *index.Store) (siteRequest, bool) {
	var req siteRequest
	var ok bool
	if req.pack, req.stage, ok = queryParams(w, r); !ok {
		return req, false
	}
	sn, err := s.SnapshotAsOf(r.Context(), r.URL.Query().Get("as_of"))
	if err != nil {
		problem.Snapshot(w, r, err)
		return req, false
	}
	if req.site, ok = findSite(w, r, sn, r.PathValue("id"), r.URL.Query().Get("dataset"), req.stage); !ok {
		sn.Close()
		return req, false
	}
	req.sn = sn
	return req, true
}

// checkWith checks the site and runs the extras on the report.
func checkWith(ctx context.Context, sn *index.Snapshot, site Site, sel Selection, pack *Pack, extras []Extra) (*Report, error) {
	rep, err := Check(ctx, sn, site, sel, pack)
	if err == nil {
		err = runExtras(ctx, sn, rep, sel, pack, extras)
	}
	return rep, err
}

// queryParams reads the rules and stage query parameters, answering 400
// for a bad one.
func queryParams(w http.ResponseWriter, r *http.Request) (*Pack, cim.Stage, bool) {
	q := r.URL.Query()
	pack, err := builtinPack(q.Get("rules"))
	if err != nil {
		problem.BadParam(w, r, &problem.ParamError{Name: "rules", Value: q.Get("rules"), Reason: err.Error()})
		return nil, 0, false
	}
	stage, err := parseStage(q.Get("stage"))
	if err != nil {
		problem.BadParam(w, r, &problem.ParamError{Name: "stage", Value: q.Get("stage"), Reason: err.Error()})
		return nil, 0, false
	}
	return pack, stage, true
}

// builtinPack loads a built-in pack by name ("" is zj-future-community):
// files are not read over HTTP.
func builtinPack(name string) (*Pack, error) {
	if name == "" {
		name = "zj-future-community"
	}
	bad := fmt.Errorf("name a built-in pack: %s", strings.Join(BuiltinPacks(), ", "))
	if strings.ContainsAny(name, `/\.`) {
		return nil, bad
	}
	pack, err := LoadPack(name)
	if err != nil {
		return nil, bad
	}
	return pack, nil
}

// parseStage parses a stage parameter; "" is cim.StageAny.
func parseStage(v string) (cim.Stage, error) {
	if v == "" {
		return cim.StageAny, nil
	}
	return cim.ParseStage(v)
}

// findSite finds a stored site, answering 404 for an unknown one.
func findSite(w http.ResponseWriter, r *http.Request, sn *index.Snapshot, id, dataset string, stage cim.Stage) (Site, bool) {
	site, err := FindSite(r.Context(), sn, id, dataset, stage)
	switch {
	case errors.Is(err, ErrNoSite):
		problem.Status(w, r, http.StatusNotFound, err.Error())
		return Site{}, false
	case err != nil && r.Context().Err() != nil:
		problem.Status(w, r, http.StatusServiceUnavailable, err.Error())
		return Site{}, false
	case err != nil: // several datasets hold it, or it is not a polygon
		problem.Status(w, r, http.StatusBadRequest, err.Error())
		return Site{}, false
	}
	return site, true
}

// checkFailed answers for a check that failed: 503 when the request ran
// out of time, else 500.
func checkFailed(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		status = http.StatusServiceUnavailable
	}
	problem.Status(w, r, status, err.Error())
}

// writeReport answers with the report as WriteJSON writes it.
func writeReport(w http.ResponseWriter, r *http.Request, rep *Report) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

func etagOf(rev uint64, key string) string {
	f := fnv.New64a()
	f.Write([]byte(key))
	return fmt.Sprintf(`"r%d-%016x"`, rev, f.Sum64())
}

// matchETag reports whether the request's If-None-Match names etag.
func matchETag(r *http.Request, etag string) bool {
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
