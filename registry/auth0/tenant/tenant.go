package tenant

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Tenant is an open local tenant. All methods are safe for concurrent use.
type Tenant struct {
	path     string
	db       *bolt.DB
	readOnly bool
	domain   string
	secret   []byte
	log      *slog.Logger
	now      func() time.Time

	mu sync.RWMutex // guards st
	st *state

	queue         chan *writeOp
	closing       chan struct{}
	committerDone chan struct{}
	closeMu       sync.RWMutex
	closed        bool
	closeOnce     sync.Once
	closeErr      error

	fields  *fieldTable
	tokens  *tokenCache
	limiter *rateLimiter
	handler http.Handler
}

// Open opens the tenant database at path, creating it (with example users and roles) when the file
// does not exist or is empty. An existing file that is not a verq tenant database, or is corrupt, is
// refused with ErrNotTenant and never written. If another process holds the file, Open waits up to
// opts.LockTimeout and then fails with ErrLocked, naming the holder recorded in <path>.holder (a
// sidecar this process writes while it has the file open read-write and removes on Close).
func Open(path string, opts Options) (*Tenant, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	info, statErr := os.Stat(path)
	switch {
	case statErr == nil && info.IsDir():
		return nil, fmt.Errorf("tenant: %s is a directory; give the path of a database file", path)
	case statErr != nil && !errors.Is(statErr, os.ErrNotExist):
		return nil, fmt.Errorf("tenant: %w", statErr)
	}
	exists := statErr == nil && info.Size() > 0
	if !exists && opts.ReadOnly {
		return nil, fmt.Errorf("tenant: %s does not exist; open it read-write once to create it", path)
	}
	if exists {
		switch err := probe(path, opts); {
		case errors.Is(err, errEmptyDB) && !opts.ReadOnly:
			exists = false // creation was interrupted: finish it
		case errors.Is(err, errEmptyDB):
			return nil, fmt.Errorf("%w: %s is an empty database; open it read-write once to create the tenant", ErrNotTenant, path)
		case err != nil:
			return nil, err
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:        opts.LockTimeout,
		ReadOnly:       opts.ReadOnly,
		NoFreelistSync: true, // the freelist is rebuilt at open; commits write fewer pages
		FreelistType:   bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, lockError(path, opts.LockTimeout)
		}
		return nil, fmt.Errorf("tenant: open %s: %w", path, err)
	}
	t := &Tenant{
		path:     path,
		db:       db,
		readOnly: opts.ReadOnly,
		log:      opts.Logger,
		now:      opts.Now,
		fields:   newFieldTable(),
	}
	var md meta
	err = guard(path, func() error {
		if !exists {
			seed, err := loadSeed()
			if err != nil {
				return err
			}
			domain := opts.Domain
			if domain == "" {
				domain = DefaultDomain
			}
			if err := db.Update(func(tx *bolt.Tx) error {
				return initDB(tx, domain, timestamp(opts.Now()), seed)
			}); err != nil {
				return fmt.Errorf("tenant: create %s: %w", path, err)
			}
		}
		return db.View(func(tx *bolt.Tx) error {
			if err := checkFormat(tx, path); errors.Is(err, errEmptyDB) {
				return fmt.Errorf("%w: %s is an empty database", ErrNotTenant, path)
			} else if err != nil {
				return err
			}
			var err error
			t.st, md, err = load(tx, path, t.fields)
			return err
		})
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	t.domain = md.domain
	if opts.Domain != "" {
		t.domain = opts.Domain
	}
	t.secret = md.secret
	t.tokens = newTokenCache()
	if opts.RateLimit > 0 {
		t.limiter = newRateLimiter(opts.RateLimit, opts.Now)
	}
	t.handler = t.newHandler()
	if !t.readOnly {
		if err := writeHolder(path, opts.Now()); err != nil {
			t.log.Warn("cannot write the lock holder file", "path", holderPath(path), "err", err)
		}
		t.queue = make(chan *writeOp, 1024)
		t.closing = make(chan struct{})
		t.committerDone = make(chan struct{})
		go t.commitLoop()
	}
	t.log.Info("tenant open", "path", path, "domain", t.domain, "read_only", t.readOnly,
		"users", len(t.st.users), "rules", len(t.st.rules), "created", !exists)
	return t, nil
}

// probe checks an existing file without writing to it: it must be a bbolt database carrying the
// tenant marker and pass bbolt's consistency check. It takes only a shared lock, so it also reports
// a file held by another writer.
func probe(path string, opts Options) error {
	if err := checkBoltHeader(path); err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: true})
	if err != nil {
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return lockError(path, opts.LockTimeout)
		case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
			return fmt.Errorf("%w: %s: %v; it was left untouched", ErrNotTenant, path, err)
		}
		return fmt.Errorf("%w: %s cannot be opened as a database (%v); it was left untouched", ErrNotTenant, path, err)
	}
	defer db.Close()
	return guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			if err := checkFormat(tx, path); err != nil {
				return err // including errEmptyDB, which Open handles
			}
			return checkIntegrity(tx, path)
		})
	})
}

// Close waits for queued writes to commit, closes the database and removes the holder sidecar.
// It is safe to call more than once.
func (t *Tenant) Close() error {
	t.closeOnce.Do(func() {
		t.closeMu.Lock()
		t.closed = true
		t.closeMu.Unlock()
		if !t.readOnly {
			close(t.closing)
			<-t.committerDone
		}
		t.closeErr = t.db.Close()
		if !t.readOnly {
			removeHolder(t.path)
		}
		t.log.Info("tenant closed", "path", t.path)
	})
	return t.closeErr
}

// Path returns the database file path.
func (t *Tenant) Path() string { return t.path }

// Domain returns the tenant's domain, e.g. "local.verq".
func (t *Tenant) Domain() string { return t.domain }

// BaseURL returns the Management API base URL, https://<domain>/api/v2.
func (t *Tenant) BaseURL() string { return "https://" + t.domain + "/api/v2" }

// issuer and audience are the token claims this tenant issues and accepts.
func (t *Tenant) issuer() string   { return "https://" + t.domain + "/" }
func (t *Tenant) audience() string { return "https://" + t.domain + "/api/v2/" }

// ReadOnly reports whether the tenant was opened read-only.
func (t *Tenant) ReadOnly() bool { return t.readOnly }
