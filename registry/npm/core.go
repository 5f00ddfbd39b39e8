package npm

import "strings"

// coreNames are the Node.js core modules a bare require reaches before node_modules (Node v20).
// Modules Node serves only with the "node:" prefix (node:test, node:sea) are left out: without it
// those names are ordinary packages.
var coreNames = map[string]bool{
	"assert": true, "assert/strict": true, "async_hooks": true, "buffer": true, "child_process": true,
	"cluster": true, "console": true, "constants": true, "crypto": true, "dgram": true,
	"diagnostics_channel": true, "dns": true, "dns/promises": true, "domain": true, "events": true,
	"fs": true, "fs/promises": true, "http": true, "http2": true, "https": true, "inspector": true,
	"inspector/promises": true, "module": true, "net": true, "os": true, "path": true,
	"path/posix": true, "path/win32": true, "perf_hooks": true, "process": true, "punycode": true,
	"querystring": true, "readline": true, "readline/promises": true, "repl": true, "stream": true,
	"stream/consumers": true, "stream/promises": true, "stream/web": true, "string_decoder": true,
	"sys": true, "timers": true, "timers/promises": true, "tls": true, "trace_events": true,
	"tty": true, "url": true, "util": true, "util/types": true, "v8": true, "vm": true, "wasi": true,
	"worker_threads": true, "zlib": true,
}

// coreModule reports whether a bare require id names a core module, and which. "node:x" always
// does; an id with a trailing slash ("events/") never does, as in Node.
func coreModule(id string) (string, bool) {
	if rest, ok := strings.CutPrefix(id, "node:"); ok {
		return rest, true
	}
	return id, coreNames[id]
}
