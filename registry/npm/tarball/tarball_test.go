package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
)

// entry is one raw tar entry for building hostile archives.
type entry struct {
	name, link string
	typ        byte
	data       string
}

func build(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: typ, Mode: 0o644, Size: int64(len(e.data)), Format: tar.FormatPAX}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write([]byte(e.data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRead_StripsTopDirectoryAndSorts(t *testing.T) {
	data := build(t,
		entry{name: "package/", typ: tar.TypeDir},
		entry{name: "package/package.json", data: `{"name":"a","version":"1.0.0"}`},
		entry{name: "package/lib/", typ: tar.TypeDir},
		entry{name: "package/lib/b.js", data: "b"},
		entry{name: "package/index.js", data: "i"},
		entry{name: "stray.txt", data: "dropped: no top directory"},
		entry{name: "package/./lib/./c.js", data: "c"},
	)
	files, err := Read(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path+"="+string(f.Data))
	}
	want := []string{"index.js=i", "lib/b.js=b", "lib/c.js=c", `package.json={"name":"a","version":"1.0.0"}`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestRead_OtherTopDirectoryName(t *testing.T) {
	files, err := Read(bytes.NewReader(build(t, entry{name: "node/index.js", data: "x"})), Limits{})
	if err != nil || len(files) != 1 || files[0].Path != "index.js" {
		t.Fatalf("files %v, err %v", files, err)
	}
}

func TestRead_LaterDuplicateWins(t *testing.T) {
	files, err := Read(bytes.NewReader(build(t, entry{name: "package/a.js", data: "one"}, entry{name: "package/a.js", data: "two"})), Limits{})
	if err != nil || len(files) != 1 || string(files[0].Data) != "two" {
		t.Fatalf("files %v, err %v", files, err)
	}
}

func TestRead_Refuses(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantSub string
	}{
		{"traversal", build(t, entry{name: "package/../../etc/passwd", data: "x"}), `".." segment`},
		{"traversal at end", build(t, entry{name: "package/lib/..", data: "x"}), `".." segment`},
		{"absolute", build(t, entry{name: "/etc/passwd", data: "x"}), "absolute path"},
		{"drive letter", build(t, entry{name: "C:/x.js", data: "x"}), "drive-letter"},
		{"backslash", build(t, entry{name: `package\..\x.js`, data: "x"}), "backslash"},
		{"symlink", build(t, entry{name: "package/link", link: "/etc/passwd", typ: tar.TypeSymlink}), "symbolic link"},
		{"hard link", build(t, entry{name: "package/link", link: "package/a", typ: tar.TypeLink}), "hard link"},
		{"device", build(t, entry{name: "package/dev", typ: tar.TypeChar}), "device"},
		{"fifo", build(t, entry{name: "package/fifo", typ: tar.TypeFifo}), "device, FIFO"},
		{"control character", build(t, entry{name: "package/a\x01.js", data: "x"}), "control characters"},
		{"file and directory", build(t, entry{name: "package/a", data: "x"}, entry{name: "package/a/b", data: "y"}), "both a file and the directory"},
		{"not gzip", []byte("plain text, not an archive"), "not a gzip stream"},
		{"truncated", build(t, entry{name: "package/a.js", data: strings.Repeat("x", 5000)})[:60], ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data), Limits{})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantSub)
			}
		})
	}
}

func TestRead_Limits(t *testing.T) {
	big := build(t, entry{name: "package/a.js", data: strings.Repeat("x", 100)}, entry{name: "package/b.js", data: strings.Repeat("y", 100)})
	tests := []struct {
		name    string
		limits  Limits
		wantSub string
	}{
		{"file size", Limits{MaxFileSize: 50}, "the limit is 50"},
		{"total size", Limits{MaxSize: 150}, "unpacked size exceeds"},
		{"file count", Limits{MaxFiles: 1}, "more than 1 files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(big), tc.limits)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("err = %v, want %q", err, tc.wantSub)
			}
		})
	}
	if _, err := Read(bytes.NewReader(big), Limits{MaxFiles: 2, MaxSize: 200, MaxFileSize: 100}); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
}

func TestRead_CorruptChecksum(t *testing.T) {
	data := build(t, entry{name: "package/a.js", data: "content"})
	// The gzip trailer holds the CRC-32 of the data: damage it.
	data[len(data)-8] ^= 0xff
	if _, err := Read(bytes.NewReader(data), Limits{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestWrite_RoundTrip(t *testing.T) {
	in := []File{{Path: "a.js", Data: []byte("a")}, {Path: "lib/b.json", Data: []byte("{}")}}
	data, err := Bytes(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Read(bytes.NewReader(data), Limits{})
	if err != nil || len(out) != 2 || out[1].Path != "lib/b.json" || string(out[0].Data) != "a" {
		t.Fatalf("out %v, err %v", out, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(build(f, entry{name: "package/package.json", data: "{}"}))
	f.Add(build(f, entry{name: "package/../x", data: "x"}))
	f.Add(build(f, entry{name: "package/l", link: "/", typ: tar.TypeSymlink}))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := Read(bytes.NewReader(data), Limits{MaxSize: 1 << 20, MaxFileSize: 1 << 20, MaxFiles: 100})
		if err != nil {
			return
		}
		for _, fl := range files {
			if fl.Path == "" || strings.HasPrefix(fl.Path, "/") || strings.Contains(fl.Path, "\\") {
				t.Fatalf("unsafe path %q", fl.Path)
			}
			for _, seg := range strings.Split(fl.Path, "/") {
				if seg == ".." || seg == "." || seg == "" {
					t.Fatalf("unsafe path %q", fl.Path)
				}
			}
		}
	})
}
