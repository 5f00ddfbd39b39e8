package axios_test

import (
	"net"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/axios"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
)

// urlSearchParams is a small URLSearchParams for tests (the sandbox's url module provides the real
// one).
const urlSearchParams = `
class URLSearchParams {
  constructor(init) { this._p = []; for (var k in init || {}) this._p.push([k, String(init[k])]); }
  append(k, v) { this._p.push([k, String(v)]); }
  getAll(k) { return this._p.filter(function (p) { return p[0] === k; }).map(function (p) { return p[1]; }); }
  has(k) { return this.getAll(k).length > 0; }
  set(k, v) { this._p = this._p.filter(function (p) { return p[0] !== k; }); this.append(k, v); }
  toString() { return this._p.map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]).replace(/%20/g, '+'); }).join('&'); }
}`

func setup(t *testing.T, version string, eo *egress.Options) *harness.Harness {
	t.Helper()
	srv := harness.NewEchoServer()
	t.Cleanup(srv.Close)
	h, err := harness.New(harness.Options{
		Egress:   eo,
		Modules:  map[string]registry.Provider{"axios": axios.New()},
		Versions: map[string]string{"axios": version},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
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

// fail is appended to promise chains so unexpected rejections show up in the result.
const fail = `.catch(function (e) { done('unexpected rejection: ' + e.message); })`

func TestAxios_Shapes(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"get resolves with a response", `axios.get(SRV + '/x?y=1').then(function (r) {
			done([r.status, r.statusText, typeof r.data, r.data.method, r.data.query, r.headers['content-type'], r.config.method, r.config.url === SRV + '/x?y=1', r.request.method, r.request.path]);
		})` + fail, `[200,"OK","object","GET","y=1","application/json; charset=utf-8","get",true,"GET","/x?y=1"]`},
		{"axios(config)", `axios({url: SRV + '/c', method: 'POST', data: {a: 1}}).then(function (r) { done([r.data.method, r.data.body]); })` + fail,
			`["POST","{\"a\":1}"]`},
		{"axios(url, config)", `axios(SRV + '/c', {method: 'put'}).then(function (r) { done(r.data.method); })` + fail, `"PUT"`},
		{"axios.request", `axios.request({url: SRV + '/c'}).then(function (r) { done(r.data.method); })` + fail, `"GET"`},
		{"async await", `(async function () { var r = await axios.get(SRV + '/aw'); done(r.data.path); })()` + fail, `"/aw"`},
		{"default export", `done(axios.default === axios)`, `true`},
		{"all and spread", `axios.all([axios.get(SRV + '/1'), axios.get(SRV + '/2')]).then(axios.spread(function (a, b) { done([a.data.path, b.data.path]); }))` + fail,
			`["/1","/2"]`},
	})
}

func TestAxios_Verbs(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"delete", `axios.delete(SRV + '/v').then(function (r) { done(r.data.method); })` + fail, `"DELETE"`},
		{"head", `axios.head(SRV + '/v').then(function (r) { done([r.status, r.data]); })` + fail, `[200,""]`},
		{"options", `axios.options(SRV + '/v').then(function (r) { done(r.data.method); })` + fail, `"OPTIONS"`},
		{"post object", `axios.post(SRV + '/v', {a: [1, 'x']}).then(function (r) { done([r.data.method, r.data.body, r.data.headers['content-type']]); })` + fail,
			`["POST","{\"a\":[1,\"x\"]}","application/json;charset=utf-8"]`},
		{"put string", `axios.put(SRV + '/v', 'a=1&b=2').then(function (r) { done([r.data.body, r.data.headers['content-type']]); })` + fail,
			`["a=1&b=2","application/x-www-form-urlencoded"]`},
		{"patch with config", `axios.patch(SRV + '/v', {x: 1}, {headers: {'X-A': 'b'}}).then(function (r) { done([r.data.method, r.data.headers['x-a']]); })` + fail,
			`["PATCH","b"]`},
		{"URLSearchParams data", `axios.post(SRV + '/v', new URLSearchParams({grant_type: 'client_credentials', scope: 'a b'})).then(function (r) {
			done([r.data.body, r.data.headers['content-type']]); })` + fail,
			`["grant_type=client_credentials&scope=a+b","application/x-www-form-urlencoded;charset=utf-8"]`},
		{"Buffer data", `axios.post(SRV + '/v', Buffer.from('raw')).then(function (r) { done(r.data.body); })` + fail, `"raw"`},
	})
}

