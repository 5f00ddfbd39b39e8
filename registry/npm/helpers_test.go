package npm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.etcd.io/bbolt"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/crypto"
	"github.com/verq/verq/registry/node/events"
	"github.com/verq/verq/registry/node/util"
	"github.com/verq/verq/registry/npm/tarball"
)

// openDB opens a fresh bbolt file in a test directory.
func openDB(tb testing.TB) *bbolt.DB {
	tb.Helper()
	db, err := bbolt.Open(filepath.Join(tb.TempDir(), "verq.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// pkgJSON renders a package.json.
func pkgJSON(name, version string, extra map[string]any) string {
	m := map[string]any{"name": name, "version": version}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b)
}

// tgz builds a package tarball from path -> content.
func tgz(tb testing.TB, files map[string]string) []byte {
	tb.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var fs []tarball.File
	for _, p := range paths {
		fs = append(fs, tarball.File{Path: p, Data: []byte(files[p])})
	}
	b, err := tarball.Bytes(fs)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// newTestStore returns a Store over db with a fixed clock.
func newTestStore(db *bbolt.DB, registryURL string, progress *bytes.Buffer) *Store {
	opts := Options{Registry: registryURL, Now: func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) }}
	if progress != nil {
		opts.Progress = &syncWriter{b: progress}
	}
	s := NewStore(db, opts)
	s.fetch.retryWait = time.Millisecond
	return s
}

type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// addLocal stores a tarball built from files, failing the test on error.
func addLocal(tb testing.TB, s *Store, files map[string]string) *AddResult {
	tb.Helper()
	res, err := s.AddTarball(context.Background(), bytes.NewReader(tgz(tb, files)), "test.tgz", AddOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// fakeVersion is one version served by fakeRegistry.
type fakeVersion struct {
	deps, optional, peers map[string]string
	deprecated            string
	files                 map[string]string // extra files besides package.json
	tgz                   []byte            // built on first serve
	corrupt               bool              // serve bytes that do not match the integrity
	noIntegrity           bool              // publish only a shasum
	os                    []string
}

// fakeRegistry is an npm registry over httptest serving packuments and tarballs.
type fakeRegistry struct {
	tb   testing.TB
	srv  *httptest.Server
	mu   sync.Mutex
	pkgs map[string]map[string]*fakeVersion
	tags map[string]map[string]string
	hits map[string]int
	fail map[string]int // path -> status to answer
	// flaky answers 503 to a path this many times before serving it.
	flaky map[string]int
}

func newFakeRegistry(tb testing.TB) *fakeRegistry {
	r := &fakeRegistry{tb: tb, pkgs: map[string]map[string]*fakeVersion{}, tags: map[string]map[string]string{},
		hits: map[string]int{}, fail: map[string]int{}, flaky: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.srv.Close)
	return r
}

// add publishes a version; the latest tag follows the last added unless set with tag.
func (r *fakeRegistry) add(name, version string, v *fakeVersion) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pkgs[name] == nil {
		r.pkgs[name] = map[string]*fakeVersion{}
		r.tags[name] = map[string]string{}
	}
	r.pkgs[name][version] = v
	r.tags[name]["latest"] = version
}

func (r *fakeRegistry) tag(name, tag, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tags[name][tag] = version
}

func (r *fakeRegistry) tarballOf(name, version string, v *fakeVersion) []byte {
	if v.tgz == nil {
		files := map[string]string{"package.json": pkgJSON(name, version, map[string]any{
			"dependencies": v.deps, "optionalDependencies": v.optional, "peerDependencies": v.peers, "license": "MIT",
		})}
		for p, c := range v.files {
			files[p] = c
		}
		if _, ok := files["index.js"]; !ok {
			files["index.js"] = fmt.Sprintf("module.exports = %q;\n", name+"@"+version)
		}
		v.tgz = tgz(r.tb, files)
	}
	return v.tgz
}

func (r *fakeRegistry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := req.URL.EscapedPath()
	r.hits[p]++
	if r.flaky[p] > 0 {
		r.flaky[p]--
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if code := r.fail[p]; code != 0 {
		http.Error(w, "failure", code)
		return
	}
	if strings.HasPrefix(p, "/-/") {
		// /-/<escaped name>/<version>.tgz
		rest := strings.TrimPrefix(p, "/-/")
		i := strings.LastIndexByte(rest, '/')
		name := strings.Replace(rest[:i], "%2F", "/", 1)
		version := strings.TrimSuffix(rest[i+1:], ".tgz")
		v := r.pkgs[name][version]
		if v == nil {
			http.NotFound(w, req)
			return
		}
		data := r.tarballOf(name, version, v)
		if v.corrupt {
			data = append([]byte(nil), data...)
			data[len(data)/2] ^= 0xff
		}
		w.Write(data)
		return
	}
	name := strings.Replace(strings.TrimPrefix(p, "/"), "%2F", "/", 1)
	versions := r.pkgs[name]
	if versions == nil {
		http.NotFound(w, req)
		return
	}
	doc := map[string]any{"name": name, "dist-tags": r.tags[name]}
	vs := map[string]any{}
	for ver, v := range versions {
		data := r.tarballOf(name, ver, v)
		dist := map[string]any{"tarball": r.srv.URL + "/-/" + strings.Replace(name, "/", "%2F", 1) + "/" + ver + ".tgz"}
		sum := sha1.Sum(data)
		dist["shasum"] = hex.EncodeToString(sum[:])
		if !v.noIntegrity {
			dist["integrity"] = sriOf(data)
		}
		m := map[string]any{"name": name, "version": ver, "dist": dist}
		if v.deps != nil {
			m["dependencies"] = v.deps
		}
		if v.optional != nil {
			m["optionalDependencies"] = v.optional
		}
		if v.peers != nil {
			m["peerDependencies"] = v.peers
		}
		if v.deprecated != "" {
			m["deprecated"] = v.deprecated
		}
		if v.os != nil {
			m["os"] = v.os
		}
		vs[ver] = m
	}
	doc["versions"] = vs
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func (r *fakeRegistry) hitCount(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

// plainHost is a registry.Host over one runtime that is not a registry.LocalHost. Its Require serves
// the core modules events, util and crypto and counts the calls.
type plainHost struct {
	rt       *goja.Runtime
	core     map[string]registry.Provider
	loaded   map[string]goja.Value
	requires []string
}

func (h *plainHost) Context() context.Context           { return context.Background() }
func (h *plainHost) Reserve() func(func(*goja.Runtime)) { return func(fn func(*goja.Runtime)) {} }
func (h *plainHost) HTTPClient() *http.Client           { return nil }

func (h *plainHost) Require(spec string) (goja.Value, error) {
	h.requires = append(h.requires, spec)
	if v, ok := h.loaded[spec]; ok {
		return v, nil
	}
	p, ok := h.core[spec]
	if !ok {
		return nil, fmt.Errorf("Cannot find module '%s': the module is not available in the sandbox", spec)
	}
	v, err := p.Load(&registry.LoadRequest{Runtime: h.rt, Host: h, Name: spec})
	if err == nil {
		h.loaded[spec] = v
	}
	return v, err
}

// localHost adds per-runtime state, as the sandbox's host does.
type localHost struct {
	*plainHost
	locals map[any]any
}

func (h *localHost) Local(key any, create func() any) any {
	if v, ok := h.locals[key]; ok {
		return v
	}
	v := create()
	h.locals[key] = v
	return v
}

// harness runs JS in one runtime with a global require(spec) that loads stored packages
// ("name@version[/sub]") from a Source on every call, as a fresh Load.
type harness struct {
	tb   testing.TB
	rt   *goja.Runtime
	src  *Source
	host registry.Host
}

func newHarness(tb testing.TB, src *Source, local bool) *harness {
	rt := goja.New()
	ph := &plainHost{rt: rt, loaded: map[string]goja.Value{}, core: map[string]registry.Provider{
		"events": events.Module{}, "util": util.Module{}, "crypto": crypto.Module{},
	}}
	h := &harness{tb: tb, rt: rt, src: src, host: ph}
	if local {
		h.host = &localHost{plainHost: ph, locals: map[any]any{}}
	}
	rt.Set("require", func(call goja.FunctionCall) goja.Value {
		v, err := h.require(call.Argument(0).String())
		if err != nil {
			var ex *goja.Exception
			if ok := asException(err, &ex); ok {
				panic(ex)
			}
			panic(rt.NewGoError(err))
		}
		return v
	})
	return h
}

func asException(err error, ex **goja.Exception) bool {
	e, ok := err.(*goja.Exception)
	if ok {
		*ex = e
	}
	return ok
}

// require loads "name@version[/sub]".
func (h *harness) require(spec string) (goja.Value, error) {
	name, rest, _ := ParseSpec(spec)
	version, sub, _ := strings.Cut(rest, "/")
	p, ok := h.src.Find(name, version)
	if !ok {
		return nil, fmt.Errorf("Cannot find module '%s': not stored", spec)
	}
	return p.Load(&registry.LoadRequest{Runtime: h.rt, Host: h.host, Name: name, Version: version, Subpath: sub})
}

// run evaluates src and returns its completion value exported.
func (h *harness) run(src string) (any, error) {
	v, err := h.rt.RunString(src)
	if err != nil {
		return nil, err
	}
	return v.Export(), nil
}

// mustRun is run that fails the test on error.
func (h *harness) mustRun(src string) any {
	h.tb.Helper()
	v, err := h.run(src)
	if err != nil {
		h.tb.Fatalf("%s\n=> %v", src, err)
	}
	return v
}

// rawTarball builds a tarball from name/content pairs written as given (no "package/" prefix).
func rawTarball(tb testing.TB, pairs ...string) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for i := 0; i+1 < len(pairs); i += 2 {
		h := &tar.Header{Name: pairs[i], Mode: 0o644, Size: int64(len(pairs[i+1])), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			tb.Fatal(err)
		}
		tw.Write([]byte(pairs[i+1]))
	}
	tw.Close()
	zw.Close()
	return b.Bytes()
}

// symlinkTarball builds a package whose tarball holds a symbolic link.
func symlinkTarball(tb testing.TB) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	pj := pkgJSON("dep", "1.0.0", nil)
	tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: int64(len(pj)), Typeflag: tar.TypeReg})
	tw.Write([]byte(pj))
	tw.WriteHeader(&tar.Header{Name: "package/secrets", Linkname: "/etc/shadow", Typeflag: tar.TypeSymlink})
	tw.Close()
	zw.Close()
	return b.Bytes()
}
