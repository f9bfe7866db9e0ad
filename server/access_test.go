package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/future-community/cim/problem"
)

// TestAccess: writes need the write token and are refused outright when
// none is configured; reads need the read token only when one is set;
// a what-if POST is a read; answers are problems with a Bearer challenge.
func TestAccess(t *testing.T) {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("done")) }
	mux.HandleFunc("GET /things", ok)
	mux.HandleFunc("POST /things", ok)
	mux.HandleFunc("DELETE /things/{id}", ok)
	mux.HandleFunc("POST /check", ok)
	mux.HandleFunc("GET /healthz", ok)

	const w, r = "s3cret-write", "s3cret-read"
	tests := []struct {
		name          string
		access        Access
		method, path  string
		authorization string
		status        int
		challenge     string // the WWW-Authenticate error, "-" for none
	}{
		{"read, no tokens", Access{}, "GET", "/things", "", 200, "-"},
		{"write, no token configured", Access{}, "POST", "/things", "Bearer anything", 403, "-"},
		{"delete, no token configured", Access{}, "DELETE", "/things/1", "", 403, "-"},
		{"what-if POST is a read", Access{}, "POST", "/check", "", 200, "-"},
		{"write, token, none sent", Access{Token: w}, "POST", "/things", "", 401, ""},
		{"write, wrong token", Access{Token: w}, "POST", "/things", "Bearer " + w + "x", 401, "invalid_token"},
		{"write, a prefix of the token", Access{Token: w}, "POST", "/things", "Bearer s3cret", 401, "invalid_token"},
		{"write, basic auth", Access{Token: w}, "POST", "/things", "Basic " + w, 401, ""},
		{"write, the token", Access{Token: w}, "POST", "/things", "Bearer " + w, 200, "-"},
		{"write, scheme in lower case", Access{Token: w}, "DELETE", "/things/1", "bearer " + w, 200, "-"},
		{"write, the read token", Access{Token: w, ReadToken: r}, "POST", "/things", "Bearer " + r, 401, "invalid_token"},
		{"read, read token, none sent", Access{ReadToken: r}, "GET", "/things", "", 401, ""},
		{"read, read token", Access{ReadToken: r}, "GET", "/things", "Bearer " + r, 200, "-"},
		{"read with the write token", Access{Token: w, ReadToken: r}, "GET", "/things", "Bearer " + w, 200, "-"},
		{"read, wrong read token", Access{ReadToken: r}, "GET", "/things", "Bearer nope", 401, "invalid_token"},
		{"what-if POST under a read token", Access{ReadToken: r}, "POST", "/check", "", 401, ""},
		{"healthz stays open", Access{ReadToken: r}, "GET", "/healthz", "", 200, "-"},
		{"preflight stays open", Access{ReadToken: r, Token: w}, "OPTIONS", "/things", "", 405, "-"},
		{"no route: 404", Access{}, "PUT", "/nosuch", "", 404, "-"},
		{"no such method: 405", Access{}, "PATCH", "/things", "", 405, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := guard(plainErrors(mux), mux, tt.access)
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}"))
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			ch := rec.Header().Get("WWW-Authenticate")
			switch {
			case tt.challenge == "-" && ch != "":
				t.Errorf("WWW-Authenticate %q on a %d", ch, rec.Code)
			case tt.challenge != "-" && !strings.HasPrefix(ch, `Bearer realm="cim"`):
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", ch)
			case tt.challenge != "-" && tt.challenge != "" && !strings.Contains(ch, `error="`+tt.challenge+`"`):
				t.Errorf("WWW-Authenticate %q, want error=%q", ch, tt.challenge)
			}
			if rec.Code >= 400 {
				if ct := rec.Header().Get("Content-Type"); ct != problem.ContentType {
					t.Fatalf("Content-Type %q", ct)
				}
				var p problem.Details
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Detail == "" {
					t.Errorf("problem %s (%v)", rec.Body, err)
				}
				if strings.Contains(rec.Body.String(), "s3cret") {
					t.Errorf("the answer repeats a token: %s", rec.Body)
				}
			}
		})
	}
}

// TestReadTokenAnswersArePrivate: with a read token, answers that a
// shared cache could hand to anyone say private, not public.
func TestReadTokenAnswersArePrivate(t *testing.T) {
	base, _ := serve(t, Config{Access: Access{ReadToken: "r"}})
	for _, path := range []string{"/tiles.json", sampleTile(), "/collections/building/items?limit=1"} {
		a := get(t, base+path, "Authorization", "Bearer r")
		if a.status != 200 {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		if cc := a.header.Get("Cache-Control"); strings.Contains(cc, "public") || !strings.Contains(cc, "private") {
			t.Errorf("%s: Cache-Control %q under a read token", path, cc)
		}
	}
	if cc := get(t, base+"/tiles.json", "Authorization", "Bearer r").header.Get("Cache-Control"); cc == "" {
		t.Error("no Cache-Control at all")
	}
}
