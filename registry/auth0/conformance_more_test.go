package auth0_test

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/auth0/internal/testloop"
)

// checkErr compares an error description with a reference errorShape entry.
func checkErr(t *testing.T, what string, got *errDesc, want map[string]any) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if got.Class != asString(want["class"]) || got.Name != asString(want["name"]) || got.Message != asString(want["message"]) || got.ToString != asString(want["toString"]) {
		t.Errorf("%s: got %s/%s/%q/%q, want %s/%s/%q/%q", what, got.Class, got.Name, got.Message, got.ToString, want["class"], want["name"], want["message"], want["toString"])
	}
	if !reflect.DeepEqual(got.OwnProps, asStrings(want["ownProps"])) {
		t.Errorf("%s: own props %v, want %v", what, got.OwnProps, asStrings(want["ownProps"]))
	}
	if mustJSON(got.StatusCode) != mustJSON(want["statusCode"]) {
		t.Errorf("%s: statusCode %v, want %v", what, got.StatusCode, want["statusCode"])
	}
	ri := asMap(want["requestInfo"])
	if got.RequestInfo["method"] != ri["method"] || pathOf(got.RequestInfo["url"]) != pathOf(asString(ri["url"])) {
		t.Errorf("%s: requestInfo %v, want %v", what, got.RequestInfo, ri)
	}
	oe := asMap(want["originalError"])
	if got.OriginalError == nil || got.OriginalError.Message != asString(oe["message"]) && !strings.HasPrefix(asString(oe["message"]), "connect ECONNREFUSED") {
		t.Errorf("%s: originalError %+v, want %v", what, got.OriginalError, oe)
	} else if oe["status"] != nil && mustJSON(got.OriginalError.Status) != mustJSON(oe["status"]) {
		t.Errorf("%s: originalError.status %v, want %v", what, got.OriginalError.Status, oe["status"])
	}
	if !got.InstanceofError {
		t.Errorf("%s: not instanceof Error", what)
	}
}

// orderedJSON returns JSON.stringify(fixture.<expr>) with the reference's key order, which Go maps
// lose.
func orderedJSON(t *testing.T, version, expr string) string {
	t.Helper()
	b, err := os.ReadFile(fixtureVersions(t)[version])
	if err != nil {
		t.Fatal(err)
	}
	rt := goja.New()
	_ = rt.Set("__text", string(b))
	v, err := rt.RunString("JSON.stringify(JSON.parse(__text)." + expr + ")")
	if err != nil {
		t.Fatal(err)
	}
	return v.String()
}

func pathOf(u string) string {
	if i := strings.Index(u, "/api/v2"); i >= 0 {
		return u[i:]
	}
	return u
}

