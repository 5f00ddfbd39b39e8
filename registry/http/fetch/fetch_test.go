package fetch_test

import (
	"net"
	"strings"
	"testing"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/fetch"
	"github.com/verq/verq/registry/http/internal/harness"
)

const urlSearchParams = `
class URLSearchParams {
  constructor(init) { this._p = []; for (var k in init || {}) this._p.push([k, String(init[k])]); }
  append(k, v) { this._p.push([k, String(v)]); }
  getAll(k) { return this._p.filter(function (p) { return p[0] === k; }).map(function (p) { return p[1]; }); }
  has(k) { return this.getAll(k).length > 0; }
  set(k, v) { this._p = this._p.filter(function (p) { return p[0] !== k; }); this.append(k, v); }
  toString() { return this._p.map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]).replace(/%20/g, '+'); }).join('&'); }
}`

// setup loads node-fetch as the global `fetch` (plus the module as node_fetch) and, with global,
// installs FetchGlobal instead.
func setup(t *testing.T, eo *egress.Options, global bool) *harness.Harness {
	t.Helper()
	srv := harness.NewEchoServer()
	t.Cleanup(srv.Close)
	opts := harness.Options{Egress: eo}
	if !global {
		opts.Modules = map[string]registry.Provider{"node-fetch": fetch.New()}
		opts.Versions = map[string]string{"node-fetch": "2.6.0"}
	}
	h, err := harness.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	if global {
		if err := fetch.FetchGlobal()(h.RT, h); err != nil {
			t.Fatal(err)
		}
	} else if _, err := h.RT.RunString(`var fetch = node_fetch, Headers = fetch.Headers, Response = fetch.Response, Request = fetch.Request, FetchError = fetch.FetchError;`); err != nil {
		t.Fatal(err)
	}
	h.RT.Set("SRV", srv.URL)
	if _, err := h.RT.RunString(urlSearchParams); err != nil {
		t.Fatal(err)
	}
	return h
}

type jsCase struct {
	name string
	js   string
	want string
}

