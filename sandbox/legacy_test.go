package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	httpmods "github.com/verq/verq/registry/http"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/node"
	"github.com/verq/verq/resolver"
)

// legacyResolver adds lodash (whose code reads the global `_` while it loads, as lodash does) and
// jsonwebtoken (whose sign echoes its options) to testResolver; uuid and the rest do not resolve.
func legacyResolver() (*fakeResolver, *fakeProvider) {
	rs := testResolver()
	lodash := &fakeProvider{
		info: registry.Info{Name: "lodash", Version: "4.17.21", Kind: registry.KindPackage},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			return req.Runtime.RunString(`({ VERSION: '4.17.21', seenWhileLoading: typeof _ + ' ' + ('_' in globalThis) })`)
		},
	}
	jwt := exportsProvider("jsonwebtoken", "7.4.3", registry.KindPackage, `{
  sign: function (payload, secret, options) { return JSON.stringify([payload, secret, options]); },
  decode: function () { return 'decoded'; },
  verify: function () { return 'verified'; }
}`)
	for _, p := range []*fakeProvider{lodash, jwt} {
		info := p.Info()
		rs.modules[info.Name] = &resolver.Resolution{Name: info.Name, Version: info.Version, How: resolver.HowDefault,
			Status: catalog.StatusAllowed, Implementation: info, Provider: p}
	}
	return rs, lodash
}

func TestLegacyGlobals_RequiredOnFirstRead(t *testing.T) {
	rs, lodash := legacyResolver()
	e := mustExecutor(t, Config{Resolver: rs, LegacyGlobals: true, Pool: 1}, `function (user, context, callback) {
  user.version = _.VERSION;
  user.same = _ === global._;
  user.seen = _.seenWhileLoading;
  user.uuid = typeof uuid;
  user.uuidIn = 'uuid' in global;
  callback(null, user, context);
}`, `function (user, context, callback) {
  user.signed = jwt.sign({ sub: 'u1' }, 'secret', { expiresInMinutes: 5, audience: 'a' });
  user.decoded = jwt.decode('x');
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	want := map[string]any{
		"version": "4.17.21", "same": true, "seen": "undefined true", "uuid": "undefined", "uuidIn": false,
		"signed": `[{"sub":"u1"},"secret",{"audience":"a","expiresIn":"5m"}]`, "decoded": "decoded",
	}
	if !jsonEqual(t, r.User, want) {
		t.Fatalf("user %v\nwant %v", r.User, want)
	}
	type req struct{ rule, spec, global, resolved, err string }
	wantReqs := []req{
		{"rule-1", "lodash", "_", "lodash@4.17.21", ""},
		{"rule-1", "uuid", "uuid", "", "Cannot find module 'uuid'"},
		{"rule-2", "jsonwebtoken", "jwt", "jsonwebtoken@7.4.3", ""},
	}
	if len(r.Requires) != len(wantReqs) {
		t.Fatalf("requires %+v", r.Requires)
	}
	for i, w := range wantReqs {
		g := r.Requires[i]
		if g.Rule != w.rule || g.Spec != w.spec || g.Global != w.global || g.Resolved != w.resolved || !strings.Contains(g.Error, w.err) || (w.err == "") != (g.Error == "") {
			t.Errorf("require %d: %+v, want %+v", i, g, w)
		}
	}
	// the runtime keeps the values (and the absence): later executions require nothing
	r = mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || !jsonEqual(t, r.User, want) || len(r.Requires) != 0 {
		t.Fatalf("second execution: %s %v %+v", r.Outcome, r.User, r.Requires)
	}
	if n := lodash.loads.Load(); n != 1 {
		t.Fatalf("lodash loaded %d times", n)
	}
}

func TestLegacyGlobals_RuleDeclarationsShadow(t *testing.T) {
	rs, lodash := legacyResolver()
	e := mustExecutor(t, Config{Resolver: rs, LegacyGlobals: true}, `function (user, context, callback) {
  var _ = { VERSION: 'mine' };
  const jwt = 'local';
  function q() { return 'q'; }
  user.values = [_.VERSION, jwt, q()];
  callback(null, user, context);
}`, `function (user, context, callback) {
  request = 'assigned';
  global.xtend = 'global';
  user.values = [request, xtend, typeof async];
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	if !jsonEqual(t, r.User["values"], []any{"assigned", "global", "undefined"}) {
		t.Fatalf("values %v", r.User["values"])
	}
	// only `typeof async` read a legacy global (and found no module)
	if len(r.Requires) != 1 || r.Requires[0].Global != "async" || r.Requires[0].Error == "" || lodash.loads.Load() != 0 {
		t.Fatalf("requires %+v, lodash loads %d", r.Requires, lodash.loads.Load())
	}
}

func TestLegacyGlobals_OffByDefault(t *testing.T) {
	rs, lodash := legacyResolver()
	e := mustExecutor(t, Config{Resolver: rs}, `function (user, context, callback) {
  user.types = [typeof _, typeof jwt, typeof request, typeof crypto];
  callback(null, user, context);
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || !jsonEqual(t, r.User["types"], []any{"undefined", "undefined", "undefined", "undefined"}) {
		t.Fatalf("%s %q %v", r.Outcome, r.Error, r.User)
	}
	if len(r.Requires) != 0 || lodash.loads.Load() != 0 {
		t.Fatalf("requires %+v", r.Requires)
	}
}

func TestLegacyGlobals_RealModules(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"plan":"gold"}`))
	}))
	defer srv.Close()
	cat := &memCatalog{}
	for _, name := range node.Names() {
		cat.put("default", catalog.Module{Name: name, Core: true})
	}
	cat.put("default", catalog.Module{Name: "request", Default: "2.88.2", Versions: []catalog.Version{
		{Version: "2.27.0", Status: catalog.StatusAllowed}, {Version: "2.88.2", Status: catalog.StatusAllowed}}})
	reg := registry.New().MustRegister(node.Providers()...).MustRegister(httpmods.Providers()...)
	client, err := egress.NewClient(egress.Options{Policy: egress.Policy{Allow: []string{"127.0.0.1"}}})
	if err != nil {
		t.Fatal(err)
	}
	e := mustExecutor(t, Config{Resolver: resolver.New(cat, reg), HTTPClient: client, LegacyGlobals: true}, `function (user, context, callback) {
  user.hash = crypto.createHash('sha1').update('abc').digest('hex');
  user.qs = querystring.stringify({ a: 1 });
  user.lodash = typeof _;
  request.get({ url: context.url, json: true }, function (err, res, body) {
    if (err) return callback(err);
    user.plan = body.plan;
    callback(null, user, context);
  });
}`)
	r := mustRun(t, e, nil, map[string]any{"url": srv.URL + "/plan"})
	if r.Outcome != OutcomeOK {
		t.Fatalf("%s %q", r.Outcome, r.Error)
	}
	want := map[string]any{"hash": "a9993e364706816aba3e25717850c26c9cd0d89d", "qs": "a=1", "lodash": "undefined", "plan": "gold"}
	if !jsonEqual(t, r.User, want) {
		t.Fatalf("user %v", r.User)
	}
	var got []string
	for _, q := range r.Requires {
		got = append(got, q.Global+"="+q.Resolved+"/"+q.How)
	}
	if s := strings.Join(got, " "); s != "crypto=crypto/core querystring=querystring/core _=/ request=request@2.88.2/default" {
		t.Fatalf("requires %s", s)
	}
	if len(r.HTTP) != 1 || r.HTTP[0].Rule != "rule-1" || r.HTTP[0].Status != 200 {
		t.Fatalf("http %+v", r.HTTP)
	}
}