func TestAxios_HeadersParamsAuth(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"default headers", `axios.get(SRV + '/h').then(function (r) { done([r.data.headers.accept, r.data.headers['user-agent']]); })` + fail,
			`["application/json, text/plain, */*","axios/0.21.1"]`},
		{"custom headers", `axios.get(SRV + '/h', {headers: {Authorization: 'Bearer t', 'x-n': 5}}).then(function (r) {
			done([r.data.headers.authorization, r.data.headers['x-n']]); })` + fail, `["Bearer t","5"]`},
		{"lower-case content-type respected", `axios.post(SRV + '/h', {a: 1}, {headers: {'content-type': 'application/vnd.api+json'}}).then(function (r) {
			done(r.data.headers['content-type']); })` + fail, `"application/vnd.api+json"`},
		{"params", `axios.get(SRV + '/p', {params: {a: 1, b: [1, 2], c: {d: 1}, n: null, s: 'x y@z', d: new Date(0)}}).then(function (r) { done(r.data.query); })` + fail,
			`"a=1&b[]=1&b[]=2&c=%7B%22d%22:1%7D&s=x+y@z&d=1970-01-01T00:00:00.000Z"`},
		{"params appended to a query", `axios.get(SRV + '/p?x=1#frag', {params: {y: 2}}).then(function (r) { done(r.data.query); })` + fail, `"x=1&y=2"`},
		{"paramsSerializer", `axios.get(SRV + '/p', {params: {a: 1}, paramsSerializer: function (p) { return 'custom=' + p.a; }}).then(function (r) { done(r.data.query); })` + fail,
			`"custom=1"`},
		{"URLSearchParams params", `axios.get(SRV + '/p', {params: new URLSearchParams({q: 'a b'})}).then(function (r) { done(r.data.query); })` + fail, `"q=a+b"`},
		{"auth", `axios.get(SRV + '/a', {auth: {username: 'u', password: 'p'}, headers: {Authorization: 'Bearer ignored'}}).then(function (r) {
			done(r.data.headers.authorization); })` + fail, `"Basic dTpw"`},
		{"response headers", `axios.get(SRV + '/headers').then(function (r) { done([r.headers['set-cookie'], r.headers['x-multi']]); })` + fail,
			`[["a=1; Path=/","b=2; Path=/"],"one, two"]`},
	})
}

func TestAxios_BaseURL(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"joined", `axios.get('/users/', {baseURL: SRV + '/api/'}).then(function (r) { done(r.data.path); })` + fail, `"/api/users/"`},
		{"no slashes", `axios.get('users', {baseURL: SRV + '/api'}).then(function (r) { done(r.data.path); })` + fail, `"/api/users"`},
		{"absolute url wins", `axios.get(SRV + '/abs', {baseURL: 'http://ignored.example'}).then(function (r) { done(r.data.path); })` + fail, `"/abs"`},
		{"relative without baseURL", `axios.get('/nowhere').catch(function (e) { done([/Unsupported protocol/.test(e.message), e.isAxiosError]); })`, `[true,true]`},
		{"unsupported protocol", `axios.get('ftp://files.example/x').catch(function (e) { done(e.message); })`, `"Unsupported protocol ftp:"`},
	})
}

func TestAxios_Responses(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"text stays a string", `axios.get(SRV + '/text').then(function (r) { done(r.data); })` + fail, `"plain text"`},
		{"invalid json stays a string", `axios.get(SRV + '/invalid-json').then(function (r) { done(r.data); })` + fail, `"{not json"`},
		{"BOM stripped", `axios.get(SRV + '/bom').then(function (r) { done(r.data); })` + fail, `{"a":1}`},
		{"empty body", `axios.get(SRV + '/empty').then(function (r) { done([r.status, r.data]); })` + fail, `[204,""]`},
		{"arraybuffer", `axios.get(SRV + '/bytes', {responseType: 'arraybuffer'}).then(function (r) { done([Buffer.isBuffer(r.data), r.data.length, r.data[255]]); })` + fail,
			`[true,256,255]`},
		{"text responseType still parses JSON in 0.x", `axios.get(SRV + '/j', {responseType: 'text'}).then(function (r) { done(typeof r.data); })` + fail, `"object"`},
		{"custom transformResponse gets the raw string", `axios.get(SRV + '/j', {transformResponse: [function (d, h) { return [typeof d, h['content-type']]; }]}).then(function (r) { done(r.data); })` + fail,
			`["string","application/json; charset=utf-8"]`},
		{"transformResponse concat default", `axios.get(SRV + '/j', {transformResponse: axios.defaults.transformResponse.concat(function (d) { return d.method; })}).then(function (r) { done(r.data); })` + fail,
			`"GET"`},
		{"custom transformRequest", `axios.post(SRV + '/j', {a: 1}, {transformRequest: [function (d, h) { h['X-T'] = 'yes'; return 'a=' + d.a; }]}).then(function (r) {
			done([r.data.body, r.data.headers['x-t']]); })` + fail, `["a=1","yes"]`},
		{"stream responseType rejected", `axios.get(SRV + '/j', {responseType: 'stream'}).catch(function (e) { done(/not supported/.test(e.message)); })`, `true`},
	})
}

