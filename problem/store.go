package problem

import (
	"errors"
	"net/http"

	"github.com/future-community/cim/index"
)

// Snapshot answers a request whose snapshot of the store could not be
// had (index.Store.SnapshotAsOf): an as_of that is malformed or ahead of
// the store is a 400 naming the parameter, one older than the history the
// store keeps a 410, a closed store a 503.
func Snapshot(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, index.ErrBadAsOf), errors.Is(err, index.ErrAhead):
		BadParam(w, r, &ParamError{Name: "as_of", Value: r.URL.Query().Get("as_of"), Reason: err.Error()})
	case errors.Is(err, index.ErrHistoryGone):
		Status(w, r, http.StatusGone, err.Error())
	case errors.Is(err, index.ErrClosed):
		Status(w, r, http.StatusServiceUnavailable, "the store is closed")
	default:
		Status(w, r, http.StatusInternalServerError, "the store: "+err.Error())
	}
}
