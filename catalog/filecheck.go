package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt file-format constants (go.etcd.io/bbolt internal/common): every file starts with two meta
// pages; a meta page is a 16-byte page header followed by the meta record below.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	boltPageHeaderSize = 16
	boltMetaSize       = 64 // magic, version, pageSize, flags (4 each), root (16), freelist, pgid, txid, checksum (8 each)
	boltNoFreelist     = ^uint64(0)
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// errNotCatalog builds the refusal for a file that is not a usable verq database.
func errNotCatalog(path, why string) error {
	return fmt.Errorf("%s: %w: %s; the file was left untouched: move it aside or pass --db to use another file", path, ErrNotCatalog, why)
}

// parseBoltMeta decodes and validates a meta record (without its page header).
func parseBoltMeta(b []byte) (boltMeta, error) {
	if len(b) < boltMetaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	le := binary.NativeEndian
	if le.Uint32(b[0:]) != boltMagic {
		return boltMeta{}, errors.New("no bbolt magic number")
	}
	if v := le.Uint32(b[4:]); v != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt file format version %d is not supported", v)
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != le.Uint64(b[56:]) {
		return boltMeta{}, errors.New("meta page checksum mismatch")
	}
	return boltMeta{
		pageSize: le.Uint32(b[8:]),
		root:     le.Uint64(b[16:]),
		freelist: le.Uint64(b[32:]),
		pgid:     le.Uint64(b[40:]),
		txid:     le.Uint64(b[48:]),
	}, nil
}

// checkBoltHeader inspects the meta pages of an existing non-empty file without opening it as a
// database, so that a foreign or damaged file is refused before bbolt (which may write on a
// read-write open) touches it.
func checkBoltHeader(path string, f io.ReaderAt, size int64) error {
	buf := make([]byte, boltPageHeaderSize+boltMetaSize)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return errNotCatalog(path, fmt.Sprintf("the file is %d bytes long, too short to be a bbolt database", size))
	}
	meta0, err0 := parseBoltMeta(buf[boltPageHeaderSize:])
	var best *boltMeta
	if err0 == nil {
		best = &meta0
	}
	// The second meta page sits one page in; find the page size the way bbolt does.
	for i := 0; i <= 14; i++ {
		ps := int64(1024) << i
		if ps+int64(len(buf)) > size {
			break
		}
		if err0 == nil && ps != int64(meta0.pageSize) {
			continue
		}
		if _, err := f.ReadAt(buf, ps); err != nil {
			break
		}
		m1, err := parseBoltMeta(buf[boltPageHeaderSize:])
		if err != nil || int64(m1.pageSize) != ps {
			continue
		}
		if best == nil || m1.txid > best.txid {
			best = &m1
		}
		break
	}
	if best == nil {
		why := "it is not a bbolt database"
		if err0 != nil && err0.Error() != "no bbolt magic number" {
			why = "its bbolt header is damaged (" + err0.Error() + ")"
		}
		return errNotCatalog(path, why)
	}
	ps := uint64(best.pageSize)
	if ps < 512 || ps&(ps-1) != 0 {
		return errNotCatalog(path, fmt.Sprintf("its bbolt header names an impossible page size %d", ps))
	}
	if best.root >= best.pgid || (best.freelist != boltNoFreelist && best.freelist >= best.pgid) {
		return errNotCatalog(path, "its bbolt header is inconsistent (root or freelist page beyond the end of the data)")
	}
	if need := best.pgid * ps; uint64(size) < need {
		return errNotCatalog(path, fmt.Sprintf("it is truncated: %d bytes on disk, the database needs %d", size, need))
	}
	return nil
}

// inspectFile reports whether path is missing or empty (a new database) and, for an existing file,
// checks its bbolt header.
func inspectFile(path string) (isNew bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("open catalog database: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("open catalog database: %w", err)
	}
	if st.IsDir() {
		return false, fmt.Errorf("%s: %w: it is a directory; pass --db with a file path", path, ErrNotCatalog)
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%s: %w: it is not a regular file; pass --db with a file path", path, ErrNotCatalog)
	}
	if st.Size() == 0 {
		return true, nil
	}
	return false, checkBoltHeader(path, f, st.Size())
}