func TestConformance_Errors(t *testing.T) {
	forEachFixture(t, func(t *testing.T, v string, f fixture) {
		es := asMap(f["errorShape"])
		rec := newRecorder(t)
		h := newHarness(t, rec, v, tokenOpts)
		nf := asMap(es["notFound404"])
		rec.respond(404, orderedJSON(t, v, "errorShape.notFound404.serverBody"), nil)
		r := h.call("m", "getUser", []any{map[string]any{"id": "v_id"}}, "promise")
		checkErr(t, "404 rejection", r.Rejected, asMap(nf["promiseRejection"]))
		r = h.call("m", "getUser", []any{map[string]any{"id": "v_id"}}, "cb")
		if r.Cb == nil || r.Cb.Arity != int(nf["callbackArity"].(float64)) {
			t.Errorf("404 callback arity: %+v", r.Cb)
		} else {
			checkErr(t, "404 callback", r.Cb.Err, asMap(nf["callbackErr"]))
		}
		rec.respond(401, `{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}`, nil)
		r = h.call("m", "getUsers", nil, "promise")
		checkErr(t, "401", r.Rejected, asMap(es["unauthorized401"]))
		rec.respond(500, "oops", map[string]string{"Content-Type": "text/plain"})
		r = h.call("m", "getUsers", nil, "promise")
		checkErr(t, "500 text", r.Rejected, asMap(es["serverError500TextBody"]))
		rec.respond(400, `{"statusCode":400,"error":"Bad Request","message":"Payload validation error","errorCode":"invalid_body"}`, nil)
		r = h.call("m", "createUser", []any{map[string]any{"connection": "c"}}, "promise")
		checkErr(t, "400", r.Rejected, asMap(es["badRequest400"]))
		rec.take()

		// A success callback that throws: called twice from 2.9, uncaught before.
		rec.respond(200, `{"id":"r1"}`, nil)
		if _, err := h.l.Run(`var calls = 0; m.getUser({id: 'x'}, function (err) { calls++; if (!err) throw new Error('thrown inside callback'); });`); err != nil {
			t.Fatal(err)
		}
		ct := asMap(es["callbackThatThrows"])
		calls := h.l.RT.Get("calls").ToInteger()
		if calls != int64(ct["callbackInvocations"].(float64)) {
			t.Errorf("throwing callback invoked %d times, want %v", calls, ct["callbackInvocations"])
		}
		if uncaught := ct["uncaughtExceptionRaised"] == true; uncaught != (len(h.l.Uncaught) == 1) {
			t.Errorf("uncaught = %v, want %v", h.l.Uncaught, uncaught)
		}

		// Connection refused: a string statusCode.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		p, err := auth0.NewProvider(auth0.Options{MgmtURL: "http://" + addr + "/api/v2"})
		if err != nil {
			t.Fatal(err)
		}
		l := testloop.New(p)
		h2 := &harness{t: t, l: l, rec: rec, v: v}
		if _, err := l.Run(probeJS + "var m = new (require('auth0@" + v + "').ManagementClient)(" + tokenOpts + ");"); err != nil {
			t.Fatal(err)
		}
		cr := asMap(es["connectionRefused"])
		r = h2.call("m", "getUser", []any{map[string]any{"id": "v_id"}}, "promise")
		want := asMap(cr["promiseRejection"])
		want["message"] = "connect ECONNREFUSED " + addr
		want["toString"] = "APIError: connect ECONNREFUSED " + addr
		checkErr(t, "ECONNREFUSED", r.Rejected, want)
		if r.Rejected != nil && (r.Rejected.OriginalError == nil || r.Rejected.OriginalError.Code != "ECONNREFUSED") {
			t.Errorf("ECONNREFUSED originalError %+v", r.Rejected.OriginalError)
		}
	})
}

// ctorInputs maps the reference's constructor input descriptions to JavaScript arguments.
var ctorInputs = map[string]string{
	"no arguments":                           ``,
	"string argument":                        `'x'`,
	"{}":                                     `{}`,
	"{token} (no domain)":                    `{token: 'T'}`,
	`{domain:""}`:                            `{domain: '', token: 'T'}`,
	"{domain} only (no token, no clientId)":  `{domain: 'd'}`,
	`{domain, token:""}`:                     `{domain: 'd', token: ''}`,
	"{domain, token:123}":                    `{domain: 'd', token: 123}`,
	"{domain, token:null}":                   `{domain: 'd', token: null}`,
	"{domain, clientId} (no secret)":         `{domain: 'd', clientId: 'c'}`,
	"{domain, clientSecret} (no clientId)":   `{domain: 'd', clientSecret: 's'}`,
	"{domain, clientId, clientSecret}":       `{domain: 'd', clientId: 'c', clientSecret: 's'}`,
	"{domain, token, retry:{maxRetries:0}}":  `{domain: 'd', token: 'T', retry: {maxRetries: 0}}`,
	`{domain, token, retry:{enabled:"yes"}}`: `{domain: 'd', token: 'T', retry: {enabled: 'yes'}}`,
	`{domain, clientId, clientSecret, tokenProvider:{enableCache:"x"}}`:                        `{domain: 'd', clientId: 'c', clientSecret: 's', tokenProvider: {enableCache: 'x'}}`,
	"{domain, clientId, clientSecret, tokenProvider:{enableCache:true, cacheTTLInSeconds:-1}}": `{domain: 'd', clientId: 'c', clientSecret: 's', tokenProvider: {enableCache: true, cacheTTLInSeconds: -1}}`,
	"{domain, clientId, clientSecret, scope:123}":                                              `{domain: 'd', clientId: 'c', clientSecret: 's', scope: 123}`,
	"{domain, token}":              `{domain: 'd', token: 'T'}`,
	`{domain, token, headers:"x"}`: `{domain: 'd', token: 'T', headers: 'x'}`,
	"{domain:123, token}":          `{domain: 123, token: 'T'}`,
}

