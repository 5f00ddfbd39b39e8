package resolver

// nodeCoreNames lists the Node.js core module names (Node v20, with the canirequire filter: no
// "_"-prefixed or internal names). Unpinned specs naming one of these that the runtime's catalog does
// not list fail with a "not available in the sandbox" error rather than a generic not-in-catalog one.
//
// Source: reference list natives-node-v20-local.json (58 names). Keep sorted.
var nodeCoreNames = [...]string{
	"assert",
	"assert/strict",
	"async_hooks",
	"buffer",
	"child_process",
	"cluster",
	"configs",
	"console",
	"constants",
	"crypto",
	"dgram",
	"diagnostics_channel",
	"dns",
	"dns/promises",
	"domain",
	"events",
	"fs",
	"fs/promises",
	"http",
	"http2",
	"https",
	"inspector",
	"inspector/promises",
	"module",
	"net",
	"os",
	"path",
	"path/posix",
	"path/win32",
	"perf_hooks",
	"process",
	"punycode",
	"querystring",
	"readline",
	"readline/promises",
	"repl",
	"sea",
	"stream",
	"stream/consumers",
	"stream/promises",
	"stream/web",
	"string_decoder",
	"sys",
	"test",
	"test/reporters",
	"timers",
	"timers/promises",
	"tls",
	"trace_events",
	"tty",
	"url",
	"util",
	"util/types",
	"v8",
	"vm",
	"wasi",
	"worker_threads",
	"zlib",
}

// IsNodeCore reports whether name is a Node.js core module name ("fs", "assert/strict",
// "stream/promises"), whether or not any catalog lists it.
func IsNodeCore(name string) bool {
	lo, hi := 0, len(nodeCoreNames)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if nodeCoreNames[m] < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(nodeCoreNames) && nodeCoreNames[lo] == name
}

// NodeCoreModules returns the Node.js core module names IsNodeCore knows, sorted. The slice is a
// fresh copy.
func NodeCoreModules() []string {
	out := make([]string, len(nodeCoreNames))
	copy(out, nodeCoreNames[:])
	return out
}
