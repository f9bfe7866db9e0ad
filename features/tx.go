package features

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/geojson"
	"github.com/future-community/cim/index"
	ingestgeojson "github.com/future-community/cim/ingest/geojson"
	"github.com/future-community/cim/problem"
)

// DefaultDataset is the dataset of a created feature that names none,
// neither by its cim:dataset property nor by dataset=.
const DefaultDataset = "api"

// MaxBodyBytes bounds a write's request body when the handler runs
// without the server, which bounds bodies itself (1 MiB by default).
const MaxBodyBytes = 16 << 20

// maxDepth bounds the nesting of a request body's JSON: a MultiPolygon
// takes 5 levels, properties a few more.
const maxDepth = 64

// writeAttempts is how often a write without If-Match is tried again when
// another write changed its feature between the read and the commit.
const writeAttempts = 3

// typeMergePatch is the media type of an RFC 7396 JSON merge patch.
const typeMergePatch = "application/merge-patch+json"

// BodyError is a request body that is not a feature the collection takes.
type BodyError struct{ Err error }

func (e *BodyError) Error() string { return e.Err.Error() }
func (e *BodyError) Unwrap() error { return e.Err }

// target is what the request fixes of the feature its body describes.
type target struct {
	class   cim.Class
	dataset string    // "" (POST): the body's cim:dataset, else dflt.dataset
	stage   cim.Stage // StageAny (POST): the body's cim:stage, else dflt.stage
	id      string    // "" (POST): the body's id, else a new one
	parent  string    // the stored feature's parent, kept when the body repeats it
	dflt    struct {
		dataset string
		stage   cim.Stage
	}
}

