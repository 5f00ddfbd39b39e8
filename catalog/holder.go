package catalog

import (
	"time"

	"github.com/verq/verq/catalog/boltfile"
)

// Holder describes the process that has a database open for writing. A read-write [Open] records it
// in the sidecar file "<path>.holder" and [Store.Close] removes it; a process that cannot take the
// lock reads it to say who holds the file. See [boltfile.Holder].
type Holder = boltfile.Holder

// HolderPath returns the path of the sidecar file that names the writer of the database at path.
func HolderPath(path string) string { return boltfile.HolderPath(path) }

// ReadHolder returns the recorded writer of the database at path. It reports false when there is no
// holder file, it cannot be read, or the process it names no longer runs (a stale file left by a
// crash).
func ReadHolder(path string) (Holder, bool) { return boltfile.ReadHolder(path) }

func currentHolder(now time.Time) Holder { return boltfile.CurrentHolder(now) }

func writeHolder(path string, h Holder) error { return boltfile.WriteHolder(path, h) }

func removeHolder(path string) { boltfile.RemoveHolder(path) }

// LockedError is returned by [Open] when another process holds the database and the lock timeout
// expired. It names the file, the holder when known and how long Open waited, and matches
// [ErrLocked] with errors.Is. See [boltfile.LockedError].
type LockedError = boltfile.LockedError

func lockedError(path string, waited time.Duration) error {
	return boltfile.NewLockedError(path, waited, ErrLocked)
}
