package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.etcd.io/bbolt"
)

func TestOpen_NewFile_CreatedAndSeeded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	defer s.Close()

	st, err := os.Stat(path)
	mustNoErr(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	if s.Path() != path || s.ReadOnly() || s.DB() == nil {
		t.Errorf("Path=%q ReadOnly=%v DB=%v", s.Path(), s.ReadOnly(), s.DB())
	}
	info, err := s.Runtime(DefaultRuntime)
	mustNoErr(t, err)
	bMods, bVers, _ := builtinCounts(t)
	if !info.Builtin || info.NodeVersion != "v18.20.4" || info.Modules != bMods || info.Versions != bVers {
		t.Errorf("built-in runtime = %+v", info)
	}
	h, err := s.History(DefaultRuntime, 0)
	mustNoErr(t, err)
	if len(h) == 0 || h[len(h)-1].Action != "create-runtime" || h[len(h)-1].Actor != "builtin" {
		t.Fatalf("history does not start with the built-in creation: %+v", h[len(h)-1])
	}
}

func TestOpen_EmptyFile_TreatedAsNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	mustNoErr(t, os.WriteFile(path, nil, 0o600))
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	defer s.Close()
	if _, err := s.Module(DefaultRuntime, "auth0"); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Reopen_KeepsDataAndSeedsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	mustNoErr(t, s.AddVersion("alice", DefaultRuntime, "lodash", "4.17.21"))
	before, _ := s.History("", 0)
	mustNoErr(t, s.Close())
	mustNoErr(t, s.Close()) // idempotent
	_, err = s.Module(DefaultRuntime, "auth0")
	wantErr(t, err, nil, "database not open")
	wantErr(t, s.AddVersion("a", DefaultRuntime, "y", "1.0.0"), nil, "database not open")

	s, err = Open(path, Options{})
	mustNoErr(t, err)
	defer s.Close()
	after, _ := s.History("", 0)
	if len(after) != len(before) {
		t.Errorf("history grew on reopen: %d -> %d", len(before), len(after))
	}
	if _, err := s.Module(DefaultRuntime, "lodash"); err != nil {
		t.Error(err)
	}
}

func TestOpen_ReadOnly_MissingFileIsSeeded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "verq.db")
	s, err := Open(path, Options{ReadOnly: true})
	mustNoErr(t, err)
	defer s.Close()
	if !s.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	if _, err := s.Module(DefaultRuntime, "auth0"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(HolderPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("holder file left behind by the seeding open: %v", err)
	}
	// Close releases the read-only lock: a writer gets in at once.
	mustNoErr(t, s.Close())
	w, err := Open(path, Options{LockTimeout: -1})
	mustNoErr(t, err)
	mustNoErr(t, w.Close())
}

func TestStore_ReadOnly_WritesRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{ReadOnly: true})
	mustNoErr(t, err)
	defer s.Close()
	gen := s.Generation()
	l := &List{Entries: []ListEntry{{Name: "x", Version: "1.0.0"}}}
	writes := map[string]error{
		"CreateRuntime": s.CreateRuntime("a", "node18", ""),
		"AddVersion":    s.AddVersion("a", DefaultRuntime, "x", "1.0.0"),
		"RemoveVersion": s.RemoveVersion("a", DefaultRuntime, "auth0", "2.0.0"),
		"SetDefault":    s.SetDefault("a", DefaultRuntime, "auth0", "2.0.0"),
		"SetStatus":     s.SetStatus("a", DefaultRuntime, "auth0", "2.0.0", StatusBlocked, "r"),
		"SetModuleInfo": s.SetModuleInfo("a", DefaultRuntime, "auth0", "", ""),
	}
	_, writes["Import"] = s.Import("a", "x", l, ImportOptions{})
	for name, err := range writes {
		t.Run(name, func(t *testing.T) { wantErr(t, err, ErrReadOnly, path, "read-only") })
	}
	// A dry run only reads.
	d, err := s.Import("a", "x", l, ImportOptions{DryRun: true})
	mustNoErr(t, err)
	if !d.CreatedRuntime || len(d.AddedVersions) != 1 {
		t.Errorf("dry run on a read-only store: %+v", d)
	}
	if s.Generation() != gen {
		t.Error("generation moved without a write")
	}
}

func TestStore_Generation_BumpsOnCommittedWritesOnly(t *testing.T) {
	s := openTemp(t)
	g0 := s.Generation()
	if g0 == 0 {
		t.Fatal("generation starts at 0")
	}
	mustNoErr(t, s.AddVersion("a", DefaultRuntime, "x", "1.0.0"))
	g1 := s.Generation()
	if g1 <= g0 {
		t.Fatalf("generation %d -> %d after a write", g0, g1)
	}
	_ = s.AddVersion("a", DefaultRuntime, "x", "1.0.0")           // duplicate: fails
	mustNoErr(t, s.SetDefault("a", DefaultRuntime, "x", "1.0.0")) // already default: no change
	if _, err := s.Module(DefaultRuntime, "x"); err != nil {
		t.Fatal(err)
	}
	if g := s.Generation(); g != g1 {
		t.Errorf("generation moved on a failed or no-op write: %d -> %d", g1, g)
	}
}

func TestStore_Holder_WrittenAndRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	h, ok := ReadHolder(path)
	if !ok || h.PID != os.Getpid() || h.Mode != "read-write" || h.Command == "" || h.Since.IsZero() {
		t.Fatalf("holder = %+v, %v", h, ok)
	}
	mustNoErr(t, s.Close())
	if _, err := os.Stat(HolderPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("holder file not removed on Close: %v", err)
	}
}

func TestStore_DB_OtherPackagesBuckets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	mustNoErr(t, s.DB().Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("pkg.blobs"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	mustNoErr(t, s.Close())
	s, err = Open(path, Options{ReadOnly: true})
	mustNoErr(t, err)
	defer s.Close()
	mustNoErr(t, s.DB().View(func(tx *bbolt.Tx) error {
		if string(tx.Bucket([]byte("pkg.blobs")).Get([]byte("k"))) != "v" {
			t.Error("other package's bucket lost")
		}
		return nil
	}))
	if got := ReservedBuckets(); !slices.Equal(got, []string{"meta", "runtimes", "history"}) {
		t.Errorf("ReservedBuckets() = %v", got)
	}
}

func TestOpen_BadPath(t *testing.T) {
	_, err := Open("", Options{})
	wantErr(t, err, ErrInvalid, "empty path")
	dir := t.TempDir()
	_, err = Open(dir, Options{})
	wantErr(t, err, ErrNotCatalog, dir, "directory")
}
