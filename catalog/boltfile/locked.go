package boltfile

import (
	"fmt"
	"time"
)

// LockedError reports that another process holds a database and the lock timeout expired. It
// matches, with errors.Is, the sentinel given to [NewLockedError].
type LockedError struct {
	// Path is the database file.
	Path string
	// Holder names the writer holding the file, when it is known.
	Holder *Holder
	// Waited is how long the opener waited for the lock.
	Waited time.Duration

	sentinel error
}

// NewLockedError builds the error for a lock timeout on the database at path after waiting waited,
// naming the holder recorded in its sidecar when that process still runs. The result matches
// sentinel (the opening package's "locked" error) with errors.Is.
func NewLockedError(path string, waited time.Duration, sentinel error) *LockedError {
	e := &LockedError{Path: path, Waited: waited, sentinel: sentinel}
	if h, ok := ReadHolder(path); ok {
		e.Holder = &h
	}
	return e
}

// Error says which file is locked, by whom and what to do.
func (e *LockedError) Error() string {
	by := "by another process (no writer recorded: a reader may have it open)"
	if e.Holder != nil {
		by = fmt.Sprintf("by another process (pid %d %q, since %s)", e.Holder.PID, e.Holder.Command, e.Holder.Since.Format(time.RFC3339))
	}
	return fmt.Sprintf("database %s is locked %s; stop it or retry (waited %s)", e.Path, by, e.Waited)
}

// Is reports whether target is the sentinel the error was built with.
func (e *LockedError) Is(target error) bool { return e.sentinel != nil && target == e.sentinel }
