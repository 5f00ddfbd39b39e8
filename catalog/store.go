package catalog

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultLockTimeout is how long Open waits for another process's lock when Options.LockTimeout is 0.
const DefaultLockTimeout = 2 * time.Second

// Options configure [Open]. The zero value opens read-write, waits [DefaultLockTimeout] for a lock and
// logs nothing.
type Options struct {
	// ReadOnly opens the file with a shared lock: many read-only stores (in any number of processes)
	// may be open at once, but no writer. Writes return [ErrReadOnly]. Default false.
	ReadOnly bool
	// LockTimeout is how long Open waits for another process's lock before failing with [ErrLocked].
	// 0 means [DefaultLockTimeout]; a negative value tries once.
	LockTimeout time.Duration
	// Logger receives open/close and write events. nil discards them.
	Logger *slog.Logger
	// Actor is recorded in the history for writes whose actor argument is empty. Default "unknown".
	Actor string
}

// Store is a catalog database: allowed module versions per runtime, in one bbolt file. A Store is safe
// for concurrent use by multiple goroutines.
type Store struct {
	db       *bbolt.DB
	path     string
	readOnly bool
	log      *slog.Logger
	actor    string
	gen      atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating and seeding if needed) the catalog database at path.
//
// A missing or empty file is created with mode 0600 (parent directories 0700) and seeded with the
// verq marker and the built-in runtime; with ReadOnly set this happens in a short read-write open
// before the file is reopened read-only. An existing file is checked before it is opened for writing:
// a file that is not bbolt, is damaged, or is a bbolt database without the verq marker is refused
// with an error wrapping [ErrNotCatalog], and is never written to. When another process holds the
// file and the lock is not free within LockTimeout, Open fails with a [*LockedError] (matching
// [ErrLocked]) naming the file and, when recorded, the holding process.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("open catalog database: %w: empty path", ErrInvalid)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog database %s: %w", path, err)
	}
	path = abs
	timeout := opts.LockTimeout
	switch {
	case timeout == 0:
		timeout = DefaultLockTimeout
	case timeout < 0:
		timeout = time.Nanosecond
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	actor := opts.Actor
	if actor == "" {
		actor = "unknown"
	}
	s := &Store{path: path, readOnly: opts.ReadOnly, log: log, actor: actor}
	s.gen.Store(1)
	deadline := time.Now().Add(timeout)

	isNew, err := inspectFile(path)
	if err != nil {
		return nil, err
	}
	if isNew {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create catalog database %s: %w", path, err)
		}
		if opts.ReadOnly {
			// Seed with a short read-write open so read-only commands work on a fresh machine.
			if _, err := s.openRW(deadline); err != nil {
				return nil, err
			}
			if err := s.closeDB(); err != nil {
				return nil, fmt.Errorf("seed catalog database %s: %w", path, err)
			}
			return s.openRO(deadline)
		}
		return s.openRW(deadline)
	}
	// An existing file: confirm it is a verq database through a read-only handle first.
	ro, err := s.openRO(deadline)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return ro, nil
	}
	if err := ro.db.Close(); err != nil {
		return nil, fmt.Errorf("open catalog database %s: %w", path, err)
	}
	s.db = nil
	return s.openRW(deadline)
}

func remaining(deadline time.Time) time.Duration {
	d := time.Until(deadline)
	if d < time.Millisecond {
		d = time.Millisecond
	}
	return d
}

// openRO opens s.path read-only and checks the verq marker.
func (s *Store) openRO(deadline time.Time) (*Store, error) {
	start := time.Now()
	db, err := boltOpen(s.path, &bbolt.Options{ReadOnly: true, Timeout: remaining(deadline), NoStatistics: true})
	if err != nil {
		return nil, s.openError(err, time.Since(start))
	}
	if err := checkMarker(s.path, db); err != nil {
		db.Close()
		return nil, err
	}
	s.db, s.readOnly = db, true
	s.log.Debug("catalog opened", "path", s.path, "mode", "read-only")
	return s, nil
}

