// Package tarball reads npm package tarballs (gzip-compressed tar archives) into memory, refusing
// anything that could escape the package when written out or served: absolute paths, ".."
// segments, links, devices and oversized content.
//
// # Basics
//
// [Read] returns the regular files of a tarball with the first path component stripped, as npm
// does ("package/lib/a.js" becomes "lib/a.js"). Directories are implied by file paths and skipped.
//
// # Caveats
//
// The whole unpacked package is held in memory; [Limits] bound it. A later entry with the same path
// replaces an earlier one, as when tar extracts.
package tarball

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrInvalid means the tarball is corrupt or holds an entry verq refuses; the error text names the
// entry and why.
var ErrInvalid = errors.New("invalid package tarball")

// Default limits, used for zero fields of [Limits].
const (
	DefaultMaxFiles    = 20000
	DefaultMaxFileSize = 64 << 20
	DefaultMaxSize     = 256 << 20
)

// Limits bound what Read accepts. Zero fields take the defaults above.
type Limits struct {
	// MaxFiles is the most regular files a tarball may hold. Default DefaultMaxFiles.
	MaxFiles int
	// MaxFileSize is the largest single file, in bytes. Default DefaultMaxFileSize.
	MaxFileSize int64
	// MaxSize is the largest total unpacked size, in bytes. Default DefaultMaxSize.
	MaxSize int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultMaxSize
	}
	return l
}

// File is one regular file of a package.
type File struct {
	// Path is slash-separated and relative to the package root, e.g. "lib/index.js"; it never starts
	// with "/" and has no "." or ".." segments.
	Path string
	// Data is the file content.
	Data []byte
}

// Read unpacks a gzip-compressed tar archive from r. It fails with an error wrapping ErrInvalid when
// the stream is not gzip or tar, is truncated, or holds an absolute path, a ".." segment, a
// symbolic or hard link, a device or FIFO, a name that is not valid UTF-8 or contains control
// characters or backslashes, or exceeds the limits. Files are returned sorted by path.
func Read(r io.Reader, limits Limits) ([]File, error) {
	l := limits.withDefaults()
	br := bufio.NewReader(r)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip stream: %v", ErrInvalid, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	byPath := make(map[string]int)
	var files []File
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: corrupt archive: %v", ErrInvalid, err)
		}
		name := h.Name
		if err := checkName(name); err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeCont:
		case tar.TypeDir:
			continue
		case tar.TypeSymlink:
			return nil, fmt.Errorf("%w: entry %q is a symbolic link to %q; packages may hold regular files only", ErrInvalid, name, h.Linkname)
		case tar.TypeLink:
			return nil, fmt.Errorf("%w: entry %q is a hard link to %q; packages may hold regular files only", ErrInvalid, name, h.Linkname)
		case tar.TypeXGlobalHeader:
			continue
		default:
			return nil, fmt.Errorf("%w: entry %q has type %q (device, FIFO or unknown); packages may hold regular files only", ErrInvalid, name, string(h.Typeflag))
		}
		rel, ok := strip(name)
		if !ok {
			// A file outside any top-level directory: npm's strip of one component drops it.
			continue
		}
		if h.Size < 0 || h.Size > l.MaxFileSize {
			return nil, fmt.Errorf("%w: entry %q is %d bytes; the limit is %d", ErrInvalid, name, h.Size, l.MaxFileSize)
		}
		if total+h.Size > l.MaxSize {
			return nil, fmt.Errorf("%w: unpacked size exceeds the limit of %d bytes at entry %q", ErrInvalid, l.MaxSize, name)
		}
		data := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return nil, fmt.Errorf("%w: entry %q is truncated: %v", ErrInvalid, name, err)
		}
		total += h.Size
		if i, dup := byPath[rel]; dup {
			total -= int64(len(files[i].Data))
			files[i].Data = data
			continue
		}
		if len(files) >= l.MaxFiles {
			return nil, fmt.Errorf("%w: more than %d files", ErrInvalid, l.MaxFiles)
		}
		byPath[rel] = len(files)
		files = append(files, File{Path: rel, Data: data})
	}
	// Read what follows the tar end marker (padding) so that a damaged gzip checksum is reported,
	// bounded so that a compressed bomb after the marker cannot run forever.
	if n, err := io.CopyN(io.Discard, zr, l.MaxSize+1); err != nil && err != io.EOF {
		return nil, fmt.Errorf("%w: corrupt gzip stream: %v", ErrInvalid, err)
	} else if n > l.MaxSize {
		return nil, fmt.Errorf("%w: more than %d bytes of data after the end of the archive", ErrInvalid, l.MaxSize)
	}
	if err := checkPrefixes(files); err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// checkName refuses entry names that are unsafe anywhere they might be written or resolved.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: an entry has an empty name", ErrInvalid)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: entry name %q is not valid UTF-8", ErrInvalid, name)
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("%w: entry %q has an absolute path", ErrInvalid, name)
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		return fmt.Errorf("%w: entry %q has a drive-letter path", ErrInvalid, name)
	case strings.Contains(name, "\\"):
		return fmt.Errorf("%w: entry %q contains a backslash", ErrInvalid, name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: entry name %q contains control characters", ErrInvalid, name)
		}
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return fmt.Errorf("%w: entry %q has a \"..\" segment (path traversal)", ErrInvalid, name)
		}
	}
	return nil
}

// strip removes the first path component and cleans the rest. It reports false for entries with
// nothing left (the root directory itself or a file directly at the top).
func strip(name string) (string, bool) {
	name = strings.TrimPrefix(name, "./")
	i := strings.IndexByte(name, '/')
	if i < 0 {
		return "", false
	}
	rest := path.Clean(name[i+1:])
	if rest == "." || rest == "" || rest == "/" {
		return "", false
	}
	return strings.TrimPrefix(rest, "/"), true
}

// checkPrefixes refuses a package where a path is both a file and a directory ("a" and "a/b").
func checkPrefixes(files []File) error {
	set := make(map[string]bool, len(files))
	for _, f := range files {
		set[f.Path] = true
	}
	for _, f := range files {
		for p := path.Dir(f.Path); p != "."; p = path.Dir(p) {
			if set[p] {
				return fmt.Errorf("%w: %q is both a file and the directory of %q", ErrInvalid, p, f.Path)
			}
		}
	}
	return nil
}

// Write builds a gzip-compressed tarball of files under the top-level directory "package/", the
// layout npm pack produces. It is the inverse of Read for well-formed input and serves tests and
// tools that assemble packages.
func Write(w io.Writer, files []File) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		h := &tar.Header{Name: "package/" + f.Path, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// Bytes is Write into memory.
func Bytes(files []File) ([]byte, error) {
	var b bytes.Buffer
	err := Write(&b, files)
	return b.Bytes(), err
}
