package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/future-community/cim/problem"
)

// Access says who may read and write, by bearer tokens (RFC 6750). The
// zero Access lets anyone read and nobody write: a server never takes
// writes by default.
type Access struct {
	// Token allows writes (POST, PUT, PATCH and DELETE, other than the
	// routes in ReadPosts) to requests with "Authorization: Bearer
	// <Token>"; empty refuses every write (403).
	Token string
	// ReadToken, when set, is needed for reads too (Token also reads);
	// /healthz and CORS preflights stay open.
	ReadToken string
}

// readPosts are the POST routes that compute an answer and store
// nothing, such as a what-if check: they are reads.
var readPosts = map[string]bool{"POST /check": true}

// guard answers 401 or 403 for what a request may not do under a, before
// the mux runs it. It tells writes from reads by method and, for a POST,
// by the route that mux would give it; a request that no route takes
// passes, to get its 404 or 405.
func guard(next http.Handler, mux *http.ServeMux, a Access) http.Handler {
	token, read := digest(a.Token), digest(a.ReadToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		// A request no route takes gets its 404 or 405 from the mux.
		if pattern == "" || r.Method == http.MethodOptions || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		write := r.Method != http.MethodGet && r.Method != http.MethodHead && !readPosts[pattern]
		got, bearer := bearerToken(r)
		switch {
		case write && a.Token == "":
			problem.Status(w, r, http.StatusForbidden, "this server takes no writes: start cim serve with --token (or CIM_TOKEN) to allow them")
		case write && !bearer:
			challenge(w, r, "", "writes need Authorization: Bearer <token>")
		case write && !same(got, token):
			challenge(w, r, "invalid_token", "the token is not this server's write token")
		case write:
			next.ServeHTTP(w, r)
		case a.ReadToken == "":
			next.ServeHTTP(w, r)
		case !bearer:
			challenge(w, r, "", "this server needs Authorization: Bearer <token> for reads")
		case !same(got, read) && !(a.Token != "" && same(got, token)):
			challenge(w, r, "invalid_token", "the token is not this server's read token")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// challenge answers 401 with the Bearer challenge of RFC 6750 §3.
func challenge(w http.ResponseWriter, r *http.Request, code, detail string) {
	v := `Bearer realm="cim"`
	if code != "" {
		v += `, error="` + code + `"`
	}
	w.Header().Set("WWW-Authenticate", v)
	problem.Status(w, r, http.StatusUnauthorized, detail)
}

// bearerToken returns the request's bearer token.
func bearerToken(r *http.Request) ([]byte, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, false
	}
	tok = strings.TrimSpace(tok)
	return []byte(tok), tok != ""
}

// digest hashes a token so that comparisons take the same time whatever
// its length and the guess's.
func digest(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

// same compares a presented token with a token's digest in constant time.
func same(got []byte, want [sha256.Size]byte) bool {
	d := sha256.Sum256(got)
	return subtle.ConstantTimeCompare(d[:], want[:]) == 1
}

// privateCache keeps shared caches from storing answers that needed the
// read token (RFC 9111 §3.5): Cache-Control public becomes private.
func privateCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&privateWriter{ResponseWriter: w}, r)
	})
}

type privateWriter struct {
	http.ResponseWriter
	done bool
}

func (w *privateWriter) fix() {
	if w.done {
		return
	}
	w.done = true
	h := w.Header()
	if cc := h.Get("Cache-Control"); strings.Contains(cc, "public") {
		h.Set("Cache-Control", strings.ReplaceAll(cc, "public", "private"))
	}
}

func (w *privateWriter) WriteHeader(code int) { w.fix(); w.ResponseWriter.WriteHeader(code) }

func (w *privateWriter) Write(p []byte) (int, error) { w.fix(); return w.ResponseWriter.Write(p) }

func (w *privateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *privateWriter) Flush() {
	w.fix()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
