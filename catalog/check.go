package catalog

import (
	"fmt"
	"runtime/debug"
	"strings"

	"go.etcd.io/bbolt"
)

// Check verifies the whole file: bbolt's page-level consistency check, then a decode of every runtime
// record, module record and history entry, and the consistency of every module (see [Module]: the
// Core flag set exactly when the "native" entry is listed, a default that is a listed package
// version, no version listed twice). It reads everything, so it suits maintenance commands
// rather than request paths. A damaged file yields an error wrapping [ErrNotCatalog] that lists the
// first problems found.
func (s *Store) Check() (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = errNotCatalog(s.path, fmt.Sprintf("its pages are damaged (%v)", r))
		}
	}()
	return s.db.View(func(tx *bbolt.Tx) error {
		var problems []string
		for e := range tx.Check() {
			if len(problems) < 5 {
				problems = append(problems, e.Error())
			}
		}
		if len(problems) == 0 {
			problems = checkRecords(tx)
		}
		if len(problems) > 0 {
			return errNotCatalog(s.path, "it is damaged: "+strings.Join(problems, "; "))
		}
		return nil
	})
}

func checkRecords(tx *bbolt.Tx) []string {
	var problems []string
	add := func(err error) {
		if err != nil && len(problems) < 5 {
			problems = append(problems, err.Error())
		}
	}
	for _, name := range runtimeNames(tx) {
		b := runtimeBucket(tx, name)
		_, err := readRuntimeRecord(name, b)
		add(err)
		add(b.ForEach(func(k, v []byte) error {
			if !isMetaKey(k) && v != nil {
				m, err := decodeModule(string(k), v)
				if err == nil {
					err = checkModule(&m)
				}
				add(err)
			}
			return nil
		}))
	}
	h := tx.Bucket(bucketHistory)
	add(h.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			add(fmt.Errorf("history key %x: %w", k, errCorruptRecord))
		}
		return nil
	}))
	return problems
}

// checkModule verifies a module's invariants: Core is set exactly when Versions holds the "native"
// entry, no version is listed twice, and Default is empty or one of the listed package versions.
func checkModule(m *Module) error {
	native := false
	seen := make(map[string]bool, len(m.Versions))
	for _, v := range m.Versions {
		if seen[v.Version] {
			return fmt.Errorf("module %q: version %q is listed twice: %w", m.Name, v.Version, errCorruptRecord)
		}
		seen[v.Version] = true
		native = native || v.Version == NativeVersion
	}
	switch {
	case m.Core && !native:
		return fmt.Errorf("module %q: marked core but has no %q entry: %w", m.Name, NativeVersion, errCorruptRecord)
	case !m.Core && native:
		return fmt.Errorf("module %q: has a %q entry but is not marked core: %w", m.Name, NativeVersion, errCorruptRecord)
	case m.Default == NativeVersion:
		return fmt.Errorf("module %q: the default is %q; it must name a package version: %w", m.Name, NativeVersion, errCorruptRecord)
	case m.Default != "" && !seen[m.Default]:
		return fmt.Errorf("module %q: the default %s is not one of its versions: %w", m.Name, m.Default, errCorruptRecord)
	case len(m.Versions) == 0:
		return fmt.Errorf("module %q: no versions: %w", m.Name, errCorruptRecord)
	}
	return nil
}
