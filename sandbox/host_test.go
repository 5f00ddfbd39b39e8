package sandbox

import (
	"errors"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

// tableKey is the LocalHost key of localProvider's per-runtime table.
type tableKey struct{}

// localProvider serves "table@1.0.0" and its subpath "sub" as two Loads that return the runtime's
// one table object, kept through registry.LocalHost.
func localProvider(created *int) *fakeProvider {
	return &fakeProvider{
		info: registry.Info{Name: "table", Version: "1.0.0", Kind: registry.KindPackage},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			lh, ok := req.Host.(registry.LocalHost)
			if !ok {
				return nil, errNotLocal
			}
			table := lh.Local(tableKey{}, func() any {
				*created++
				o := req.Runtime.NewObject()
				_ = o.Set("n", 0)
				return o
			}).(*goja.Object)
			return table, nil
		},
	}
}

var errNotLocal = errors.New("the host is not a registry.LocalHost")

func TestHost_Local_SharedPerRuntimeUntilRecycled(t *testing.T) {
	created := 0
	rs := testResolver()
	p := localProvider(&created)
	for spec, sub := range map[string]string{"table@1.0.0": "", "table@1.0.0/sub": "sub"} {
		rs.modules[spec] = &resolver.Resolution{Name: "table", Version: "1.0.0", Subpath: sub, How: resolver.HowExact,
			Status: catalog.StatusAllowed, Implementation: p.Info(), Provider: p}
	}
	e := mustExecutor(t, Config{Resolver: rs, Pool: 1, Limits: Limits{Timeout: 100 * time.Millisecond}}, `function (user, context, callback) {
  const a = require('table@1.0.0'), b = require('table@1.0.0/sub');
  user.same = a === b;
  user.n = ++a.n;
  if (context.spin) for (;;) {}
  callback(null, user, context);
}`)
	for want := int64(1); want <= 2; want++ {
		r := mustRun(t, e, nil, nil)
		if r.Outcome != OutcomeOK || r.User["same"] != true || r.User["n"] != want {
			t.Fatalf("execution %d: %s %q %v", want, r.Outcome, r.Error, r.User)
		}
		if len(r.Requires) != 2 || r.Requires[0].Resolved == r.Requires[1].Resolved {
			t.Fatalf("expected two distinct loads: %+v", r.Requires)
		}
	}
	if p.loads.Load() != 2 || created != 1 {
		t.Fatalf("loads %d, tables created %d; want 2 loads sharing 1 table", p.loads.Load(), created)
	}
	if r := mustRun(t, e, nil, map[string]any{"spin": true}); r.Outcome != OutcomeTimeout {
		t.Fatalf("spin: %s", r.Outcome)
	}
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || r.User["same"] != true || r.User["n"] != int64(1) {
		t.Fatalf("after recycling: %s %q %v, want a fresh table", r.Outcome, r.Error, r.User)
	}
	if created != 2 {
		t.Fatalf("tables created %d, want 2 (one per runtime)", created)
	}
}
