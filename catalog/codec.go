package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Module records are stored in a compact binary form so that the hot read (Store.Module) costs one
// allocation for all strings plus one for the version slice:
//
//	byte     codec version (1)
//	byte     flags (bit 0: core, set exactly when the versions include "native")
//	string   default        (uvarint length + bytes, as every string below; never "native")
//	string   homepage
//	string   notes
//	uvarint  number of versions
//	per version:
//	    string   version
//	    byte     status (0 allowed, 1 deprecated, 2 blocked)
//	    string   reason
//	    string   note
//	    varint   added, Unix nanoseconds (0 = unknown)
//
// The module name is the record's key and is not repeated in the value. The codec stores what it is
// given; the writers keep the flag, the "native" entry and the default consistent (putModule refuses
// a module that is not), and [Store.Check] verifies them.
const codecVersion = 1

const flagCore = 1

var errCorruptRecord = errors.New("corrupt module record")

func statusCode(s Status) byte {
	switch s {
	case StatusDeprecated:
		return 1
	case StatusBlocked:
		return 2
	}
	return 0
}

func statusFromCode(b byte) (Status, bool) {
	switch b {
	case 0:
		return StatusAllowed, true
	case 1:
		return StatusDeprecated, true
	case 2:
		return StatusBlocked, true
	}
	return "", false
}

// encodeModule returns the binary record of m (m.Name is not encoded).
func encodeModule(m *Module) []byte {
	n := 2 + 3*binary.MaxVarintLen64 + len(m.Default) + len(m.Homepage) + len(m.Notes) + binary.MaxVarintLen64
	for i := range m.Versions {
		v := &m.Versions[i]
		n += 1 + 3*binary.MaxVarintLen64 + len(v.Version) + len(v.Reason) + len(v.Note) + binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	var flags byte
	if m.Core {
		flags |= flagCore
	}
	b = append(b, codecVersion, flags)
	b = appendString(b, m.Default)
	b = appendString(b, m.Homepage)
	b = appendString(b, m.Notes)
	b = binary.AppendUvarint(b, uint64(len(m.Versions)))
	for i := range m.Versions {
		v := &m.Versions[i]
		b = appendString(b, v.Version)
		b = append(b, statusCode(v.Status))
		b = appendString(b, v.Reason)
		b = appendString(b, v.Note)
		var added int64
		if !v.Added.IsZero() {
			added = v.Added.UnixNano()
		}
		b = binary.AppendVarint(b, added)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads a record. It converts the record to one string up front so that every decoded string
// is a substring of it: one allocation however many versions there are. Varints are read from the
// byte slice at the same offsets.
type decoder struct {
	b   []byte
	s   string
	off int
	err error
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.err = errCorruptRecord
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.off < len(d.b) && d.b[d.off] < 0x80 { // fast path: one byte
		c := d.b[d.off]
		d.off++
		return uint64(c)
	}
	x, n := binary.Uvarint(d.b[min(d.off, len(d.b)):])
	if n <= 0 {
		d.err = errCorruptRecord
		return 0
	}
	d.off += n
	return x
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.b[min(d.off, len(d.b)):])
	if n <= 0 {
		d.err = errCorruptRecord
		return 0
	}
	d.off += n
	return x
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.s)-min(d.off, len(d.s))) {
		d.err = errCorruptRecord
		return ""
	}
	if n == 0 {
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

// decodeModule decodes a record stored under name. data may be bbolt memory: nothing returned
// aliases it.
func decodeModule(name string, data []byte) (Module, error) {
	d := decoder{b: data, s: string(data)}
	m := Module{Name: name}
	if c := d.byte(); c != codecVersion {
		if d.err == nil {
			return Module{}, fmt.Errorf("module %q: record codec version %d is not supported", name, c)
		}
	}
	flags := d.byte()
	m.Core = flags&flagCore != 0
	m.Default = d.string()
	m.Homepage = d.string()
	m.Notes = d.string()
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.s)) {
		return Module{}, fmt.Errorf("module %q: %w", name, errCorruptRecord)
	}
	if n > 0 {
		m.Versions = make([]Version, n)
	}
	for i := range m.Versions {
		v := &m.Versions[i]
		v.Version = d.string()
		st, ok := statusFromCode(d.byte())
		if !ok && d.err == nil {
			d.err = errCorruptRecord
		}
		v.Status = st
		v.Reason = d.string()
		v.Note = d.string()
		if added := d.varint(); added != 0 {
			v.Added = time.Unix(0, added).UTC()
		}
	}
	if d.err != nil {
		return Module{}, fmt.Errorf("module %q: %w", name, d.err)
	}
	return m, nil
}

// recordVersionCount reads only the number of versions of a record (for runtime summaries) without
// copying it.
func recordVersionCount(data []byte) (int, error) {
	if len(data) < 2 {
		return 0, errCorruptRecord
	}
	off := 2
	for i := 0; i < 3; i++ { // default, homepage, notes
		n, k := binary.Uvarint(data[off:])
		if k <= 0 || n > uint64(len(data)-off-k) {
			return 0, errCorruptRecord
		}
		off += k + int(n)
	}
	n, k := binary.Uvarint(data[off:])
	if k <= 0 {
		return 0, errCorruptRecord
	}
	return int(n), nil
}