func TestAxios_Errors(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.RT.Set("CLOSED", l.Addr().String())
	l.Close()
	runCases(t, h, []jsCase{
		{"status error", `axios.get(SRV + '/status/404').then(function () { done('resolved'); }, function (e) {
			done([e.message, e.response.status, e.response.data.path, e.isAxiosError, e.code, e.config.url.slice(-11), e instanceof Error, typeof e.toJSON().config]); })`,
			`["Request failed with status code 404",404,"/status/404",true,null,"/status/404",true,"object"]`},
		{"500", `axios.get(SRV + '/status/500').catch(function (e) { done([e.response.status, e.response.statusText]); })`, `[500,"Internal Server Error"]`},
		{"validateStatus", `axios.get(SRV + '/status/404', {validateStatus: function (s) { return s < 500; }}).then(function (r) { done(r.status); })` + fail, `404`},
		{"validateStatus null", `axios.get(SRV + '/status/503', {validateStatus: null}).then(function (r) { done(r.status); })` + fail, `503`},
		{"timeout", `axios.get(SRV + '/slow?ms=5000', {timeout: 50}).catch(function (e) {
			done([e.code, e.message, e.isAxiosError, e.response, e.config.timeout]); })`, `["ECONNABORTED","timeout of 50ms exceeded",true,null,50]`},
		{"timeoutErrorMessage", `axios.get(SRV + '/slow?ms=5000', {timeout: 20, timeoutErrorMessage: 'too slow'}).catch(function (e) { done(e.message); })`, `"too slow"`},
		{"connection refused", `axios.get('http://' + CLOSED + '/').catch(function (e) { done([e.code, e.isAxiosError, e.response, e.message === 'connect ECONNREFUSED ' + CLOSED]); })`,
			`["ECONNREFUSED",true,null,true]`},
		{"redirects followed", `axios.get(SRV + '/redirect/2').then(function (r) { done([r.status, r.data.path]); })` + fail, `[200,"/redirect/0"]`},
		{"maxRedirects 0", `axios.get(SRV + '/redirect/2', {maxRedirects: 0}).catch(function (e) { done([e.response.status, e.response.headers.location]); })`,
			`[302,"/redirect/1"]`},
		{"too many redirects", `axios.get(SRV + '/loop', {maxRedirects: 3}).catch(function (e) { done([e.code, e.message]); })`,
			`["ERR_FR_TOO_MANY_REDIRECTS","Maximum number of redirects exceeded"]`},
		{"maxContentLength", `axios.get(SRV + '/big?n=2000', {maxContentLength: 100}).catch(function (e) { done(e.message); })`, `"maxContentLength size of 100 exceeded"`},
		{"isAxiosError", `axios.get(SRV + '/status/400').catch(function (e) { done([axios.isAxiosError(e), axios.isAxiosError(new Error('x')), axios.isCancel(e)]); })`,
			`[true,false,false]`},
		{"bad data", `axios.post(SRV + '/x', 1, {transformRequest: [function () { return {}; }]}).catch(function (e) { done(e.message); })`,
			`"Data after transformation must be a string, an ArrayBuffer, a Buffer, or a Stream"`},
	})
}

func TestAxios_InstancesAndDefaults(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"cyclic config", `var c = {headers: {}}; c.headers.self = c; try { axios.create(c); done('merged'); } catch (e) { done(String(e)); }`,
			`"RangeError: Maximum call stack size exceeded"`},
		{"cyclic request config", `var c = {x: {}}; c.x.c = c; Promise.resolve().then(function () { return axios.get(SRV + '/x', c); }).then(function () { done('sent'); }, function (e) { done(String(e)); })`,
			`"RangeError: Maximum call stack size exceeded"`},
		{"create", `var api = axios.create({baseURL: SRV + '/api', headers: {'X-Key': 'k'}, timeout: 1000});
			api.get('/users').then(function (r) { done([r.data.path, r.data.headers['x-key'], r.config.timeout, typeof api.create]); })` + fail,
			`["/api/users","k",1000,"undefined"]`},
		{"instance defaults mutable", `var api = axios.create({baseURL: SRV});
			api.defaults.headers.common['Authorization'] = 'Bearer inst';
			api.get('/d').then(function (r) { done(r.data.headers.authorization); })` + fail, `"Bearer inst"`},
		{"global defaults", `axios.defaults.headers.common['X-Global'] = 'g'; axios.defaults.headers.post['X-Post'] = 'p';
			axios.post(SRV + '/d', 'x').then(function (r) { var hd = r.data.headers; delete axios.defaults.headers.common['X-Global'];
			done([hd['x-global'], hd['x-post']]); })` + fail, `["g","p"]`},
		{"post header group only for post", `axios.defaults.headers.post['X-Post'] = 'p'; axios.get(SRV + '/d').then(function (r) { done(r.data.headers['x-post'] === undefined); })` + fail, `true`},
		{"config not mutated", `var cfg = {headers: {A: '1'}}; axios.get(SRV + '/d', cfg).then(function () { done(Object.keys(cfg)); })` + fail, `["headers"]`},
		{"getUri", `done(axios.getUri({url: '/x', params: {a: 1}}))`, `"/x?a=1"`},
	})
}