// body is a request body's Feature, taken apart.
type body struct {
	Type       *string         `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// checkDepth refuses JSON text nested deeper than maxDepth.
func checkDepth(b []byte) error {
	depth, inStr, esc := 0, false, false
	for i, c := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return fmt.Errorf("byte %d: JSON nested deeper than %d levels", i, maxDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

// decodeFeature decodes a request body holding one GeoJSON Feature into
// the feature to store, read as cim ingest reads a feature of a GeoJSON
// file, within what t fixes. Errors are *BodyError and name the member,
// property or geometry part at fault.
func decodeFeature(b []byte, t target) (*cim.Feature, error) {
	f, err := decodeFeatureErr(b, t)
	if err != nil {
		return nil, &BodyError{err}
	}
	return f, nil
}

func decodeFeatureErr(b []byte, t target) (*cim.Feature, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("the body is empty: send a GeoJSON Feature")
	}
	if err := checkDepth(b); err != nil {
		return nil, err
	}
	var raw body
	if err := json.Unmarshal(b, &raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te) && te.Field == "":
			return nil, fmt.Errorf("the body is a JSON %s, not a GeoJSON Feature object", te.Value)
		case errors.As(err, &te):
			return nil, fmt.Errorf("member %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return nil, err
	}
	switch {
	case raw.Type == nil:
		return nil, errors.New(`member "type": missing; a GeoJSON Feature has "type":"Feature"`)
	case *raw.Type != "Feature":
		return nil, fmt.Errorf(`member "type": %q, want "Feature" (send one feature per request)`, *raw.Type)
	}
	var props map[string]any
	if p := bytes.TrimSpace(raw.Properties); len(p) > 0 && string(p) != "null" {
		if p[0] != '{' {
			return nil, errors.New(`member "properties": not a JSON object`)
		}
		if err := json.Unmarshal(p, &props); err != nil {
			return nil, fmt.Errorf(`member "properties": %v`, err)
		}
	}
	if props == nil {
		props = map[string]any{}
	}
	text := func(k string) (string, bool, error) {
		v, ok := props[k]
		if !ok || v == nil {
			return "", false, nil
		}
		s, ok := v.(string)
		if !ok {
			return "", false, fmt.Errorf("feature property %q: %s, want a string", k, jsonType(v))
		}
		return s, true, nil
	}

	// The class: the collection's.
	if s, ok, err := text("cim:class"); err != nil {
		return nil, err
	} else if ok {
		c, err := cim.ParseClass(s)
		if err != nil || c != t.class {
			return nil, fmt.Errorf("feature property \"cim:class\": %q, but the collection is %s (post it to /collections/%s/items)", s, t.class, s)
		}
	}
	props["cim:class"] = t.class.String()

	// The dataset and stage.
	ds, dsOK, err := text("cim:dataset")
	if err != nil {
		return nil, err
	}
	switch {
	case t.dataset != "" && dsOK && ds != t.dataset:
		return nil, fmt.Errorf("feature property \"cim:dataset\": %q, but the feature is in dataset %q (a replace does not move it)", ds, t.dataset)
	case t.dataset != "":
		ds = t.dataset
	case dsOK && ds != "" && t.dflt.dataset != "" && ds != t.dflt.dataset:
		return nil, fmt.Errorf("feature property \"cim:dataset\": %q, but dataset=%s", ds, t.dflt.dataset)
	case !dsOK || ds == "":
		ds = t.dflt.dataset
		if ds == "" {
			ds = DefaultDataset
		}
	}
	st := t.stage
	if s, ok, err := text("cim:stage"); err != nil {
		return nil, err
	} else if ok {
		bs, err := cim.ParseStage(s)
		switch {
		case err != nil:
			return nil, fmt.Errorf("feature property \"cim:stage\": %v", err)
		case t.stage != cim.StageAny && bs != t.stage:
			return nil, fmt.Errorf("feature property \"cim:stage\": %q, but the feature is at stage %s (a replace does not move it)", s, t.stage)
		case t.dflt.stage != cim.StageAny && bs != t.dflt.stage:
			return nil, fmt.Errorf("feature property \"cim:stage\": %q, but stage=%s", s, t.dflt.stage)
		}
		st = bs
	}
	if st == cim.StageAny {
		st = t.dflt.stage
	}
	if st == cim.StageAny {
		st = cim.DefaultStage
	}
	props["cim:stage"] = st.String()
	props["cim:dataset"] = ds

	// The id.
	id := bytes.TrimSpace(raw.ID)
	hasID := len(id) > 0 && string(id) != "null"
	switch {
	case t.id != "" && hasID:
		var s string
		if json.Unmarshal(id, &s) != nil {
			s = string(id)
		}
		if s != t.id && "geojson:"+ds+":"+s != t.id {
			return nil, fmt.Errorf("member \"id\": %s, but the feature at this path is %q", id, t.id)
		}
		id = nil
	case !hasID && t.id == "":
		var rnd [12]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, err
		}
		id, _ = json.Marshal("geojson:" + ds + ":" + base64.RawURLEncoding.EncodeToString(rnd[:]))
	}

	// The geometry, checked first so that its errors say so.
	g, err := ingestgeojson.DecodeGeometry(raw.Geometry)
	if err == nil {
		err = cim.ValidateGeometry(cim.Normalize(g))
	}
	if err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}

	f, warns, err := ingestgeojson.DecodeFeature(id, raw.Geometry, props, ingestgeojson.Options{Dataset: ds, KeepDataset: true, Stage: st, Name: "request body"})
	if err != nil {
		return nil, err
	}
	// An unreadable cim: property is the client's mistake; an unreadable
	// OSM-style tag (building:levels=3;4) is ignored, as cim ingest does,
	// so that such a feature can still be put back as GET gave it.
	for _, w := range warns {
		kv := strings.TrimPrefix(w, "unreadable ")
		if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "cim:") {
			return nil, fmt.Errorf("feature property %q: cannot read %q", k, v)
		}
	}
	if t.id != "" {
		f.ID = t.id
	}
	if p, _ := props["cim:parent"].(string); t.parent != "" && p == t.parent {
		f.Parent = t.parent // as stored, however the reader would qualify it
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

// encodeFeature is a feature's GeoJSON, as GET answers it in CRS84
// without its links: the representation ETags and merge patches work on.
func encodeFeature(f *cim.Feature) ([]byte, error) {
	var buf bytes.Buffer
	gw := geojson.NewWriter(&buf, true)
	if err := gw.Write(f); err != nil {
		return nil, err
	}
	if err := gw.Close(); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// itemTag is the strong ETag of a feature: the SHA-256 of its GeoJSON in
// CRS84, or of that and the CRS for another one.
func itemTag(f *cim.Feature, crsURI string) (string, error) {
	b, err := encodeFeature(f)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(b)
	if crsURI != "" && crsURI != CRS84 {
		h.Write([]byte("\n" + crsURI))
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`, nil
}

// ifMatch reports whether the request's If-Match, if any, lets a write
// to the feature whose current ETag is tag go ahead: no header, "*", or
// a list naming tag (strong comparison: weak tags never match).
func ifMatch(r *http.Request, tag string) (given, ok bool) {
	vs := r.Header.Values("If-Match")
	if len(vs) == 0 {
		return false, true
	}
	for _, v := range vs {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t == "*" || t == tag {
				return true, true
			}
		}
	}
	return true, false
}

