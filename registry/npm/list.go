package npm

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/Masterminds/semver/v3"
	"go.etcd.io/bbolt"
)

// List returns every stored package version, sorted by name and then by semantic version.
func (s *Store) List() ([]Summary, error) {
	var out []Summary
	err := s.db.View(func(tx *bbolt.Tx) error {
		if err := checkSchema(tx); err != nil {
			return err
		}
		b := tx.Bucket(bucketVersions)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var p Package
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("npm package store: record %s is damaged: %v", k, err)
			}
			out = append(out, Summary{
				Name: p.Name, Version: p.Version, License: p.License, Description: p.Description,
				Files: p.Files, Size: p.Size, Dependencies: len(p.Pinned), Direct: p.Direct,
			})
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return versionLess(out[i].Version, out[j].Version)
	})
	return out, err
}

// versionLess orders versions semantically, falling back to text for unparsable ones.
func versionLess(a, b string) bool {
	va, ea := semver.StrictNewVersion(a)
	vb, eb := semver.StrictNewVersion(b)
	if ea != nil || eb != nil {
		return a < b
	}
	return va.LessThan(vb)
}

// Details is everything Get reports about one stored version.
type Details struct {
	Package
	// FileList lists the package's files sorted by path.
	FileList []File `json:"file_list"`
	// Dependents lists the stored versions that pin this one, "name@version", sorted.
	Dependents []string `json:"dependents,omitempty"`
}

// Get returns a stored version with its files and dependents; a version not stored is ErrNotStored.
func (s *Store) Get(name, version string) (*Details, error) {
	var d *Details
	err := s.db.View(func(tx *bbolt.Tx) error {
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
		files, err := getFiles(tx, name, version)
		if err != nil {
			return err
		}
		deps, err := dependents(tx, name, version)
		if err != nil {
			return err
		}
		d = &Details{Package: *p, FileList: files, Dependents: deps}
		return nil
	})
	return d, err
}

// notStored builds the ErrNotStored error, naming the stored versions of name.
func notStored(tx *bbolt.Tx, name, version string) error {
	vs := storedVersions(tx, name)
	if len(vs) == 0 {
		return fmt.Errorf("%w: %s@%s (no version of %s is stored; add it with verq registry add %s@%s)", ErrNotStored, name, version, name, name, version)
	}
	sort.Slice(vs, func(i, j int) bool { return versionLess(vs[i], vs[j]) })
	return fmt.Errorf("%w: %s@%s (stored versions: %v)", ErrNotStored, name, version, vs)
}

// dependents lists the stored versions whose pins name name@version.
func dependents(tx *bbolt.Tx, name, version string) ([]string, error) {
	b := tx.Bucket(bucketVersions)
	if b == nil {
		return nil, nil
	}
	var out []string
	err := b.ForEach(func(k, v []byte) error {
		var p struct {
			Pinned map[string]string `json:"pinned"`
		}
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("npm package store: record %s is damaged: %v", k, err)
		}
		if p.Pinned[name] == version {
			out = append(out, string(k))
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