func TestConformance_Constructor(t *testing.T) {
	forEachFixture(t, func(t *testing.T, v string, f fixture) {
		h := newHarness(t, newRecorder(t), v, tokenOpts)
		c := asMap(f["constructor"])
		for _, e := range c["errors"].([]any) {
			e := asMap(e)
			in, ok := ctorInputs[asString(e["input"])]
			if !ok {
				t.Fatalf("unknown constructor input %q", e["input"])
			}
			res, err := h.l.RT.RunString(`(function () { try { new MC(` + in + `); return 'ok'; } catch (e) { return e.constructor.name + '|' + e.name + '|' + e.message + '|' + (e instanceof Error); } })()`)
			if err != nil {
				t.Fatal(err)
			}
			want := asString(e["errorClass"]) + "|" + asString(e["name"]) + "|" + asString(e["message"]) + "|true"
			if res.String() != want {
				t.Errorf("new ManagementClient(%s): %s, want %s", in, res, want)
			}
		}
		for _, a := range c["accepted"].([]any) {
			in, ok := ctorInputs[asString(a)]
			if !ok {
				t.Fatalf("unknown constructor input %q", a)
			}
			if _, err := h.l.RT.RunString(`new MC(` + in + `)`); err != nil {
				t.Errorf("new ManagementClient(%s) threw %v", in, err)
			}
		}
	})
}

func decodeTelemetry(t *testing.T, h string) any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("Auth0-Client %q: %v", h, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("Auth0-Client %s: %v", b, err)
	}
	return v
}

func TestConformance_Headers(t *testing.T) {
	forEachFixture(t, func(t *testing.T, v string, f fixture) {
		hd := asMap(f["headers"])
		rec := newRecorder(t)
		h := newHarness(t, rec, v, `{domain: 'd', token: 'TKN'}`)
		h.call("m", "getUsers", []any{map[string]any{}}, "promise")
		reqs := rec.take()
		if len(reqs) != 1 {
			t.Fatalf("%d requests", len(reqs))
		}
		for k, want := range asMap(hd["sent"]) {
			if k == "connection" {
				continue // keep-alive is used instead of Connection: close
			}
			if got := reqs[0].Header.Get(k); got != want {
				t.Errorf("header %s = %q, want %q", k, got, want)
			}
		}
		if got := decodeTelemetry(t, reqs[0].Header.Get("Auth0-Client")); !reflect.DeepEqual(got, hd["auth0ClientDecoded"]) {
			t.Errorf("telemetry %v, want %v", got, hd["auth0ClientDecoded"])
		}
		tf := asMap(hd["withTelemetryFalse"])
		h2 := newHarness(t, rec, v, `{domain: 'd', token: 'TKN', telemetry: false}`)
		h2.call("m", "getUsers", []any{map[string]any{}}, "promise")
		reqs = rec.take()
		if has := reqs[0].Header.Get("Auth0-Client") != ""; has != tf["hasAuth0Client"] || reqs[0].Header.Get("User-Agent") != tf["userAgent"] {
			t.Errorf("telemetry:false: Auth0-Client present %v, User-Agent %q; want %v", has, reqs[0].Header.Get("User-Agent"), tf)
		}
		ci := asMap(hd["withClientInfoAndHeadersOptions"])
		h3 := newHarness(t, rec, v, `{domain: 'd', token: 'TKN', clientInfo: {name: 'custom', version: '9.9.9'}, headers: {'X-Custom': 'xc'}}`)
		h3.call("m", "getUsers", []any{map[string]any{}}, "promise")
		reqs = rec.take()
		if got := decodeTelemetry(t, reqs[0].Header.Get("Auth0-Client")); !reflect.DeepEqual(got, ci["auth0ClientDecoded"]) {
			t.Errorf("clientInfo telemetry %v, want %v", got, ci["auth0ClientDecoded"])
		}
		wantX := ""
		if s, ok := ci["xCustom"].(string); ok {
			wantX = s
		}
		if got := reqs[0].Header.Get("X-Custom"); got != wantX {
			t.Errorf("headers option: X-Custom %q, want %q", got, wantX)
		}
	})
}

