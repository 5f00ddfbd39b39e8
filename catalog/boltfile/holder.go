package boltfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Holder describes the process that has a database open for writing. A read-write opener records it
// in the sidecar file "<path>.holder" with [WriteHolder] and removes it with [RemoveHolder] on close;
// a process that cannot take the lock reads it with [ReadHolder] to say who holds the file.
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

// maxCommand bounds the length of Holder.Command; longer command lines are cut and end in "…".
const maxCommand = 200

// CurrentHolder describes this process as a read-write holder that opened a database at now.
func CurrentHolder(now time.Time) Holder {
	exe, _ := os.Executable()
	name := filepath.Base(os.Args[0])
	if exe != "" {
		name = filepath.Base(exe)
	}
	cmd := strings.Join(append([]string{name}, os.Args[1:]...), " ")
	if len(cmd) > maxCommand {
		cmd = cmd[:maxCommand] + "…"
	}
	return Holder{PID: os.Getpid(), Command: cmd, Executable: exe, Since: now.UTC().Truncate(time.Second), Mode: "read-write"}
}

// WriteHolder records h as the holder of the database at path, replacing the sidecar atomically (a
// temporary file renamed over it).
func WriteHolder(path string, h Holder) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	tmp := HolderPath(path) + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, HolderPath(path)); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return nil
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

// RemoveHolder deletes the sidecar of the database at path if it names this process; a record left
// by another process is kept. Errors are ignored: a leftover file naming a dead process is harmless.
func RemoveHolder(path string) {
	data, err := os.ReadFile(HolderPath(path))
	if err != nil {
		return
	}
	var h Holder
	if json.Unmarshal(data, &h) == nil && h.PID != os.Getpid() {
		return // someone else's record; leave it
	}
	_ = os.Remove(HolderPath(path))
}
