package npm

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"go.etcd.io/bbolt"
)

// Top-level buckets of the shared database file, all prefixed "pkg.".
var (
	// bucketMeta holds keySchema and keyGen.
	bucketMeta = []byte("pkg.meta")
	// bucketVersions maps "name@version" to a JSON Package.
	bucketVersions = []byte("pkg.versions")
	// bucketFiles maps "name@version" to the JSON []File of the package.
	bucketFiles = []byte("pkg.files")
	// bucketBlobs maps a raw 32-byte SHA-256 to file content.
	bucketBlobs = []byte("pkg.blobs")
	// bucketRefs maps a raw 32-byte SHA-256 to the big-endian count of stored versions holding it.
	bucketRefs = []byte("pkg.refs")
)

var (
	keySchema = []byte("schema")
	keyGen    = []byte("gen")
)

// schemaVersion is the layout version written to bucketMeta; a higher one is refused.
const schemaVersion = 1

// Buckets returns the names of the top-level buckets this package keeps in the database file.
func Buckets() []string {
	return []string{string(bucketMeta), string(bucketVersions), string(bucketFiles), string(bucketBlobs), string(bucketRefs)}
}

func versionKey(name, version string) []byte { return []byte(name + "@" + version) }

// splitKey splits "name@version" at the last '@' (scoped names start with '@').
func splitKey(k string) (name, version string, ok bool) {
	i := strings.LastIndexByte(k, '@')
	if i <= 0 {
		return "", "", false
	}
	return k[:i], k[i+1:], true
}

// ensureBuckets creates the buckets and checks the schema, inside a write transaction.
func ensureBuckets(tx *bbolt.Tx) error {
	for _, b := range [][]byte{bucketMeta, bucketVersions, bucketFiles, bucketBlobs, bucketRefs} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySchema); v != nil {
		if len(v) != 8 || binary.BigEndian.Uint64(v) > schemaVersion {
			return fmt.Errorf("npm package store: schema version %x is newer than this verq understands (%d); upgrade verq", v, schemaVersion)
		}
		return nil
	}
	return meta.Put(keySchema, u64(schemaVersion))
}

// checkSchema refuses a store written by a newer layout, inside any transaction.
func checkSchema(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return nil
	}
	if v := meta.Get(keySchema); v != nil && (len(v) != 8 || binary.BigEndian.Uint64(v) > schemaVersion) {
		return fmt.Errorf("npm package store: schema version %x is newer than this verq understands (%d); upgrade verq", v, schemaVersion)
	}
	return nil
}

// bumpGen increases the store generation; readers' caches compare it.
func bumpGen(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	return meta.Put(keyGen, u64(readGen(tx)+1))
}

// readGen returns the store generation (0 for a store never written).
func readGen(tx *bbolt.Tx) uint64 {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	v := meta.Get(keyGen)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// getPackage reads one version record; nil when absent.
func getPackage(tx *bbolt.Tx, name, version string) (*Package, error) {
	b := tx.Bucket(bucketVersions)
	if b == nil {
		return nil, nil
	}
	v := b.Get(versionKey(name, version))
	if v == nil {
		return nil, nil
	}
	var p Package
	if err := json.Unmarshal(v, &p); err != nil {
		return nil, fmt.Errorf("npm package store: record %s@%s is damaged: %v", name, version, err)
	}
	return &p, nil
}

func putPackage(tx *bbolt.Tx, p *Package) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketVersions).Put(versionKey(p.Name, p.Version), data)
}

// getFiles reads the file list of a version; nil when absent.
func getFiles(tx *bbolt.Tx, name, version string) ([]File, error) {
	b := tx.Bucket(bucketFiles)
	if b == nil {
		return nil, nil
	}
	v := b.Get(versionKey(name, version))
	if v == nil {
		return nil, nil
	}
	var fs []File
	if err := json.Unmarshal(v, &fs); err != nil {
		return nil, fmt.Errorf("npm package store: file list of %s@%s is damaged: %v", name, version, err)
	}
	return fs, nil
}

// hashKey decodes a hex SHA-256 into the blob key.
func hashKey(hexsum string) ([]byte, error) {
	k, err := hex.DecodeString(hexsum)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("npm package store: bad content hash %q", hexsum)
	}
	return k, nil
}

// addRef stores data under its hash if new and counts one more holder.
func addRef(tx *bbolt.Tx, key, data []byte) error {
	refs := tx.Bucket(bucketRefs)
	n := uint64(0)
	if v := refs.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	if n == 0 || tx.Bucket(bucketBlobs).Get(key) == nil {
		if err := tx.Bucket(bucketBlobs).Put(key, data); err != nil {
			return err
		}
	}
	return refs.Put(key, u64(n+1))
}

// dropRef counts one holder less and deletes the blob when none is left.
func dropRef(tx *bbolt.Tx, key []byte) error {
	refs := tx.Bucket(bucketRefs)
	n := uint64(0)
	if v := refs.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	if n <= 1 {
		if err := refs.Delete(key); err != nil {
			return err
		}
		return tx.Bucket(bucketBlobs).Delete(key)
	}
	return refs.Put(key, u64(n-1))
}

func marshalFiles(fs []File) ([]byte, error) { return json.Marshal(fs) }

// refCount returns how many stored versions hold the blob.
func refCount(tx *bbolt.Tx, key []byte) uint64 {
	b := tx.Bucket(bucketRefs)
	if b == nil {
		return 0
	}
	if v := b.Get(key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
