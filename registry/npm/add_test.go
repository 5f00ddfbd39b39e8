package npm

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/catalog"
)

// storedIDs lists every stored name@version.
func storedIDs(t *testing.T, s *Store) []string {
	t.Helper()
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range list {
		out = append(out, p.Name+"@"+p.Version)
	}
	return out
}

// assertEmpty checks that nothing at all was stored: no versions, files or blobs.
func assertEmpty(t *testing.T, db *bbolt.DB) {
	t.Helper()
	err := db.View(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketVersions, bucketFiles, bucketBlobs, bucketRefs} {
			if bk := tx.Bucket(b); bk != nil && bk.Stats().KeyN > 0 {
				t.Errorf("bucket %s holds %d keys after a failed add", b, bk.Stats().KeyN)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// closureRegistry publishes a small graph:
//
//	app@1.0.0 -> b ^1.0.0, c 1.x, d ^2.0.0
//	b: 1.0.0, 1.1.0, 1.2.0, 2.0.0 (latest 2.0.0); b@1.2.0 -> app ^1.0.0 (a cycle)
//	c@1.0.0 -> b ^1.1.0 (deduplicated onto b@1.2.0)
//	d@2.0.0 -> b ^2.0.0 (a second version of b)
func closureRegistry(t *testing.T) *fakeRegistry {
	r := newFakeRegistry(t)
	r.add("b", "1.0.0", &fakeVersion{})
	r.add("b", "1.1.0", &fakeVersion{})
	r.add("b", "1.2.0", &fakeVersion{deps: map[string]string{"app": "^1.0.0"}})
	r.add("b", "2.0.0", &fakeVersion{})
	r.add("c", "1.0.0", &fakeVersion{deps: map[string]string{"b": "^1.1.0"}})
	r.add("d", "2.0.0", &fakeVersion{deps: map[string]string{"b": "^2.0.0"}})
	r.add("app", "1.0.0", &fakeVersion{deps: map[string]string{"b": "^1.0.0", "c": "1.x", "d": "^2.0.0"}})
	return r
}

func TestStore_Add_ResolvesClosureLikeNpm(t *testing.T) {
	r := closureRegistry(t)
	db := openDB(t)
	var progress bytes.Buffer
	s := newTestStore(db, r.srv.URL, &progress)
	res, err := s.Add(context.Background(), "app@1.0.0", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"app@1.0.0", "b@1.2.0", "c@1.0.0", "d@2.0.0", "b@2.0.0"}; !reflect.DeepEqual(res.Added, want) {
		t.Fatalf("Added = %v, want %v", res.Added, want)
	}
	if want := map[string]string{"b": "1.2.0", "c": "1.0.0", "d": "2.0.0"}; !reflect.DeepEqual(res.Pinned, want) {
		t.Fatalf("Pinned = %v, want %v", res.Pinned, want)
	}
	pins := map[string]map[string]string{
		"b@1.2.0": {"app": "1.0.0"},
		"c@1.0.0": {"b": "1.2.0"},
		"d@2.0.0": {"b": "2.0.0"},
		"b@2.0.0": nil,
	}
	for id, want := range pins {
		name, version, _ := ParseSpec(id)
		d, err := s.Get(name, version)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d.Pinned, want) {
			t.Errorf("%s pins %v, want %v", id, d.Pinned, want)
		}
		if d.Direct != (id == "app@1.0.0") || d.License != "MIT" || d.Integrity == "" || d.Files != 2 {
			t.Errorf("%s record: %+v", id, d.Package)
		}
	}
	// One packument and one tarball request per package; each tarball gets a progress line.
	for _, p := range []string{"/app", "/b", "/c", "/d", "/-/b/1.2.0.tgz", "/-/b/2.0.0.tgz"} {
		if n := r.hitCount(p); n != 1 {
			t.Errorf("%s requested %d times, want 1", p, n)
		}
	}
	if n := r.hitCount("/-/b/1.0.0.tgz"); n != 0 {
		t.Errorf("b@1.0.0 downloaded although nothing needs it")
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	if len(lines) != 5 || !strings.Contains(progress.String(), "fetched b@2.0.0: ") || !strings.Contains(lines[0], " bytes in ") {
		t.Errorf("progress:\n%s", progress.String())
	}

	// Adding again downloads nothing and reports everything present.
	res, err = s.Add(context.Background(), "app@^1", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 0 || len(res.Present) != 1 || res.Package != "app@1.0.0" {
		t.Fatalf("second add: %+v", res)
	}
	if n := r.hitCount("/-/app/1.0.0.tgz"); n != 1 {
		t.Errorf("app tarball fetched %d times", n)
	}
	// A later add that needs one more version stores only that one.
	r.add("e", "1.0.0", &fakeVersion{deps: map[string]string{"b": "~1.1.0"}})
	res, err = s.Add(context.Background(), "e", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Added, []string{"e@1.0.0", "b@1.1.0"}) {
		t.Fatalf("Added = %v", res.Added)
	}
}

func TestStore_Add_ScopedNamesAndTags(t *testing.T) {
	r := newFakeRegistry(t)
	r.add("@acme/util", "1.0.0", &fakeVersion{})
	r.add("@acme/util", "2.0.0-beta.1", &fakeVersion{})
	r.tag("@acme/util", "latest", "1.0.0")
	r.tag("@acme/util", "beta", "2.0.0-beta.1")
	s := newTestStore(openDB(t), r.srv.URL, nil)
	for spec, want := range map[string]string{"@acme/util": "@acme/util@1.0.0", "@acme/util@beta": "@acme/util@2.0.0-beta.1"} {
		res, err := s.Add(context.Background(), spec, AddOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Package != want {
			t.Errorf("Add(%q) = %s, want %s", spec, res.Package, want)
		}
	}
	if r.hitCount("/@acme%2Futil") != 2 {
		t.Errorf("scoped packument path not requested as npm does: hits %v", r.hits)
	}
}

func TestStore_Add_OptionalAndPeerDependencies(t *testing.T) {
	r := newFakeRegistry(t)
	r.add("peer", "1.0.0", &fakeVersion{})
	r.add("native", "1.0.0", &fakeVersion{os: []string{"darwin"}})
	r.add("flaky", "1.0.0", &fakeVersion{corrupt: true})
	r.add("app", "1.0.0", &fakeVersion{
		peers:    map[string]string{"peer": "^1.0.0"},
		optional: map[string]string{"native": "^1.0.0", "flaky": "^1.0.0", "gone": "^1.0.0"},
	})
	s := newTestStore(openDB(t), r.srv.URL, nil)
	res, err := s.Add(context.Background(), "app@1.0.0", AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Added, []string{"app@1.0.0", "peer@1.0.0"}) {
		t.Fatalf("Added = %v", res.Added)
	}
	if !reflect.DeepEqual(res.Pinned, map[string]string{"peer": "1.0.0"}) {
		t.Fatalf("Pinned = %v", res.Pinned)
	}
	joined := strings.Join(res.Skipped, "\n")
	for _, want := range []string{"native@1.0.0 (optional dependency of app@1.0.0): platform-specific", "flaky@1.0.0 (optional): integrity check failed", "gone (optional dependency of app@1.0.0)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("Skipped lacks %q:\n%s", want, joined)
		}
	}
}

func TestStore_Add_FailuresStoreNothing(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(r *fakeRegistry)
		wantErr error
		wantSub string
	}{
		{
			name:    "integrity mismatch of a dependency",
			setup:   func(r *fakeRegistry) { r.pkgs["dep"]["1.0.0"].corrupt = true },
			wantErr: ErrIntegrity, wantSub: "dep@1.0.0: the tarball hashes to sha512-",
		},
		{
			name: "shasum mismatch when integrity is absent",
			setup: func(r *fakeRegistry) {
				r.pkgs["dep"]["1.0.0"].corrupt = true
				r.pkgs["dep"]["1.0.0"].noIntegrity = true
			},
			wantErr: ErrIntegrity, wantSub: "the tarball's sha1 is",
		},
		{
			name: "traversal entry in a dependency",
			setup: func(r *fakeRegistry) {
				r.pkgs["dep"]["1.0.0"].tgz = rawTarball(r.tb, "package/package.json", pkgJSON("dep", "1.0.0", nil), "package/../../evil.js", "x")
			},
			wantErr: ErrInvalidPackage, wantSub: `".." segment`,
		},
		{
			name: "symlink entry",
			setup: func(r *fakeRegistry) {
				r.pkgs["dep"]["1.0.0"].tgz = symlinkTarball(r.tb)
			},
			wantErr: ErrInvalidPackage, wantSub: "symbolic link",
		},
		{
			name:    "corrupt tarball",
			setup:   func(r *fakeRegistry) { r.pkgs["dep"]["1.0.0"].tgz = []byte("not a tarball at all") },
			wantErr: ErrInvalidPackage, wantSub: "not a gzip stream",
		},
		{
			name:    "download failure",
			setup:   func(r *fakeRegistry) { r.fail["/-/dep/1.0.0.tgz"] = 403 },
			wantErr: ErrFetch, wantSub: "403",
		},
		{
			name:    "server error after retries",
			setup:   func(r *fakeRegistry) { r.fail["/-/dep/1.0.0.tgz"] = 503 },
			wantErr: ErrFetch, wantSub: "503",
		},
		{
			name:    "missing dependency",
			setup:   func(r *fakeRegistry) { delete(r.pkgs, "dep") },
			wantErr: ErrFetch, wantSub: "dep not found (404)",
		},
		{
			name:    "unsatisfiable range",
			setup:   func(r *fakeRegistry) { r.pkgs["app"]["1.0.0"].deps["dep"] = "^9" },
			wantErr: ErrResolve, wantSub: `no version of dep satisfies "^9"`,
		},
		{
			name: "package.json of another package",
			setup: func(r *fakeRegistry) {
				r.pkgs["dep"]["1.0.0"].tgz = tgz(r.tb, map[string]string{"package.json": pkgJSON("other", "1.0.0", nil)})
			},
			wantErr: ErrInvalidPackage, wantSub: "holds package.json of other@1.0.0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newFakeRegistry(t)
			r.add("dep", "1.0.0", &fakeVersion{})
			r.add("ok", "1.0.0", &fakeVersion{})
			r.add("app", "1.0.0", &fakeVersion{deps: map[string]string{"dep": "^1.0.0", "ok": "1"}})
			tc.setup(r)
			db := openDB(t)
			s := newTestStore(db, r.srv.URL, nil)
			_, err := s.Add(context.Background(), "app@1.0.0", AddOptions{})
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("err = %v\nwant %v containing %q", err, tc.wantErr, tc.wantSub)
			}
			assertEmpty(t, db)
		})
	}
}

func TestStore_AddTarball_Offline(t *testing.T) {
	db := openDB(t)
	s := newTestStore(db, "http://127.0.0.1:1", nil)
	app := map[string]string{
		"package.json": pkgJSON("app", "1.0.0", map[string]any{"dependencies": map[string]string{"dep": "^1.0.0", "other": "~2.0.0"}, "license": "ISC"}),
		"index.js":     "module.exports = require('dep');",
	}
	_, err := s.AddTarball(context.Background(), bytes.NewReader(tgz(t, app)), "app.tgz", AddOptions{})
	if !errors.Is(err, ErrMissingDependency) || !strings.Contains(err.Error(), "dep@^1.0.0, other@~2.0.0") {
		t.Fatalf("err = %v", err)
	}
	assertEmpty(t, db)

	for _, v := range []string{"1.0.0", "1.5.0", "2.0.0"} {
		addLocal(t, s, map[string]string{"package.json": pkgJSON("dep", v, nil)})
	}
	addLocal(t, s, map[string]string{"package.json": pkgJSON("other", "2.0.3", nil)})
	res := addLocal(t, s, app)
	if !reflect.DeepEqual(res.Pinned, map[string]string{"dep": "1.5.0", "other": "2.0.3"}) {
		t.Fatalf("Pinned = %v", res.Pinned)
	}
	d, err := s.Get("app", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != "test.tgz" || d.License != "ISC" || !strings.HasPrefix(d.Integrity, "sha512-") || !d.Direct {
		t.Fatalf("record %+v", d.Package)
	}
	// The same tarball again is a no-op; different content under the same version is refused.
	if res := addLocal(t, s, app); len(res.Added) != 0 || len(res.Present) != 1 {
		t.Fatalf("re-add: %+v", res)
	}
	app["index.js"] = "module.exports = 2;"
	_, err = s.AddTarball(context.Background(), bytes.NewReader(tgz(t, app)), "app2.tgz", AddOptions{})
	if !errors.Is(err, ErrInvalidPackage) || !strings.Contains(err.Error(), "already stored with different content") {
		t.Fatalf("err = %v", err)
	}
}

func TestStore_AddTarball_RefusesBadPackages(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantSub string
	}{
		{"no package.json", nil, "no package.json"},
		{"bad version", tgz(t, map[string]string{"package.json": pkgJSON("x", "1.0", nil)}), "not an exact semantic version"},
		{"bad name", tgz(t, map[string]string{"package.json": pkgJSON("../x", "1.0.0", nil)}), "name"},
		{"absolute entry", rawTarball(t, "/package/package.json", pkgJSON("x", "1.0.0", nil)), "absolute path"},
	}
	tests[0].data = tgz(t, map[string]string{"index.js": "1"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			s := newTestStore(db, "", nil)
			_, err := s.AddTarball(context.Background(), bytes.NewReader(tc.data), "x.tgz", AddOptions{})
			if !errors.Is(err, ErrInvalidPackage) || !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("err = %v, want %q", err, tc.wantSub)
			}
			assertEmpty(t, db)
		})
	}
}

