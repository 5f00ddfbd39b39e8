package catalog

import (
	"fmt"
	"path/filepath"
	"testing"
)

// synthList builds a canirequire list of modules × versions entries.
func synthList(modules, versions int) *List {
	l := &List{Format: FormatCanirequire, NodeVersion: "v18.20.4"}
	for i := 0; i < modules; i++ {
		for j := 0; j < versions; j++ {
			l.Entries = append(l.Entries, ListEntry{Name: fmt.Sprintf("module-%05d", i), Version: fmt.Sprintf("1.%d.%d", j, i%7)})
		}
	}
	return l
}

// BenchmarkStore_Module is the resolver's uncached read: one bbolt View and the decode of a module
// with 44 versions (the built-in auth0).
func BenchmarkStore_Module(b *testing.B) {
	s := openTemp(b)
	m, err := s.Module(DefaultRuntime, "auth0")
	if err != nil || len(m.Versions) < 40 {
		b.Fatalf("auth0: %d versions, %v", len(m.Versions), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Module(DefaultRuntime, "auth0"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStore_Module_Small reads a one-version package, the common case of imported lists.
func BenchmarkStore_Module_Small(b *testing.B) {
	s := openTemp(b)
	mustNoErr(b, s.AddVersion("bench", DefaultRuntime, "lodash", "4.17.21"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Module(DefaultRuntime, "lodash"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStore_Import10k imports 10,000 module versions (2,500 modules × 4) into a new runtime:
// one transaction, per-version history included.
func BenchmarkStore_Import10k(b *testing.B) {
	l := synthList(2500, 4)
	s := openTemp(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		d, err := s.Import("bench", fmt.Sprintf("rt%d", i), l, ImportOptions{})
		if err != nil || len(d.AddedVersions) != 10000 {
			b.Fatalf("import: %v", err)
		}
	}
}

// BenchmarkStore_Import10k_Unchanged re-imports the same 10,000 versions: the idempotent path.
func BenchmarkStore_Import10k_Unchanged(b *testing.B) {
	l := synthList(2500, 4)
	s := openTemp(b)
	_, err := s.Import("bench", "rt", l, ImportOptions{})
	mustNoErr(b, err)
	b.ReportAllocs()
	for b.Loop() {
		d, err := s.Import("bench", "rt", l, ImportOptions{})
		if err != nil || !d.Empty() {
			b.Fatalf("re-import: %v %v", err, d.Summary())
		}
	}
}

// BenchmarkParseList parses the largest reference list (187 entries).
func BenchmarkParseList(b *testing.B) {
	data := readFile(b, filepath.Join("testdata", "canirequire", "canirequire-auth0-extensions-externals.json"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseList(data, FormatAuto); err != nil {
			b.Fatal(err)
		}
	}
}
