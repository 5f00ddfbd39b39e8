package audit

// valueKind is what the analyser knows a JavaScript value to be, for following an auth0 module to
// its ManagementClient instances.
type valueKind uint8

const (
	// valNone: no value reaches here (no assignment seen yet, undefined, null).
	valNone valueKind = iota
	// valModule: the exports of require(spec).
	valModule
	// valCtor: the ManagementClient constructor of require(spec).
	valCtor
	// valClient: a ManagementClient instance, or a member path on one (path[:n]).
	valClient
	// valUnknown: anything else, or conflicting values.
	valUnknown
)

// value is an element of the analyser's lattice: valNone < one tracked value < valUnknown. It is
// comparable, so join is ==.
type value struct {
	kind valueKind
	spec string    // the require spec the module came from
	n    uint8     // number of path elements, for valClient
	path [2]string // member path on a client: "getUsers", or "users" then "getAll"
}

var unknown = value{kind: valUnknown}

// join is the least upper bound of two values.
func join(a, b value) value {
	switch {
	case a.kind == valNone:
		return b
	case b.kind == valNone:
		return a
	case a == b:
		return a
	}
	return unknown
}

// joinFallback is the value of `a || b` and `a ?? b`: when one side is untracked and the other is
// tracked, the tracked side wins. This follows the caching idiom
// `global.client = global.client || new ManagementClient(…)`, at the cost of assuming the
// untracked side holds the same thing.
func joinFallback(a, b value) value {
	switch {
	case a.kind == valUnknown && b.kind != valNone:
		return b
	case b.kind == valUnknown && a.kind != valNone:
		return a
	}
	return join(a, b)
}

// member is the value of v.name.
func member(v value, name string) value {
	switch v.kind {
	case valNone, valUnknown:
		return v
	case valModule:
		if name == "ManagementClient" {
			return value{kind: valCtor, spec: v.spec}
		}
	case valClient:
		if v.n < 2 {
			w := v
			w.path[w.n] = name
			w.n++
			return w
		}
	}
	return unknown
}
