package npm

import (
	"errors"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/catalog"
)

// RemoveOptions control Remove.
type RemoveOptions struct {
	// Catalog is consulted for runtimes listing the version; nil skips that check.
	Catalog Catalog
	// Force removes the version even when a catalog runtime lists it or a stored package pins it.
	Force bool
}

// RemoveResult is what Remove did.
type RemoveResult struct {
	// Removed is "name@version".
	Removed string `json:"removed"`
	// FreedBlobs counts the file contents deleted because no other stored version holds them, and
	// FreedBytes is their size.
	FreedBlobs int   `json:"freed_blobs"`
	FreedBytes int64 `json:"freed_bytes"`
	// ListedIn names the catalog runtimes that list the version (removal was forced).
	ListedIn []string `json:"listed_in,omitempty"`
	// Dependents names the stored versions pinning it (removal was forced); their requires of it
	// fail until it is added again.
	Dependents []string `json:"dependents,omitempty"`
}

// ListedIn returns the catalog runtimes that list name@version.
func ListedIn(c Catalog, name, version string) ([]string, error) {
	rts, err := c.Runtimes()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rt := range rts {
		m, err := c.Module(rt.Name, name)
		if errors.Is(err, catalog.ErrModuleNotFound) || errors.Is(err, catalog.ErrRuntimeNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, ok := m.Lookup(version); ok {
			out = append(out, rt.Name)
		}
	}
	return out, nil
}

// Remove deletes a stored version and the file contents no other version holds, in one
// transaction. Unless opts.Force is set it is refused (ErrInUse) while a catalog runtime lists the
// version or another stored version pins it.
func (s *Store) Remove(name, version string, opts RemoveOptions) (*RemoveResult, error) {
	res := &RemoveResult{Removed: name + "@" + version}
	if opts.Catalog != nil {
		listed, err := ListedIn(opts.Catalog, name, version)
		if err != nil {
			return nil, err
		}
		if len(listed) > 0 && !opts.Force {
			return nil, fmt.Errorf("%w: %s is listed in catalog runtime(s) %s; remove it there first (verq catalog remove) or use --force",
				ErrInUse, res.Removed, strings.Join(listed, ", "))
		}
		res.ListedIn = listed
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := checkSchema(tx); err != nil {
			return err
		}
		p, err := getPackage(tx, name, version)
		if err != nil {
			return err
		}
		if p == nil {
			return notStored(tx, name, version)
		}
		deps, err := dependents(tx, name, version)
		if err != nil {
			return err
		}
		if len(deps) > 0 && !opts.Force {
			return fmt.Errorf("%w: %s is a pinned dependency of %s; remove those first or use --force", ErrInUse, res.Removed, strings.Join(deps, ", "))
		}
		res.Dependents = deps
		files, err := getFiles(tx, name, version)
		if err != nil {
			return err
		}
		seen := make(map[string]bool, len(files))
		for _, f := range files {
			if seen[f.SHA256] {
				continue
			}
			seen[f.SHA256] = true
			key, err := hashKey(f.SHA256)
			if err != nil {
				return err
			}
			last := refCount(tx, key) <= 1
			if err := dropRef(tx, key); err != nil {
				return err
			}
			if last {
				res.FreedBlobs++
				res.FreedBytes += f.Size
			}
		}
		k := versionKey(name, version)
		if err := tx.Bucket(bucketFiles).Delete(k); err != nil {
			return err
		}
		if err := tx.Bucket(bucketVersions).Delete(k); err != nil {
			return err
		}
		return bumpGen(tx)
	})
	if errors.Is(err, bbolt.ErrTxNotWritable) || errors.Is(err, bbolt.ErrDatabaseReadOnly) {
		return nil, fmt.Errorf("%w: open the database read-write to remove packages", ErrReadOnly)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("npm package removed", "package", res.Removed, "freed_blobs", res.FreedBlobs)
	return res, nil
}
