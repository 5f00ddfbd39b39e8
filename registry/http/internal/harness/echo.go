package harness

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Echo is the JSON document the echo server answers with: what it received.
type Echo struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Host    string            `json:"host"`
	Headers map[string]string `json:"headers"` // lower-case names, repeated values joined with ", "
	Body    string            `json:"body"`
}

// NewEchoServer starts a loopback server for module tests. Routes:
//
//	/anything         200, the Echo of the request as JSON
//	/status/N         status N with the Echo as JSON
//	/text             "plain text" as text/plain
//	/bom              a UTF-8 BOM followed by {"a":1}
//	/bytes            the 256 byte values 0..255 (application/octet-stream)
//	/empty            204 with no body
//	/invalid-json     "{not json" labelled application/json
//	/headers          two Set-Cookie lines, a repeated X-Multi and a repeated Content-Type
//	/slow?ms=N        answers after N ms (or when the client gives up)
//	/big?n=N          N bytes of 'x' with a Content-Length
//	/redirect/N       302 to /redirect/N-1; /redirect/0 echoes; ?status=S uses status S
//	/loop             302 to itself
func NewEchoServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(echo))
}

func echo(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/text":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "plain text")
		return
	case path == "/bom":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "\uFEFF{\"a\":1}")
		return
	case path == "/bytes":
		w.Header().Set("Content-Type", "application/octet-stream")
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(i)
		}
		w.Write(b)
		return
	case path == "/empty":
		w.WriteHeader(http.StatusNoContent)
		return
	case path == "/invalid-json":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{not json")
		return
	case path == "/headers":
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", "b=2; Path=/")
		w.Header().Add("X-Multi", "one")
		w.Header().Add("X-Multi", "two")
		w.Header().Add("Content-Type", "text/plain")
		w.Header().Add("Content-Type", "text/html")
		io.WriteString(w, "headers")
		return
	case path == "/slow":
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "slow")
		return
	case path == "/big":
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		io.WriteString(w, strings.Repeat("x", n))
		return
	case strings.HasPrefix(path, "/redirect/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, "/redirect/"))
		if n > 0 {
			status := http.StatusFound
			if s, err := strconv.Atoi(r.URL.Query().Get("status")); err == nil {
				status = s
			}
			target := fmt.Sprintf("/redirect/%d", n-1)
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, status)
			return
		}
	case path == "/loop":
		http.Redirect(w, r, "/loop", http.StatusFound)
		return
	}
	status := http.StatusOK
	if s, ok := strings.CutPrefix(path, "/status/"); ok {
		status, _ = strconv.Atoi(s)
	}
	body, _ := io.ReadAll(r.Body)
	e := Echo{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Host: r.Host,
		Headers: map[string]string{}, Body: string(body)}
	for k, v := range r.Header {
		e.Headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(e)
}
