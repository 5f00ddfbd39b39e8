package catalog

import (
	"errors"
	"fmt"
	"os"

	"github.com/verq/verq/catalog/boltfile"
)

// errNotCatalog builds the refusal for a file that is not a usable verq database.
func errNotCatalog(path, why string) error {
	return fmt.Errorf("%s: %w: %s; the file was left untouched: move it aside or pass --db to use another file", path, ErrNotCatalog, why)
}

// inspectFile reports whether path is missing or empty (a new database) and, for an existing file,
// checks its bbolt header with [boltfile.CheckHeader].
func inspectFile(path string) (isNew bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("open catalog database: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("open catalog database: %w", err)
	}
	if st.IsDir() {
		return false, fmt.Errorf("%s: %w: it is a directory; pass --db with a file path", path, ErrNotCatalog)
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%s: %w: it is not a regular file; pass --db with a file path", path, ErrNotCatalog)
	}
	if st.Size() == 0 {
		return true, nil
	}
	if err := boltfile.CheckHeader(f, st.Size()); err != nil {
		return false, errNotCatalog(path, err.Error())
	}
	return false, nil
}
