package catalog

// On-disk layout. The catalog owns three top-level buckets of the bbolt file; every other top-level
// bucket belongs to another package (see [Store.DB]).
//
//	meta/                      marker and schema of the file
//	    "format"   -> "verq catalog"
//	    "schema"   -> decimal schema version
//	    "created"  -> RFC 3339 time the file was seeded
//	    "builtin"  -> SHA-256 (hex) of the embedded built-in list last applied
//	runtimes/                  one nested bucket per runtime name
//	    <runtime>/
//	        "\x00info" -> JSON runtimeRecord
//	        <module>   -> binary module record (codec.go)
//	history/                   append-only change log
//	    <uint64 big-endian seq> -> JSON Change
//
// Module names never start with a NUL byte, so the info key sorts before and never collides with
// module keys.
var (
	bucketMeta     = []byte("meta")
	bucketRuntimes = []byte("runtimes")
	bucketHistory  = []byte("history")

	keyFormat  = []byte("format")
	keySchema  = []byte("schema")
	keyCreated = []byte("created")
	keyBuiltin = []byte("builtin")

	keyRuntimeInfo = []byte("\x00info")
)

// formatMarker is the value of meta/format in every verq database.
const formatMarker = "verq catalog"

// SchemaVersion is the version of the on-disk layout this package reads and writes. A file written
// with a higher schema version is refused rather than misread.
const SchemaVersion = 1

// ReservedBuckets returns the top-level bucket names the catalog owns in the shared bbolt file. Other
// packages keep their data in top-level buckets with their own prefix ("pkg.", "usage.", …) and must
// not use these names.
func ReservedBuckets() []string {
	return []string{string(bucketMeta), string(bucketRuntimes), string(bucketHistory)}
}
