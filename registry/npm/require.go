package npm

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// target is what a require id inside a package resolves to: a core module, or a file of a stored
// package version.
type target struct {
	core string
	st   *pkgState
	file string
}

// requireFrom implements require(id) for module m.
func (e *runtimeEnv) requireFrom(m *module, id string) (goja.Value, error) {
	t, err := e.resolveFrom(m, id)
	if err != nil {
		return nil, err
	}
	if t.core != "" {
		return e.coreValue(m, id, t.core)
	}
	dep, err := e.load(t.st, t.file)
	if err != nil {
		return nil, err
	}
	return dep.obj.Get("exports"), nil
}

// notFound builds the MODULE_NOT_FOUND error of a require inside a package.
func notFound(m *module, id, why string) error {
	return &requireError{code: CodeModuleNotFound, msg: fmt.Sprintf("Cannot find module '%s' required by %s/%s: %s", id, m.st.id, m.key.path, why)}
}

// resolveFrom resolves a require id of module m the way Node does, confined to stored packages:
// relative paths stay inside the package, core modules go to the host, bare names go to bundled
// node_modules, the package itself (through "exports") and then the pinned dependency versions.
func (e *runtimeEnv) resolveFrom(m *module, id string) (target, error) {
	st := m.st
	switch {
	case id == "":
		return target{}, notFound(m, id, "the module name is empty")
	case strings.ContainsAny(id, "\x00\\"):
		return target{}, notFound(m, id, "the module name contains a backslash or NUL")
	case strings.HasPrefix(id, "/"):
		return target{}, notFound(m, id, "absolute paths are not available in the sandbox")
	case id == "." || id == ".." || strings.HasPrefix(id, "./") || strings.HasPrefix(id, "../"):
		joined := path.Clean(path.Dir(m.key.path) + "/" + id)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return target{}, notFound(m, id, "the path leaves the package "+st.id)
		}
		if joined == "." {
			joined = ""
		}
		dirOnly := strings.HasSuffix(id, "/") || id == "." || id == ".."
		f, err := e.resolvePath(st, joined, dirOnly)
		if err != nil {
			return target{}, e.pathError(m, id, joined, err)
		}
		return target{st: st, file: f}, nil
	}
	if name, ok := coreModule(id); ok {
		return target{core: name}, nil
	}
	name, sub := splitBare(id)
	if name == "" {
		return target{}, notFound(m, id, "it is not a valid package name")
	}
	// Bundled dependencies: node_modules directories inside the package, nearest first.
	for dir := path.Dir(m.key.path); ; dir = path.Dir(dir) {
		if dir == "." {
			dir = ""
		}
		cand := path.Join(dir, "node_modules", name)
		if st.dirs[cand] {
			p := cand
			if sub != "" {
				sp, ok := cleanRel(sub)
				if !ok {
					return target{}, notFound(m, id, "the path leaves the package")
				}
				p = path.Join(cand, sp)
			}
			f, err := e.resolvePath(st, p, strings.HasSuffix(id, "/"))
			if err != nil {
				return target{}, e.pathError(m, id, p, err)
			}
			return target{st: st, file: f}, nil
		}
		if dir == "" {
			break
		}
	}
	// Self-reference through "exports".
	if name == st.pkg.Name && len(st.pkg.Exports) > 0 {
		f, err := e.entryFile(st, sub)
		if err != nil {
			return target{}, notFound(m, id, err.Error())
		}
		return target{st: st, file: f}, nil
	}
	version, ok := st.pkg.Pinned[name]
	if !ok {
		return target{}, notFound(m, id, name+" is not a dependency of "+st.id+dependencyList(st))
	}
	dep, err := e.src.pkg(name, version)
	if err != nil {
		return target{}, &requireError{code: CodeModuleLoadFailed, msg: err.Error(), cause: err}
	}
	if dep == nil {
		return target{}, notFound(m, id, fmt.Sprintf("its pinned version %s@%s is not stored; add it with verq registry add %s@%s", name, version, name, version))
	}
	f, err := e.entryFile(dep, sub)
	if err != nil {
		return target{}, notFound(m, id, err.Error())
	}
	return target{st: dep, file: f}, nil
}

