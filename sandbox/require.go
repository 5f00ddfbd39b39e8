package sandbox

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// CodeModuleNotFound is the code of the error require throws when a spec does not resolve.
const CodeModuleNotFound = "MODULE_NOT_FOUND"

// CodeModuleLoadFailed is the code of the error require throws when a resolved module fails to load.
const CodeModuleLoadFailed = "MODULE_LOAD_FAILED"

// hostModules are Node core modules that reach the host (files, processes, network sockets, the
// interpreter). They are refused by the sandbox itself, whatever a catalog lists.
var hostModules = map[string]bool{
	"fs": true, "fs/promises": true, "child_process": true, "net": true, "process": true, "vm": true,
	"os": true, "worker_threads": true, "cluster": true, "dgram": true, "dns": true, "dns/promises": true,
	"tls": true, "http2": true, "module": true, "inspector": true, "v8": true, "repl": true,
	"readline": true, "tty": true, "perf_hooks": true, "async_hooks": true, "trace_events": true,
	"wasi": true, "diagnostics_channel": true, "sea": true, "test": true,
}

// refuseSpec returns why the sandbox refuses a spec before asking the resolver, or "".
func refuseSpec(spec string) string {
	name := strings.TrimPrefix(spec, "node:")
	switch {
	case spec == "":
		return "the module name is empty"
	case strings.HasPrefix(spec, "/"), strings.HasPrefix(spec, "\\"), strings.HasPrefix(spec, "."),
		strings.HasPrefix(spec, "~"), len(spec) > 1 && spec[1] == ':':
		return "relative and absolute paths are not available in the sandbox; require a module by name"
	case strings.Contains(spec, "..") && strings.ContainsAny(spec, "/\\"):
		return "paths with '..' are not available in the sandbox"
	case strings.HasPrefix(spec, "file:"), strings.Contains(spec, "://"):
		return "URLs are not available in the sandbox; require a module by name"
	case strings.ContainsAny(spec, "\x00\r\n"):
		return "the module name contains control characters"
	case !strings.Contains(name, "@") && hostModules[strings.SplitN(name, "/", 2)[0]]:
		return "the module is not available in the sandbox (it would reach the host)"
	}
	return ""
}

// moduleError is a require failure with the code JS sees.
type moduleError struct {
	code string
	msg  string
}

// Error is the message JS sees.
func (e *moduleError) Error() string { return e.msg }

// jsRequire implements the require global.
func (v *vm) jsRequire(call goja.FunctionCall) goja.Value {
	arg := call.Argument(0)
	if !goja.IsString(arg) {
		panic(v.newTypeError("ERR_INVALID_ARG_TYPE", `The "id" argument must be of type string. Received `+describeValue(arg)))
	}
	val, err := v.require(arg.String())
	if err != nil {
		var me *moduleError
		if errors.As(err, &me) {
			panic(v.newError(me.code, me.msg))
		}
		var ex *goja.Exception
		if errors.As(err, &ex) {
			panic(ex)
		}
		panic(v.newError(CodeModuleLoadFailed, err.Error()))
	}
	return val
}

// require resolves and loads spec for the current execution, recording the attempt.
func (v *vm) require(spec string) (goja.Value, error) { return v.requireAs(spec, "") }

// requireAs is require for the legacy global named global ("" for a require call).
func (v *vm) requireAs(spec, global string) (goja.Value, error) {
	ex := v.cur
	rec := Require{Spec: spec, Global: global}
	if ex != nil {
		rec.Rule = ex.ruleName(ex.attributed)
	}
	val, err := v.resolveAndLoad(spec, &rec)
	if err != nil {
		rec.Error = err.Error()
	}
	if ex != nil {
		ex.res.Requires = append(ex.res.Requires, rec)
		if rec.Status == string(catalog.StatusDeprecated) {
			msg := fmt.Sprintf("module %s is deprecated", rec.Resolved)
			if rec.Reason != "" {
				msg += ": " + rec.Reason
			}
			ex.warn(msg)
		}
	}
	return val, err
}

func (v *vm) resolveAndLoad(spec string, rec *Require) (goja.Value, error) {
	r := v.ex.cfg.Resolver
	refused := refuseSpec(spec)
	if r == nil {
		if refused == "" {
			refused = "no module resolver is configured"
		}
		return nil, &moduleError{code: CodeModuleNotFound, msg: fmt.Sprintf("Cannot find module '%s': %s", spec, refused)}
	}
	// The resolver sees every spec (its observers audit them all), but a path or a host module is
	// refused here whatever it answers.
	res, err := r.Resolve(v.ex.cfg.Runtime, spec)
	if refused != "" {
		return nil, &moduleError{code: CodeModuleNotFound, msg: fmt.Sprintf("Cannot find module '%s': %s", spec, refused)}
	}
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "Cannot find module") {
			msg = fmt.Sprintf("Cannot find module '%s': %s", spec, msg)
		}
		return nil, &moduleError{code: CodeModuleNotFound, msg: msg}
	}
	if res == nil || res.Provider == nil {
		return nil, &moduleError{code: CodeModuleNotFound, msg: fmt.Sprintf("Cannot find module '%s': %v", spec, registry.ErrNoImplementation)}
	}
	key := res.Key()
	rec.Resolved = key
	rec.How = string(res.How)
	rec.Status = string(res.Status)
	rec.Reason = res.Reason
	rec.Kind = string(res.Implementation.Kind)
	if val, ok := v.modules[key]; ok {
		rec.Cached = true
		return val, nil
	}
	val, err := v.load(res)
	if err != nil {
		return nil, err
	}
	v.modules[key] = val
	return val, nil
}

// load calls the provider, turning a Go panic into an error.
func (v *vm) load(res *resolver.Resolution) (val goja.Value, err error) {
	defer func() {
		if x := recover(); x != nil {
			if isJSPanic(x) {
				panic(x)
			}
			err = &moduleError{code: CodeModuleLoadFailed, msg: fmt.Sprintf("Cannot load module '%s' (%s): the implementation panicked: %v", res.Spec, res.Key(), x)}
		}
	}()
	val, err = res.Provider.Load(&registry.LoadRequest{
		Runtime: v.rt,
		Host:    v.host,
		Name:    res.Name,
		Version: res.Version,
		Subpath: res.Subpath,
	})
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			return nil, err
		}
		return nil, &moduleError{code: CodeModuleLoadFailed, msg: fmt.Sprintf("Cannot load module '%s' (%s): %v", res.Spec, res.Key(), err)}
	}
	if val == nil {
		val = goja.Undefined()
	}
	return val, nil
}
