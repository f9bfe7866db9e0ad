package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	ingestgeojson "github.com/future-community/cim/ingest/geojson"
	"github.com/future-community/cim/problem"
)

// ProposalDataset is the dataset of a what-if's proposed features: their
// ids read "geojson:proposal:<id>" in the report.
const ProposalDataset = "proposal"

// maxWhatIfBytes bounds a what-if body when no server bounds it first.
const maxWhatIfBytes = 1 << 20

// WhatIf is a decoded POST /check body: a site, the pack and view to
// check it under, and a proposal to lay over the store in memory.
type WhatIf struct {
	// SiteID names a stored site when the body's site is a string; else
	// Site is the drawn one.
	SiteID string
	Site   Site
	Pack   *Pack
	Stage  cim.Stage
	// Dataset is the scheme's dataset ("" every dataset; for a stored
	// site, the site feature's).
	Dataset string
	// Proposed are the proposed features, in ProposalDataset.
	Proposed []*cim.Feature
	// Replace are the ids of stored features the proposal removes, as
	// given (a feature id, or an id within a GeoJSON dataset).
	Replace []string
}

// BodyError is a bad member of a what-if body.
type BodyError struct {
	Member string // "site", "rules", "proposed"…; "" for the body itself
	Err    error
}

func (e *BodyError) Error() string {
	if e.Member == "" {
		return e.Err.Error()
	}
	return e.Member + ": " + e.Err.Error()
}

func (e *BodyError) Unwrap() error { return e.Err }

// whatIfBody is the JSON form of a what-if.
type whatIfBody struct {
	Site     json.RawMessage `json:"site"`
	Rules    string          `json:"rules"`
	Stage    string          `json:"stage"`
	Dataset  string          `json:"dataset"`
	Proposed json.RawMessage `json:"proposed"`
	Replace  []string        `json:"replace"`
}

