package catalog

import (
	"fmt"
	"runtime/debug"
	"strings"

	"go.etcd.io/bbolt"
)

// Check verifies the whole file: bbolt's page-level consistency check, then a decode of every runtime
// record, module record and history entry. It reads everything, so it suits maintenance commands
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
				_, err := decodeModule(string(k), v)
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