func TestStore_Add_ListsInCatalog(t *testing.T) {
	cat, err := catalog.Open(t.TempDir()+"/verq.db", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateRuntime("tester", "node18", "v18.20.4"); err != nil {
		t.Fatal(err)
	}
	s := newTestStore(cat.DB(), "", nil)
	opts := AddOptions{Catalog: cat, Runtime: "node18", Actor: "tester"}
	res, err := s.AddTarball(context.Background(), bytes.NewReader(tgz(t, map[string]string{"package.json": pkgJSON("x", "1.0.0", nil)})), "x.tgz", opts)
	if err != nil || !res.Listed {
		t.Fatalf("res %+v, err %v", res, err)
	}
	m, err := cat.Module("node18", "x")
	if err != nil || m.Default != "1.0.0" {
		t.Fatalf("module %+v, err %v", m, err)
	}
	h, _ := cat.History("node18", 1)
	if len(h) != 1 || h[0].Actor != "tester" || h[0].Module != "x" {
		t.Fatalf("history %+v", h)
	}
	// Listing again is a no-op; a missing runtime fails before anything is stored.
	if res, err := s.AddTarball(context.Background(), bytes.NewReader(tgz(t, map[string]string{"package.json": pkgJSON("x", "1.0.0", nil)})), "x.tgz", opts); err != nil || res.Listed {
		t.Fatalf("res %+v, err %v", res, err)
	}
	opts.Runtime = "nope"
	_, err = s.AddTarball(context.Background(), bytes.NewReader(tgz(t, map[string]string{"package.json": pkgJSON("y", "1.0.0", nil)})), "y.tgz", opts)
	if !errors.Is(err, catalog.ErrRuntimeNotFound) {
		t.Fatalf("err = %v", err)
	}
	if ids := storedIDs(t, s); !reflect.DeepEqual(ids, []string{"x@1.0.0"}) {
		t.Fatalf("stored %v", ids)
	}
}

func TestStore_ContentAddressedFiles(t *testing.T) {
	db := openDB(t)
	s := newTestStore(db, "", nil)
	shared := strings.Repeat("// the same library code\n", 100)
	addLocal(t, s, map[string]string{"package.json": pkgJSON("lib", "1.0.0", nil), "index.js": shared, "copy.js": shared})
	addLocal(t, s, map[string]string{"package.json": pkgJSON("lib", "1.0.1", nil), "index.js": shared})
	blobs := func() int {
		n := 0
		db.View(func(tx *bbolt.Tx) error { n = tx.Bucket(bucketBlobs).Stats().KeyN; return nil })
		return n
	}
	// Two package.json files and one shared file.
	if n := blobs(); n != 3 {
		t.Fatalf("%d blobs, want 3", n)
	}
	res, err := s.Remove("lib", "1.0.0", RemoveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.FreedBlobs != 1 || blobs() != 2 {
		t.Fatalf("after removing 1.0.0: freed %d, blobs %d", res.FreedBlobs, blobs())
	}
	res, err = s.Remove("lib", "1.0.1", RemoveOptions{})
	if err != nil || res.FreedBlobs != 2 || blobs() != 0 {
		t.Fatalf("after removing 1.0.1: %+v, %v, blobs %d", res, err, blobs())
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestStore_Remove_Refusals(t *testing.T) {
	cat, err := catalog.Open(t.TempDir()+"/verq.db", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	for _, rt := range []string{"node12", "node18"} {
		if err := cat.CreateRuntime("t", rt, ""); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestStore(cat.DB(), "", nil)
	addLocal(t, s, map[string]string{"package.json": pkgJSON("dep", "1.0.0", nil)})
	addLocal(t, s, map[string]string{"package.json": pkgJSON("app", "1.0.0", map[string]any{"dependencies": map[string]string{"dep": "1"}})})
	if err := cat.AddVersion("t", "node18", "app", "1.0.0"); err != nil {
		t.Fatal(err)
	}

	_, err = s.Remove("app", "1.0.0", RemoveOptions{Catalog: cat})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), `listed in catalog runtime(s) node18`) {
		t.Fatalf("err = %v", err)
	}
	_, err = s.Remove("dep", "1.0.0", RemoveOptions{Catalog: cat})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "pinned dependency of app@1.0.0") {
		t.Fatalf("err = %v", err)
	}
	_, err = s.Remove("dep", "9.9.9", RemoveOptions{Catalog: cat})
	if !errors.Is(err, ErrNotStored) || !strings.Contains(err.Error(), "stored versions: [1.0.0]") {
		t.Fatalf("err = %v", err)
	}
	if ids := storedIDs(t, s); len(ids) != 2 {
		t.Fatalf("refused removals changed the store: %v", ids)
	}
	res, err := s.Remove("app", "1.0.0", RemoveOptions{Catalog: cat, Force: true})
	if err != nil || !reflect.DeepEqual(res.ListedIn, []string{"node18"}) {
		t.Fatalf("forced: %+v, %v", res, err)
	}
	if _, err := s.Remove("dep", "1.0.0", RemoveOptions{Catalog: cat}); err != nil {
		t.Fatalf("dep has no dependents any more: %v", err)
	}
	if ids := storedIDs(t, s); len(ids) != 0 {
		t.Fatalf("stored %v", ids)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestStore_List_SortsSemantically(t *testing.T) {
	s := newTestStore(openDB(t), "", nil)
	for _, v := range []string{"1.10.0", "1.2.0", "1.9.0"} {
		addLocal(t, s, map[string]string{"package.json": pkgJSON("x", v, nil)})
	}
	addLocal(t, s, map[string]string{"package.json": pkgJSON("a", "1.0.0", nil)})
	got := storedIDs(t, s)
	sort.SliceStable(got, func(i, j int) bool { return false })
	if want := []string{"a@1.0.0", "x@1.2.0", "x@1.9.0", "x@1.10.0"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
}

func TestStore_Add_RetriesTransientFailures(t *testing.T) {
	r := newFakeRegistry(t)
	r.add("x", "1.0.0", &fakeVersion{})
	r.flaky["/x"] = 1
	r.flaky["/-/x/1.0.0.tgz"] = 2
	s := newTestStore(openDB(t), r.srv.URL, nil)
	if _, err := s.Add(context.Background(), "x@1.0.0", AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if r.hitCount("/x") != 2 || r.hitCount("/-/x/1.0.0.tgz") != 3 {
		t.Fatalf("hits %v", r.hits)
	}
	r.add("y", "1.0.0", &fakeVersion{})
	r.flaky["/-/y/1.0.0.tgz"] = 3
	if _, err := s.Add(context.Background(), "y@1.0.0", AddOptions{}); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("err = %v after %d attempts", err, r.hitCount("/-/y/1.0.0.tgz"))
	}
}

func TestStore_Add_Cancelled(t *testing.T) {
	r := closureRegistry(t)
	db := openDB(t)
	s := newTestStore(db, r.srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Add(ctx, "app@1.0.0", AddOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	assertEmpty(t, db)
}

func TestStore_ReadOnlyDatabase(t *testing.T) {
	path := t.TempDir() + "/ro.db"
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestStore(db, "", nil)
	addLocal(t, s, map[string]string{"package.json": pkgJSON("x", "1.0.0", nil)})
	db.Close()
	ro, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s = newTestStore(ro, "", nil)
	if _, err := s.AddTarball(context.Background(), bytes.NewReader(tgz(t, map[string]string{"package.json": pkgJSON("y", "1.0.0", nil)})), "y.tgz", AddOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("add: %v", err)
	}
	if _, err := s.Remove("x", "1.0.0", RemoveOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("remove: %v", err)
	}
	if ids := storedIDs(t, s); !reflect.DeepEqual(ids, []string{"x@1.0.0"}) {
		t.Fatalf("list on a read-only database: %v", ids)
	}
	if _, ok := NewSource(ro, SourceOptions{}).Find("x", "1.0.0"); !ok {
		t.Fatal("a Source must work on a read-only database")
	}
}
