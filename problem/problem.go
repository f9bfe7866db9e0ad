// Package problem writes HTTP error answers as RFC 9457 problem details
// (application/problem+json), the form every cim endpoint uses.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ContentType is the media type of a problem details document.
const ContentType = "application/problem+json"

// Details is an RFC 9457 problem details object. Type is left out, which
// the RFC reads as "about:blank": the status says what kind of problem it
// is, and Title is the status text unless given.
type Details struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	// Instance is the request's path.
	Instance string `json:"instance,omitempty"`
	// Parameter and Value name a bad query parameter (an extension
	// member, as the RFC allows).
	Parameter string `json:"parameter,omitempty"`
	Value     string `json:"value,omitempty"`
}

// Write answers the request with the problem.
func Write(w http.ResponseWriter, r *http.Request, p Details) {
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	body, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	w.WriteHeader(p.Status)
	w.Write(append(body, '\n'))
}

// Status answers with status and a detail message.
func Status(w http.ResponseWriter, r *http.Request, status int, detail string) {
	Write(w, r, Details{Status: status, Detail: detail})
}

// ParamError is a bad query parameter: a 400 problem that names it.
type ParamError struct {
	Name, Value, Reason string
}

func (e *ParamError) Error() string {
	return "parameter " + e.Name + "=" + strconv.Quote(e.Value) + ": " + e.Reason
}

// BadParam answers 400 for e.
func BadParam(w http.ResponseWriter, r *http.Request, e *ParamError) {
	Write(w, r, Details{Status: http.StatusBadRequest, Title: "Bad query parameter", Detail: e.Error(), Parameter: e.Name, Value: e.Value})
}
