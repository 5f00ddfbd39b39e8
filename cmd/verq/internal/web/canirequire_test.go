package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
)

// canirequireDoc decodes a canirequire list strictly: only node_version and modules, entries of only
// name and version.
type canirequireDoc struct {
	NodeVersion string `json:"node_version"`
	Modules     []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"modules"`
}

func decodeCanirequire(t *testing.T, body []byte) canirequireDoc {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, []string{"modules", "node_version"}) {
		t.Fatalf("top-level keys %v", keys)
	}
	var entries []map[string]any
	if err := json.Unmarshal(raw["modules"], &entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if len(e) != 2 || e["name"] == nil || e["version"] == nil {
			t.Fatalf("entry %v: want exactly name and version", e)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var doc canirequireDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestServer_Canirequire(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SetModuleInfo("t", testRuntime, "auth0", "https://github.com/auth0/node-auth0", "the SDK"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetStatus("t", testRuntime, "auth0", "2.9.1", catalog.StatusBlocked, "leaks tokens"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetStatus("t", testRuntime, "auth0", "2.14.0", catalog.StatusDeprecated, "old"); err != nil {
		t.Fatal(err)
	}
	r := f.do("GET", "/canirequire", nil)
	wantStatus(t, r, http.StatusOK)
	if r.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("CORS header %q", r.Header().Get("Access-Control-Allow-Origin"))
	}
	doc := decodeCanirequire(t, r.Body.Bytes())
	if doc.NodeVersion != "v20.20.2" {
		t.Errorf("node_version %q", doc.NodeVersion)
	}
	// Natives first, then packages, each sorted by name; a module's versions stay together.
	seenPackage := false
	var natives, packages []string
	for _, m := range doc.Modules {
		if m.Version == catalog.NativeVersion {
			if seenPackage {
				t.Fatalf("native %s after a package", m.Name)
			}
			natives = append(natives, m.Name)
		} else {
			seenPackage = true
			packages = append(packages, m.Name)
		}
		if m.Name == "auth0" && m.Version == "2.9.1" {
			t.Errorf("blocked auth0@2.9.1 listed")
		}
	}
	if !slices.IsSorted(natives) || !slices.IsSorted(packages) || len(natives) != 58 {
		t.Errorf("order: %d natives sorted %v, packages sorted %v", len(natives), slices.IsSorted(natives), slices.IsSorted(packages))
	}
	if len(doc.Modules) != 308-1 {
		t.Errorf("%d entries, want 307", len(doc.Modules))
	}
	if !strings.Contains(r.body(), `"version": "2.14.0"`) {
		t.Error("deprecated auth0@2.14.0 missing")
	}

	r = f.do("GET", "/canirequire?runtime=default", nil)
	wantStatus(t, r, http.StatusOK)
	doc = decodeCanirequire(t, r.Body.Bytes())
	if doc.NodeVersion != "v18.20.4" || doc.Modules[0] != (struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}{"buffer", "native"}) {
		t.Errorf("default runtime list starts %+v (node %s)", doc.Modules[:1], doc.NodeVersion)
	}

	r = f.do("GET", "/canirequire?format=verquire", nil)
	wantStatus(t, r, http.StatusOK)
	var pk map[string][]string
	r.json(t, &pk)
	if pk["@auth0/rule-utilities"] == nil || pk["assert"] != nil || slices.Contains(pk["auth0"], "2.9.1") {
		t.Errorf("packages.json %v", pk["auth0"])
	}

	for target, code := range map[string]int{
		"/canirequire?runtime=nope":      http.StatusNotFound,
		"/canirequire?runtime=N0PE!":     http.StatusBadRequest,
		"/canirequire?format=xml":        http.StatusBadRequest,
		"/api/v1/runtimes/x/canirequire": http.StatusNotFound,
	} {
		r = f.do("GET", target, nil)
		wantStatus(t, r, code)
		r.errorBody(t)
	}
}

// TestCanirequire_RoundTrip imports the served list into an empty runtime the way `verq catalog import`
// does (ParseList, then Store.Import) and checks that it reproduces every requirable version and default.
func TestCanirequire_RoundTrip(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SetDefault("t", testRuntime, "lodash", "3.10.1"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetStatus("t", testRuntime, "request", "2.56.0", catalog.StatusBlocked, "CVE"); err != nil {
		t.Fatal(err)
	}
	r := f.do("GET", "/canirequire", nil)
	wantStatus(t, r, http.StatusOK)

	l, err := catalog.ParseList(r.Body.Bytes(), catalog.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != catalog.FormatCanirequire {
		t.Fatalf("parsed as %q", l.Format)
	}
	rt, ok := catalog.RuntimeFromNodeVersion(l.NodeVersion)
	if !ok || rt != testRuntime {
		t.Fatalf("runtime from node_version %q: %q %v", l.NodeVersion, rt, ok)
	}
	target := openEmptyStore(t)
	diff, err := target.Import("importer", "copy", l, catalog.ImportOptions{NodeVersion: l.NodeVersion})
	if err != nil {
		t.Fatal(err)
	}
	if !diff.CreatedRuntime || len(diff.Notes) != 0 {
		t.Errorf("diff %s, notes %v", diff.Summary(), diff.Notes)
	}
	src, err := f.store.Modules(testRuntime)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := target.Modules("copy")
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != len(dst) {
		t.Fatalf("%d modules, want %d", len(dst), len(src))
	}
	for i := range src {
		s, d := src[i], dst[i]
		var want []string
		for _, v := range s.Versions {
			if v.Status != catalog.StatusBlocked {
				want = append(want, v.Version)
			}
		}
		var got []string
		for _, v := range d.Versions {
			got = append(got, v.Version)
		}
		slices.Sort(want)
		slices.Sort(got)
		if s.Name != d.Name || s.Core != d.Core || s.Default != d.Default || !slices.Equal(want, got) {
			t.Errorf("module %s: got %+v default %q versions %v; want default %q versions %v", s.Name, d.Name, d.Default, got, s.Default, want)
		}
	}
	info, err := target.Runtime("copy")
	if err != nil {
		t.Fatal(err)
	}
	if info.NodeVersion != "v20.20.2" {
		t.Errorf("node_version %q", info.NodeVersion)
	}
}

func TestServer_ConditionalAndCompressed(t *testing.T) {
	f := newFixture(t)
	for i, target := range []string{"/canirequire", "/api/v1/modules?q=a", "/api/v1/runtimes", "/api/v1/modules/auth0", "/", "/modules/auth0", "/api/v1/resolve?spec=auth0"} {
		t.Run(target, func(t *testing.T) {
			r := f.do("GET", target, nil)
			wantStatus(t, r, http.StatusOK)
			tag := r.Header().Get("ETag")
			if !strings.HasPrefix(tag, `W/"`) || r.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("ETag %q, Cache-Control %q", tag, r.Header().Get("Cache-Control"))
			}
			r2 := f.do("GET", target, nil, "If-None-Match", tag)
			wantStatus(t, r2, http.StatusNotModified)
			if r2.Body.Len() != 0 || r2.Header().Get("ETag") != tag {
				t.Errorf("304 with body %q, ETag %q", r2.body(), r2.Header().Get("ETag"))
			}
			r3 := f.do("GET", target, nil, "If-None-Match", `"other", `+strings.TrimPrefix(tag, "W/"))
			wantStatus(t, r3, http.StatusNotModified)

			// A catalog write changes every tag.
			if err := f.store.AddVersion("t", testRuntime, "left-pad", "1.0."+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			r4 := f.do("GET", target, nil, "If-None-Match", tag)
			wantStatus(t, r4, http.StatusOK)
			if r4.Header().Get("ETag") == tag {
				t.Error("ETag unchanged after a write")
			}

			// Large bodies come gzip-compressed on request.
			rz := f.do("GET", target, nil, "Accept-Encoding", "br, gzip;q=0.8")
			if len(r4.Body.Bytes()) >= minGzipSize {
				if rz.Header().Get("Content-Encoding") != "gzip" || rz.Header().Get("Vary") != "Accept-Encoding" {
					t.Fatalf("Content-Encoding %q", rz.Header().Get("Content-Encoding"))
				}
				zr, err := gzip.NewReader(rz.Body)
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(plain, r4.Body.Bytes()) {
					t.Fatalf("gzip body differs (%v)", err)
				}
				rn := f.do("GET", target, nil, "Accept-Encoding", "gzip;q=0")
				if rn.Header().Get("Content-Encoding") != "" {
					t.Error("gzip sent although q=0")
				}
			}
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		r := f.do("HEAD", "/canirequire", nil)
		wantStatus(t, r, http.StatusOK)
		if r.Body.Len() != 0 || r.Header().Get("Content-Length") == "" {
			t.Errorf("HEAD body %d bytes, Content-Length %q", r.Body.Len(), r.Header().Get("Content-Length"))
		}
	})
	t.Run("preflight", func(t *testing.T) {
		r := f.do("OPTIONS", "/api/v1/modules", nil, "Origin", "https://example.org", "Access-Control-Request-Method", "GET")
		wantStatus(t, r, http.StatusNoContent)
		if r.Header().Get("Access-Control-Allow-Origin") != "*" || r.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD" {
			t.Errorf("preflight headers %v", r.Header())
		}
	})
}

