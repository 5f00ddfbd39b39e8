package request_test

import (
	"context"
	"net"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
	"github.com/verq/verq/registry/http/request"
)

// setup returns a harness with request loaded as the global `request` and the echo server's URL as
// the global SRV.
func setup(t *testing.T, eo *egress.Options) (*harness.Harness, *httptest.Server) {
	t.Helper()
	srv := harness.NewEchoServer()
	t.Cleanup(srv.Close)
	h, err := harness.New(harness.Options{
		Egress:   eo,
		Modules:  map[string]registry.Provider{"request": request.New()},
		Versions: map[string]string{"request": "2.88.2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	h.RT.Set("SRV", srv.URL)
	return h, srv
}

func run(t *testing.T, h *harness.Harness, js string) string {
	t.Helper()
	if _, err := h.Run(js); err != nil {
		t.Fatalf("script failed: %v\n%s", err, js)
	}
	return h.Result()
}

type jsCase struct {
	name string
	js   string
	want string // exact JSON of the value passed to done()
}

func runCases(t *testing.T, h *harness.Harness, cases []jsCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if got := run(t, h, tt.js); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRequest_CallShapes(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"url and callback", `request(SRV + '/anything?x=1', function (err, res, body) {
			var e = JSON.parse(body);
			done([err, res.statusCode, res.statusMessage, res.headers['content-type'], typeof body, res.body === body, e.method, e.path, e.query]);
		})`, `[null,200,"OK","application/json; charset=utf-8","string",true,"GET","/anything","x=1"]`},
		{"options object with url", `request({url: SRV + '/a', method: 'post'}, function (err, res, body) {
			done([err, JSON.parse(body).method]);
		})`, `[null,"POST"]`},
		{"options object with uri", `request({uri: SRV + '/b'}, function (err, res, body) { done(JSON.parse(body).path); })`, `"/b"`},
		{"url, options, callback", `request(SRV + '/c', {method: 'PUT'}, function (err, res, body) { done(JSON.parse(body).method); })`, `"PUT"`},
		{"uri object with href", `request({uri: {href: SRV + '/d'}}, function (err, res, body) { done(JSON.parse(body).path); })`, `"/d"`},
		{"callback in options", `request({url: SRV + '/e', callback: function (err, res) { done(res.statusCode); }})`, `200`},
		{"status code passed through", `request(SRV + '/status/404', function (err, res) { done([err, res.statusCode, res.statusMessage]); })`, `[null,404,"Not Found"]`},
		{"returns a Request", `var r = request(SRV + '/f', function () {}); done([typeof r.abort, typeof r.on, r.method, r.uri.pathname, r.href === SRV + '/f'])`,
			`["function","function","GET","/f",true]`},
		{"this is the Request", `var r = request(SRV + '/g', function () { done(this === r); })`, `true`},
	})
}

func TestRequest_Verbs(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"get", `request.get(SRV + '/v', function (e, r, b) { done(JSON.parse(b).method); })`, `"GET"`},
		{"post", `request.post(SRV + '/v', function (e, r, b) { done(JSON.parse(b).method); })`, `"POST"`},
		{"put", `request.put({url: SRV + '/v'}, function (e, r, b) { done(JSON.parse(b).method); })`, `"PUT"`},
		{"patch", `request.patch(SRV + '/v', {}, function (e, r, b) { done(JSON.parse(b).method); })`, `"PATCH"`},
		{"del", `request.del(SRV + '/v', function (e, r, b) { done(JSON.parse(b).method); })`, `"DELETE"`},
		{"delete", `request.delete(SRV + '/v', function (e, r, b) { done(JSON.parse(b).method); })`, `"DELETE"`},
		{"options", `request.options(SRV + '/v', function (e, r, b) { done(JSON.parse(b).method); })`, `"OPTIONS"`},
		{"head", `request.head(SRV + '/v', function (e, r, b) { done([e, r.statusCode, b]); })`, `[null,200,""]`},
		{"verb wins over method option", `request.post({url: SRV + '/v', method: 'GET'}, function (e, r, b) { done(JSON.parse(b).method); })`, `"POST"`},
	})
}

