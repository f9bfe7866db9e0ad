package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/problem"
)

// MaxWait bounds a change feed's long poll (wait=), below the server's
// request timeout.
const MaxWait = 25 * time.Second

// changeParams are GET /changes's parameters.
type changeParams struct {
	after   index.ChangePos
	since   uint64
	limit   int
	filter  index.ChangeFilter
	classes []string
	wait    time.Duration
}

func parseChangeParams(q url.Values) (changeParams, error) {
	p := changeParams{limit: DefaultLimit}
	p.filter.Stage = cim.StageAny
	for k, vs := range q {
		if len(vs) > 1 {
			return p, &problem.ParamError{Name: k, Value: strings.Join(vs, ","), Reason: "given more than once"}
		}
		v := vs[0]
		var err error
		switch k {
		case "since":
			p.since, err = strconv.ParseUint(v, 10, 64)
			if err != nil {
				err = errors.New("want a revision: 0 for everything, else the revision the last answer gave")
			}
		case "after":
			p.after, err = parseChangePos(v)
		case "limit":
			p.limit, err = strconv.Atoi(v)
			if err != nil || p.limit < 1 || p.limit > MaxLimit {
				err = fmt.Errorf("want 1 to %d", MaxLimit)
			}
		case "dataset":
			p.filter.Dataset = v
		case "stage":
			p.filter.Stage, err = cim.ParseStage(v)
		case "class":
			for _, name := range strings.Split(v, ",") {
				c, cerr := cim.ParseClass(name)
				if cerr != nil {
					err = cerr
					break
				}
				p.filter.Classes = append(p.filter.Classes, c)
				p.classes = append(p.classes, c.String())
			}
		case "wait":
			if p.wait, err = time.ParseDuration(v); err != nil {
				var s int
				if s, err = strconv.Atoi(v); err == nil {
					p.wait = time.Duration(s) * time.Second
				}
			}
			if err != nil || p.wait < 0 || p.wait > MaxWait {
				err = fmt.Errorf("want a duration up to %v, as 30s or 30", MaxWait)
			}
		case "f":
			if v != "json" {
				err = errors.New("the change feed is JSON only")
			}
		default:
			return p, &problem.ParamError{Name: k, Value: v, Reason: "not a parameter of the change feed (since, after, limit, dataset, stage, class, wait)"}
		}
		if err != nil {
			return p, &problem.ParamError{Name: k, Value: v, Reason: err.Error()}
		}
	}
	if q.Get("after") == "" {
		p.after = index.Since(p.since)
	} else if p.after.Rev < p.since {
		return p, &problem.ParamError{Name: "after", Value: q.Get("after"), Reason: "before since: follow the next link as it is"}
	}
	return p, nil
}

// A change position is written rev.seq.i.
func formatChangePos(p index.ChangePos) string {
	return fmt.Sprintf("%d.%d.%d", p.Rev, p.Seq, p.I)
}

func parseChangePos(s string) (index.ChangePos, error) {
	var p index.ChangePos
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return p, errors.New("want the position a next link gave")
	}
	rev, err1 := strconv.ParseUint(parts[0], 10, 64)
	seq, err2 := strconv.ParseUint(parts[1], 10, 32)
	i, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || i < 0 {
		return p, errors.New("want the position a next link gave")
	}
	return index.ChangePos{Rev: rev, Seq: uint32(seq), I: i}, nil
}

// changeJSON is one change as the feed writes it.
type changeJSON struct {
	Revision   uint64 `json:"revision"`
	Kind       string `json:"kind"`
	ID         string `json:"id"`
	Collection string `json:"collection"`
	Dataset    string `json:"dataset"`
	Stage      string `json:"stage"`
	Href       string `json:"href"`
}

