package tenant

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// RoundTripper returns an http.RoundTripper that serves every request through Handler inside this
// process, without a socket, whatever the request's host: point any HTTP client at
// https://<anything>/api/v2 with it. The whole response is buffered. If the request's context ends
// before the handler finishes, RoundTrip returns the context's error (a write already committing
// still completes).
func (t *Tenant) RoundTripper() http.RoundTripper { return inProcess{t.handler} }

type inProcess struct{ h http.Handler }

// RoundTrip serves req through the handler; see Tenant.RoundTripper.
func (rt inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	r2 := new(http.Request)
	*r2 = *req
	if r2.Body == nil {
		r2.Body = http.NoBody
	}
	if r2.Header == nil {
		r2.Header = http.Header{}
	}
	if r2.RequestURI == "" {
		r2.RequestURI = req.URL.RequestURI()
	}
	if r2.RemoteAddr == "" {
		r2.RemoteAddr = "in-process"
	}
	rec := &recorder{header: make(http.Header, 4)}
	if ctx.Done() == nil {
		rt.h.ServeHTTP(rec, r2)
	} else {
		done := make(chan struct{})
		go func() {
			defer close(done)
			rt.h.ServeHTTP(rec, r2)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	closeBody(req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	resp := &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		ContentLength: int64(len(body)),
		Request:       req,
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
	} else {
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// recorder is a minimal http.ResponseWriter that buffers the response.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

// Header implements http.ResponseWriter.
func (r *recorder) Header() http.Header { return r.header }

// WriteHeader implements http.ResponseWriter; only the first call counts.
func (r *recorder) WriteHeader(code int) {
	if r.wroteHeader {
		return
	}
	r.wroteHeader = true
	r.status = code
}

// Write implements http.ResponseWriter.
func (r *recorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.WriteHeader(http.StatusOK)
	}
	return r.body.Write(b)
}
