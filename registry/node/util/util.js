// verq's util module: everything but inspect and format (see inspect.js). Evaluates to a factory
// that receives the host's helpers and the inspect core and returns the module's exports.
(function (h, core) {
  'use strict';

  const kind = (v) => h.kind(v);
  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const isObjectLike = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom');

  function validateFunction(fn, name) {
    if (typeof fn !== 'function') {
      throw h.argTypeError(name, 'of type function', fn);
    }
  }

  function inherits(ctor, superCtor) {
    if (ctor === undefined || ctor === null) {
      throw h.argTypeError('ctor', 'of type function', ctor);
    }
    if (superCtor === undefined || superCtor === null) {
      throw h.argTypeError('superCtor', 'of type function', superCtor);
    }
    if (superCtor.prototype === undefined) {
      throw h.argTypeError('superCtor.prototype', 'of type object', superCtor.prototype);
    }
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  }

  function promisify(original) {
    validateFunction(original, 'original');
    if (original[kCustomPromisify]) {
      const fn = original[kCustomPromisify];
      validateFunction(fn, 'util.promisify.custom');
      return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
    }
    function fn(...args) {
      return new Promise((resolve, reject) => {
        Reflect.apply(original, this, [...args, (err, ...values) => {
          if (err) {
            return reject(err);
          }
          resolve(values[0]);
        }]);
      });
    }
    Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
    Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
    const descriptors = Object.getOwnPropertyDescriptors(original);
    for (const k of Reflect.ownKeys(descriptors)) {
      if (k === 'length' || k === 'name' || k === 'prototype' || k === 'arguments' || k === 'caller') continue;
      try {
        Object.defineProperty(fn, k, descriptors[k]);
      } catch (e) {
        // Non-configurable properties of the original stay behind.
      }
    }
    return fn;
  }
  promisify.custom = kCustomPromisify;

  function callbackify(original) {
    validateFunction(original, 'original');
    function callbackified(...args) {
      const maybeCb = args.pop();
      validateFunction(maybeCb, 'last argument');
      const cb = maybeCb.bind(this);
      Reflect.apply(original, this, args).then(
        (ret) => { h.nextTick(() => cb(null, ret)); },
        (rej) => {
          if (!rej) {
            const err = h.error('Error', 'ERR_FALSY_VALUE_REJECTION', 'Promise was rejected with falsy value');
            err.reason = rej;
            rej = err;
          }
          h.nextTick(() => cb(rej));
        });
    }
    const descriptors = Object.getOwnPropertyDescriptors(original);
    if (typeof descriptors.length.value === 'number') descriptors.length.value++;
    if (typeof descriptors.name.value === 'string') descriptors.name.value += 'Callbackified';
    for (const k of ['length', 'name']) {
      try {
        Object.defineProperty(callbackified, k, descriptors[k]);
      } catch (e) {
        // keep the defaults
      }
    }
    return callbackified;
  }

  const warned = new Set();
  function deprecate(fn, msg, code) {
    validateFunction(fn, 'fn');
    if (code !== undefined && typeof code !== 'string') {
      throw h.argTypeError('code', 'of type string', code);
    }
    let warnedHere = false;
    function deprecated(...args) {
      if (!warnedHere) {
        warnedHere = true;
        if (code === undefined || !warned.has(code)) {
          if (code !== undefined) warned.add(code);
          h.warn((code ? `[${code}] ` : '') + 'DeprecationWarning: ' + msg);
        }
      }
      if (new.target) {
        return Reflect.construct(fn, args, new.target);
      }
      return Reflect.apply(fn, this, args);
    }
    Object.setPrototypeOf(deprecated, fn);
    if (fn.prototype) {
      deprecated.prototype = fn.prototype;
    }
    return deprecated;
  }

  function isDeepStrictEqual(a, b) {
    return deepEqual(a, b, []);
  }

  function deepEqual(a, b, memo) {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (tag(a) !== tag(b)) return false;
    for (const [x, y] of memo) {
      if (x === a && y === b) return true;
    }
    memo = memo.concat([[a, b]]);
    const ka = kind(a);
    if (ka === 'date') {
      if (a.getTime() !== b.getTime()) return false;
    } else if (ka === 'regexp') {
      if (String(a) !== String(b) || a.lastIndex !== b.lastIndex) return false;
    } else if (ka === 'boxed') {
      if (!Object.is(a.valueOf(), b.valueOf())) return false;
    } else if (ka === 'error') {
      if (a.message !== b.message || a.name !== b.name) return false;
    } else if (ka === 'typedarray') {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) return false;
      }
    } else if (ka === 'arraybuffer') {
      if (!deepEqual(new Uint8Array(a), new Uint8Array(b), memo)) return false;
    }
    if (ka === 'set') {
      if (a.size !== b.size) return false;
      outer: for (const x of a) {
        if (b.has(x)) continue;
        if (typeof x !== 'object' || x === null) return false;
        for (const y of b) {
          if (deepEqual(x, y, memo)) continue outer;
        }
        return false;
      }
    } else if (ka === 'map') {
      if (a.size !== b.size) return false;
      for (const [k, v] of a) {
        if (!b.has(k) || !deepEqual(v, b.get(k), memo)) return false;
      }
    }
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.length !== keysB.length) return false;
    for (const k of keysA) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !Object.prototype.propertyIsEnumerable.call(b, k)) return false;
      if (!deepEqual(a[k], b[k], memo)) return false;
    }
    const symA = Object.getOwnPropertySymbols(a).filter((s) => Object.prototype.propertyIsEnumerable.call(a, s));
    const symB = Object.getOwnPropertySymbols(b).filter((s) => Object.prototype.propertyIsEnumerable.call(b, s));
    if (symA.length !== symB.length) return false;
    for (const s of symA) {
      if (!Object.prototype.propertyIsEnumerable.call(b, s) || !deepEqual(a[s], b[s], memo)) return false;
    }
    return true;
  }

  const typedArrayTag = (name) => (v) => kind(v) === 'typedarray' && v[Symbol.toStringTag] === name;

  const types = {
    isAnyArrayBuffer: (v) => kind(v) === 'arraybuffer',
    isArrayBuffer: (v) => kind(v) === 'arraybuffer',
    isSharedArrayBuffer: () => false,
    isArrayBufferView: (v) => ArrayBuffer.isView(v),
    isArgumentsObject: (v) => kind(v) === 'arguments',
    isAsyncFunction: (v) => typeof v === 'function' && (tag(v) === 'AsyncFunction' || tag(v) === 'AsyncGeneratorFunction'),
    isGeneratorFunction: (v) => typeof v === 'function' && (tag(v) === 'GeneratorFunction' || tag(v) === 'AsyncGeneratorFunction'),
    isGeneratorObject: (v) => isObjectLike(v) && (tag(v) === 'Generator' || tag(v) === 'AsyncGenerator'),
    isBoxedPrimitive: (v) => kind(v) === 'boxed',
    isNumberObject: (v) => kind(v) === 'boxed' && tag(v) === 'Number',
    isStringObject: (v) => kind(v) === 'boxed' && tag(v) === 'String',
    isBooleanObject: (v) => kind(v) === 'boxed' && tag(v) === 'Boolean',
    isBigIntObject: (v) => kind(v) === 'boxed' && tag(v) === 'BigInt',
    isSymbolObject: (v) => kind(v) === 'boxed' && tag(v) === 'Symbol',
    isDataView: (v) => isObjectLike(v) && !kind(v) && tag(v) === 'DataView' && v instanceof DataView,
    isDate: (v) => kind(v) === 'date',
    isExternal: () => false,
    isMap: (v) => kind(v) === 'map',
    isMapIterator: (v) => isObjectLike(v) && tag(v) === 'Map Iterator',
    isModuleNamespaceObject: () => false,
    isNativeError: (v) => kind(v) === 'error',
    isPromise: (v) => kind(v) === 'promise',
    isProxy: (v) => h.proxy(v) !== undefined,
    isRegExp: (v) => kind(v) === 'regexp',
    isSet: (v) => kind(v) === 'set',
    isSetIterator: (v) => isObjectLike(v) && tag(v) === 'Set Iterator',
    isTypedArray: (v) => kind(v) === 'typedarray',
    isUint8Array: typedArrayTag('Uint8Array'),
    isUint8ClampedArray: typedArrayTag('Uint8ClampedArray'),
    isUint16Array: typedArrayTag('Uint16Array'),
    isUint32Array: typedArrayTag('Uint32Array'),
    isInt8Array: typedArrayTag('Int8Array'),
    isInt16Array: typedArrayTag('Int16Array'),
    isInt32Array: typedArrayTag('Int32Array'),
    isFloat32Array: typedArrayTag('Float32Array'),
    isFloat64Array: typedArrayTag('Float64Array'),
    isBigInt64Array: typedArrayTag('BigInt64Array'),
    isBigUint64Array: typedArrayTag('BigUint64Array'),
    isWeakMap: (v) => isObjectLike(v) && tag(v) === 'WeakMap' && v instanceof WeakMap,
    isWeakSet: (v) => isObjectLike(v) && tag(v) === 'WeakSet' && v instanceof WeakSet,
  };

  function debuglog() {
    const logger = () => {};
    logger.enabled = false;
    return logger;
  }

  function stripVTControlCharacters(str) {
    if (typeof str !== 'string') {
      throw h.argTypeError('str', 'of type string', str);
    }
    return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g, '');
  }

  function toUSVString(str) {
    return String(str).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  }

  return {
    format: core.format,
    formatWithOptions: core.formatWithOptions,
    inspect: core.inspect,
    inherits,
    promisify,
    callbackify,
    deprecate,
    debuglog,
    debug: debuglog,
    isDeepStrictEqual,
    stripVTControlCharacters,
    toUSVString,
    types,
    isArray: Array.isArray,
    isBoolean: (v) => typeof v === 'boolean',
    isBuffer: (v) => typeof Buffer === 'function' && typeof Buffer.isBuffer === 'function' ? Buffer.isBuffer(v) : false,
    isDate: (v) => kind(v) === 'date',
    isError: (v) => core.isError(v),
    isFunction: (v) => typeof v === 'function',
    isNull: (v) => v === null,
    isNullOrUndefined: (v) => v === null || v === undefined,
    isNumber: (v) => typeof v === 'number',
    isObject: (v) => v !== null && typeof v === 'object',
    isPrimitive: (v) => v === null || (typeof v !== 'object' && typeof v !== 'function'),
    isRegExp: (v) => kind(v) === 'regexp',
    isString: (v) => typeof v === 'string',
    isSymbol: (v) => typeof v === 'symbol',
    isUndefined: (v) => v === undefined,
  };
})