func TestAxios_Interceptors(t *testing.T) {
	h := setup(t, "0.21.1", nil)
	runCases(t, h, []jsCase{
		{"request and response interceptors", `var api = axios.create({baseURL: SRV});
			api.interceptors.request.use(function (c) { c.headers['X-Int'] = 'req'; return c; });
			var id = api.interceptors.response.use(function (r) { return r.data; });
			api.get('/i').then(function (data) { done([data.headers['x-int'], id]); })` + fail, `["req",0]`},
		{"eject", `var api = axios.create({baseURL: SRV});
			var id = api.interceptors.response.use(function () { return 'intercepted'; });
			api.interceptors.response.eject(id);
			api.get('/i').then(function (r) { done(r.status); })` + fail, `200`},
		{"response error interceptor", `var api = axios.create({baseURL: SRV});
			api.interceptors.response.use(null, function (e) { return {recovered: e.response.status}; });
			api.get('/status/500').then(function (r) { done(r); })` + fail, `{"recovered":500}`},
		{"async request interceptor", `var api = axios.create({baseURL: SRV});
			api.interceptors.request.use(async function (c) { c.headers.Authorization = 'Bearer late'; return c; });
			api.get('/i').then(function (r) { done(r.data.headers.authorization); })` + fail, `"Bearer late"`},
	})
}

func TestAxios_Versions(t *testing.T) {
	tests := []struct {
		version string
		js      string
		want    string
	}{
		{"0.19.2", `axios.post(SRV + '/v', {a: 1}).then(function (r) { done([r.data.headers['content-type'], r.data.headers['user-agent'], typeof axios.isAxiosError]); })` + fail,
			`["application/json;charset=utf-8","axios/0.19.2","undefined"]`},
		{"0.27.2", `axios.post(SRV + '/v', {a: 1}).then(function (r) { done([r.data.headers['content-type'], axios.VERSION]); })` + fail,
			`["application/json","0.27.2"]`},
		{"0.27.2", `axios.get(SRV + '/status/404').catch(function (e) { done([e.code, e.name, e.toJSON().status]); })`, `["ERR_BAD_REQUEST","AxiosError",404]`},
		{"0.27.2", `axios.get(SRV + '/status/502').catch(function (e) { done(e.code); })`, `"ERR_BAD_RESPONSE"`},
		{"0.18.0", `axios.get(SRV + '/status/404').catch(function (e) { done([e.isAxiosError, typeof e.toJSON, e.response.status]); })`, `[null,"undefined",404]`},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			h := setup(t, tt.version, nil)
			if _, err := h.Run(tt.js); err != nil {
				t.Fatal(err)
			}
			if got := h.Result(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAxios_Egress(t *testing.T) {
	h := setup(t, "0.21.1", &egress.Options{})
	if _, err := h.Run(`axios.get(SRV + '/x').catch(function (e) { done([e.code, e.isAxiosError, /^egress denied: 127.0.0.1 is a loopback address/.test(e.message)]); })`); err != nil {
		t.Fatal(err)
	}
	if got := h.Result(); got != `["ERR_EGRESS_DENIED",true,true]` {
		t.Fatalf("got %s", got)
	}
	calls := h.Calls()
	if len(calls) != 1 || calls[0].Method != "GET" || !strings.Contains(calls[0].Error, "egress denied") {
		t.Fatalf("recorded %+v", calls)
	}
}

func TestProvider_Load_BadVersion(t *testing.T) {
	_, err := axios.New().Load(&registry.LoadRequest{Runtime: goja.New(), Version: "latest"})
	if err == nil || !strings.Contains(err.Error(), `version "latest"`) {
		t.Fatalf("err = %v", err)
	}
}
