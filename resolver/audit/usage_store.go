package audit

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// Top-level buckets of the shared database file, all prefixed "usage.".
var (
	// bucketUsageMeta holds keyUsageSchema.
	bucketUsageMeta = []byte("usage.meta")
	// bucketUsage maps an encoded key (see usageStoreKey) to an encoded aggregate (see usageValue).
	bucketUsage = []byte("usage.requires")
)

var keyUsageSchema = []byte("schema")

// usageSchema is the layout version written to bucketUsageMeta; a higher one is refused.
const usageSchema = 1

// usageValueSize is the fixed part of a stored aggregate: count, errors, first and last seen.
const usageValueSize = 32

// ErrUsageSchema is returned when the usage data was written by a newer layout than this build reads.
var ErrUsageSchema = errors.New("usage data was written by a newer verq; upgrade verq to read it")

// UsageBuckets returns the names of the top-level buckets the usage recorder keeps in the database
// file.
func UsageBuckets() []string {
	return []string{string(bucketUsageMeta), string(bucketUsage)}
}

// ensureUsageBuckets creates the buckets and checks the schema, inside a write transaction.
func ensureUsageBuckets(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketUsageMeta)
	if err != nil {
		return fmt.Errorf("usage store: %w", err)
	}
	if _, err := tx.CreateBucketIfNotExists(bucketUsage); err != nil {
		return fmt.Errorf("usage store: %w", err)
	}
	if err := checkUsageSchema(tx); err != nil {
		return err
	}
	if meta.Get(keyUsageSchema) == nil {
		return meta.Put(keyUsageSchema, binary.BigEndian.AppendUint64(nil, usageSchema))
	}
	return nil
}

// checkUsageSchema refuses data written by a newer layout, inside any transaction.
func checkUsageSchema(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketUsageMeta)
	if meta == nil {
		return nil
	}
	if v := meta.Get(keyUsageSchema); v != nil && (len(v) != 8 || binary.BigEndian.Uint64(v) > usageSchema) {
		return fmt.Errorf("usage store: schema %x, this verq reads %d: %w", v, usageSchema, ErrUsageSchema)
	}
	return nil
}

// The stored key is module, runtime, tenant, rule, spec and resolved, each as a uvarint length and
// the bytes. Module comes first so that the rows of one module (and runtime) are a prefix range.
func usageStoreKey(k usageKey) []byte {
	module, _ := usageModule(k.spec, k.resolved)
	var b []byte
	for _, s := range [...]string{module, k.runtime, k.tenant, k.rule, k.spec, k.resolved} {
		b = appendField(b, s)
	}
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeUsageKey splits a stored key into its six fields.
func decodeUsageKey(b []byte) (f [6]string, err error) {
	for i := range f {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return f, fmt.Errorf("usage store: malformed key %q", b)
		}
		f[i] = string(b[w : w+int(n)])
		b = b[w+int(n):]
	}
	if len(b) != 0 {
		return f, fmt.Errorf("usage store: malformed key (trailing bytes)")
	}
	return f, nil
}

// usageValue encodes an aggregate: count, errors, first and last seen (big-endian), then the last
// error message.
func usageValue(d usageDelta) []byte {
	b := make([]byte, usageValueSize, usageValueSize+len(d.lastErr))
	binary.BigEndian.PutUint64(b[0:], d.count)
	binary.BigEndian.PutUint64(b[8:], d.errors)
	binary.BigEndian.PutUint64(b[16:], uint64(d.first))
	binary.BigEndian.PutUint64(b[24:], uint64(d.last))
	return append(b, d.lastErr...)
}

func decodeUsageValue(b []byte) (usageDelta, error) {
	if len(b) < usageValueSize {
		return usageDelta{}, fmt.Errorf("usage store: malformed value (%d bytes)", len(b))
	}
	return usageDelta{
		count:   binary.BigEndian.Uint64(b[0:]),
		errors:  binary.BigEndian.Uint64(b[8:]),
		first:   int64(binary.BigEndian.Uint64(b[16:])),
		last:    int64(binary.BigEndian.Uint64(b[24:])),
		lastErr: string(b[usageValueSize:]),
	}, nil
}

// writeUsageDeltas merges deltas into the stored aggregates, in key order.
func writeUsageDeltas(tx *bbolt.Tx, deltas map[usageKey]usageDelta) error {
	if err := ensureUsageBuckets(tx); err != nil {
		return err
	}
	b := tx.Bucket(bucketUsage)
	type kv struct {
		key []byte
		d   usageDelta
	}
	all := make([]kv, 0, len(deltas))
	for k, d := range deltas {
		all = append(all, kv{usageStoreKey(k), d})
	}
	slices.SortFunc(all, func(a, b kv) int { return bytes.Compare(a.key, b.key) })
	for _, e := range all {
		d := e.d
		if old := b.Get(e.key); old != nil {
			stored, err := decodeUsageValue(old)
			if err != nil {
				return err
			}
			d = stored.add(d)
		}
		if err := b.Put(e.key, usageValue(d)); err != nil {
			return fmt.Errorf("usage store: %w", err)
		}
	}
	return nil
}

// ReadUsage returns the stored aggregates that match filter, sorted by module, version (semantic
// order), runtime, tenant, rule, spec and resolved. It only reads, so db may be open read-only; a
// database without usage data gives no rows. It does not see counts a recorder has not flushed yet.
func ReadUsage(db *bbolt.DB, filter UsageFilter) ([]UsageRow, error) {
	if filter.Version != "" && filter.Module == "" {
		return nil, fmt.Errorf("usage filter: version %q needs a module (NAME@VERSION)", filter.Version)
	}
	var rows []UsageRow
	err := db.View(func(tx *bbolt.Tx) error {
		if err := checkUsageSchema(tx); err != nil {
			return err
		}
		b := tx.Bucket(bucketUsage)
		if b == nil {
			return nil
		}
		var prefix []byte
		if filter.Module != "" {
			prefix = appendField(nil, filter.Module)
			if filter.Runtime != "" {
				prefix = appendField(prefix, filter.Runtime)
			}
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			f, err := decodeUsageKey(k)
			if err != nil {
				return err
			}
			row := UsageRow{Module: f[0], Runtime: f[1], Tenant: f[2], Rule: f[3], Spec: f[4], Resolved: f[5]}
			_, row.Version = usageModule(row.Spec, row.Resolved)
			if !filter.match(&row) {
				continue
			}
			d, err := decodeUsageValue(v)
			if err != nil {
				return err
			}
			row.Count, row.Errors, row.LastError = d.count, d.errors, d.lastErr
			row.FirstSeen, row.LastSeen = time.Unix(0, d.first).UTC(), time.Unix(0, d.last).UTC()
			rows = append(rows, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b UsageRow) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), compareVersions(a.Version, b.Version), cmp.Compare(a.Runtime, b.Runtime),
			cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Spec, b.Spec), cmp.Compare(a.Resolved, b.Resolved))
	})
	return rows, nil
}

func (f *UsageFilter) match(r *UsageRow) bool {
	return (f.Tenant == "" || f.Tenant == r.Tenant) && (f.Runtime == "" || f.Runtime == r.Runtime) &&
		(f.Rule == "" || f.Rule == r.Rule) && (f.Module == "" || f.Module == r.Module) &&
		(f.Version == "" || f.Version == r.Version)
}