// readBody reads a write's body, or answers 413 (over the bound) or 400
// and returns false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var me *http.MaxBytesError
	switch {
	case errors.As(err, &me):
		problem.Status(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over %d bytes", me.Limit))
		return nil, false
	case err != nil:
		problem.Status(w, r, http.StatusBadRequest, "reading the body: "+err.Error())
		return nil, false
	}
	return b, true
}

// writeParams reads dataset= and stage= of a write, or answers 400.
func writeParams(w http.ResponseWriter, r *http.Request) (string, cim.Stage, bool) {
	q := r.URL.Query()
	st := cim.StageAny
	if s := q.Get("stage"); s != "" {
		var err error
		if st, err = cim.ParseStage(s); err != nil {
			badParam(w, r, &problem.ParamError{Name: "stage", Value: s, Reason: err.Error()})
			return "", 0, false
		}
	}
	return q.Get("dataset"), st, true
}

// itemURL is where GET finds f: its path, and dataset= and stage= so
// that it is found whatever the view sees.
func itemURL(r *http.Request, f *cim.Feature) string {
	v := url.Values{"dataset": {f.Dataset}, "stage": {f.Stage.String()}}
	return baseURL(r) + "/collections/" + f.Class.String() + "/items/" + url.PathEscape(f.ID) + "?" + v.Encode()
}

// answerFeature answers a written feature with its ETag and Location.
func (h *Handler) answerFeature(w http.ResponseWriter, r *http.Request, status int, f *cim.Feature) {
	b, err := encodeFeature(f)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, "feature "+f.ID+": "+err.Error())
		return
	}
	tag, _ := itemTag(f, CRS84)
	w.Header().Set("ETag", tag)
	w.Header().Set("Location", itemURL(r, f))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", typeGeoJSON)
	w.Header().Set("Content-Crs", "<"+CRS84+">")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// errBusy is a write that could not begin before its request's deadline:
// another write (an ingest) holds the store.
var errBusy = errors.New("the store is busy with another write (an ingest?) and this one could not begin in time: try again")

// begin starts a batch, giving up when ctx ends first; a batch that
// begins after that is aborted at once.
func begin(ctx context.Context, s *index.Store) (*index.Batch, error) {
	type result struct {
		b   *index.Batch
		err error
	}
	got := make(chan result, 1)
	go func() {
		b, err := s.Begin()
		got <- result{b, err}
	}()
	select {
	case r := <-got:
		return r.b, r.err
	case <-ctx.Done():
		go func() {
			if r := <-got; r.err == nil {
				r.b.Abort()
			}
		}()
		return nil, errBusy
	}
}

// commit runs one batch: it checks, under the store's write lock, that
// the feature at dataset, stage and id has ETag want ("" for none), then
// puts put or, if put is nil, deletes the feature. It reports whether the
// feature was as expected; nothing is written when it was not or on an
// error.
func (h *Handler) commit(ctx context.Context, what, dataset string, stage cim.Stage, id, want string, put *cim.Feature) (ok bool, err error) {
	b, err := begin(ctx, h.store)
	if err != nil {
		return false, err
	}
	b.Describe(what)
	defer func() {
		if !ok || err != nil {
			b.Abort()
		}
	}()
	sn, err := h.store.Snapshot()
	if err != nil {
		return false, err
	}
	cur, err := sn.Get(dataset, stage, id)
	sn.Close()
	var tag string
	switch {
	case errors.Is(err, index.ErrNotFound):
	case err != nil:
		return false, err
	default:
		if tag, err = itemTag(cur, CRS84); err != nil {
			return false, err
		}
	}
	if tag != want {
		return false, nil
	}
	if put != nil {
		err = b.Put(put)
	} else {
		_, err = b.Delete(dataset, stage, id)
	}
	if err != nil {
		return false, err
	}
	_, err = b.Commit()
	return err == nil, err
}

// storeError answers an error of the store.
func storeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", "5")
		problem.Status(w, r, http.StatusServiceUnavailable, err.Error())
		return
	}
	if errors.Is(err, index.ErrClosed) || errors.Is(err, index.ErrReadOnly) {
		problem.Status(w, r, http.StatusServiceUnavailable, "the store takes no writes: "+err.Error())
		return
	}
	problem.Status(w, r, http.StatusInternalServerError, err.Error())
}

