package npm

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"
)

// Check verifies the package store: every version has a file list, every listed file's content is
// stored and hashes to its key, and every reference count equals the number of versions holding
// that content, with no orphan contents. It reads everything, so it suits maintenance commands.
func (s *Store) Check() error {
	var problems []string
	add := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if err := checkSchema(tx); err != nil {
			return err
		}
		versions := tx.Bucket(bucketVersions)
		if versions == nil {
			return nil
		}
		holders := make(map[string]uint64)
		err := versions.ForEach(func(k, _ []byte) error {
			name, version, ok := splitKey(string(k))
			if !ok {
				add("malformed version key %q", k)
				return nil
			}
			files, err := getFiles(tx, name, version)
			if err != nil {
				add("%v", err)
				return nil
			}
			if files == nil {
				add("%s has no file list", k)
			}
			seen := make(map[string]bool, len(files))
			for _, f := range files {
				if !seen[f.SHA256] {
					seen[f.SHA256] = true
					holders[f.SHA256]++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if fb := tx.Bucket(bucketFiles); fb != nil {
			_ = fb.ForEach(func(k, _ []byte) error {
				if versions.Get(k) == nil {
					add("file list %s has no version record", k)
				}
				return nil
			})
		}
		blobs, refs := tx.Bucket(bucketBlobs), tx.Bucket(bucketRefs)
		for h, n := range holders {
			key, err := hashKey(h)
			if err != nil {
				add("%v", err)
				continue
			}
			data := blobs.Get(key)
			if data == nil {
				add("content %s is missing", h)
				continue
			}
			if sum := sha256.Sum256(data); !bytes.Equal(sum[:], key) {
				add("content %s is damaged (hashes to %x)", h, sum)
			}
			if v := refs.Get(key); len(v) != 8 || binary.BigEndian.Uint64(v) != n {
				add("content %s has reference count %x, want %d", h, v, n)
			}
		}
		_ = blobs.ForEach(func(k, _ []byte) error {
			if holders[hex.EncodeToString(k)] == 0 {
				add("content %x is held by no version", k)
			}
			return nil
		})
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New("npm package store is inconsistent: " + strings.Join(problems, "; "))
	}
	return nil
}
