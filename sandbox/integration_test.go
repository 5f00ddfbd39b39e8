package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node"
	"github.com/verq/verq/resolver"
)

// memCatalog is an in-memory resolver.Catalog.
type memCatalog struct {
	mu   sync.RWMutex
	mods map[string]map[string]catalog.Module
	gen  atomic.Uint64
}

func (c *memCatalog) Module(runtime, name string) (catalog.Module, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	mods, ok := c.mods[runtime]
	if !ok {
		return catalog.Module{}, fmt.Errorf("runtime %q: %w", runtime, catalog.ErrRuntimeNotFound)
	}
	m, ok := mods[name]
	if !ok {
		return catalog.Module{}, fmt.Errorf("%s: %w", name, catalog.ErrModuleNotFound)
	}
	m.Versions = slices.Clone(m.Versions)
	return m, nil
}

func (c *memCatalog) Generation() uint64 { return c.gen.Load() }

func (c *memCatalog) put(runtime string, m catalog.Module) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mods == nil {
		c.mods = make(map[string]map[string]catalog.Module)
	}
	if c.mods[runtime] == nil {
		c.mods[runtime] = make(map[string]catalog.Module)
	}
	c.mods[runtime][m.Name] = m
	c.gen.Add(1)
}

func TestIntegration_RealResolver(t *testing.T) {
	cat := &memCatalog{}
	cat.put("node18", catalog.Module{Name: "lib", Default: "1.2.3", Versions: []catalog.Version{
		{Version: "1.2.3", Status: catalog.StatusAllowed},
		{Version: "2.0.0", Status: catalog.StatusDeprecated, Reason: "use 1.x"},
		{Version: "0.9.0", Status: catalog.StatusBlocked, Reason: "CVE-0000-0001"},
	}})
	cat.put("node18", catalog.Module{Name: "greet", Core: true})
	reg := registry.New()
	lib := exportsProvider("lib", "", registry.KindGo, `{ version: 'lib', add: function (a, b) { return a + b } }`)
	lib.info.Range = ">=0.1.0 <3"
	greet := exportsProvider("greet", "", registry.KindCore, `{ hello: function (n) { return 'hello ' + n } }`)
	reg.MustRegister(lib, greet)
	var observed atomic.Int64
	res := resolver.New(cat, reg, resolver.WithObserver(resolver.ObserverFunc(func(resolver.Event) { observed.Add(1) })))

	e := mustExecutor(t, Config{Runtime: "node18", Resolver: res}, `function (user, context, callback) {
  const tryReq = (s) => { try { return require(s); } catch (e) { return e.code + ': ' + e.message; } };
  user.sum = require('lib').add(1, 2);
  user.same = require('lib@1.2.3') === require('lib');
  user.ranged = typeof require('lib@^2').add;
  user.hello = require('greet').hello('x');
  user.missing = tryReq('lib@9.9.9');
  user.blocked = tryReq('lib@0.9.0');
  user.fs = tryReq('fs');
  user.path = tryReq('./local');
  user.unknown = tryReq('left-pad');
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	u := r.User
	if u["sum"] != int64(3) || u["same"] != true || u["ranged"] != "function" || u["hello"] != "hello x" {
		t.Fatalf("user %v", u)
	}
	for key, want := range map[string]string{
		"missing": "MODULE_NOT_FOUND: Cannot find module 'lib@9.9.9'",
		"blocked": "MODULE_NOT_FOUND: Cannot find module 'lib@0.9.0'",
		"fs":      "MODULE_NOT_FOUND: Cannot find module 'fs'",
		"path":    "MODULE_NOT_FOUND: Cannot find module './local'",
		"unknown": "MODULE_NOT_FOUND: Cannot find module 'left-pad'",
	} {
		if got, _ := u[key].(string); !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want prefix %q", key, got, want)
		}
	}
	if !strings.Contains(u["blocked"].(string), "CVE-0000-0001") {
		t.Errorf("blocked reason missing: %q", u["blocked"])
	}
	var resolved []string
	for _, q := range r.Requires {
		resolved = append(resolved, q.Spec+"="+q.Resolved+"/"+q.How+"/"+q.Status)
	}
	want := []string{"lib=lib@1.2.3/default/allowed", "lib@1.2.3=lib@1.2.3/exact/allowed", "lib=lib@1.2.3/default/allowed",
		"lib@^2=lib@2.0.0/range/deprecated", "greet=greet/core/allowed", "lib@9.9.9=//", "lib@0.9.0=//", "fs=//",
		"./local=//", "left-pad=//"}
	if !slices.Equal(resolved, want) {
		t.Errorf("requires:\n got %q\nwant %q", resolved, want)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "lib@2.0.0 is deprecated: use 1.x") {
		t.Errorf("warnings %q", r.Warnings)
	}
	if observed.Load() != int64(len(r.Requires)) {
		t.Errorf("the observer saw %d resolutions, want %d", observed.Load(), len(r.Requires))
	}
	if lib.loads.Load() != 2 {
		t.Errorf("lib loaded %d times, want 2 (1.2.3 and 2.0.0, each once per runtime)", lib.loads.Load())
	}
}

func TestIntegration_CoreModules(t *testing.T) {
	cat := &memCatalog{}
	for _, name := range node.Names() {
		cat.put("default", catalog.Module{Name: name, Core: true})
	}
	reg := registry.New().MustRegister(node.Providers()...)
	e := mustExecutor(t, Config{Resolver: resolver.New(cat, reg)}, `function (user, context, callback) {
  const crypto = require('crypto');
  const digest = crypto.createHash('sha256').update('abc').digest();
  user.sameBuffer = require('buffer').Buffer === Buffer;
  user.digestIsBuffer = Buffer.isBuffer(digest) && digest instanceof Buffer;
  user.hex = digest.toString('hex');
  user.hmac = crypto.createHmac('sha1', 'k').update('v').digest('base64');
  user.uuid = /^[0-9a-f-]{36}$/.test(crypto.randomUUID());
  user.sameURL = require('url').URL === URL && require('url').URLSearchParams === URLSearchParams;
  user.qs = require('querystring').stringify({a: [1, 2], b: 'x y'});
  user.fmt = require('util').format('%s=%d', 'n', 42);
  const EventEmitter = require('events');
  const em = new EventEmitter();
  em.on('e', (v) => { user.event = v; });
  em.emit('e', 'fired');
  user.byteLength = Buffer.byteLength('héllo');
  crypto.randomBytes(8, function (err, buf) {
    user.random = !err && buf.length === 8;
    callback(null, user, context);
  });
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q %+v", r.Outcome, r.Error, r.Failure)
	}
	want := map[string]any{"sameBuffer": true, "digestIsBuffer": true,
		"hex": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hmac": "lPxqL36JuBls904QeajBHrZ5pVI=",
		"uuid": true, "sameURL": true, "qs": "a=1&a=2&b=x%20y", "fmt": "n=42", "event": "fired", "byteLength": 6, "random": true}
	if !jsonEqual(t, r.User, want) {
		t.Fatalf("user:\n got %v\nwant %v", r.User, want)
	}
}
