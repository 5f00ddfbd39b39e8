package npm

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
)

// errNoFile marks a path that no file or directory of the package answers.
var errNoFile = errors.New("no such file in the package")

// cleanRel cleans a path relative to the package root and reports false when it leaves the root.
func cleanRel(p string) (string, bool) {
	c := path.Clean("/" + p)
	if c == "/" {
		return "", true
	}
	// path.Clean of a rooted path cannot go above "/", so compare with the unrooted clean form.
	u := path.Clean(p)
	if u == ".." || strings.HasPrefix(u, "../") {
		return "", false
	}
	return c[1:], true
}

// resolvePath finds the file a path inside the package names, as Node's LOAD_AS_FILE then
// LOAD_AS_DIRECTORY do. dirOnly is set for a request ending in "/".
func (e *runtimeEnv) resolvePath(st *pkgState, p string, dirOnly bool) (string, error) {
	if !dirOnly && p != "" {
		if f, ok := loadAsFile(st, p); ok {
			return f, nil
		}
	}
	return e.loadAsDirectory(st, p)
}

// loadAsFile tries p, p.js and p.json.
func loadAsFile(st *pkgState, p string) (string, bool) {
	for _, c := range [...]string{p, p + ".js", p + ".json"} {
		if _, ok := st.files[c]; ok {
			return c, true
		}
	}
	return "", false
}

// loadIndex tries dir/index.js and dir/index.json.
func loadIndex(st *pkgState, dir string) (string, bool) {
	for _, c := range [...]string{"index.js", "index.json"} {
		f := c
		if dir != "" {
			f = dir + "/" + c
		}
		if _, ok := st.files[f]; ok {
			return f, true
		}
	}
	return "", false
}

// loadAsDirectory follows dir/package.json "main", then dir/index.
func (e *runtimeEnv) loadAsDirectory(st *pkgState, dir string) (string, error) {
	if !st.dirs[dir] {
		return "", errNoFile
	}
	nm, err := e.nestedManifest(st, dir)
	if err != nil {
		return "", err
	}
	if nm != nil && nm.main != "" {
		m := nm.main
		if dir != "" {
			m = dir + "/" + m
		}
		if mp, ok := cleanRel(m); ok && mp != dir {
			if f, ok := loadAsFile(st, mp); ok {
				return f, nil
			}
			if f, ok := loadIndex(st, mp); ok {
				return f, nil
			}
		}
	}
	if f, ok := loadIndex(st, dir); ok {
		return f, nil
	}
	return "", errNoFile
}

// nestedManifest returns the facts of dir/package.json (nil when there is none), reading and
// caching it on first use.
func (e *runtimeEnv) nestedManifest(st *pkgState, dir string) (*nestedManifest, error) {
	st.mu.Lock()
	nm, ok := st.nested[dir]
	st.mu.Unlock()
	if ok {
		return nm, nil
	}
	pj := "package.json"
	if dir != "" {
		pj = dir + "/package.json"
	}
	ref, ok := st.files[pj]
	if ok {
		text, err := e.src.readBlob(st, ref, pj)
		if err != nil {
			return nil, err
		}
		var raw struct {
			Main any `json:"main"`
			Type any `json:"type"`
		}
		nm = &nestedManifest{}
		if json.Unmarshal([]byte(text), &raw) == nil {
			nm.main, _ = raw.Main.(string)
			nm.typ, _ = raw.Type.(string)
		}
	}
	st.mu.Lock()
	st.nested[dir] = nm
	st.mu.Unlock()
	return nm, nil
}

// moduleType returns the "type" of the package.json nearest to file ("" when none says).
func (e *runtimeEnv) moduleType(st *pkgState, file string) (string, error) {
	for dir := path.Dir(file); ; dir = path.Dir(dir) {
		if dir == "." {
			dir = ""
		}
		nm, err := e.nestedManifest(st, dir)
		if err != nil {
			return "", err
		}
		if nm != nil {
			return nm.typ, nil
		}
		if dir == "" {
			return "", nil
		}
	}
}

// entryFile resolves the file a package's require serves: its entry point for subpath "", else the
// subpath ("fp", "lib/util.js"). A package with "exports" is resolved through it.
func (e *runtimeEnv) entryFile(st *pkgState, subpath string) (string, error) {
	st.exportsOnce.Do(func() {
		if len(st.pkg.Exports) > 0 {
			st.exports, st.exportsErr = parseOrdered(st.pkg.Exports)
		}
	})
	if st.exportsErr != nil {
		return "", fmt.Errorf("package.json \"exports\" of %s is malformed: %v", st.id, st.exportsErr)
	}
	if st.exports != nil {
		sub := "."
		if subpath != "" {
			sub = "./" + strings.TrimSuffix(subpath, "/")
		}
		f, err := resolveExports(st.exports, sub)
		if err != nil {
			return "", fmt.Errorf("package subpath '%s' is not defined by \"exports\" in %s/package.json (%v)", sub, st.id, err)
		}
		if _, ok := st.files[f]; !ok {
			return "", fmt.Errorf("\"exports\" of %s maps '%s' to %s, which the package does not contain", st.id, sub, f)
		}
		return f, nil
	}
	p, ok := cleanRel(subpath)
	if !ok {
		return "", fmt.Errorf("subpath '%s' leaves the package %s", subpath, st.id)
	}
	f, err := e.resolvePath(st, p, strings.HasSuffix(subpath, "/"))
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, errNoFile) {
		return "", err
	}
	if subpath == "" {
		if st.pkg.Main != "" {
			return "", fmt.Errorf("%s has no entry point: its main %q and index.js are missing", st.id, st.pkg.Main)
		}
		return "", fmt.Errorf("%s has no entry point: no main in package.json and no index.js", st.id)
	}
	return "", fmt.Errorf("%s has no file '%s' (tried %s, %s.js, %s.json and %s/index.js)", st.id, subpath, p, p, p, p)
}
