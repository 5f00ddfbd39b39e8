package catalog

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.etcd.io/bbolt"
)

// runtimeRecord is the stored form of a runtime's own fields (RuntimeInfo minus the counts).
type runtimeRecord struct {
	NodeVersion string    `json:"node_version,omitempty"`
	Builtin     bool      `json:"builtin,omitempty"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
}

// runtimeBucket returns the bucket of a runtime, or nil.
func runtimeBucket(tx *bbolt.Tx, name string) *bbolt.Bucket {
	rs := tx.Bucket(bucketRuntimes)
	if rs == nil {
		return nil
	}
	return rs.Bucket([]byte(name))
}

// runtimeNames lists the runtimes in name order.
func runtimeNames(tx *bbolt.Tx) []string {
	var names []string
	if rs := tx.Bucket(bucketRuntimes); rs != nil {
		_ = rs.ForEachBucket(func(k []byte) error {
			names = append(names, string(k))
			return nil
		})
	}
	return names
}

func errRuntimeNotFound(tx *bbolt.Tx, name string) error {
	known := runtimeNames(tx)
	if len(known) == 0 {
		return fmt.Errorf("%w: %q (the catalog has no runtimes)", ErrRuntimeNotFound, name)
	}
	return fmt.Errorf("%w: %q (known runtimes: %s)", ErrRuntimeNotFound, name, joinList(known, 20))
}

func errModuleNotFound(runtime, name string) error {
	return fmt.Errorf("%w: %q is not in catalog %q", ErrModuleNotFound, name, runtime)
}

func errVersionNotFound(runtime string, m *Module, version string) error {
	listed := make([]string, 0, len(m.Versions))
	for _, v := range m.Versions {
		listed = append(listed, v.Version)
	}
	return fmt.Errorf("%w: %s@%s is not listed in catalog %q (listed: %s)", ErrVersionNotFound, m.Name, version, runtime, joinList(listed, 12))
}

// mustRuntime returns the runtime's bucket or ErrRuntimeNotFound.
func mustRuntime(tx *bbolt.Tx, name string) (*bbolt.Bucket, error) {
	b := runtimeBucket(tx, name)
	if b == nil {
		return nil, errRuntimeNotFound(tx, name)
	}
	return b, nil
}

func readRuntimeRecord(name string, b *bbolt.Bucket) (runtimeRecord, error) {
	var rec runtimeRecord
	if data := b.Get(keyRuntimeInfo); data != nil {
		if err := json.Unmarshal(data, &rec); err != nil {
			return rec, fmt.Errorf("runtime %q: corrupt runtime record: %w", name, err)
		}
	}
	return rec, nil
}

func putRuntimeRecord(b *bbolt.Bucket, rec runtimeRecord) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return b.Put(keyRuntimeInfo, data)
}

// readRuntimeInfo returns a runtime's fields and counts.
func readRuntimeInfo(name string, b *bbolt.Bucket) (RuntimeInfo, error) {
	rec, err := readRuntimeRecord(name, b)
	if err != nil {
		return RuntimeInfo{}, err
	}
	info := RuntimeInfo{Name: name, NodeVersion: rec.NodeVersion, Builtin: rec.Builtin, Description: rec.Description, Created: rec.Created}
	err = b.ForEach(func(k, v []byte) error {
		if isMetaKey(k) || v == nil {
			return nil
		}
		n, err := recordVersionCount(v)
		if err != nil {
			return fmt.Errorf("runtime %q: module %q: %w", name, k, err)
		}
		info.Modules++
		info.Versions += n
		return nil
	})
	return info, err
}

func isMetaKey(k []byte) bool { return len(k) > 0 && k[0] == 0 }

// getModule reads one module of a runtime bucket.
func getModule(b *bbolt.Bucket, name string) (Module, bool, error) {
	data := b.Get([]byte(name))
	if data == nil {
		return Module{}, false, nil
	}
	m, err := decodeModule(name, data)
	return m, err == nil, err
}

// putModule writes m, refusing a module that breaks the invariants [Store.Check] verifies.
func putModule(b *bbolt.Bucket, m *Module) error {
	if err := checkModule(m); err != nil {
		return fmt.Errorf("refusing to write an inconsistent record: %w", err)
	}
	return b.Put([]byte(m.Name), encodeModule(m))
}

// wtx is one write transaction: the bbolt transaction, its clock and actor, and the history it
// appends.
type wtx struct {
	tx      *bbolt.Tx
	now     time.Time
	actor   string
	changes int
}

// record appends c to the history (Seq, Time and Actor are filled in).
func (w *wtx) record(c Change) error {
	h := w.tx.Bucket(bucketHistory)
	seq, err := h.NextSequence()
	if err != nil {
		return err
	}
	c.Seq, c.Time, c.Actor = seq, w.now, w.actor
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], seq)
	w.changes++
	return h.Put(key[:], data)
}

// update runs fn in one read-write transaction and bumps the generation if fn recorded changes.
func (s *Store) update(op, actor string, fn func(w *wtx) error) error {
	if s.readOnly {
		return fmt.Errorf("%s: %w: %s was opened read-only; reopen it read-write", op, ErrReadOnly, s.path)
	}
	actor = strings.TrimSpace(actor)
	if actor == "" {
		actor = s.actor
	}
	w := &wtx{now: time.Now().UTC(), actor: actor}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		w.tx = tx
		return fn(w)
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	if w.changes > 0 {
		s.gen.Add(1)
		s.log.Info("catalog write", "op", op, "actor", actor, "changes", w.changes)
	}
	return nil
}

// seed creates the catalog buckets of a new file and applies the built-in list when it changed.
func (s *Store) seed() error {
	builtin, sum, err := loadBuiltin()
	if err != nil {
		return err
	}
	needed := true
	_ = s.db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		needed = meta == nil || string(meta.Get(keyBuiltin)) != sum ||
			tx.Bucket(bucketRuntimes) == nil || tx.Bucket(bucketHistory) == nil
		return nil
	})
	if !needed {
		return nil
	}
	return s.update("seed", "builtin", func(w *wtx) error {
		tx := w.tx
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			var foreign []string
			_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
				foreign = append(foreign, strconv.Quote(string(name)))
				return nil
			})
			if len(foreign) > 0 {
				return errNotCatalog(s.path, fmt.Sprintf("it is a bbolt database without the verq marker (its buckets include %s)", joinList(foreign, 5)))
			}
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			for k, v := range map[string]string{
				string(keyFormat):  formatMarker,
				string(keySchema):  strconv.Itoa(SchemaVersion),
				string(keyCreated): w.now.Format(time.RFC3339Nano),
			} {
				if err := meta.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		} else if string(meta.Get(keyFormat)) != formatMarker {
			return errNotCatalog(s.path, "it is a bbolt database without the verq marker")
		}
		for _, name := range [][]byte{bucketRuntimes, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if string(meta.Get(keyBuiltin)) == sum {
			return nil
		}
		if err := applyBuiltin(w, builtin); err != nil {
			return fmt.Errorf("apply the built-in runtime: %w", err)
		}
		return meta.Put(keyBuiltin, []byte(sum))
	})
}