// serveCreate answers POST /collections/{c}/items.
func (h *Handler) serveCreate(w http.ResponseWriter, r *http.Request) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	ds, st, ok := writeParams(w, r)
	if !ok {
		return
	}
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	t := target{class: c}
	t.dflt.dataset, t.dflt.stage = ds, st
	f, err := decodeFeature(b, t)
	if err != nil {
		problem.Status(w, r, http.StatusBadRequest, err.Error())
		return
	}
	created, err := h.commit(r.Context(), "api "+r.Method+" "+r.URL.Path, f.Dataset, f.Stage, f.ID, "", f)
	switch {
	case err != nil:
		storeError(w, r, err)
	case !created:
		w.Header().Set("Location", itemURL(r, f))
		problem.Status(w, r, http.StatusConflict, fmt.Sprintf("dataset %q already holds %q at stage %s: replace it with PUT, or give another id", f.Dataset, f.ID, f.Stage))
	default:
		h.answerFeature(w, r, http.StatusCreated, f)
	}
}

// serveReplace answers PUT /collections/{c}/items/{id}.
func (h *Handler) serveReplace(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	h.change(w, r, func(cur *cim.Feature) (*cim.Feature, error) {
		return decodeFeature(b, target{class: cur.Class, dataset: cur.Dataset, stage: cur.Stage, id: cur.ID, parent: cur.Parent})
	})
}

// serveUpdate answers PATCH /collections/{c}/items/{id}: an RFC 7396
// merge patch of the feature's GeoJSON.
func (h *Handler) serveUpdate(w http.ResponseWriter, r *http.Request) {
	b, ok := readBody(w, r)
	if !ok {
		return
	}
	if err := checkDepth(b); err != nil {
		problem.Status(w, r, http.StatusBadRequest, err.Error())
		return
	}
	var patch any
	if err := json.Unmarshal(b, &patch); err != nil {
		problem.Status(w, r, http.StatusBadRequest, "the body is not a JSON merge patch: "+err.Error())
		return
	}
	h.change(w, r, func(cur *cim.Feature) (*cim.Feature, error) {
		doc, err := encodeFeature(cur)
		if err != nil {
			return nil, err
		}
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, err
		}
		merged, err := json.Marshal(mergePatch(v, patch))
		if err != nil {
			return nil, err
		}
		return decodeFeature(merged, target{class: cur.Class, dataset: cur.Dataset, stage: cur.Stage, id: cur.ID, parent: cur.Parent})
	})
}

// serveDelete answers DELETE /collections/{c}/items/{id}.
func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request) {
	h.change(w, r, func(*cim.Feature) (*cim.Feature, error) { return nil, nil })
}

// change runs a write to the feature of the request's path: it reads the
// feature as GET does (404, 409), checks If-Match (412), makes the new
// feature with next (nil: delete; an error: 400), and commits it if the
// feature has not changed since it was read. When it has, a request with
// If-Match gets 412; one without is tried again, on the new feature.
func (h *Handler) change(w http.ResponseWriter, r *http.Request, next func(cur *cim.Feature) (*cim.Feature, error)) {
	c, ok := class(w, r)
	if !ok {
		return
	}
	p, err := ParseParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	if p.AsOf != "" {
		badParam(w, r, &problem.ParamError{Name: "as_of", Value: p.AsOf, Reason: "a write changes the store as it is: the past stays as it was"})
		return
	}
	for range writeAttempts {
		cur, sn, ok := h.item(w, r, c, p)
		if !ok {
			return
		}
		sn.Close()
		tag, err := itemTag(cur, CRS84)
		if err != nil {
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		given, ok := ifMatch(r, tag)
		if !ok {
			problem.Status(w, r, http.StatusPreconditionFailed, fmt.Sprintf("If-Match does not name the feature's current ETag %s: it changed since it was read; GET it again", tag))
			return
		}
		f, err := next(cur)
		var be *BodyError
		switch {
		case errors.As(err, &be):
			problem.Status(w, r, http.StatusBadRequest, err.Error())
			return
		case err != nil:
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		done, err := h.commit(r.Context(), "api "+r.Method+" "+r.URL.Path, cur.Dataset, cur.Stage, cur.ID, tag, f)
		switch {
		case err != nil:
			storeError(w, r, err)
			return
		case done && f == nil:
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		case done:
			h.answerFeature(w, r, http.StatusOK, f)
			return
		case given:
			problem.Status(w, r, http.StatusPreconditionFailed, fmt.Sprintf("the feature changed while this request was read (its ETag was %s): GET it again", tag))
			return
		}
	}
	problem.Status(w, r, http.StatusConflict, fmt.Sprintf("the feature kept changing under this request (%d tries): try again", writeAttempts))
}

// mergePatch applies an RFC 7396 JSON merge patch to target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}