// DecodeWhatIf decodes a POST /check body:
//
//	{"site": <GeoJSON Polygon, MultiPolygon or Feature (WGS84), or a stored site's id>,
//	 "rules": "zj-future-community", "stage": "design", "dataset": "…",
//	 "proposed": <GeoJSON FeatureCollection>, "replace": ["id", …]}
//
// Only site is required. Proposed features are read as cim ingest reads
// GeoJSON (OpenStreetMap-style tags, cim: properties) into
// ProposalDataset. Unknown members are errors, so that a misspelt
// "proposed" is not a check without the proposal. Errors are *BodyError,
// a proposed feature's naming it: "proposed feature 3: …".
func DecodeWhatIf(body []byte) (*WhatIf, error) {
	var b whatIfBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, &BodyError{Err: fmt.Errorf("not a what-if JSON object: %w", err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &BodyError{Err: errors.New("text after the JSON object")}
	}
	wi := &WhatIf{Dataset: b.Dataset, Replace: b.Replace}
	var err error
	if wi.Pack, err = builtinPack(b.Rules); err != nil {
		return nil, &BodyError{Member: "rules", Err: err}
	}
	if wi.Stage, err = parseStage(b.Stage); err != nil {
		return nil, &BodyError{Member: "stage", Err: err}
	}
	if err := decodeSite(b.Site, wi); err != nil {
		return nil, &BodyError{Member: "site", Err: err}
	}
	for i, id := range b.Replace {
		if strings.TrimSpace(id) == "" {
			return nil, &BodyError{Member: "replace", Err: fmt.Errorf("id %d is empty", i)}
		}
	}
	if len(b.Proposed) > 0 && string(b.Proposed) != "null" {
		if wi.Proposed, err = decodeProposed(b.Proposed, wi.Stage); err != nil {
			return nil, err
		}
	}
	return wi, nil
}

// decodeSite reads the site member: a stored site's id, a GeoJSON
// Feature or a geometry.
func decodeSite(raw json.RawMessage, wi *WhatIf) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return errors.New("missing: give a GeoJSON Polygon, MultiPolygon or Feature, or a stored site's id")
	}
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &wi.SiteID); err != nil {
			return err
		}
		if wi.SiteID == "" {
			return errors.New("empty id")
		}
		return nil
	}
	var f struct {
		Type       string          `json:"type"`
		ID         any             `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("not a GeoJSON object: %w", err)
	}
	site := Site{ID: "what-if", Props: f.Properties}
	g := raw
	if f.Type == "Feature" {
		g = f.Geometry
		switch id := f.ID.(type) {
		case string:
			if id != "" {
				site.ID = id
			}
		case float64:
			site.ID = fmt.Sprint(id)
		}
		if n, ok := f.Properties["name"].(string); ok {
			site.Name = n
		}
	} else {
		site.Props = nil
	}
	geom, err := ingestgeojson.DecodeGeometry(g)
	if err != nil {
		return fmt.Errorf("geometry: %w", err)
	}
	geom = cim.Normalize(geom)
	if !isPolygon(geom) {
		return fmt.Errorf("a %s, want a Polygon or MultiPolygon", strings.TrimPrefix(fmt.Sprintf("%T", geom), "*geom."))
	}
	if err := cim.ValidateGeometry(geom); err != nil {
		return fmt.Errorf("geometry: %w", err)
	}
	site.Geometry = geom
	wi.Site = site
	return nil
}

// decodeProposed reads the proposal as cim ingest reads a GeoJSON file.
func decodeProposed(raw json.RawMessage, stage cim.Stage) ([]*cim.Feature, error) {
	if stage == cim.StageAny {
		stage = cim.DefaultStage
	}
	bad := func(err error) error {
		var ge *ingestgeojson.Error
		if errors.As(err, &ge) && ge.Feature >= 0 {
			return &BodyError{Member: fmt.Sprintf("proposed feature %d", ge.Feature), Err: ge.Err}
		}
		if errors.As(err, &ge) {
			err = ge.Err
		}
		return &BodyError{Member: "proposed", Err: err}
	}
	rd, err := ingestgeojson.NewReader(bytes.NewReader(raw), ingestgeojson.Options{
		Dataset: ProposalDataset, KeepDataset: true, Stage: stage, Name: "proposed"})
	if err != nil {
		return nil, bad(err)
	}
	var fs []*cim.Feature
	for {
		f, err := rd.Next()
		if err == io.EOF {
			return fs, nil
		}
		if err != nil {
			return nil, bad(err)
		}
		fs = append(fs, f)
	}
}

// WhatIfHandler answers POST /check, a what-if: the body (application/json,
// see DecodeWhatIf) gives a site, drawn or stored, and optionally proposed
// features and the stored ones they replace; the answer is the report, as
// cim check --format json writes it, of the store's current revision with
// the proposal laid over it in memory (Selection.Extra and Hide). Nothing
// is stored: it is a read, and needs no write token. A bad body is a 400
// problem naming the member ("proposed feature 3: …"), a body over 1 MiB
// 413, an unknown stored site 404.
func WhatIfHandler(s *index.Store, extras ...Extra) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWhatIfBytes))
		if err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				problem.Status(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", mb.Limit))
				return
			}
			problem.Status(w, r, http.StatusBadRequest, "reading the body: "+err.Error())
			return
		}
		wi, err := DecodeWhatIf(body)
		if err != nil {
			badBody(w, r, err)
			return
		}
		sn, err := s.Snapshot()
		if err != nil {
			problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
			return
		}
		defer sn.Close()
		site := wi.Site
		dataset := wi.Dataset
		if wi.SiteID != "" {
			var ok bool
			if site, ok = findSite(w, r, sn, wi.SiteID, dataset, wi.Stage); !ok {
				return
			}
			if dataset == "" {
				dataset = site.Dataset
			}
		}
		hide, err := resolveReplace(sn, wi.Replace, dataset)
		if err != nil {
			badBody(w, r, err)
			return
		}
		sel := Selection{Dataset: dataset, Stage: wi.Stage, Extra: wi.Proposed, Hide: hide}
		rep, err := checkWith(r.Context(), sn, site, sel, wi.Pack, extras)
		if err != nil {
			checkFailed(w, r, err)
			return
		}
		writeReport(w, r, rep)
	})
}

// resolveReplace finds the stored features that replace names: by feature
// id, or by id within a GeoJSON dataset (dataset's, or any when "").
func resolveReplace(sn *index.Snapshot, ids []string, dataset string) (map[string]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	hide := map[string]bool{}
	for _, id := range ids {
		cands := []string{id}
		for _, ds := range sn.Datasets() {
			if dataset == "" || ds == dataset {
				cands = append(cands, "geojson:"+ds+":"+id)
			}
		}
		found := false
		for _, c := range cands {
			fs, err := sn.Lookup(c)
			if err != nil {
				return nil, err
			}
			for _, f := range fs {
				if dataset == "" || f.Dataset == dataset {
					hide[f.ID], found = true, true
				}
			}
		}
		if !found {
			return nil, &BodyError{Member: "replace", Err: fmt.Errorf("no feature %q in the store", id)}
		}
	}
	return hide, nil
}

// badBody answers 400 for a bad what-if body, naming the member.
func badBody(w http.ResponseWriter, r *http.Request, err error) {
	d := problem.Details{Status: http.StatusBadRequest, Title: "Bad request body", Detail: err.Error()}
	var be *BodyError
	if errors.As(err, &be) {
		d.Parameter = be.Member
	}
	problem.Write(w, r, d)
}
