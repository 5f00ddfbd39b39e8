package tenant

import (
	"fmt"
	"os"
	"time"

	"github.com/verq/verq/catalog/boltfile"
)

// holder is the content of the <path>.holder sidecar written while a process has the database open
// read-write, so that a second process can say who holds the lock.
type holder = boltfile.Holder

func holderPath(dbPath string) string { return boltfile.HolderPath(dbPath) }

// writeHolder records this process as the holder of dbPath (atomically, via rename).
func writeHolder(dbPath string, now time.Time) error {
	return boltfile.WriteHolder(dbPath, boltfile.CurrentHolder(now))
}

// removeHolder deletes the sidecar if it still names this process.
func removeHolder(dbPath string) { boltfile.RemoveHolder(dbPath) }

// lockError explains a lock timeout: which file, who holds it (from the sidecar) and how long we
// waited. It matches ErrLocked.
func lockError(dbPath string, waited time.Duration) error {
	return boltfile.NewLockedError(dbPath, waited, ErrLocked)
}

// checkBoltHeader inspects the meta pages of an existing file and fails with ErrNotTenant unless it
// is a plausible bbolt database. Nothing is written.
func checkBoltHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := boltfile.CheckHeader(f, st.Size()); err != nil {
		return fmt.Errorf("%w: %s: %v; it was left untouched (give a new path to create a tenant)", ErrNotTenant, path, err)
	}
	return nil
}