// openRW opens s.path read-write, seeds it, and records the holder file.
func (s *Store) openRW(deadline time.Time) (*Store, error) {
	start := time.Now()
	db, err := boltOpen(s.path, &bbolt.Options{Timeout: remaining(deadline), NoStatistics: true})
	if err != nil {
		return nil, s.openError(err, time.Since(start))
	}
	s.db, s.readOnly = db, false
	if err := s.seed(); err != nil {
		db.Close()
		s.db = nil
		return nil, err
	}
	if err := writeHolder(s.path, currentHolder(time.Now())); err != nil {
		s.log.Warn("catalog: cannot record the holder file", "path", HolderPath(s.path), "err", err)
	}
	s.log.Debug("catalog opened", "path", s.path, "mode", "read-write")
	return s, nil
}

// boltOpen opens the file, turning a panic or memory fault raised while bbolt reads a damaged file
// into an error.
func boltOpen(path string, o *bbolt.Options) (db *bbolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: reading it failed: %v", berrors.ErrInvalid, r)
		}
	}()
	return bbolt.Open(path, 0o600, o)
}

func (s *Store) openError(err error, waited time.Duration) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return lockedError(s.path, waited)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return errNotCatalog(s.path, err.Error())
	}
	return fmt.Errorf("open catalog database %s: %w", s.path, err)
}

// checkMarker confirms that db carries the verq marker with a schema this package understands. It
// reads through a read-only transaction and recovers from faults on damaged pages.
func checkMarker(path string, db *bbolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = errNotCatalog(path, fmt.Sprintf("its pages are damaged (%v)", r))
		}
	}()
	return db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || string(meta.Get(keyFormat)) != formatMarker {
			var names []string
			_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
				if len(names) < 5 {
					names = append(names, strconv.Quote(string(name)))
				}
				return nil
			})
			if len(names) == 0 {
				return errNotCatalog(path, "it is a bbolt database without the verq marker (it has no buckets)")
			}
			return errNotCatalog(path, fmt.Sprintf("it is a bbolt database without the verq marker (its buckets include %s)", joinList(names, 5)))
		}
		schema, err := strconv.Atoi(string(meta.Get(keySchema)))
		if err != nil {
			return errNotCatalog(path, fmt.Sprintf("its schema version %q is unreadable", meta.Get(keySchema)))
		}
		if schema > SchemaVersion {
			return errNotCatalog(path, fmt.Sprintf("it was written by a newer verq (schema %d; this build reads up to %d): upgrade verq", schema, SchemaVersion))
		}
		if tx.Bucket(bucketRuntimes) == nil || tx.Bucket(bucketHistory) == nil {
			return errNotCatalog(path, "its catalog buckets are missing")
		}
		return nil
	})
}

// Close releases the database and its lock and removes the holder file. It is safe to call more than
// once; later calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closeDB() })
	return s.closeErr
}

// closeDB closes the bbolt handle and, for a writer, removes the holder file.
func (s *Store) closeDB() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	if !s.readOnly {
		removeHolder(s.path)
	}
	s.log.Debug("catalog closed", "path", s.path)
	return err
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Generation returns a counter that starts at 1 and increases after every committed write through
// this Store. Caches of catalog data key on it. Writes by other processes (or other Store values on
// the same file) do not change it.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// DB returns the underlying bbolt database. Other packages may keep their own data in the same file,
// in top-level buckets whose names carry their package prefix ("pkg.", "usage.", …); the names in
// [ReservedBuckets] belong to the catalog and must not be touched. Do not close the returned DB; use
// [Store.Close]. On a read-only store, the DB is read-only too. bbolt's transaction statistics are
// disabled (they cost on every read).
func (s *Store) DB() *bbolt.DB { return s.db }

func joinList(items []string, max int) string {
	out := ""
	for i, it := range items {
		if i == max {
			return out + ", …"
		}
		if i > 0 {
			out += ", "
		}
		out += it
	}
	return out
}
