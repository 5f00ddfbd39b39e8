package audit

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
)

// MethodTable knows the flat ManagementClient methods of each auth0 version the shim implements
// (registry/auth0 provides one).
type MethodTable interface {
	// MethodsOf returns the flat method names of an exact version, and false when the version is
	// unknown to the table.
	MethodsOf(version string) ([]string, bool)
	// FirstVersionWith returns the lowest version that has the flat method, and false when no
	// version has it.
	FirstVersionWith(method string) (string, bool)
	// Versions lists every version the table knows.
	Versions() []string
}

// ManagerTable is optionally implemented by a MethodTable that also knows the managers of each
// version (management.users, management.roles, …). Without it, a manager call such as
// management.users.getAll is checked through the flat method that delegates to it (getUsers).
type ManagerTable interface {
	// ManagerMethodsOf returns the methods of one manager in an exact version, and false when the
	// version is unknown or has no such manager.
	ManagerMethodsOf(version, manager string) ([]string, bool)
}

// methodVerdict is the result of checking one method against one version.
type methodVerdict struct {
	checked bool   // false when the table cannot tell
	missing bool   // the version lacks the method
	message string // for missing methods
}

// methodIndex answers method questions for one audit run, caching per version and method. It is
// safe for concurrent use.
type methodIndex struct {
	table    MethodTable
	managers ManagerTable // nil unless table implements it

	once     sync.Once
	versions []string // table.Versions() in ascending semver order

	mu       sync.Mutex
	sets     map[string]map[string]struct{} // version -> flat methods; nil value: unknown version
	verdicts map[[2]string]methodVerdict    // (version, method) -> verdict
}

func newMethodIndex(t MethodTable) *methodIndex {
	if t == nil {
		return nil
	}
	x := &methodIndex{table: t, sets: make(map[string]map[string]struct{}), verdicts: make(map[[2]string]methodVerdict)}
	x.managers, _ = t.(ManagerTable)
	return x
}

func (x *methodIndex) sortedVersions() []string {
	x.once.Do(func() {
		x.versions = slices.Clone(x.table.Versions())
		slices.SortStableFunc(x.versions, compareVersions)
	})
	return x.versions
}

// flat returns the flat method set of a version; ok is false for an unknown version.
// The caller holds x.mu.
func (x *methodIndex) flat(version string) (map[string]struct{}, bool) {
	if set, ok := x.sets[version]; ok {
		return set, set != nil
	}
	names, ok := x.table.MethodsOf(version)
	var set map[string]struct{}
	if ok {
		set = make(map[string]struct{}, len(names))
		for _, n := range names {
			set[n] = struct{}{}
		}
	}
	x.sets[version] = set
	return set, ok
}

// knows reports whether the table knows a version.
func (x *methodIndex) knows(version string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.flat(version)
	return ok
}

// check reports whether version has method: a flat method ("getUsers") when flat is true, else a
// manager method ("users.getAll").
func (x *methodIndex) check(version, method string, flat bool) methodVerdict {
	key := [2]string{version, method}
	x.mu.Lock()
	defer x.mu.Unlock()
	if v, ok := x.verdicts[key]; ok {
		return v
	}
	var v methodVerdict
	if flat {
		v = x.checkFlat(version, method)
	} else {
		v = x.checkManager(version, method)
	}
	x.verdicts[key] = v
	return v
}

func (x *methodIndex) checkFlat(version, method string) methodVerdict {
	set, ok := x.flat(version)
	if !ok {
		return methodVerdict{}
	}
	if _, has := set[method]; has {
		return methodVerdict{checked: true}
	}
	v := methodVerdict{checked: true, missing: true}
	first, ok := x.table.FirstVersionWith(method)
	switch {
	case !ok:
		v.message = fmt.Sprintf("%s is not a ManagementClient method in any known auth0 version", method)
	case compareVersions(first, version) > 0:
		v.message = fmt.Sprintf("%s is not in auth0 %s; first in %s", method, version, first)
	default:
		v.message = fmt.Sprintf("%s is not in auth0 %s; it was removed", method, version)
		if last := x.lastFlat(method, version); last != "" {
			v.message += "; last in " + last
		}
	}
	return v
}

// lastFlat returns the highest version below before that has the flat method. The caller holds x.mu.
func (x *methodIndex) lastFlat(method, before string) string {
	last := ""
	for _, ver := range x.sortedVersions() {
		if compareVersions(ver, before) >= 0 {
			break
		}
		if set, ok := x.flat(ver); ok {
			if _, has := set[method]; has {
				last = ver
			}
		}
	}
	return last
}

