package node_test

import (
	"slices"
	"testing"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node"
	"github.com/verq/verq/registry/node/nodetest"
)

func TestNames_ExactSet(t *testing.T) {
	want := []string{"buffer", "crypto", "events", "querystring", "url", "util"}
	if got := node.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestProviders_RegisterAsCore(t *testing.T) {
	reg := registry.New()
	reg.MustRegister(node.Providers()...)
	for _, name := range node.Names() {
		p, ok := reg.Core(name)
		if !ok {
			t.Fatalf("%s is not registered as a core module", name)
		}
		info := p.Info()
		if info.Kind != registry.KindCore || info.Description == "" || info.Range != "" {
			t.Errorf("%s: bad info %+v", name, info)
		}
	}
}

func TestProviders_LoadTogether(t *testing.T) {
	h, err := nodetest.New(node.Providers()...)
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Run(`
		const crypto = require('crypto'), util = require('util'), qs = require('querystring');
		const url = require('url'), events = require('events'), buffer = require('buffer');
		const d = crypto.createHash('sha1').update('x').digest();
		[buffer.Buffer === Buffer, d instanceof buffer.Buffer, util.inspect(d).slice(0, 12),
		 util.inspect(url.parse('/a?b=1', true).query), qs.stringify({a: [1, 2]}), typeof events.once].join(' ')`)
	if err != nil {
		t.Fatal(err)
	}
	want := "true true <Buffer 11 f [Object: null prototype] { b: '1' } a=1&a=2 function"
	if v.String() != want {
		t.Errorf("got  %q\nwant %q", v.String(), want)
	}
}

func TestProviders_NoPanicOnHostileArguments(t *testing.T) {
	h, err := nodetest.New(node.Providers()...)
	if err != nil {
		t.Fatal(err)
	}
	// Every exported function is called with odd arguments; each must return or throw a JS
	// error, never panic into Go.
	_, err = h.Run(`
		const odd = [undefined, null, 0, -1, NaN, '', 'x', {}, [], Symbol('s'), () => {}, new Proxy({}, {}), 10n];
		let calls = 0;
		for (const name of ['buffer', 'crypto', 'events', 'querystring', 'url', 'util']) {
			const m = require(name);
			const fns = [];
			for (const k of Object.keys(m)) if (typeof m[k] === 'function') fns.push(m[k]);
			if (typeof m === 'function') fns.push(m);
			for (const f of fns) for (const a of odd) for (const b of odd) {
				if (f === m.randomBytes && typeof a === 'number' && a > 0) continue;
				try { f(a, b); calls++ } catch (e) { if (!(e instanceof Error)) throw new Error('non-error thrown: ' + String(e)); calls++ }
			}
		}
		calls`)
	if err != nil {
		t.Fatal(err)
	}
}
