package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Holder describes the process that has a database open for writing. A read-write [Open] records it
// in the sidecar file "<path>.holder" and [Store.Close] removes it; a process that cannot take the
// lock reads it to say who holds the file.
type Holder struct {
	// PID is the process id of the holder.
	PID int `json:"pid"`
	// Command is the executable's base name followed by its arguments, e.g. "verq serve".
	Command string `json:"command"`
	// Executable is the full path of the holder's executable, when known.
	Executable string `json:"executable,omitempty"`
	// Since is when the holder opened the database.
	Since time.Time `json:"since"`
	// Mode is "read-write".
	Mode string `json:"mode"`
}

// HolderPath returns the path of the sidecar file that names the writer of the database at path.
func HolderPath(path string) string { return path + ".holder" }

func currentHolder(now time.Time) Holder {
	exe, _ := os.Executable()
	name := filepath.Base(os.Args[0])
	if exe != "" {
		name = filepath.Base(exe)
	}
	cmd := strings.Join(append([]string{name}, os.Args[1:]...), " ")
	const maxCommand = 200
	if len(cmd) > maxCommand {
		cmd = cmd[:maxCommand] + "…"
	}
	return Holder{PID: os.Getpid(), Command: cmd, Executable: exe, Since: now.UTC().Truncate(time.Second), Mode: "read-write"}
}

func writeHolder(path string, h Holder) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	tmp := HolderPath(path) + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, HolderPath(path))
}

// ReadHolder returns the recorded writer of the database at path. It reports false when there is no
// holder file, it cannot be read, or the process it names no longer runs (a stale file left by a
// crash).
func ReadHolder(path string) (Holder, bool) {
	data, err := os.ReadFile(HolderPath(path))
	if err != nil {
		return Holder{}, false
	}
	var h Holder
	if json.Unmarshal(data, &h) != nil || h.PID <= 0 || !processAlive(h.PID) {
		return Holder{}, false
	}
	return h, true
}

func removeHolder(path string) {
	h, err := os.ReadFile(HolderPath(path))
	if err != nil {
		return
	}
	var rec Holder
	if json.Unmarshal(h, &rec) == nil && rec.PID != os.Getpid() {
		return // someone else's record; leave it
	}
	_ = os.Remove(HolderPath(path))
}

// LockedError is returned by [Open] when another process holds the database and the lock timeout
// expired. It matches [ErrLocked] with errors.Is.
type LockedError struct {
	// Path is the database file.
	Path string
	// Holder names the writer holding the file, when it is known.
	Holder *Holder
	// Waited is how long Open waited for the lock.
	Waited time.Duration
}

// Error says which file is locked, by whom and what to do.
func (e *LockedError) Error() string {
	by := "by another process (no writer recorded: a reader may have it open)"
	if e.Holder != nil {
		by = fmt.Sprintf("by another process (pid %d %q, since %s)", e.Holder.PID, e.Holder.Command, e.Holder.Since.Format(time.RFC3339))
	}
	return fmt.Sprintf("database %s is locked %s; stop it or retry (waited %s)", e.Path, by, e.Waited)
}

// Is reports whether target is [ErrLocked].
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

func lockedError(path string, waited time.Duration) error {
	e := &LockedError{Path: path, Waited: waited}
	if h, ok := ReadHolder(path); ok {
		e.Holder = &h
	}
	return e
}
