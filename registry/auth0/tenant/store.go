package tenant

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Database layout (one bbolt file, separate from the catalog's):
//
//	meta           format="verq-tenant", schema="1", domain, secret (HS256 key), created
//	users          user_id -> user JSON
//	user_roles     user_id -> JSON array of role ids
//	passwords      user_id -> salted PBKDF2 hash (never returned by the API)
//	roles          role id -> Role JSON
//	rules          rule id -> Rule JSON
//	rules_configs  key -> value
//	clients        client_id -> client JSON (secret stored hashed)
var (
	bucketMeta      = []byte("meta")
	bucketUsers     = []byte("users")
	bucketUserRoles = []byte("user_roles")
	bucketPasswords = []byte("passwords")
	bucketRoles     = []byte("roles")
	bucketRules     = []byte("rules")
	bucketConfigs   = []byte("rules_configs")
	bucketClients   = []byte("clients")
	allBuckets      = [][]byte{bucketMeta, bucketUsers, bucketUserRoles, bucketPasswords, bucketRoles, bucketRules, bucketConfigs, bucketClients}
)

const (
	formatName    = "verq-tenant"
	schemaVersion = 1
)

// meta holds the tenant-wide settings read at open.
type meta struct {
	domain string
	secret []byte
}

// initDB creates the buckets, the tenant's signing secret and the example data in one transaction.
func initDB(tx *bolt.Tx, domain, created string, seed *seedData) error {
	for _, b := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	m := tx.Bucket(bucketMeta)
	for k, v := range map[string][]byte{
		"format": []byte(formatName), "schema": []byte(strconv.Itoa(schemaVersion)),
		"domain": []byte(domain), "secret": secret, "created": []byte(created),
	} {
		if err := m.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return seed.write(tx)
}

// errEmptyDB marks a bbolt file with no buckets at all: one whose creation was interrupted before
// the tenant was written. Open initializes it like a new file.
var errEmptyDB = errors.New("empty bbolt database")

// checkFormat fails with ErrNotTenant unless tx is a verq tenant database of a known schema.
func checkFormat(tx *bolt.Tx, path string) error {
	empty := true
	_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return errEmptyDB })
	if empty {
		return errEmptyDB
	}
	m := tx.Bucket(bucketMeta)
	if m == nil || string(m.Get([]byte("format"))) != formatName {
		return fmt.Errorf("%w: %s is a bbolt database but not a verq tenant (no tenant marker); it was left untouched", ErrNotTenant, path)
	}
	v, err := strconv.Atoi(string(m.Get([]byte("schema"))))
	if err != nil || v < 1 {
		return fmt.Errorf("%w: %s has an unreadable tenant schema version", ErrNotTenant, path)
	}
	if v > schemaVersion {
		return fmt.Errorf("%w: %s uses tenant schema %d, newer than this verq understands (%d); upgrade verq", ErrNotTenant, path, v, schemaVersion)
	}
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			return fmt.Errorf("%w: %s lacks the %q bucket", ErrNotTenant, path, b)
		}
	}
	if len(m.Get([]byte("secret"))) < 32 {
		return fmt.Errorf("%w: %s has no token signing secret", ErrNotTenant, path)
	}
	return nil
}

// checkIntegrity runs bbolt's consistency check over the whole file.
func checkIntegrity(tx *bolt.Tx, path string) error {
	var errs []error
	for err := range tx.Check() {
		errs = append(errs, err)
		if len(errs) >= 5 {
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s is corrupt: %v", ErrNotTenant, path, errors.Join(errs...))
	}
	return nil
}

// guard runs fn, turning panics and memory faults raised while reading a damaged file into
// ErrNotTenant.
func guard(path string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s is corrupt (%v); it was left untouched", ErrNotTenant, path, r)
		}
	}()
	return fn()
}

// load reads the whole database into memory.
func load(tx *bolt.Tx, path string, fields *fieldTable) (*state, meta, error) {
	s := newState()
	mb := tx.Bucket(bucketMeta)
	md := meta{domain: string(mb.Get([]byte("domain"))), secret: append([]byte(nil), mb.Get([]byte("secret"))...)}
	bad := func(bucket []byte, key []byte, err error) error {
		return fmt.Errorf("%w: %s: record %s/%q is unreadable: %v", ErrNotTenant, path, bucket, key, err)
	}
	recs, err := loadUsers(tx, path, fields)
	if err != nil {
		return nil, md, err
	}
	for _, r := range recs {
		s.users[r.id] = r
		if r.email != "" {
			s.byEmail[r.email] = append(s.byEmail[r.email], r)
		}
	}
	s.rebuildSorted()
	err = tx.Bucket(bucketUserRoles).ForEach(func(k, v []byte) error {
		var ids []string
		if err := json.Unmarshal(v, &ids); err != nil {
			return bad(bucketUserRoles, k, err)
		}
		s.userRoles[string(k)] = ids
		return nil
	})
	if err != nil {
		return nil, md, err
	}
	err = tx.Bucket(bucketRoles).ForEach(func(k, v []byte) error {
		var r Role
		if err := json.Unmarshal(v, &r); err != nil {
			return bad(bucketRoles, k, err)
		}
		s.roles[r.ID] = &r
		return nil
	})
	if err != nil {
		return nil, md, err
	}
	err = tx.Bucket(bucketRules).ForEach(func(k, v []byte) error {
		var r Rule
		if err := json.Unmarshal(v, &r); err != nil {
			return bad(bucketRules, k, err)
		}
		s.rules[r.ID] = &r
		return nil
	})
	if err != nil {
		return nil, md, err
	}
	err = tx.Bucket(bucketConfigs).ForEach(func(k, v []byte) error {
		s.configs[string(k)] = string(v)
		return nil
	})
	if err != nil {
		return nil, md, err
	}
	err = tx.Bucket(bucketClients).ForEach(func(k, v []byte) error {
		var c client
		if err := json.Unmarshal(v, &c); err != nil {
			return bad(bucketClients, k, err)
		}
		s.clients[c.ID] = &c
		return nil
	})
	if err != nil {
		return nil, md, err
	}
	return s, md, nil
}

// loadUsers decodes every stored user and builds its indexes, spreading the work over the CPUs.
func loadUsers(tx *bolt.Tx, path string, fields *fieldTable) ([]*userRec, error) {
	type item struct{ key, val []byte }
	var items []item
	err := tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
		items = append(items, item{append([]byte(nil), k...), append([]byte(nil), v...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	recs := make([]*userRec, len(items))
	errs := make([]error, len(items))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(items)/256))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += workers {
				var doc map[string]any
				if err := decodeJSON(items[i].val, &doc); err != nil {
					errs[i] = err
					continue
				}
				recs[i], errs[i] = newUserRec(doc, items[i].val, fields)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%w: %s: record %s/%q is unreadable: %v", ErrNotTenant, path, bucketUsers, items[i].key, err)
		}
	}
	return recs, nil
}
