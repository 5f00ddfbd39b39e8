package npm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"
)

const (
	lodashIntegrity = "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg=="
	lodashFile      = "lodash-4.17.21.tgz"
)

// lodashTarball returns the real lodash 4.17.21 tarball: from testdata, else from the user cache
// directory, else downloaded once (not with -short) into that cache after verifying its integrity.
func lodashTarball(tb testing.TB) []byte {
	tb.Helper()
	ok := func(data []byte) bool {
		_, err := verifyIntegrity("lodash@4.17.21", data, lodashIntegrity, "")
		return err == nil
	}
	if data, err := os.ReadFile(filepath.Join("testdata", lodashFile)); err == nil && ok(data) {
		return data
	}
	cache := ""
	if dir, err := os.UserCacheDir(); err == nil {
		cache = filepath.Join(dir, "verq-test", lodashFile)
		if data, err := os.ReadFile(cache); err == nil && ok(data) {
			return data
		}
	}
	if testing.Short() {
		tb.Skip("skipping: needs the lodash 4.17.21 tarball (testdata or user cache) or the npm registry (run without -short)")
	}
	u := RegistryURL("", os.Getenv) + "/lodash/-/" + lodashFile
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		tb.Skipf("skipping: cannot download %s: %v", u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !ok(data) {
		tb.Skipf("skipping: cannot download %s (%s, %v)", u, resp.Status, err)
	}
	if cache != "" && os.MkdirAll(filepath.Dir(cache), 0o755) == nil {
		_ = os.WriteFile(cache, data, 0o644)
	}
	return data
}

// lodashSource stores lodash in a fresh database and returns a Source over it.
func lodashSource(b *testing.B) *Source {
	data := lodashTarball(b)
	db := openDB(b)
	s := NewStore(db, Options{})
	if _, err := s.AddTarball(context.Background(), bytes.NewReader(data), lodashFile, AddOptions{}); err != nil {
		b.Fatal(err)
	}
	return NewSource(db, SourceOptions{})
}

// BenchmarkRequireLodash_FirstInFreshRuntime is the first require('lodash@4.17.21') in a new
// runtime, with the compiled program already cached: runtime creation, running lodash's module
// code (which builds the whole library object) and the per-runtime module table.
func BenchmarkRequireLodash_FirstInFreshRuntime(b *testing.B) {
	src := lodashSource(b)
	p, ok := src.Find("lodash", "4.17.21")
	if !ok {
		b.Fatal("lodash not stored")
	}
	load := func() {
		rt := goja.New()
		h := &localHost{plainHost: &plainHost{rt: rt}, locals: map[any]any{}}
		v, err := p.Load(&registry.LoadRequest{Runtime: rt, Host: h, Name: "lodash", Version: "4.17.21"})
		if err != nil || v.ToObject(rt).Get("VERSION").String() != "4.17.21" {
			b.Fatalf("load: %v", err)
		}
	}
	load() // compile once
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		load()
	}
}

// BenchmarkRequireLodash_Warm is require('lodash@4.17.21') from JS in a runtime that has loaded it:
// the call into Go, Provider.Load and the per-runtime module table lookup.
func BenchmarkRequireLodash_Warm(b *testing.B) {
	src := lodashSource(b)
	p, _ := src.Find("lodash", "4.17.21")
	rt := goja.New()
	h := &localHost{plainHost: &plainHost{rt: rt}, locals: map[any]any{}}
	req := &registry.LoadRequest{Runtime: rt, Host: h, Name: "lodash", Version: "4.17.21"}
	rt.Set("require", func(call goja.FunctionCall) goja.Value {
		v, err := p.Load(req)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return v
	})
	fn, err := rt.RunString(`(function () { return require('lodash@4.17.21'); })`)
	if err != nil {
		b.Fatal(err)
	}
	call, _ := goja.AssertFunction(fn)
	first, err := call(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := call(nil)
		if err != nil || v != first {
			b.Fatalf("warm require: %v", err)
		}
	}
}

// BenchmarkAddLodash_FromLocalTarball is a full offline add of lodash into a fresh database:
// unpack, hash 1,054 files, one transaction with fsync.
func BenchmarkAddLodash_FromLocalTarball(b *testing.B) {
	data := lodashTarball(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := openDB(b)
		s := NewStore(db, Options{})
		b.StartTimer()
		if _, err := s.AddTarball(context.Background(), bytes.NewReader(data), lodashFile, AddOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkCompileLodash is what the program cache saves on every fresh runtime: compiling
// lodash.js (540 KB) with the module wrapper.
func BenchmarkCompileLodash(b *testing.B) {
	src := lodashSource(b)
	st, _ := src.pkg("lodash", "4.17.21")
	text, err := src.readBlob(st, st.files["lodash.js"], "lodash.js")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := compileModule("lodash@4.17.21/lodash.js", text, false); err != nil {
			b.Fatal(err)
		}
	}
}