func TestRequest_Headers(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"request headers sent", `request({url: SRV + '/h', headers: {'X-Api-Key': 'k1', 'x-num': 7, 'x-list': ['a', 'b'], 'x-undef': undefined}}, function (e, r, b) {
			var hd = JSON.parse(b).headers; done([hd['x-api-key'], hd['x-num'], hd['x-list'], 'x-undef' in hd, hd['user-agent'] === undefined]);
		})`, `["k1","7","a, b",false,true]`},
		{"response headers lower-cased", `request(SRV + '/headers', function (e, r) {
			done([r.headers['set-cookie'], r.headers['x-multi'], r.headers['content-type'], r.rawHeaders.length > 0, r.httpVersion]);
		})`, `[["a=1; Path=/","b=2; Path=/"],"one, two","text/plain",true,"1.1"]`},
		{"request headers on response.request", `request({url: SRV + '/h', headers: {'X-A': '1'}}, function (e, r) {
			done([r.request.headers['x-a'], r.request.method, r.request.uri.hostname]);
		})`, `["1","GET","127.0.0.1"]`},
	})
}

func TestRequest_QueryString(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"qs nested like the qs library", `request({url: SRV + '/q', qs: {a: 1, b: [1, 2], c: {d: 'x y'}, e: null, f: undefined, g: "it's (ok)*", h: true}}, function (e, r, b) { done(JSON.parse(b).query); })`,
			`"a=1&b%5B0%5D=1&b%5B1%5D=2&c%5Bd%5D=x%20y&e=&g=it%27s%20%28ok%29%2A&h=true"`},
		{"qs merged with the url query", `request({url: SRV + '/q?a=old&keep=1', qs: {a: 'new'}}, function (e, r, b) { done(JSON.parse(b).query); })`,
			`"keep=1&a=new"`},
		{"useQuerystring", `request({url: SRV + '/q', qs: {b: [1, 2], s: "it's"}, useQuerystring: true}, function (e, r, b) { done(JSON.parse(b).query); })`,
			`"b=1&b=2&s=it's"`},
		{"url with spaces escaped", `request(SRV + '/a b?q=c d', function (e, r, b) { var x = JSON.parse(b); done([x.path, x.query]); })`,
			`["/a%20b","q=c%20d"]`},
	})
}

func TestRequest_Bodies(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"json true parses the response", `request({url: SRV + '/j', json: true}, function (e, r, b) { done([typeof b, b.method, b.headers.accept, r.body === b]); })`,
			`["object","GET","application/json",true]`},
		{"json object is the body", `request.post({url: SRV + '/j', json: {a: 1, s: 'x'}}, function (e, r, b) { done([b.body, b.headers['content-type'], b.headers['content-length']]); })`,
			`["{\"a\":1,\"s\":\"x\"}","application/json","15"]`},
		{"json true with object body", `request.post({url: SRV + '/j', json: true, body: {a: [1]}}, function (e, r, b) { done([b.body, b.headers['content-type']]); })`,
			`["{\"a\":[1]}","application/json"]`},
		{"json true with string body is stringified", `request.post({url: SRV + '/j', json: true, body: 'x'}, function (e, r, b) { done(b.body); })`,
			`"\"x\""`},
		{"json keeps a custom content type", `request.post({url: SRV + '/j', json: {a: 1}, headers: {'content-type': 'application/vnd.x+json'}}, function (e, r, b) { done(b.headers['content-type']); })`,
			`"application/vnd.x+json"`},
		{"json true with invalid json keeps the string", `request({url: SRV + '/invalid-json', json: true}, function (e, r, b) { done(b); })`, `"{not json"`},
		{"json true with empty body", `request({url: SRV + '/empty', json: true}, function (e, r, b) { done([r.statusCode, b === undefined]); })`, `[204,true]`},
		{"empty body without json", `request(SRV + '/empty', function (e, r, b) { done(b); })`, `""`},
		{"form object", `request.post({url: SRV + '/f', form: {a: 1, b: 'x y', c: ['p', 'q']}}, function (e, r, b) { var x = JSON.parse(b); done([x.body, x.headers['content-type']]); })`,
			`["a=1&b=x%20y&c%5B0%5D=p&c%5B1%5D=q","application/x-www-form-urlencoded"]`},
		{"form string", `request.post({url: SRV + '/f', form: 'raw=1&b=2'}, function (e, r, b) { var x = JSON.parse(b); done([x.body, x.headers['content-type']]); })`,
			`["raw=1&b=2","application/x-www-form-urlencoded"]`},
		{"form with json true", `request.post({url: SRV + '/f', form: {a: "b'c"}, json: true}, function (e, r, b) { done([b.body, b.headers['content-type']]); })`,
			`["a=b%27c","application/x-www-form-urlencoded"]`},
		{"string body", `request.post({url: SRV + '/s', body: 'héllo', headers: {'content-type': 'text/plain'}}, function (e, r, b) { var x = JSON.parse(b); done([x.body, x.headers['content-length']]); })`,
			`["héllo","6"]`},
		{"Buffer body", `request.post({url: SRV + '/s', body: Buffer.from('bin')}, function (e, r, b) { done(JSON.parse(b).body); })`, `"bin"`},
		{"array of Buffers body", `request.post({url: SRV + '/s', body: [Buffer.from('a'), Buffer.from('b')]}, function (e, r, b) { done(JSON.parse(b).body); })`, `"ab"`},
		{"object body without json", `request.post({url: SRV + '/s', body: {a: 1}}, function (e, r, b) { done([e.message, r, b]); })`,
			`["Argument error, options.body.",null,null]`},
	})
}