// serveChanges answers GET /changes: the features created, updated and
// deleted after revision since, oldest first, a page at a time, with the
// revision the answer read; wait= long-polls until there is one.
func (h *Handler) serveChanges(w http.ResponseWriter, r *http.Request) {
	p, err := parseChangeParams(r.URL.Query())
	if err != nil {
		badParam(w, r, err)
		return
	}
	ctx := r.Context()
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		h.streamChanges(w, r, p)
		return
	}
	if dl, ok := ctx.Deadline(); ok {
		p.wait = min(p.wait, time.Until(dl)-time.Second) // answer before the request times out
	}
	var deadline <-chan time.Time
	if p.wait > 0 {
		t := time.NewTimer(p.wait)
		defer t.Stop()
		deadline = t.C
	}
	for {
		sn, err := h.store.Snapshot()
		if err != nil {
			problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
			return
		}
		cs, next, more, err := sn.Changes(ctx, p.after, p.limit, p.filter)
		rev := sn.Revision()
		sn.Close()
		switch {
		case errors.Is(err, index.ErrHistoryGone):
			problem.Status(w, r, http.StatusGone, err.Error())
			return
		case errors.Is(err, index.ErrAhead):
			badParam(w, r, ahead(r, err))
			return
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return
		case err != nil:
			problem.Status(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		if len(cs) > 0 || deadline == nil {
			h.writeChanges(w, r, p, rev, cs, next, more)
			return
		}
		if more {
			// A read that passed over changes its filter left out, as far
			// as one read goes: read on before waiting.
			p.after = next
			continue
		}
		// Nothing yet: wait for the next commit, then read again from
		// where this read ended (what it passed over was filtered out).
		p.after = next
		select {
		case <-h.store.Changed(rev):
		case <-deadline:
			h.writeChanges(w, r, p, rev, nil, next, false)
			return
		case <-ctx.Done():
			return
		case <-h.draining:
			h.writeChanges(w, r, p, rev, nil, next, false)
			return
		}
	}
}

// streamChanges answers the change feed as server-sent events (Accept:
// text/event-stream), for EventSource: an event per change, named by its
// kind, its data the change as the JSON feed has it and its id the
// position after it, which EventSource sends back as Last-Event-ID when
// it reconnects. The stream ends a second before the request's timeout
// (or when the server shuts down); the client reconnects and goes on.
func (h *Handler) streamChanges(w http.ResponseWriter, r *http.Request, p changeParams) {
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		pos, err := parseChangePos(id)
		if err != nil {
			badParam(w, r, &problem.ParamError{Name: "Last-Event-ID", Value: id, Reason: err.Error()})
			return
		}
		p.after = pos
	}
	ctx := r.Context()
	end := make(<-chan time.Time)
	if dl, ok := ctx.Deadline(); ok {
		t := time.NewTimer(time.Until(dl) - time.Second)
		defer t.Stop()
		end = t.C
	}
	rc := http.NewResponseController(w)
	started := false
	base := baseURL(r)
	for {
		sn, err := h.store.Snapshot()
		if err != nil {
			if !started {
				problem.Status(w, r, http.StatusServiceUnavailable, "the store is closed")
			}
			return
		}
		cs, next, more, err := sn.Changes(ctx, p.after, p.limit, p.filter)
		rev := sn.Revision()
		sn.Close()
		if err != nil {
			switch {
			case started:
			case errors.Is(err, index.ErrAhead):
				badParam(w, r, ahead(r, err))
			case errors.Is(err, index.ErrHistoryGone):
				problem.Status(w, r, http.StatusGone, err.Error())
			default:
				problem.Status(w, r, http.StatusInternalServerError, err.Error())
			}
			return
		}
		if !started {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		for _, c := range cs {
			data, _ := json.Marshal(changeOf(base, c))
			if _, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", formatChangePos(c.Pos), c.Kind, data); err != nil {
				return
			}
		}
		p.after = next // past what the filter left out too
		rc.Flush()
		if more {
			continue
		}
		select {
		case <-h.store.Changed(rev):
		case <-end:
			return
		case <-ctx.Done():
			return
		case <-h.draining:
			return
		}
	}
}

func (h *Handler) writeChanges(w http.ResponseWriter, r *http.Request, p changeParams, rev uint64, cs []index.Change, next index.ChangePos, more bool) {
	base := baseURL(r)
	out := struct {
		Revision uint64       `json:"revision"`
		Since    uint64       `json:"since"`
		Changes  []changeJSON `json:"changes"`
		Links    []link       `json:"links"`
	}{Revision: rev, Since: p.since, Changes: []changeJSON{}}
	for _, c := range cs {
		out.Changes = append(out.Changes, changeOf(base, c))
	}
	v := url.Values{}
	if p.limit != DefaultLimit {
		v.Set("limit", strconv.Itoa(p.limit))
	}
	if p.filter.Dataset != "" {
		v.Set("dataset", p.filter.Dataset)
	}
	if p.filter.Stage != cim.StageAny {
		v.Set("stage", p.filter.Stage.String())
	}
	if len(p.classes) > 0 {
		v.Set("class", strings.Join(p.classes, ","))
	}
	self := maps.Clone(v)
	self.Set("since", strconv.FormatUint(p.since, 10))
	if r.URL.Query().Get("after") != "" {
		self.Set("after", r.URL.Query().Get("after"))
	}
	out.Links = append(out.Links, link{Href: base + "/changes?" + self.Encode(), Rel: "self", Type: typeJSON, Title: "This page"})
	if more {
		nv := maps.Clone(v)
		nv.Set("since", strconv.FormatUint(p.since, 10))
		nv.Set("after", formatChangePos(next))
		out.Links = append(out.Links, link{Href: base + "/changes?" + nv.Encode(), Rel: "next", Type: typeJSON, Title: "The next page"})
	} else {
		// Caught up: what comes next is after this answer's revision.
		pv := maps.Clone(v)
		pv.Set("since", strconv.FormatUint(rev, 10))
		pv.Set("wait", "25s")
		out.Links = append(out.Links, link{Href: base + "/changes?" + pv.Encode(), Rel: "poll", Type: typeJSON, Title: "The changes after this revision, when they come"})
	}
	body, err := json.Marshal(out)
	if err != nil {
		problem.Status(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.write(w, r, typeJSON, append(body, '\n'))
}

// ahead names the parameter of a position after the store's revision:
// after= when given, else since=.
func ahead(r *http.Request, err error) *problem.ParamError {
	name := "after"
	if r.URL.Query().Get(name) == "" {
		name = "since"
	}
	return &problem.ParamError{Name: name, Value: r.URL.Query().Get(name), Reason: err.Error()}
}

func changeOf(base string, c index.Change) changeJSON {
	q := url.Values{"dataset": {c.Dataset}, "stage": {c.Stage.String()}}
	return changeJSON{
		Revision: c.Revision, Kind: c.Kind.String(), ID: c.ID, Collection: c.Class.String(),
		Dataset: c.Dataset, Stage: c.Stage.String(),
		Href: base + "/collections/" + c.Class.String() + "/items/" + url.PathEscape(c.ID) + "?" + q.Encode(),
	}
}
