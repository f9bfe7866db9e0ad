package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/future-community/cim/ingest"
	"github.com/future-community/cim/problem"
	"github.com/urfave/cli/v2"
)

// remoteError is a failure answered by the server or on the way to it;
// env marks the server's or the network's fault rather than the file's.
type remoteError struct {
	msg string
	env bool
}

func (e *remoteError) Error() string { return e.msg }

// runRemoteIngest loads each file through the ingest endpoint of the
// cim serve at base (POST /datasets/{name}/ingest), streaming it, and
// prints the server's reports as a local ingest prints its own.
func runRemoteIngest(c *cli.Context, out, base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--server %q: want the URL cim serve printed, such as http://127.0.0.1:8080", base)
	}
	base = strings.TrimRight(base, "/")
	if c.IsSet("memory") || c.IsSet("tmpdir") {
		return usagef("--memory and --tmpdir are the local ingest's; the server uses its own")
	}
	stderr := c.App.ErrWriter
	var reports []ingest.Report
	var rev uint64
	failed, envFailed := false, false
	for _, path := range c.Args().Slice() {
		rep, err := postFile(c.Context, c, base, path)
		if err != nil {
			rep.Error = err.Error()
			failed = true
			var re *remoteError
			env := !errors.As(err, &re) || re.env
			envFailed = envFailed || env
			if out == "table" {
				if env {
					fmt.Fprintf(stderr, "cim: ingest %s: %v\n", path, err)
				} else {
					// The server's message says that nothing was stored.
					fmt.Fprintf(stderr, "cim: ingest %v\n", err)
				}
			}
		} else {
			rev = rep.Revision
		}
		reports = append(reports, rep)
		if envFailed || errors.Is(err, context.Canceled) {
			break // the next file would fail the same way
		}
	}
	if out == "json" {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"server": base, "revision": rev, "files": reports}); err != nil {
			return err
		}
	} else {
		printIngestTable(c.App.Writer, reports)
		if rev > 0 {
			fmt.Fprintf(c.App.Writer, "server %s at revision %d\n", base, rev)
		}
	}
	switch {
	case envFailed:
		return cli.Exit("", exitEnv)
	case failed:
		return cli.Exit("", exitInput)
	}
	return nil
}

// postFile streams one file (an IMDF folder as a zip) to the server.
func postFile(ctx context.Context, c *cli.Context, base, path string) (ingest.Report, error) {
	rep := ingest.Report{File: path}
	st, err := os.Stat(path)
	if err != nil {
		return rep, &remoteError{msg: fmt.Sprintf("%s: %v (nothing was sent)", path, errors.Unwrap(err))}
	}
	dataset := c.String("dataset")
	if dataset == "" {
		dataset = ingest.DatasetName(path)
	}
	q := url.Values{"file": {filepath.Base(path)}}
	for _, f := range []string{"stage", "crs", "anchor"} {
		if v := c.String(f); v != "" {
			q.Set(f, v)
		}
	}
	for _, f := range []string{"replace", "skip-invalid"} {
		if c.Bool(f) {
			q.Set(f, "true")
		}
	}
	var body io.ReadCloser
	size := int64(-1)
	if st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "manifest.json")); err != nil {
			return rep, &remoteError{msg: fmt.Sprintf("%s is a directory without an IMDF manifest.json (give a file, or an IMDF folder)", path)}
		}
		q.Set("file", filepath.Base(path)+".zip")
		body = streamFolderZip(path)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return rep, &remoteError{msg: fmt.Sprintf("%s: %v", path, err)}
		}
		body, size = f, st.Size()
	}
	defer body.Close()
	target := base + "/datasets/" + url.PathEscape(dataset) + "/ingest?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, body)
	if err != nil {
		return rep, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream") // the server tells the format from the content
	if tok := c.String("token"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return rep, err
		}
		return rep, &remoteError{msg: fmt.Sprintf("cannot reach the server %s: %v", base, err), env: true}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			return ingest.Report{File: path}, &remoteError{msg: fmt.Sprintf("the server's answer: %v", err), env: true}
		}
		rep.File = path
		return rep, nil
	}
	var p problem.Details
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(b, &p) != nil || p.Detail == "" {
		p.Detail = strings.TrimSpace(string(b))
	}
	switch resp.StatusCode {
	case http.StatusForbidden:
		return rep, &remoteError{msg: fmt.Sprintf("the server %s takes no writes (%s): start cim serve with --token or CIM_TOKEN, and give the same token here", base, p.Detail), env: true}
	case http.StatusUnauthorized:
		return rep, &remoteError{msg: fmt.Sprintf("the server %s refused the token (%s): give its write token with --token or CIM_TOKEN", base, p.Detail), env: true}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return rep, &remoteError{msg: p.Detail}
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return rep, &remoteError{msg: fmt.Sprintf("%s does not take ingests (%d %s): is --server a cim serve of this version?", base, resp.StatusCode, p.Detail), env: true}
	}
	return rep, &remoteError{msg: fmt.Sprintf("the server answered %s: %s", resp.Status, p.Detail), env: true}
}

// streamFolderZip streams the files of an IMDF folder as a zip.
func streamFolderZip(dir string) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		zw := zip.NewWriter(pw)
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			w, err := zw.Create(filepath.ToSlash(rel))
			if err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		})
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}
