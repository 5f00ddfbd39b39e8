package boltfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
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

// errNoMagic is the meta-record failure that means "not bbolt at all" rather than "damaged".
var errNoMagic = errors.New("no bbolt magic number")

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// parseBoltMeta decodes and validates a meta record (without its page header).
func parseBoltMeta(b []byte) (boltMeta, error) {
	if len(b) < boltMetaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	le := binary.NativeEndian
	if le.Uint32(b[0:]) != boltMagic {
		return boltMeta{}, errNoMagic
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

// CheckHeader inspects the meta pages of an existing non-empty file of size bytes, read through r,
// without opening it as a database, so that a foreign or damaged file can be refused before bbolt
// (which may write on a read-write open) touches it. It returns nil for a plausible bbolt file;
// otherwise an error whose message is a lower-case clause saying what is wrong, e.g. "it is not a
// bbolt database", for the caller to wrap with the file name and its own sentinel. A file shorter
// than the first meta page is reported as too short, never as an I/O error.
func CheckHeader(r io.ReaderAt, size int64) error {
	buf := make([]byte, boltPageHeaderSize+boltMetaSize)
	if _, err := r.ReadAt(buf, 0); err != nil {
		return fmt.Errorf("the file is %d bytes long, too short to be a bbolt database", size)
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
		if _, err := r.ReadAt(buf, ps); err != nil {
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
		if err0 != nil && !errors.Is(err0, errNoMagic) {
			return errors.New("its bbolt header is damaged (" + err0.Error() + ")")
		}
		return errors.New("it is not a bbolt database")
	}
	ps := uint64(best.pageSize)
	if ps < 512 || ps&(ps-1) != 0 {
		return fmt.Errorf("its bbolt header names an impossible page size %d", ps)
	}
	if best.root >= best.pgid || (best.freelist != boltNoFreelist && best.freelist >= best.pgid) {
		return errors.New("its bbolt header is inconsistent (root or freelist page beyond the end of the data)")
	}
	if need := best.pgid * ps; uint64(size) < need {
		return fmt.Errorf("it is truncated: %d bytes on disk, the database needs %d", size, need)
	}
	return nil
}