func TestRequest_Auth(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"bearer", `request({url: SRV + '/a', auth: {bearer: 'tok'}, json: true}, function (e, r, b) { done(b.headers.authorization); })`, `"Bearer tok"`},
		{"bearer function", `request({url: SRV + '/a', auth: {bearer: function () { return 'fn'; }}, json: true}, function (e, r, b) { done(b.headers.authorization); })`, `"Bearer fn"`},
		{"user pass", `request({url: SRV + '/a', auth: {user: 'u', pass: 'p'}, json: true}, function (e, r, b) { done(b.headers.authorization); })`, `"Basic dTpw"`},
		{"username password", `request({url: SRV + '/a', auth: {username: 'u', password: 'p'}, json: true}, function (e, r, b) { done(b.headers.authorization); })`, `"Basic dTpw"`},
		{"user only", `request({url: SRV + '/a', auth: {user: 'u'}, json: true}, function (e, r, b) { done(b.headers.authorization); })`, `"Basic dTo="`},
		{"url user info", `request({url: SRV.replace('http://', 'http://us%40r:p@ss@'), json: true}, function (e, r, b) { done([e && e.message, b && b.headers.authorization]); })`,
			`[null,"Basic dXNAcjpwQHNz"]`},
		{"invalid auth", `request({url: SRV + '/a', auth: {}}, function (e) { done(e.message); })`, `"auth() received invalid user or password"`},
	})
}

func TestRequest_Encoding(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"null gives a Buffer", `request({url: SRV + '/bytes', encoding: null}, function (e, r, b) { done([Buffer.isBuffer(b), b.length, b[0], b[255], r.body === b]); })`,
			`[true,256,0,255,true]`},
		{"base64", `request({url: SRV + '/text', encoding: 'base64'}, function (e, r, b) { done(b); })`, `"cGxhaW4gdGV4dA=="`},
		{"hex", `request({url: SRV + '/text', encoding: 'hex'}, function (e, r, b) { done(b); })`, `"706c61696e2074657874"`},
		{"latin1", `request({url: SRV + '/bytes', encoding: 'latin1'}, function (e, r, b) { done([b.length, b.charCodeAt(233)]); })`, `[256,233]`},
		{"utf8 strips the BOM", `request({url: SRV + '/bom', encoding: 'utf8'}, function (e, r, b) { done(b); })`, `"{\"a\":1}"`},
		{"default keeps the BOM", `request({url: SRV + '/bom'}, function (e, r, b) { done(b.charCodeAt(0)); })`, `65279`},
		{"json with a BOM", `request({url: SRV + '/bom', json: true, encoding: 'utf8'}, function (e, r, b) { done(b); })`, `{"a":1}`},
		{"null with json parses", `request({url: SRV + '/anything', encoding: null, json: true}, function (e, r, b) { done(b.method); })`, `"GET"`},
		{"unknown encoding", `request({url: SRV + '/text', encoding: 'klingon'}, function (e, r, b) { done(e.message); })`, `"Unknown encoding: klingon"`},
	})
}

func TestRequest_Redirects(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"GET follows", `request(SRV + '/redirect/3', function (e, r, b) { done([r.statusCode, JSON.parse(b).path]); })`, `[200,"/redirect/0"]`},
		{"followRedirect false", `request({url: SRV + '/redirect/3', followRedirect: false}, function (e, r) { done([r.statusCode, r.headers.location]); })`, `[302,"/redirect/2"]`},
		{"POST is not followed", `request.post(SRV + '/redirect/1', function (e, r) { done(r.statusCode); })`, `302`},
		{"followAllRedirects", `request.post({url: SRV + '/redirect/1', followAllRedirects: true}, function (e, r, b) { done([r.statusCode, JSON.parse(b).method]); })`, `[200,"GET"]`},
		{"maxRedirects", `request({url: SRV + '/loop', maxRedirects: 2}, function (e, r) { done([e.message.indexOf('Exceeded maxRedirects. Probably stuck in a redirect loop ') === 0, r]); })`, `[true,null]`},
		{"maxRedirects 0", `request({url: SRV + '/redirect/1', maxRedirects: 0}, function (e) { done(e.message.indexOf('Exceeded maxRedirects') === 0); })`, `true`},
		{"default limit 10", `request(SRV + '/loop', function (e) { done(/Exceeded maxRedirects/.test(e.message)); })`, `true`},
	})
}