func runCases(t *testing.T, h *harness.Harness, cases []jsCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := h.Run(tt.js); err != nil {
				t.Fatalf("script failed: %v", err)
			}
			if got := h.Result(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

const fail = `.catch(function (e) { done('unexpected rejection: ' + e.message); })`

func TestNodeFetch_Response(t *testing.T) {
	h := setup(t, nil, false)
	runCases(t, h, []jsCase{
		{"shape", `fetch(SRV + '/x?y=1').then(function (res) {
			done([res.ok, res.status, res.statusText, res.url === SRV + '/x?y=1', res.headers.get('Content-Type'), res instanceof Response, res.redirected, res.bodyUsed, res.type]);
		})` + fail, `[true,200,"OK",true,"application/json; charset=utf-8",true,false,false,"default"]`},
		{"json", `fetch(SRV + '/j').then(function (res) { return res.json(); }).then(function (b) { done([b.method, b.headers.accept, b.headers['user-agent']]); })` + fail,
			`["GET","*/*","node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"]`},
		{"text", `fetch(SRV + '/text').then(function (res) { return res.text(); }).then(done)` + fail, `"plain text"`},
		{"buffer", `fetch(SRV + '/bytes').then(function (res) { return res.buffer(); }).then(function (b) { done([Buffer.isBuffer(b), b.length, b[200]]); })` + fail,
			`[true,256,200]`},
		{"arrayBuffer", `fetch(SRV + '/bytes').then(function (res) { return res.arrayBuffer(); }).then(function (b) { done([b instanceof ArrayBuffer, b.byteLength]); })` + fail,
			`[true,256]`},
		{"body used twice", `fetch(SRV + '/text').then(function (res) { return res.text().then(function () { return res.text(); }); })
			.catch(function (e) { done([e instanceof TypeError, e.message.indexOf('body used already for: ') === 0]); })`, `[true,true]`},
		{"clone", `fetch(SRV + '/text').then(function (res) { var c = res.clone(); return Promise.all([res.text(), c.text()]); }).then(done)` + fail,
			`["plain text","plain text"]`},
		{"not ok resolves", `fetch(SRV + '/status/404').then(function (res) { done([res.ok, res.status, res.statusText]); })` + fail, `[false,404,"Not Found"]`},
		{"invalid json", `fetch(SRV + '/invalid-json').then(function (res) { return res.json(); }).catch(function (e) {
			done([e.name, e.type, e instanceof FetchError, e.message.indexOf('invalid json response body at ' + SRV + '/invalid-json reason: ') === 0]); })`,
			`["FetchError","invalid-json",true,true]`},
		{"await", `(async function () { const res = await fetch(SRV + '/aw'); const b = await res.json(); done(b.path); })()` + fail, `"/aw"`},
		{"head", `fetch(SRV + '/h', {method: 'HEAD'}).then(function (r) { return r.text(); }).then(done)` + fail, `""`},
	})
}

func TestNodeFetch_Requests(t *testing.T) {
	h := setup(t, nil, false)
	runCases(t, h, []jsCase{
		{"post json string", `fetch(SRV + '/p', {method: 'post', body: JSON.stringify({a: 1}), headers: {'Content-Type': 'application/json', Authorization: 'Bearer t'}})
			.then(function (r) { return r.json(); }).then(function (b) { done([b.method, b.body, b.headers['content-type'], b.headers.authorization]); })` + fail,
			`["POST","{\"a\":1}","application/json","Bearer t"]`},
		{"string body content type", `fetch(SRV + '/p', {method: 'POST', body: 'hi'}).then(function (r) { return r.json(); }).then(function (b) { done([b.body, b.headers['content-type']]); })` + fail,
			`["hi","text/plain;charset=UTF-8"]`},
		{"URLSearchParams body", `fetch(SRV + '/p', {method: 'POST', body: new URLSearchParams({grant_type: 'client_credentials', scope: 'a b'})})
			.then(function (r) { return r.json(); }).then(function (b) { done([b.body, b.headers['content-type']]); })` + fail,
			`["grant_type=client_credentials&scope=a+b","application/x-www-form-urlencoded;charset=UTF-8"]`},
		{"Buffer body", `fetch(SRV + '/p', {method: 'PUT', body: Buffer.from('bin')}).then(function (r) { return r.json(); }).then(function (b) { done([b.body, b.headers['content-type'] === undefined]); })` + fail,
			`["bin",true]`},
		{"Headers init", `var hd = new Headers({'X-A': '1'}); hd.append('X-A', '2');
			fetch(SRV + '/p', {headers: hd}).then(function (r) { return r.json(); }).then(function (b) { done(b.headers['x-a']); })` + fail, `"1, 2"`},
		{"array init", `fetch(SRV + '/p', {headers: [['X-B', 'b'], ['User-Agent', 'mine']]}).then(function (r) { return r.json(); }).then(function (b) { done([b.headers['x-b'], b.headers['user-agent']]); })` + fail,
			`["b","mine"]`},
		{"Request object", `var req = new Request(SRV + '/r', {method: 'DELETE', headers: {'X-R': 'r'}});
			done.req = [req.method, req.url === SRV + '/r', req.headers.get('x-r'), req instanceof Request, req.follow];
			fetch(req).then(function (r) { return r.json(); }).then(function (b) { done(done.req.concat([b.method, b.headers['x-r']])); })` + fail,
			`["DELETE",true,"r",true,20,"DELETE","r"]`},
		{"GET with body", `fetch(SRV + '/p', {body: 'x'}).catch(function (e) { done([e instanceof TypeError, e.message]); })`,
			`[true,"Request with GET/HEAD method cannot have body"]`},
		{"relative url", `fetch('/relative').catch(function (e) { done([e instanceof TypeError, e.message]); })`, `[true,"Only absolute URLs are supported"]`},
		{"ftp", `fetch('ftp://x.example/f').catch(function (e) { done(e.message); })`, `"Only HTTP(S) protocols are supported"`},
	})
}

func TestNodeFetch_Headers(t *testing.T) {
	h := setup(t, nil, false)
	runCases(t, h, []jsCase{
		{"response headers", `fetch(SRV + '/headers').then(function (r) {
			var seen = []; r.headers.forEach(function (v, k) { seen.push(k); });
			done([r.headers.get('set-cookie'), r.headers.raw()['set-cookie'], r.headers.get('x-multi'), r.headers.has('X-MULTI'), r.headers.get('nope'), seen.indexOf('x-multi') > 0, seen.slice().sort().join() === seen.join()]);
		})` + fail, `["a=1; Path=/, b=2; Path=/",["a=1; Path=/","b=2; Path=/"],"one, two",true,null,true,true]`},
		{"class", `var h = new Headers([['b', '2'], ['A', '1']]); h.set('c', ' 3 '); h.delete('b');
			var it = []; for (var p of h) it.push(p.join('=')); var ks = Array.from(h.keys());
			done([it, ks, h.get('a'), Object.prototype.toString.call(h), h.raw()]);`,
			`[["a=1","c=3"],["a","c"],"1","[object Headers]",{"A":["1"],"c":["3"]}]`},
		{"copy", `var a = new Headers({x: '1'}); var b = new Headers(a); b.set('x', '2'); done([a.get('x'), b.get('x')]);`, `["1","2"]`},
		{"invalid name", `try { new Headers({'bad name': 'x'}); } catch (e) { done([e instanceof TypeError, e.message]); }`, `[true,"bad name is not a legal HTTP header name"]`},
		{"invalid pair", `try { new Headers([['a']]); } catch (e) { done(e.message); }`, `"Each header pair must be a name/value tuple"`},
	})
}

func TestNodeFetch_ResponseClass(t *testing.T) {
	h := setup(t, nil, false)
	runCases(t, h, []jsCase{
		{"constructed", `var r = new Response('{"a":1}', {status: 201, headers: {'X-A': 'b'}});
			r.json().then(function (b) { done([r.status, r.statusText, r.ok, r.headers.get('x-a'), r.headers.get('content-type'), b.a]); })` + fail,
			`[201,"Created",true,"b","text/plain;charset=UTF-8",1]`},
		{"empty", `new Response().text().then(function (t) { done(t); })` + fail, `""`},
		{"isRedirect", `done([fetch.isRedirect(302), fetch.isRedirect(200), fetch.default === fetch])`, `[true,false,true]`},
	})
}

func TestNodeFetch_RedirectsTimeoutsLimits(t *testing.T) {
	h := setup(t, &egress.Options{Policy: egress.Policy{AllowPrivate: true}, MaxResponseBytes: 4096}, false)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.RT.Set("CLOSED", l.Addr().String())
	l.Close()
	runCases(t, h, []jsCase{
		{"follow", `fetch(SRV + '/redirect/2').then(function (r) { done([r.status, r.redirected, r.url === SRV + '/redirect/0']); })` + fail, `[200,true,true]`},
		{"manual", `fetch(SRV + '/redirect/2', {redirect: 'manual'}).then(function (r) { done([r.status, r.headers.get('location') === SRV + '/redirect/1']); })` + fail, `[302,true]`},
		{"error mode", `fetch(SRV + '/redirect/1', {redirect: 'error'}).catch(function (e) { done([e.type, e.message === 'uri requested responds with a redirect, redirect mode is set to error: ' + SRV + '/redirect/1']); })`,
			`["no-redirect",true]`},
		{"follow limit", `fetch(SRV + '/redirect/3', {follow: 1}).catch(function (e) { done([e.type, e.message.indexOf('maximum redirect reached at: ') === 0]); })`, `["max-redirect",true]`},
		{"follow 0", `fetch(SRV + '/redirect/1', {follow: 0}).catch(function (e) { done(e.type); })`, `"max-redirect"`},
		{"timeout", `fetch(SRV + '/slow?ms=5000', {timeout: 50}).catch(function (e) {
			done([e.name, e.type, e.message === 'network timeout at: ' + SRV + '/slow?ms=5000', e instanceof FetchError, e instanceof Error]); })`,
			`["FetchError","request-timeout",true,true,true]`},
		{"size option", `fetch(SRV + '/big?n=300', {size: 100}).catch(function (e) { done([e.type, e.message === 'content size at ' + SRV + '/big?n=300 over limit: 100']); })`,
			`["max-size",true]`},
		{"executor size limit", `fetch(SRV + '/big?n=5000').catch(function (e) { done([e.type, e.code, /exceeds the size limit of 4096 bytes/.test(e.message)]); })`,
			`["system","ERR_RESPONSE_TOO_LARGE",true]`},
		{"connection refused", `fetch('http://' + CLOSED + '/').catch(function (e) {
			done([e.name, e.type, e.code, e.errno, e.message === 'request to http://' + CLOSED + '/ failed, reason: connect ECONNREFUSED ' + CLOSED]); })`,
			`["FetchError","system","ECONNREFUSED","ECONNREFUSED",true]`},
	})
}

func TestNodeFetch_Egress(t *testing.T) {
	t.Run("denied", func(t *testing.T) {
		h := setup(t, &egress.Options{}, false)
		if _, err := h.Run(`fetch(SRV + '/x').catch(function (e) { done([e.type, e.code, /reason: egress denied: 127.0.0.1 is a loopback address/.test(e.message)]); })`); err != nil {
			t.Fatal(err)
		}
		if got := h.Result(); got != `["system","ERR_EGRESS_DENIED",true]` {
			t.Fatalf("got %s", got)
		}
	})
	t.Run("mapped", func(t *testing.T) {
		srv := harness.NewEchoServer()
		defer srv.Close()
		h := setup(t, &egress.Options{Policy: egress.Policy{Map: map[string]string{"tenant.example.com": srv.URL}}}, false)
		// The shape of the scaled-access rule template: a client-credentials token request.
		_, err := h.Run(`fetch('https://tenant.example.com/oauth/token', {method: 'POST', body: new URLSearchParams({grant_type: 'client_credentials'})})
			.then(function (response) { return response.ok ? response.json() : response.text().then(function (e) { throw Error(e); }); })
			.then(function (b) { done([b.path, b.body]); })` + fail)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Result(); got != `["/oauth/token","grant_type=client_credentials"]` {
			t.Fatalf("got %s", got)
		}
		if calls := h.Calls(); len(calls) != 1 || calls[0].Host != "tenant.example.com" || calls[0].Method != "POST" {
			t.Fatalf("recorded %+v", calls)
		}
	})
}

func TestFetchGlobal(t *testing.T) {
	h := setup(t, nil, true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.RT.Set("CLOSED", l.Addr().String())
	l.Close()
	runCases(t, h, []jsCase{
		{"globals", `done([typeof fetch, typeof Headers, typeof Response, typeof Request, Object.keys(globalThis).indexOf('fetch')])`,
			`["function","function","function","function",-1]`},
		{"get json", `fetch(SRV + '/g').then(function (r) { return r.json().then(function (b) { done([r.ok, r.status, b.headers['user-agent'], r.type]); }); })` + fail,
			`[true,200,"undici","basic"]`},
		{"network failure", `fetch('http://' + CLOSED + '/').catch(function (e) { done([e instanceof TypeError, e.message, e.cause.code]); })`,
			`[true,"fetch failed","ECONNREFUSED"]`},
		{"invalid json is a SyntaxError", `fetch(SRV + '/invalid-json').then(function (r) { return r.json(); }).catch(function (e) { done(e instanceof SyntaxError); })`, `true`},
		{"no raw, getSetCookie", `fetch(SRV + '/headers').then(function (r) { done([typeof r.headers.raw, r.headers.getSetCookie()]); })` + fail,
			`["undefined",["a=1; Path=/","b=2; Path=/"]]`},
		{"no buffer()", `fetch(SRV + '/text').then(function (r) { done(typeof r.buffer); })` + fail, `"undefined"`},
		{"bad url", `fetch('nope').catch(function (e) { done([e instanceof TypeError, e.message]); })`, `[true,"Failed to parse URL from nope"]`},
	})
}

func TestFetchGlobal_Egress(t *testing.T) {
	h := setup(t, &egress.Options{}, true)
	if _, err := h.Run(`fetch(SRV).catch(function (e) { done([e.message, e.cause.code, e.cause.message.indexOf('egress denied') === 0]); })`); err != nil {
		t.Fatal(err)
	}
	if got := h.Result(); got != `["fetch failed","ERR_EGRESS_DENIED",true]` {
		t.Fatalf("got %s", got)
	}
	if calls := h.Calls(); len(calls) != 1 || !strings.Contains(calls[0].Error, "egress denied") {
		t.Fatalf("recorded %+v", calls)
	}
}