// pathError turns a failed path resolution into a require error.
func (e *runtimeEnv) pathError(m *module, id, p string, err error) error {
	if !errors.Is(err, errNoFile) {
		return &requireError{code: CodeModuleLoadFailed, msg: err.Error(), cause: err}
	}
	if p == "" {
		return notFound(m, id, fmt.Sprintf("%s has no index.js at its root", m.st.id))
	}
	return notFound(m, id, fmt.Sprintf("%s has no file %s, %s.js, %s.json or %s/index.js", m.st.id, p, p, p, p))
}

// dependencyList names a package's pinned dependencies for error texts.
func dependencyList(st *pkgState) string {
	if len(st.pkg.Pinned) == 0 {
		return " (it has no dependencies)"
	}
	names := make([]string, 0, len(st.pkg.Pinned))
	for n := range st.pkg.Pinned {
		names = append(names, n)
	}
	sort.Strings(names)
	return " (dependencies: " + strings.Join(names, ", ") + ")"
}

// splitBare splits "name/sub/path" or "@scope/name/sub" into the package name and the subpath.
func splitBare(id string) (name, sub string) {
	parts := strings.SplitN(id, "/", 3)
	if strings.HasPrefix(id, "@") {
		if len(parts) < 2 || parts[0] == "@" || parts[1] == "" {
			return "", ""
		}
		name = parts[0] + "/" + parts[1]
		if len(parts) == 3 {
			sub = parts[2]
		}
	} else {
		name = parts[0]
		sub = strings.TrimPrefix(id[len(name):], "/")
	}
	if name == "." || name == ".." || strings.Contains(name, "..") {
		return "", ""
	}
	return name, sub
}

// coreValue loads a core module through the host, once per runtime. When the host cannot serve
// it, a dependency of the same name (an npm polyfill such as "punycode" or "events") is used if
// the package pins or bundles one; otherwise the error names the missing core module.
func (e *runtimeEnv) coreValue(m *module, id, name string) (goja.Value, error) {
	if v, ok := e.core[name]; ok {
		return v, nil
	}
	if e.host == nil {
		return nil, notFound(m, id, name+" is a Node.js core module and the host offers none")
	}
	v, err := e.host.Require(name)
	if err == nil {
		e.core[name] = v
		return v, nil
	}
	var ex *goja.Exception
	if errors.As(err, &ex) || isUncatchable(err) {
		return nil, err
	}
	e.src.log.Debug("core module not available to a stored package", "module", name, "package", m.st.id, "error", err)
	if !strings.HasPrefix(id, "node:") {
		if _, pinned := m.st.pkg.Pinned[name]; pinned || e.hasBundled(m, name) {
			t, rerr := e.resolveFrom(m, name+"/")
			if rerr == nil {
				dep, lerr := e.load(t.st, t.file)
				if lerr != nil {
					return nil, lerr
				}
				return dep.obj.Get("exports"), nil
			}
		}
	}
	return nil, &requireError{code: CodeModuleNotFound, cause: err, msg: fmt.Sprintf(
		"Cannot find module '%s' required by %s/%s: %s is a Node.js core module that is not available in the sandbox", id, m.st.id, m.key.path, name)}
}

// hasBundled reports whether m's package bundles a dependency called name.
func (e *runtimeEnv) hasBundled(m *module, name string) bool {
	for dir := path.Dir(m.key.path); ; dir = path.Dir(dir) {
		if dir == "." {
			dir = ""
		}
		if m.st.dirs[path.Join(dir, "node_modules", name)] {
			return true
		}
		if dir == "" {
			return false
		}
	}
}
