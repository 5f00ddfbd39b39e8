// verq's events module: Node's EventEmitter. Evaluates to a factory that receives the host's
// helpers and returns the EventEmitter constructor (the module's exports).
(function (h) {
  'use strict';

  const kErrorMonitor = Symbol('events.errorMonitor');
  const kCaptureRejection = Symbol.for('nodejs.rejection');
  let defaultMaxListeners = 10;

  function checkListener(listener) {
    if (typeof listener !== 'function') {
      throw h.argTypeError('listener', 'of type function', listener);
    }
  }

  function checkMax(n, name) {
    if (typeof n !== 'number') {
      throw h.argTypeError(name, 'of type number', n);
    }
    if (n < 0 || n !== n) {
      throw h.outOfRange(name, '>= 0', n);
    }
  }

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }

  EventEmitter.prototype._events = undefined;
  EventEmitter.prototype._eventsCount = 0;
  EventEmitter.prototype._maxListeners = undefined;

  Object.defineProperty(EventEmitter, 'defaultMaxListeners', {
    enumerable: true,
    get() { return defaultMaxListeners; },
    set(n) { checkMax(n, 'defaultMaxListeners'); defaultMaxListeners = n; },
  });

  EventEmitter.init = function init() {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
  };

  function maxListeners(that) {
    return that._maxListeners === undefined ? defaultMaxListeners : that._maxListeners;
  }

  const proto = EventEmitter.prototype;

  proto.setMaxListeners = function setMaxListeners(n) {
    checkMax(n, 'setMaxListeners');
    this._maxListeners = n;
    return this;
  };

  proto.getMaxListeners = function getMaxListeners() {
    return maxListeners(this);
  };

  proto.emit = function emit(type, ...args) {
    let doError = type === 'error';
    const events = this._events;
    if (events !== undefined) {
      if (doError && events[kErrorMonitor] !== undefined) {
        this.emit(kErrorMonitor, ...args);
      }
      doError = doError && events.error === undefined;
    } else if (!doError) {
      return false;
    }
    if (doError) {
      const er = args[0];
      if (er instanceof Error) {
        throw er;
      }
      let shown;
      try {
        shown = h.inspect(er);
      } catch (e) {
        shown = String(er);
      }
      const err = h.error('Error', 'ERR_UNHANDLED_ERROR', 'Unhandled error. (' + shown + ')');
      err.context = er;
      throw err;
    }
    const handler = events[type];
    if (handler === undefined) {
      return false;
    }
    if (typeof handler === 'function') {
      Reflect.apply(handler, this, args);
    } else {
      const listeners = handler.slice();
      for (let i = 0; i < listeners.length; ++i) {
        Reflect.apply(listeners[i], this, args);
      }
    }
    return true;
  };

  function addListener(target, type, listener, prepend) {
    checkListener(listener);
    let events = target._events;
    let existing;
    if (events === undefined) {
      events = target._events = Object.create(null);
      target._eventsCount = 0;
    } else {
      if (events.newListener !== undefined) {
        target.emit('newListener', type, listener.listener ? listener.listener : listener);
        events = target._events;
      }
      existing = events[type];
    }
    if (existing === undefined) {
      events[type] = listener;
      ++target._eventsCount;
    } else {
      if (typeof existing === 'function') {
        existing = events[type] = prepend ? [listener, existing] : [existing, listener];
      } else if (prepend) {
        existing.unshift(listener);
      } else {
        existing.push(listener);
      }
      const m = maxListeners(target);
      if (m > 0 && existing.length > m && !existing.warned) {
        existing.warned = true;
        const name = target.constructor && target.constructor.name || 'EventEmitter';
        h.warn('MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ' +
          existing.length + ' ' + String(type) + ' listeners added to [' + name + ']. ' +
          'Use emitter.setMaxListeners() to increase limit');
      }
    }
    return target;
  }

  proto.addListener = function addListener_(type, listener) {
    return addListener(this, type, listener, false);
  };
  proto.on = proto.addListener;

  proto.prependListener = function prependListener(type, listener) {
    return addListener(this, type, listener, true);
  };

  function onceWrapper() {
    if (!this.fired) {
      this.target.removeListener(this.type, this.wrapFn);
      this.fired = true;
      return Reflect.apply(this.listener, this.target, arguments);
    }
  }

  function onceWrap(target, type, listener) {
    const state = { fired: false, wrapFn: undefined, target, type, listener };
    const wrapped = onceWrapper.bind(state);
    wrapped.listener = listener;
    state.wrapFn = wrapped;
    return wrapped;
  }

  proto.once = function once(type, listener) {
    checkListener(listener);
    this.on(type, onceWrap(this, type, listener));
    return this;
  };

  proto.prependOnceListener = function prependOnceListener(type, listener) {
    checkListener(listener);
    this.prependListener(type, onceWrap(this, type, listener));
    return this;
  };

  proto.removeListener = function removeListener(type, listener) {
    checkListener(listener);
    const events = this._events;
    if (events === undefined) {
      return this;
    }
    const list = events[type];
    if (list === undefined) {
      return this;
    }
    if (list === listener || list.listener === listener) {
      if (--this._eventsCount === 0) {
        this._events = Object.create(null);
      } else {
        delete events[type];
        if (events.removeListener) {
          this.emit('removeListener', type, list.listener || listener);
        }
      }
    } else if (typeof list !== 'function') {
      let position = -1;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) {
          position = i;
          break;
        }
      }
      if (position < 0) {
        return this;
      }
      list.splice(position, 1);
      if (list.length === 1) {
        events[type] = list[0];
      }
      if (events.removeListener !== undefined) {
        this.emit('removeListener', type, listener);
      }
    }
    return this;
  };
  proto.off = proto.removeListener;

  proto.removeAllListeners = function removeAllListeners(type) {
    const events = this._events;
    if (events === undefined) {
      return this;
    }
    if (events.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = Object.create(null);
        this._eventsCount = 0;
      } else if (events[type] !== undefined) {
        if (--this._eventsCount === 0) {
          this._events = Object.create(null);
        } else {
          delete events[type];
        }
      }
      return this;
    }
    if (arguments.length === 0) {
      for (const key of Reflect.ownKeys(events)) {
        if (key === 'removeListener') continue;
        this.removeAllListeners(key);
      }
      this.removeAllListeners('removeListener');
      this._events = Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    const listeners = events[type];
    if (typeof listeners === 'function') {
      this.removeListener(type, listeners);
    } else if (listeners !== undefined) {
      for (let i = listeners.length - 1; i >= 0; i--) {
        this.removeListener(type, listeners[i]);
      }
    }
    return this;
  };

  function listenersOf(target, type, unwrap) {
    const events = target._events;
    if (events === undefined) return [];
    const l = events[type];
    if (l === undefined) return [];
    if (typeof l === 'function') return unwrap ? [l.listener || l] : [l];
    return unwrap ? l.map((f) => f.listener || f) : l.slice();
  }

  proto.listeners = function listeners(type) {
    return listenersOf(this, type, true);
  };

  proto.rawListeners = function rawListeners(type) {
    return listenersOf(this, type, false);
  };

  function listenerCount(type, listener) {
    const events = this._events;
    if (events === undefined) return 0;
    const l = events[type];
    if (typeof l === 'function') {
      return listener == null || listener === l || listener === l.listener ? 1 : 0;
    }
    if (l === undefined) return 0;
    if (listener == null) return l.length;
    return l.filter((f) => f === listener || f.listener === listener).length;
  }
  proto.listenerCount = listenerCount;

  proto.eventNames = function eventNames() {
    return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
  };

  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.usingDomains = false;
  EventEmitter.captureRejectionSymbol = kCaptureRejection;
  EventEmitter.captureRejections = false;
  EventEmitter.errorMonitor = kErrorMonitor;

  EventEmitter.listenerCount = function (emitter, type) {
    if (typeof emitter.listenerCount === 'function') {
      return emitter.listenerCount(type);
    }
    return listenerCount.call(emitter, type);
  };

  EventEmitter.getEventListeners = function getEventListeners(emitter, type) {
    return listenersOf(emitter, type, true);
  };

  EventEmitter.getMaxListeners = function getMaxListeners(emitter) {
    return maxListeners(emitter);
  };

  EventEmitter.setMaxListeners = function setMaxListeners(n = defaultMaxListeners, ...targets) {
    checkMax(n, 'setMaxListeners');
    if (targets.length === 0) {
      defaultMaxListeners = n;
    } else {
      for (const t of targets) {
        t.setMaxListeners(n);
      }
    }
  };

  EventEmitter.once = function once(emitter, name) {
    return new Promise((resolve, reject) => {
      const errorListener = (err) => {
        emitter.removeListener(name, resolver);
        reject(err);
      };
      const resolver = (...args) => {
        if (name !== 'error') {
          emitter.removeListener('error', errorListener);
        }
        resolve(args);
      };
      emitter.once(name, resolver);
      if (name !== 'error') {
        emitter.once('error', errorListener);
      }
    });
  };

  return EventEmitter;
})
