package tenant

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// holder is the content of the <path>.holder sidecar written while a process has the database open
// read-write, so that a second process can say who holds the lock.
type holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
}

func holderPath(dbPath string) string { return dbPath + ".holder" }

// writeHolder records this process as the holder of dbPath (atomically, via rename).
func writeHolder(dbPath string, now time.Time) error {
	h := holder{PID: os.Getpid(), Command: strings.Join(os.Args, " "), Started: now.UTC()}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dbPath), filepath.Base(dbPath)+".holder-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), holderPath(dbPath))
}

// removeHolder deletes the sidecar if it still names this process.
func removeHolder(dbPath string) {
	h, err := readHolder(dbPath)
	if err == nil && h.PID == os.Getpid() {
		os.Remove(holderPath(dbPath))
	}
}

func readHolder(dbPath string) (holder, error) {
	var h holder
	b, err := os.ReadFile(holderPath(dbPath))
	if err != nil {
		return h, err
	}
	err = json.Unmarshal(b, &h)
	return h, err
}

// lockError explains a lock timeout: which file, who holds it (from the sidecar) and how long we
// waited.
func lockError(dbPath string, waited time.Duration, readOnly bool) error {
	who := "another process (no holder file; it may have opened the database read-only)"
	if h, err := readHolder(dbPath); err == nil {
		who = fmt.Sprintf("pid %d (%s), open since %s", h.PID, h.Command, h.Started.Format(time.RFC3339))
	}
	mode := "read-write"
	if readOnly {
		mode = "read-only"
	}
	return fmt.Errorf("%w: %s is held by %s; gave up opening it %s after %s — stop that process or wait for it to finish",
		ErrLocked, dbPath, who, mode, waited)
}

// boltMagic is the magic number bbolt writes in its meta pages.
const boltMagic = 0xED0CDAED

// checkBoltHeader reads the first meta page of an existing file and fails with ErrNotTenant unless
// it is a bbolt database. Nothing is written.
func checkBoltHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var hdr [32]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: %s is too short to be a database; it was left untouched", ErrNotTenant, path)
		}
		return err
	}
	// Page header: id uint64, flags uint16, count uint16, overflow uint32; then meta.magic uint32.
	if binary.LittleEndian.Uint32(hdr[16:20]) != boltMagic && binary.BigEndian.Uint32(hdr[16:20]) != boltMagic {
		return fmt.Errorf("%w: %s is not a bbolt database; it was left untouched (give a new path to create a tenant)", ErrNotTenant, path)
	}
	return nil
}
