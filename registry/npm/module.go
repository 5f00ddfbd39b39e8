package npm

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/verq/verq/registry"
)

// Codes of the errors a package's require throws, as in Node.js.
const (
	// CodeModuleNotFound is thrown when a require inside a package names nothing it can load.
	CodeModuleNotFound = "MODULE_NOT_FOUND"
	// CodeModuleLoadFailed is thrown when a file of a package cannot be compiled or read.
	CodeModuleLoadFailed = "MODULE_LOAD_FAILED"
)

// The module wrapper of Node.js. The source follows on the same line, so line numbers in stack
// traces match the file's.
const (
	wrapperHead = "(function (exports, require, module, __filename, __dirname) { "
	wrapperTail = "\n})"
)

// localKey is the registry.LocalHost key of a Source's per-runtime module table.
type localKey struct{ src *Source }

// modKey identifies one module instance in a runtime: a file of a package version.
type modKey struct{ id, path string }

// entryKey identifies one Load target: a package version and subpath.
type entryKey struct{ id, sub string }

// runtimeEnv is the module table of one runtime: every module loaded in it, so that files
// requiring each other (and cycles) share instances as in Node.
type runtimeEnv struct {
	src     *Source
	rt      *goja.Runtime
	host    registry.Host
	mods    map[modKey]*module
	entries map[entryKey]*module
	core    map[string]goja.Value
}

// module is one loaded (or loading) file.
type module struct {
	key    modKey
	st     *pkgState
	obj    *goja.Object // the JS `module` object
	loaded bool
}

// requireError is a require failure thrown to JS as an Error with a code.
type requireError struct {
	code  string
	msg   string
	cause error
}

func (e *requireError) Error() string { return e.msg }
func (e *requireError) Unwrap() error { return e.cause }

// env returns the module table of req.Runtime: kept through registry.LocalHost for the runtime's
// life when the host offers it, otherwise made for this one Load (see the package caveats).
func (s *Source) env(req *registry.LoadRequest) *runtimeEnv {
	if lh, ok := req.Host.(registry.LocalHost); ok {
		e := lh.Local(localKey{s}, func() any { return s.newEnv(req.Runtime, req.Host) }).(*runtimeEnv)
		e.host = req.Host
		return e
	}
	return s.newEnv(req.Runtime, req.Host)
}

func (s *Source) newEnv(rt *goja.Runtime, host registry.Host) *runtimeEnv {
	return &runtimeEnv{
		src: s, rt: rt, host: host,
		mods:    make(map[modKey]*module),
		entries: make(map[entryKey]*module),
		core:    make(map[string]goja.Value),
	}
}

// loadEntry returns the exports of a package's entry (or subpath) module, loading it on first use.
// Errors are plain Go errors (the sandbox names the spec), *goja.Exception values thrown by the
// package's code, or goja's uncatchable interrupts re-panicked.
func (e *runtimeEnv) loadEntry(st *pkgState, subpath string) (goja.Value, error) {
	ek := entryKey{st.id, subpath}
	if m, ok := e.entries[ek]; ok {
		return m.obj.Get("exports"), nil
	}
	f, err := e.entryFile(st, subpath)
	if err != nil {
		return nil, err
	}
	m, err := e.load(st, f)
	if err != nil {
		if isUncatchable(err) {
			panic(err)
		}
		return nil, err
	}
	e.entries[ek] = m
	return m.obj.Get("exports"), nil
}

// load returns the module of a file, running it on first use in this runtime. A module that throws
// is forgotten, so a later require runs it again, as in Node.
func (e *runtimeEnv) load(st *pkgState, file string) (*module, error) {
	key := modKey{st.id, file}
	if m, ok := e.mods[key]; ok {
		return m, nil
	}
	ext := path.Ext(file)
	switch ext {
	case ".node":
		return nil, &requireError{code: CodeModuleLoadFailed, msg: fmt.Sprintf("%s/%s is a native addon; the sandbox runs JavaScript only", st.id, file)}
	case ".mjs":
		return nil, &requireError{code: CodeModuleLoadFailed, msg: fmt.Sprintf("%s/%s is an ES module; verq loads CommonJS modules only", st.id, file)}
	}
	isJSON := ext == ".json"
	if !isJSON && ext != ".cjs" {
		typ, err := e.moduleType(st, file)
		if err != nil {
			return nil, &requireError{code: CodeModuleLoadFailed, msg: err.Error(), cause: err}
		}
		if typ == "module" {
			return nil, &requireError{code: CodeModuleLoadFailed, msg: fmt.Sprintf(
				"%s/%s is an ES module (package.json \"type\": \"module\"); verq loads CommonJS modules only", st.id, file)}
		}
	}
	ref := st.files[file]
	name := st.id + "/" + file
	c, err := e.src.progs.get(progKey{hash: ref.hash, json: isJSON}, func() (*compiled, error) {
		text, err := e.src.readBlob(st, ref, file)
		if err != nil {
			return nil, err
		}
		return compileModule(name, text, isJSON)
	})
	if err != nil {
		return nil, &requireError{code: CodeModuleLoadFailed, msg: err.Error(), cause: err}
	}

	rt := e.rt
	m := &module{key: key, st: st, obj: rt.NewObject()}
	exports := rt.NewObject()
	filename := "/node_modules/" + name
	dirname := path.Dir(filename)
	req := e.requireFunc(m)
	obj := m.obj
	_ = obj.Set("id", filename)
	_ = obj.Set("path", dirname)
	_ = obj.Set("filename", filename)
	_ = obj.Set("loaded", false)
	_ = obj.Set("exports", exports)
	_ = obj.Set("children", rt.NewArray())
	_ = obj.Set("paths", rt.NewArray())
	_ = obj.Set("require", req)
	e.mods[key] = m

	fnv, err := rt.RunProgram(c.prog)
	if err != nil {
		delete(e.mods, key)
		return nil, err
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		delete(e.mods, key)
		return nil, fmt.Errorf("%s: the module wrapper did not evaluate to a function", name)
	}
	if _, err := fn(exports, exports, req, obj, rt.ToValue(filename), rt.ToValue(dirname)); err != nil {
		delete(e.mods, key)
		return nil, err
	}
	m.loaded = true
	_ = obj.Set("loaded", true)
	return m, nil
}