func TestRequest_Defaults(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"merged options", `var api = request.defaults({baseUrl: SRV + '/api/', headers: {'x-a': '1'}, json: true});
			api({url: '/users', headers: {'x-b': '2'}}, function (e, r, b) { done([b.path, b.headers['x-a'], b.headers['x-b']]); })`,
			`["/api/users","1","2"]`},
		{"verbs on defaults", `var api = request.defaults({baseUrl: SRV, json: true}); api.post('/p', {json: {a: 1}}, function (e, r, b) { done([b.method, b.body]); })`,
			`["POST","{\"a\":1}"]`},
		{"defaults of defaults", `var a = request.defaults({headers: {'x-a': '1'}}).defaults({headers: {'x-b': '2'}, json: true});
			a(SRV + '/x', function (e, r, b) { done([b.headers['x-a'], b.headers['x-b']]); })`, `["1","2"]`},
		{"call options win", `request.defaults({method: 'POST', json: true})({url: SRV + '/x', method: 'PUT'}, function (e, r, b) { done(b.method); })`, `"PUT"`},
		{"defaults not mutated", `var d = {headers: {'x-a': '1'}}; var r2 = request.defaults(d);
			r2({url: SRV + '/x', headers: {'x-b': '2'}}, function () { done(Object.keys(d.headers)); })`, `["x-a"]`},
		{"cyclic defaults", `var d = {headers: {}}; d.headers.self = d; try { request.defaults(d); done('merged'); } catch (e) { done(String(e)); }`,
			`"RangeError: Maximum call stack size exceeded"`},
		{"cyclic options", `var o = {url: SRV + '/x', a: {}}; o.a.o = o; try { request.defaults({a: {}})(o, function () {}); done('merged'); } catch (e) { done(String(e)); }`,
			`"RangeError: Maximum call stack size exceeded"`},
	})
}

func TestRequest_BaseUrl(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"both slashes", `request({baseUrl: SRV + '/b/', uri: '/x'}, function (e, r, b) { done(JSON.parse(b).path); })`, `"/b/x"`},
		{"no slashes", `request({baseUrl: SRV + '/b', uri: 'x'}, function (e, r, b) { done(JSON.parse(b).path); })`, `"/b/x"`},
		{"one slash", `request({baseUrl: SRV + '/b', uri: '/x'}, function (e, r, b) { done(JSON.parse(b).path); })`, `"/b/x"`},
		{"empty uri", `request({baseUrl: SRV + '/b', uri: ''}, function (e, r, b) { done(JSON.parse(b).path); })`, `"/b"`},
		{"absolute uri rejected", `request({baseUrl: SRV, uri: 'http://example.com/'}, function (e) { done(e.message); })`, `"options.uri must be a path when using options.baseUrl"`},
	})
}

