// Runtime glue of the auth0 shim: the error classes and the bluebird-style promise of the versions
// that returned bluebird promises. Evaluated once per runtime; the result is used from Go.
(function (NativePromise, timer) {
  'use strict';

  function setHidden(o, k, v) {
    Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false });
  }

  // ArgumentError of rest-facade. In 2.0–2.6 instances carry only an own message (name comes
  // from Error.prototype); later they also carry an own name.
  function ArgumentError(message, ownName) {
    if (ownName) this.name = ownName;
    this.message = message;
  }
  ArgumentError.prototype = Object.create(Error.prototype, {
    constructor: { value: ArgumentError, writable: true, configurable: true }
  });

  // HTTP errors: own name, message, statusCode, requestInfo, originalError (+isOperational).
  function httpError(Ctor) {
    Ctor.prototype = Object.create(Error.prototype, {
      constructor: { value: Ctor, writable: true, configurable: true }
    });
    return Ctor;
  }
  function fill(self, name, message, statusCode, requestInfo, originalError, operational) {
    self.name = name;
    self.message = message;
    self.statusCode = statusCode;
    self.requestInfo = requestInfo;
    self.originalError = originalError;
    if (operational) self.isOperational = true;
  }
  var APIError = httpError(function APIError(n, m, s, r, o, op) { fill(this, n, m, s, r, o, op); });
  var SanitizedError = httpError(function SanitizedError(n, m, s, r, o, op) { fill(this, n, m, s, r, o, op); });

  // The Rules `auth0` global's error: {statusCode, error, message}, no own name.
  function ApiError(statusCode, error, message) {
    this.statusCode = statusCode;
    this.error = error;
    this.message = message;
  }
  ApiError.prototype = Object.create(Error.prototype, {
    constructor: { value: ApiError, writable: true, configurable: true }
  });

  // A superagent-like error for originalError: own message, status, response.
  function responseError(message, status, response) {
    var e = new Error(message);
    e.status = status;
    e.response = response;
    return e;
  }

  // A Node system error (connect ECONNREFUSED …): own message, errno, code, syscall, address, port.
  function systemError(message, errno, code, syscall, address, port) {
    var e = new Error(message);
    e.errno = errno;
    e.code = code;
    e.syscall = syscall;
    if (address !== undefined) e.address = address;
    if (port !== undefined) e.port = port;
    return e;
  }

  function TimeoutError(message) {
    this.message = message;
  }
  TimeoutError.prototype = Object.create(Error.prototype, {
    constructor: { value: TimeoutError, writable: true, configurable: true },
    name: { value: 'TimeoutError', writable: true, configurable: true }
  });

  // Bluebird-style promise: a thenable wrapping a native promise, with bluebird's helpers.
  // Bluebird only warns about unhandled rejections, so every inner native promise is marked handled.
  var INNER = typeof Symbol === 'function' ? Symbol('promise') : '__promise';
  function noop() {}
  function Promise(executor) {
    if (!(this instanceof Promise)) throw new TypeError('the promise constructor cannot be invoked directly');
    if (typeof executor !== 'function') throw new TypeError('expecting a function but got ' + typeof executor);
    var p = new NativePromise(executor);
    p.then(undefined, noop);
    setHidden(this, INNER, p);
  }
  function wrap(p) {
    var o = Object.create(Promise.prototype);
    p.then(undefined, noop);
    setHidden(o, INNER, p);
    return o;
  }
  function inner(p) {
    return p instanceof Promise ? p[INNER] : NativePromise.resolve(p);
  }
  function matches(pred, e) {
    if (typeof pred === 'function') {
      if (pred === Error || (pred.prototype instanceof Error) || pred.prototype === Error.prototype) return e instanceof pred;
      return !!pred(e);
    }
    if (pred && typeof pred === 'object') {
      for (var k in pred) if (!e || e[k] !== pred[k]) return false;
      return true;
    }
    return false;
  }
  Promise.prototype.then = function (f, r) { return wrap(this[INNER].then(f, r)); };
  Promise.prototype.caught = Promise.prototype['catch'] = function () {
    var n = arguments.length;
    if (n <= 1) return wrap(this[INNER]['catch'](arguments[0]));
    var preds = Array.prototype.slice.call(arguments, 0, n - 1), fn = arguments[n - 1];
    return wrap(this[INNER]['catch'](function (e) {
      for (var i = 0; i < preds.length; i++) if (matches(preds[i], e)) return fn(e);
      throw e;
    }));
  };
  Promise.prototype.lastly = Promise.prototype['finally'] = function (fn) {
    return wrap(this[INNER].then(
      function (v) { return NativePromise.resolve(fn()).then(function () { return v; }); },
      function (e) { return NativePromise.resolve(fn()).then(function () { throw e; }); }));
  };
  Promise.prototype.spread = function (fn) {
    return wrap(this[INNER].then(function (v) {
      return NativePromise.all(v).then(function (a) { return fn.apply(undefined, a); });
    }));
  };
  Promise.prototype.tap = function (fn) {
    return wrap(this[INNER].then(function (v) {
      return NativePromise.resolve(fn(v)).then(function () { return v; });
    }));
  };
  Promise.prototype.nodeify = Promise.prototype.asCallback = function (cb, opts) {
    if (typeof cb !== 'function') return this;
    var spread = !!(opts && opts.spread);
    this[INNER].then(function (v) {
      if (spread && Array.isArray(v)) cb.apply(undefined, [null].concat(v)); else cb(null, v);
    }, function (e) { cb(e); });
    return this;
  };
  Promise.prototype.done = function (f, r) {
    this[INNER].then(f, r);
  };
  Promise.prototype.timeout = function (ms, message) {
    var p = this[INNER];
    return wrap(new NativePromise(function (resolve, reject) {
      var cancel = timer(ms, function () {
        reject(message instanceof Error ? message : new TimeoutError(message === undefined ? 'operation timed out' : String(message)));
      });
      p.then(function (v) { cancel(); resolve(v); }, function (e) { cancel(); reject(e); });
    }));
  };
  Promise.prototype.thenReturn = Promise.prototype['return'] = function (v) {
    return wrap(this[INNER].then(function () { return v; }));
  };
  Promise.prototype.thenThrow = Promise.prototype['throw'] = function (e) {
    return wrap(this[INNER].then(function () { throw e; }));
  };
  Promise.prototype.get = function (k) {
    return wrap(this[INNER].then(function (v) { return v[k]; }));
  };
  Promise.prototype.toString = function () { return '[object Promise]'; };
  Promise.resolve = function (v) { return wrap(inner(v)); };
  Promise.reject = function (e) { return wrap(NativePromise.reject(e)); };
  Promise.all = function (a) { return wrap(NativePromise.all(Array.prototype.map.call(a, inner))); };
  Promise.race = function (a) { return wrap(NativePromise.race(Array.prototype.map.call(a, inner))); };
  Promise.TimeoutError = TimeoutError;

  // deferred returns [promise, resolve, reject] for Go.
  function deferred(bluebird) {
    var res, rej;
    var p = new NativePromise(function (a, b) { res = a; rej = b; });
    return [bluebird ? wrap(p) : p, res, rej];
  }

  return {
    ArgumentError: ArgumentError,
    APIError: APIError,
    SanitizedError: SanitizedError,
    ApiError: ApiError,
    responseError: responseError,
    systemError: systemError,
    deferred: deferred,
    raise: function (e) { throw e; },
    stringify: JSON.stringify,
    parse: JSON.parse
  };
})