func (x *methodIndex) checkManager(version, method string) methodVerdict {
	mgr, name, _ := strings.Cut(method, ".")
	if x.managers != nil {
		if names, ok := x.managers.ManagerMethodsOf(version, mgr); ok {
			if slices.Contains(names, name) {
				return methodVerdict{checked: true}
			}
			return methodVerdict{checked: true, missing: true, message: x.managerMessage(method, version, mgr, name)}
		}
		if x.managerAnywhere(mgr) {
			if _, known := x.flat(version); known {
				return methodVerdict{checked: true, missing: true, message: x.managerMessage(method, version, mgr, name)}
			}
			return methodVerdict{}
		}
	}
	delegates, ok := managerDelegates[method]
	if !ok {
		return methodVerdict{}
	}
	set, ok := x.flat(version)
	if !ok || len(set) == 0 {
		// Versions without flat methods (auth0 4 and later) cannot be checked through delegates.
		return methodVerdict{}
	}
	first := ""
	for _, d := range delegates {
		if _, has := set[d]; has {
			return methodVerdict{checked: true}
		}
		if f, ok := x.table.FirstVersionWith(d); ok && (first == "" || compareVersions(f, first) < 0) {
			first = f
		}
	}
	v := methodVerdict{checked: true, missing: true}
	if first != "" && compareVersions(first, version) > 0 {
		v.message = fmt.Sprintf("%s is not in auth0 %s; first in %s", method, version, first)
	} else {
		v.message = fmt.Sprintf("%s is not in auth0 %s", method, version)
	}
	return v
}

// managerAnywhere reports whether any version has the manager. The caller holds x.mu.
func (x *methodIndex) managerAnywhere(mgr string) bool {
	for _, ver := range x.sortedVersions() {
		if _, ok := x.managers.ManagerMethodsOf(ver, mgr); ok {
			return true
		}
	}
	return false
}

func (x *methodIndex) managerMessage(method, version, mgr, name string) string {
	for _, ver := range x.sortedVersions() {
		if names, ok := x.managers.ManagerMethodsOf(ver, mgr); ok && slices.Contains(names, name) {
			if compareVersions(ver, version) > 0 {
				return fmt.Sprintf("%s is not in auth0 %s; first in %s", method, version, ver)
			}
			return fmt.Sprintf("%s is not in auth0 %s; it was removed", method, version)
		}
	}
	return fmt.Sprintf("%s is not a ManagementClient manager method in any known auth0 version", method)
}

// hasAll reports whether version has every method of calls; unknown versions never qualify.
func (x *methodIndex) hasAll(version string, calls []MethodCall) bool {
	if len(calls) == 0 {
		return true
	}
	if x == nil {
		return false
	}
	for _, c := range calls {
		v := x.check(version, c.Method, !strings.Contains(c.Method, "."))
		if !v.checked || v.missing {
			return false
		}
	}
	return true
}

// compareVersions orders versions by semver; text that is not a version sorts after, by string.
func compareVersions(a, b string) int {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	switch {
	case ea == nil && eb == nil:
		return va.Compare(vb)
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

// MethodFuncs adapts functions to a MethodTable and a ManagerTable, e.g. registry/auth0's
// package-level MethodsOf, FirstVersionWith and Versions:
//
//	audit.MethodFuncs{Methods: auth0.MethodsOf, First: auth0.FirstVersionWith, All: auth0.Versions}
//
// Methods, First and All are required. Managers is optional; without it manager calls are checked
// through the flat methods that delegate to them.
type MethodFuncs struct {
	Methods  func(version string) ([]string, bool)
	First    func(method string) (string, bool)
	All      func() []string
	Managers func(version, manager string) ([]string, bool)
}

// MethodsOf calls f.Methods.
func (f MethodFuncs) MethodsOf(version string) ([]string, bool) { return f.Methods(version) }

// FirstVersionWith calls f.First.
func (f MethodFuncs) FirstVersionWith(method string) (string, bool) { return f.First(method) }

// Versions calls f.All.
func (f MethodFuncs) Versions() []string { return f.All() }

// ManagerMethodsOf calls f.Managers, or reports false when it is nil.
func (f MethodFuncs) ManagerMethodsOf(version, manager string) ([]string, bool) {
	if f.Managers == nil {
		return nil, false
	}
	return f.Managers(version, manager)
}