func TestRequest_Errors(t *testing.T) {
	h, _ := setup(t, nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	h.RT.Set("CLOSED", closed)
	runCases(t, h, []jsCase{
		{"missing uri", `request({}, function (e, r, b) { done([e.message, r, b]); })`, `["options.uri is a required argument",null,null]`},
		{"invalid uri", `request('not a url', function (e) { done(e.message); })`, `"Invalid URI \"not a url\""`},
		{"invalid protocol", `request('ftp://example.com/x', function (e) { done(e.message); })`, `"Invalid protocol: ftp:"`},
		{"connection refused", `request('http://' + CLOSED + '/', function (e, r) { done([e.code, e.syscall, e.message === 'connect ECONNREFUSED ' + CLOSED, r]); })`,
			`["ECONNREFUSED","connect",true,null]`},
		{"timeout", `request({url: SRV + '/slow?ms=5000', timeout: 50}, function (e, r) { done([e.code, e.message, r]); })`, `["ETIMEDOUT","ETIMEDOUT",null]`},
		{"timeout not reached", `request({url: SRV + '/slow?ms=1', timeout: 5000}, function (e, r, b) { done([e, b]); })`, `[null,"slow"]`},
		{"formData unsupported", `request.post({url: SRV, formData: {a: 1}}, function (e) { done(/not supported/.test(e.message)); })`, `true`},
		{"error is reported asynchronously", `var sync = true; request({}, function () { done(sync); }); sync = false;`, `false`},
	})
}

func TestRequest_Events(t *testing.T) {
	h, _ := setup(t, nil)
	runCases(t, h, []jsCase{
		{"response and complete", `var ev = []; request(SRV + '/text').on('response', function (r) { ev.push('response:' + r.statusCode); })
			.on('complete', function (r, b) { ev.push('complete:' + b); done(ev); })`, `["response:200","complete:plain text"]`},
		{"error event", `request('http://' + '127.0.0.1:1/').on('error', function (e) { done(e.code); })`, `"ECONNREFUSED"`},
		{"abort", `var called = false; var r = request(SRV + '/slow?ms=2000', function () { called = true; });
			r.on('abort', function () { done('aborted'); }); r.abort();`, `"aborted"`},
		{"pipe unsupported", `try { request(SRV).pipe({}); } catch (e) { done(/streaming/.test(e.message)); }`, `true`},
		{"toJSON", `request(SRV + '/text', function (e, r) { var j = r.toJSON(); done([j.statusCode, j.body, j.request.method, j.request.uri.pathname]); })`,
			`[200,"plain text","GET","/text"]`},
		{"time option", `request({url: SRV + '/text', time: true}, function (e, r) { done(typeof r.elapsedTime); })`, `"number"`},
	})
}

func TestRequest_CallbackExceptionIsUncaught(t *testing.T) {
	h, _ := setup(t, nil)
	_, err := h.Run(`request(SRV + '/text', function () { throw new Error('boom in callback'); })`)
	if err == nil || !strings.Contains(err.Error(), "boom in callback") {
		t.Fatalf("err = %v, want the callback's exception", err)
	}
}

func TestRequest_Egress(t *testing.T) {
	t.Run("loopback denied by default", func(t *testing.T) {
		h, _ := setup(t, &egress.Options{})
		got := run(t, h, `request(SRV + '/x', function (e, r) { done([e.code, e.message, r]); })`)
		want := `["ERR_EGRESS_DENIED","egress denied: 127.0.0.1 is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private",null]`
		if got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		calls := h.Calls()
		if len(calls) != 1 || calls[0].Status != 0 || !strings.Contains(calls[0].Error, "egress denied") {
			t.Fatalf("recorded %+v", calls)
		}
	})
	t.Run("name resolving to loopback", func(t *testing.T) {
		res := resolverFunc(func(host string) []netip.Addr {
			if host == "evil.example" {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}
			}
			return nil
		})
		h, srv := setup(t, &egress.Options{Resolver: res})
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		h.RT.Set("PORT", port)
		got := run(t, h, `request('http://evil.example:' + PORT + '/', function (e) { done([e.code, e.message]); })`)
		want := `["ERR_EGRESS_DENIED","egress denied: 127.0.0.1 (resolved from evil.example) is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private"]`
		if got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
	t.Run("host mapping", func(t *testing.T) {
		srv := harness.NewEchoServer()
		defer srv.Close()
		h, _ := setup(t, &egress.Options{Policy: egress.Policy{Map: map[string]string{"api.example.com": srv.URL + "/stand-in"}}})
		got := run(t, h, `request({url: 'https://api.example.com/v2/users', qs: {q: 1}, json: true}, function (e, r, b) {
			done([e, r.statusCode, b.path, b.query, r.request.uri.host]);
		})`)
		if want := `[null,200,"/stand-in/v2/users","q=1","api.example.com"]`; got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		if calls := h.Calls(); len(calls) != 1 || calls[0].Host != "api.example.com" || calls[0].Method != "GET" || calls[0].Status != 200 {
			t.Fatalf("recorded %+v", calls)
		}
	})
	t.Run("size limit", func(t *testing.T) {
		h, srv := setup(t, &egress.Options{Policy: egress.Policy{AllowPrivate: true}, MaxResponseBytes: 1000})
		got := run(t, h, `request(SRV + '/big?n=5000', function (e, r) { done([e.code, e.message, r]); })`)
		want := `["ERR_RESPONSE_TOO_LARGE","egress: response from ` + srv.Listener.Addr().String() + ` exceeds the size limit of 1000 bytes",null]`
		if got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

type resolverFunc func(host string) []netip.Addr

func (f resolverFunc) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips := f(host); len(ips) > 0 {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}