func TestConformance_ClientCredentials(t *testing.T) {
	forEachFixture(t, func(t *testing.T, v string, f fixture) {
		cc := asMap(f["clientCredentialsFlow"])
		want, _ := cc["requests"].([]any)
		rec := newRecorder(t)
		rec.handle = func(w http.ResponseWriter, r *http.Request, n int) bool {
			if r.URL.Path != "/oauth/token" {
				return false
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"AT_FROM_CC","expires_in":86400,"token_type":"Bearer"}`))
			return true
		}
		rec.respond(200, `[{"id":"r1","name":"item1"}]`, nil)
		h := newHarness(t, rec, v, tokenOpts)
		res, err := h.l.RT.RunString(`(function () { try { globalThis.mcc = new MC({domain: '127.0.0.1:40565', clientId: 'CID', clientSecret: 'CSEC', scope: 'read:users'}); return 'ok'; } catch (e) { return e.message; } })()`)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			first := asMap(cc["firstCall"])
			if res.String() != asString(first["message"]) {
				t.Errorf("client credentials in %s: %s, want %s", v, res, first["message"])
			}
			return
		}
		h.call("mcc", "getUsers", nil, "promise")
		r := h.call("mcc", "getUsers", nil, "promise")
		got := rec.take()
		if len(got) != len(want) {
			t.Fatalf("%d requests, want %d: %+v", len(got), len(want), got)
		}
		for i, w := range want {
			w := asMap(w)
			if got[i].Method != w["method"] || got[i].Path != w["path"] {
				t.Errorf("request %d: %s %s, want %s %s", i, got[i].Method, got[i].Path, w["method"], w["path"])
			}
			if b := asMap(w["body"]); b != nil {
				b["audience"] = "https://127.0.0.1:40565/api/v2/" // the probe's domain had its own port
			}
			if b := w["body"]; b != nil && !jsonEqual(string(got[i].Body), mustJSON(b)) {
				t.Errorf("token request body %s, want %s", got[i].Body, mustJSON(b))
			}
			if a := asString(w["authorization"]); a != "" && got[i].Header.Get("Authorization") != a {
				t.Errorf("request %d authorization %q, want %q", i, got[i].Header.Get("Authorization"), a)
			}
		}
		if r.Resolved == nil || !jsonEqual(r.Resolved.JSON, mustJSON(asMap(cc["firstCall"])["json"])) {
			t.Errorf("resolved %+v", r.Resolved)
		}
	})
}

func TestConformance_QueryAndPathEncoding(t *testing.T) {
	forEachFixture(t, func(t *testing.T, v string, f fixture) {
		rec := newRecorder(t)
		h := newHarness(t, rec, v, tokenOpts)
		q := asMap(f["getUsersQuery"])
		if _, err := h.l.Run("m.getUsers(" + orderedJSON(t, v, "getUsersQuery.input") + ")"); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 1 || "?"+got[0].RawQuery != q["sentRawQuery"] {
			t.Errorf("getUsers raw query %+v, want %s", got, q["sentRawQuery"])
		}
		ap := asMap(q["arrayParamEncoding"])
		if _, err := h.l.Run("m.getUsers(" + orderedJSON(t, v, "getUsersQuery.arrayParamEncoding.input") + ")"); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 1 || "?"+got[0].RawQuery != ap["rawQuery"] {
			t.Errorf("array query %+v, want %s", got, ap["rawQuery"])
		}
		if be := asMap(q["getUsersByEmailWithOptions"]); be != nil && strings.Contains(asString(be["rawQuery"]), "fields") {
			h.call("m", "getUsersByEmail", []any{"a@b.c", map[string]any{"fields": "email", "include_fields": true}}, "promise")
			if got := rec.take(); len(got) != 1 || "?"+got[0].RawQuery != be["rawQuery"] {
				t.Errorf("getUsersByEmail options %+v, want %s", got, be["rawQuery"])
			}
		}
		for _, e := range f["pathParamEncoding"].([]any) {
			e := asMap(e)
			if e["rawUrlReceived"] == nil {
				continue // Node sent raw non-ASCII bytes the server rejected; the shim percent-encodes them
			}
			h.call("m", "getUser", []any{map[string]any{"id": e["id"]}}, "promise")
			if got := rec.take(); len(got) != 1 || got[0].URI != e["rawUrlReceived"] {
				t.Errorf("getUser(%q) sent %+v, want %s", e["id"], got, e["rawUrlReceived"])
			}
		}
		byMethod := asMap(f["pathEncodingByMethod"])
		for _, name := range sortedKeys(byMethod) {
			e := asMap(byMethod[name])
			args := cloneArgs(e["input"].([]any))
			argsJSON := mustJSON(args)
			if _, err := h.l.Run(`var __args = ` + argsJSON + `; m.` + name + `.apply(m, __args.concat([function () {}]));`); err != nil {
				t.Fatal(err)
			}
			got := rec.take()
			if len(got) != 1 || got[0].URI != e["rawUrlReceived"] {
				t.Errorf("%s(%s) sent %+v, want %s", name, argsJSON, got, e["rawUrlReceived"])
			}
			after, _ := h.l.RT.RunString(`JSON.stringify(__args)`)
			want := argsJSON
			if e["callerArgsAfterCall"] != "unchanged" {
				want = mustJSON(e["callerArgsAfterCall"])
			}
			if !jsonEqual(after.String(), want) {
				t.Errorf("%s: caller args after call %s, want %s", name, after, want)
			}
		}
	})
}