// compileModule wraps a file's text in the module wrapper and compiles it. JSON files become a
// module that assigns the parsed value.
func compileModule(name, text string, isJSON bool) (*compiled, error) {
	var src string
	if isJSON {
		t := strings.TrimPrefix(text, "\ufeff")
		if !json.Valid([]byte(t)) {
			return nil, fmt.Errorf("%s: invalid JSON", name)
		}
		if strings.Contains(t, `"__proto__"`) {
			// An object literal would set the prototype; JSON.parse keeps "__proto__" an own key.
			lit, _ := json.Marshal(t)
			src = wrapperHead + "module.exports = JSON.parse(" + string(lit) + ");" + wrapperTail
		} else {
			src = wrapperHead + "module.exports = (\n" + t + "\n);" + wrapperTail
		}
	} else {
		t := strings.TrimPrefix(text, "\ufeff")
		if strings.HasPrefix(t, "#!") {
			t = "//" + t[2:]
		}
		src = wrapperHead + t + wrapperTail
	}
	ast, err := goja.Parse(name, src, parser.WithDisableSourceMaps)
	if err != nil {
		msg := err.Error()
		if !isJSON && looksLikeESM(text) {
			msg += " (the file looks like an ES module; verq loads CommonJS modules only)"
		}
		return nil, errors.New(msg)
	}
	prog, err := goja.CompileAST(ast, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return &compiled{prog: prog, size: len(text)}, nil
}

// looksLikeESM reports whether a file has a line starting with an import or export statement.
func looksLikeESM(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		if strings.HasPrefix(l, "export ") || strings.HasPrefix(l, "export{") || strings.HasPrefix(l, "import ") && (strings.Contains(l, " from ") || strings.HasPrefix(l, "import '") || strings.HasPrefix(l, `import "`)) {
			return true
		}
	}
	return false
}

// requireFunc builds the require function a module receives, with require.resolve.
func (e *runtimeEnv) requireFunc(m *module) *goja.Object {
	rt := e.rt
	req := rt.ToValue(func(call goja.FunctionCall) goja.Value {
		id := e.idArg(call)
		v, err := e.requireFrom(m, id)
		if err != nil {
			e.throw(err)
		}
		return v
	}).(*goja.Object)
	_ = req.Set("resolve", func(call goja.FunctionCall) goja.Value {
		id := e.idArg(call)
		t, err := e.resolveFrom(m, id)
		if err != nil {
			e.throw(err)
		}
		if t.core != "" {
			return rt.ToValue(t.core)
		}
		return rt.ToValue("/node_modules/" + t.st.id + "/" + t.file)
	})
	return req
}

// idArg returns require's argument, throwing Node's TypeError for a non-string.
func (e *runtimeEnv) idArg(call goja.FunctionCall) string {
	arg := call.Argument(0)
	if !goja.IsString(arg) {
		te := e.rt.NewTypeError(fmt.Sprintf("The \"id\" argument must be of type string. Received %s", describe(arg)))
		_ = te.Set("code", "ERR_INVALID_ARG_TYPE")
		panic(te)
	}
	return arg.String()
}

func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	return "type " + v.ExportType().String()
}

// throw raises err in JS: exceptions thrown by module code pass through unchanged, goja's
// interrupts stay uncatchable, and require failures become Errors with a code.
func (e *runtimeEnv) throw(err error) {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		panic(ex)
	}
	if isUncatchable(err) {
		panic(err)
	}
	code := CodeModuleLoadFailed
	var re *requireError
	if errors.As(err, &re) {
		code = re.code
	}
	panic(e.newError(code, err.Error()))
}

// newError builds a JS Error with a code property.
func (e *runtimeEnv) newError(code, msg string) goja.Value {
	if ctor, ok := goja.AssertConstructor(e.rt.Get("Error")); ok {
		if obj, err := ctor(nil, e.rt.ToValue(msg)); err == nil {
			_ = obj.Set("code", code)
			return obj
		}
	}
	obj := e.rt.NewGoError(errors.New(msg))
	_ = obj.Set("code", code)
	return obj
}

// isUncatchable reports whether err is one of goja's interrupts, which JS must not catch.
func isUncatchable(err error) bool {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	return errors.As(err, &ie) || errors.As(err, &so)
}

// panicError turns a recovered panic into an error.
func panicError(x any) error {
	if err, ok := x.(error); ok {
		return fmt.Errorf("panic: %w", err)
	}
	return fmt.Errorf("panic: %v", x)
}
