package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParseList: ParseList never panics, every error wraps ErrInvalid, every accepted entry is valid,
// and a canirequire rendering of an accepted list parses back to the same entries.
func FuzzParseList(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "canirequire", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(data, FormatAuto)
		}
	}
	for _, s := range []string{`{}`, `[]`, `{"modules": []}`, `{"a": ["1.0.0"]}`, `{"modules": [{"name": "x", "version": "^1"}]}`, `{"a": [1]}`, `nul`} {
		for _, format := range []string{FormatAuto, FormatCanirequire, FormatVerquire} {
			f.Add([]byte(s), format)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		l, err := ParseList(data, format)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		for _, e := range l.Entries {
			if err := checkEntry(e, l.Format == FormatCanirequire); err != nil {
				t.Fatalf("accepted an invalid entry %+v: %v", e, err)
			}
		}
		out, err := l.MarshalCanirequire()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseList(out, FormatCanirequire)
		if err != nil {
			t.Fatalf("rendering does not parse: %v\n%s", err, out)
		}
		if !slices.Equal(back.Entries, l.sortedEntries()) || back.NodeVersion != l.NodeVersion {
			t.Fatalf("round trip changed the list:\n%+v\n%+v", l, back)
		}
	})
}

// FuzzDecodeModule: decoding arbitrary bytes never panics, and whatever decodes re-encodes to a
// record that decodes to the same module.
func FuzzDecodeModule(f *testing.F) {
	f.Add(encodeModule(&Module{Name: "x", Default: "1.0.0", Versions: []Version{{Version: "1.0.0", Status: StatusBlocked, Reason: "r"}}}))
	f.Add(encodeModule(&Module{Name: "url", Core: true, Versions: []Version{{Version: "native", Status: StatusAllowed}}}))
	f.Add([]byte{1, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeModule("m", data)
		if err != nil {
			return
		}
		again, err := decodeModule("m", encodeModule(&m))
		if err != nil {
			t.Fatal(err)
		}
		if !modulesEqual(m, again) {
			t.Fatalf("re-encoding changed the module:\n%+v\n%+v", m, again)
		}
		if n, err := recordVersionCount(data); err != nil || n != len(m.Versions) {
			t.Fatalf("recordVersionCount = %d, %v; want %d", n, err, len(m.Versions))
		}
	})
}

func modulesEqual(a, b Module) bool {
	if a.Name != b.Name || a.Core != b.Core || a.Default != b.Default || a.Homepage != b.Homepage || a.Notes != b.Notes || len(a.Versions) != len(b.Versions) {
		return false
	}
	for i := range a.Versions {
		x, y := a.Versions[i], b.Versions[i]
		if x.Version != y.Version || x.Status != y.Status || x.Reason != y.Reason || x.Note != y.Note || !x.Added.Equal(y.Added) {
			return false
		}
	}
	return true
}