func TestResponseCache_Bounded(t *testing.T) {
	c := newResponseCache(2)
	c.put(1, "a", &rendered{})
	c.put(1, "b", &rendered{})
	c.put(1, "c", &rendered{}) // full: starts over
	if c.get(1, "a") != nil || c.get(1, "c") == nil {
		t.Error("cache did not start over when full")
	}
	c.put(2, "d", &rendered{})
	if c.get(1, "c") != nil || c.get(2, "d") == nil {
		t.Error("old generation served")
	}
	c.put(1, "e", &rendered{}) // an older generation is never stored
	if c.get(1, "e") != nil {
		t.Error("stale generation stored")
	}
	off := newResponseCache(-1)
	off.put(1, "a", &rendered{})
	if off.get(1, "a") != nil {
		t.Error("disabled cache stored")
	}
}

func TestEtagMatches(t *testing.T) {
	tests := []struct {
		header, tag string
		want        bool
	}{
		{"", `W/"x"`, false},
		{`W/"x"`, `W/"x"`, true},
		{`"x"`, `W/"x"`, true},
		{`"y", W/"x"`, `W/"x"`, true},
		{`*`, `W/"x"`, true},
		{`"y"`, `W/"x"`, false},
	}
	for _, tt := range tests {
		if got := etagMatches(tt.header, tt.tag); got != tt.want {
			t.Errorf("etagMatches(%q, %q) = %v", tt.header, tt.tag, got)
		}
	}
}

// openEmptyStore opens a new catalog file (it holds only the built-in runtime).
func openEmptyStore(t *testing.T) *catalog.Store {
	t.Helper()
	st, err := catalog.Open(t.TempDir()+"/empty.db", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
