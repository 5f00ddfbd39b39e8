package catalog

import (
	"encoding/json"
	"fmt"

	"go.etcd.io/bbolt"
)

// Runtimes lists every runtime with its counts, sorted by name.
func (s *Store) Runtimes() ([]RuntimeInfo, error) {
	var out []RuntimeInfo
	err := s.db.View(func(tx *bbolt.Tx) error {
		for _, name := range runtimeNames(tx) {
			info, err := readRuntimeInfo(name, runtimeBucket(tx, name))
			if err != nil {
				return err
			}
			out = append(out, info)
		}
		return nil
	})
	return out, err
}

// Runtime describes one runtime. A missing runtime is [ErrRuntimeNotFound].
func (s *Store) Runtime(name string) (RuntimeInfo, error) {
	var info RuntimeInfo
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, err := mustRuntime(tx, name)
		if err != nil {
			return err
		}
		info, err = readRuntimeInfo(name, b)
		return err
	})
	return info, err
}

// Module returns one module of a runtime. It is the resolver's hot path: one bbolt read transaction
// and a decode of the compact record. A missing runtime is [ErrRuntimeNotFound], a missing module
// [ErrModuleNotFound]; both errors name what was looked for. The returned value is a copy the caller
// owns.
func (s *Store) Module(runtime, name string) (Module, error) {
	var m Module
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := runtimeBucket(tx, runtime)
		if b == nil {
			return errRuntimeNotFound(tx, runtime)
		}
		data := b.Get([]byte(name))
		if data == nil || isMetaKey([]byte(name)) {
			return errModuleNotFound(runtime, name)
		}
		var err error
		m, err = decodeModule(name, data)
		return err
	})
	return m, err
}

// Modules returns every module of a runtime, sorted by name (byte order).
func (s *Store) Modules(runtime string) ([]Module, error) {
	var out []Module
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		out, err = readModules(tx, runtime)
		return err
	})
	return out, err
}

func readModules(tx *bbolt.Tx, runtime string) ([]Module, error) {
	b, err := mustRuntime(tx, runtime)
	if err != nil {
		return nil, err
	}
	var out []Module
	err = b.ForEach(func(k, v []byte) error {
		if isMetaKey(k) || v == nil {
			return nil
		}
		m, err := decodeModule(string(k), v)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// Export returns a runtime as a list in catalog order: the "native" entries of core modules first,
// then package versions, both sorted by name; a package's default version first, then its other
// versions in catalog order, so that importing the list again keeps the defaults. A module that is
// core and a package has entries in both halves. Every listed version is exported whatever its
// status: statuses, reasons and notes are not part of the list formats.
func (s *Store) Export(runtime string) (*List, error) {
	var l *List
	err := s.db.View(func(tx *bbolt.Tx) error {
		b, err := mustRuntime(tx, runtime)
		if err != nil {
			return err
		}
		rec, err := readRuntimeRecord(runtime, b)
		if err != nil {
			return err
		}
		mods, err := readModules(tx, runtime)
		if err != nil {
			return err
		}
		l = listFromModules(rec.NodeVersion, mods)
		return nil
	})
	return l, err
}

// History returns change-history entries, newest first. runtime "" means every runtime; limit <= 0
// means no limit.
func (s *Store) History(runtime string, limit int) ([]Change, error) {
	var out []Change
	err := s.db.View(func(tx *bbolt.Tx) error {
		h := tx.Bucket(bucketHistory)
		if h == nil {
			return nil
		}
		c := h.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var ch Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("history entry %x: %w", k, errCorruptRecord)
			}
			if runtime != "" && ch.Runtime != runtime {
				continue
			}
			out = append(out, ch)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}
