package sandbox

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// errorClassesSource defines the Rules error classes with the shapes of the Rules sandbox
// (auth0-authz-rules-api lib/errors): UnauthorizedError → AuthorizationError → Error.
// It evaluates to the UnauthorizedError constructor.
const errorClassesSource = `(function () {
  'use strict';
  function define(obj, key, value) {
    Object.defineProperty(obj, key, { value: value, writable: true, enumerable: false, configurable: true });
  }
  function AuthorizationError(code, message) {
    if (!(this instanceof AuthorizationError)) return new AuthorizationError(code, message);
    define(this, 'stack', new Error(message).stack);
    this.name = 'AuthorizationError';
    this.code = code;
    this.message = message;
    this.statusCode = 401;
  }
  AuthorizationError.prototype = Object.create(Error.prototype, {
    constructor: { value: AuthorizationError, writable: true, enumerable: false, configurable: true }
  });
  function UnauthorizedError(message) {
    if (!(this instanceof UnauthorizedError)) return new UnauthorizedError(message);
    AuthorizationError.call(this, 'unauthorized', message);
    this.name = 'UnauthorizedError';
    this.description = message;
    var stack = this.stack;
    if (typeof stack === 'string') define(this, 'stack', stack.replace(/^Error/, 'UnauthorizedError'));
  }
  UnauthorizedError.prototype = Object.create(AuthorizationError.prototype, {
    constructor: { value: UnauthorizedError, writable: true, enumerable: false, configurable: true }
  });
  return UnauthorizedError;
})()`

// errorClassesProgram is compiled once and shared by every runtime.
var errorClassesProgram = mustCompileInternal("<sandbox:errors>", errorClassesSource)

// mustCompileInternal compiles a fixed internal script; source maps are disabled as for rules.
func mustCompileInternal(name, src string) *goja.Program {
	ast, err := parser.ParseFile(nil, name, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		panic(err)
	}
	prg, err := goja.CompileAST(ast, true)
	if err != nil {
		panic(err)
	}
	return prg
}
