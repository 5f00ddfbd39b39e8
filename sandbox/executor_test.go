package sandbox

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/resolver"
)

func TestExecutor_GlobalPersistsAcrossExecutionsUntilRecycled(t *testing.T) {
	e := mustExecutor(t, Config{Pool: 1, Limits: Limits{Timeout: 100 * time.Millisecond}}, `function (user, context, callback) {
  global.count = (global.count || 0) + 1;
  user.count = global.count;
  if (context.hang) return;
  if (context.spin) for (;;) {}
  callback(null, user, context);
}`)
	for want := int64(1); want <= 3; want++ {
		if r := mustRun(t, e, nil, nil); r.User["count"] != want {
			t.Fatalf("execution %d: count %v", want, r.User["count"])
		}
	}
	// a stalled pipeline is reported without interrupting: the runtime and its global survive
	if r := mustRun(t, e, nil, map[string]any{"hang": true}); r.Outcome != OutcomeTimeout {
		t.Fatalf("hang: %s", r.Outcome)
	}
	if r := mustRun(t, e, nil, nil); r.User["count"] != int64(5) {
		t.Fatalf("after a stall: count %v", r.User["count"])
	}
	// a deadline interrupt recycles the runtime: global is reset
	if r := mustRun(t, e, nil, map[string]any{"spin": true}); r.Outcome != OutcomeTimeout {
		t.Fatalf("spin: %s", r.Outcome)
	}
	if r := mustRun(t, e, nil, nil); r.User["count"] != int64(1) {
		t.Fatalf("after a timeout: count %v, want a fresh global", r.User["count"])
	}
}

func TestExecutor_InputsAreNotModified(t *testing.T) {
	e := mustExecutor(t, Config{}, `function (user, context, callback) {
  user.app_metadata.roles.push('admin');
  user.name = 'changed';
  delete user.email;
  context.idToken.x = 1;
  callback(null, user, context);
}`)
	user := map[string]any{"name": "jane", "email": "j@example.com", "app_metadata": map[string]any{"roles": []any{"user"}}}
	ctx := map[string]any{"idToken": map[string]any{}}
	r := mustRun(t, e, user, ctx)
	if r.Outcome != OutcomeOK {
		t.Fatal(r.Error)
	}
	wantIn := map[string]any{"name": "jane", "email": "j@example.com", "app_metadata": map[string]any{"roles": []any{"user"}}}
	if !reflect.DeepEqual(user, wantIn) || len(ctx["idToken"].(map[string]any)) != 0 {
		t.Fatalf("inputs modified: %v %v", user, ctx)
	}
	wantOut := map[string]any{"name": "changed", "app_metadata": map[string]any{"roles": []any{"user", "admin"}}}
	if !jsonEqual(t, r.User, wantOut) {
		t.Fatalf("user = %v", r.User)
	}
}

// checkPlain fails unless v holds only the plain types Result promises.
func checkPlain(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, string, bool, int64, float64:
	case map[string]any:
		for k, e := range x {
			checkPlain(t, path+"."+k, e)
		}
	case []any:
		for i, e := range x {
			checkPlain(t, fmt.Sprintf("%s[%d]", path, i), e)
		}
	default:
		t.Errorf("%s has type %T", path, v)
	}
}

func TestExecutor_ResultHoldsPlainValues(t *testing.T) {
	type custom struct {
		A int `json:"a"`
	}
	e := mustExecutor(t, Config{}, `function (user, context, callback) {
  user.touched = user.ints;
  context.d = new Date(0);
  context.m = new Map([[1, 2]]);
  context.b = Buffer.from('hi');
  context.big = 12345678901234567890n;
  context.obj = {nested: [1.5, 'x', null, true, {deep: new Number(3)}]};
  callback(null, user, context);
}`)
	user := map[string]any{"ints": []int{1, 2}, "strs": []string{"a"}, "custom": custom{A: 1}, "ptr": &custom{A: 2},
		"m": map[string]string{"k": "v"}, "f32": float32(1.5), "u": uint8(3)}
	r := mustRun(t, e, user, nil)
	if r.Outcome != OutcomeOK {
		t.Fatal(r.Error)
	}
	checkPlain(t, "user", r.User)
	checkPlain(t, "context", r.Context)
	want := map[string]any{"ints": []any{1, 2}, "touched": []any{1, 2}, "strs": []any{"a"}, "custom": map[string]any{"a": 1},
		"ptr": map[string]any{"a": 2}, "m": map[string]any{"k": "v"}, "f32": 1.5, "u": 3}
	if !jsonEqual(t, r.User, want) {
		t.Errorf("user = %v", r.User)
	}
	if r.Context["d"] != "1970-01-01T00:00:00.000Z" || r.Context["big"] != "12345678901234567890" {
		t.Errorf("context = %v", r.Context)
	}
}

func TestExecutor_UntouchedInputsAreReturnedAsIs(t *testing.T) {
	e := mustExecutor(t, Config{}, trivialRule)
	user := map[string]any{"name": "x", "meta": map[string]any{"n": 1.5, "list": []any{"a", true, nil, int64(2)}}}
	context := map[string]any{"count": 3, "nested": map[string]any{"ok": true}} // int is not plain: copied
	r := mustRun(t, e, user, context)
	if r.Outcome != OutcomeOK {
		t.Fatal(r.Error)
	}
	if reflect.ValueOf(r.User).Pointer() != reflect.ValueOf(user).Pointer() {
		t.Error("an untouched plain user was copied")
	}
	if reflect.ValueOf(r.Context).Pointer() == reflect.ValueOf(context).Pointer() || r.Context["count"] != int64(3) {
		t.Errorf("a context holding an int must be normalized in a copy: %#v", r.Context)
	}
	if context["count"] != 3 {
		t.Error("the input context was modified")
	}
	checkPlain(t, "context", r.Context)
}

func TestExecutor_NoRulesAndNilInputs(t *testing.T) {
	rs, err := Compile(nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExecutor(rs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, e, map[string]any{"a": "b"}, nil)
	if r.Outcome != OutcomeOK || r.User["a"] != "b" || r.Context == nil || r.Logs == nil || r.Requires == nil || r.Rules == nil {
		t.Fatalf("%+v", r)
	}
}

func TestExecutor_Misuse(t *testing.T) {
	var e *Executor
	if _, err := e.Execute(context.Background(), nil, nil); err == nil {
		t.Fatal("nil executor: no error")
	}
	if _, err := NewExecutor(nil, Config{}); err == nil {
		t.Fatal("nil ruleset: no error")
	}
	rs, _ := Compile([]Rule{{Name: "r", Script: trivialRule, Enabled: true}})
	_, err := NewExecutor(rs, Config{Globals: []registry.GlobalInstaller{func(*goja.Runtime, registry.Host) error {
		return errors.New("no token")
	}}})
	if err == nil || !strings.Contains(err.Error(), "Config.Globals[0]: no token") {
		t.Fatalf("failing installer: %v", err)
	}
	_, err = NewExecutor(rs, Config{Globals: []registry.GlobalInstaller{func(*goja.Runtime, registry.Host) error { panic("bad") }}})
	if err == nil || !strings.Contains(err.Error(), "installer panicked: bad") {
		t.Fatalf("panicking installer: %v", err)
	}
}

func TestExecutor_NoResolver(t *testing.T) {
	rs, _ := Compile([]Rule{{Name: "r", Enabled: true, Script: `function (user, context, callback) {
  try { require('lib'); } catch (e) { user.msg = e.message; user.code = e.code; }
  callback(null, user, context);
}`}})
	e, err := NewExecutor(rs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, e, nil, nil)
	if r.User["code"] != CodeModuleNotFound || !strings.Contains(r.User["msg"].(string), "no module resolver") {
		t.Fatalf("%v", r.User)
	}
}

// asyncProvider serves "async@1.0.0": later(ms, value, cb) completes on another goroutine through
// Host.Reserve; leak(cb) completes after the execution ended; info() reports the host context;
// nested() requires another module through Host.Require.
func asyncProvider(leaked chan<- func()) *fakeProvider {
	return &fakeProvider{
		info: registry.Info{Name: "async", Version: "1.0.0", Kind: registry.KindGo},
		load: func(req *registry.LoadRequest) (goja.Value, error) {
			rt, host := req.Runtime, req.Host
			o := rt.NewObject()
			_ = o.Set("later", func(call goja.FunctionCall) goja.Value {
				ms := call.Argument(0).ToInteger()
				val := call.Argument(1).Export()
				cb, _ := goja.AssertFunction(call.Argument(2))
				done := host.Reserve()
				ctx := host.Context()
				go func() {
					select {
					case <-time.After(time.Duration(ms) * time.Millisecond):
					case <-ctx.Done():
					}
					done(func(rt *goja.Runtime) {
						if _, err := cb(goja.Undefined(), goja.Null(), rt.ToValue(val)); err != nil {
							panic(err)
						}
					})
				}()
				return goja.Undefined()
			})
			_ = o.Set("leak", func(call goja.FunctionCall) goja.Value {
				cb, _ := goja.AssertFunction(call.Argument(0))
				done := host.Reserve()
				leaked <- func() {
					done(func(*goja.Runtime) { _, _ = cb(goja.Undefined()) })
				}
				return goja.Undefined()
			})
			_ = o.Set("info", func(goja.FunctionCall) goja.Value {
				_, hasDeadline := host.Context().Deadline()
				return rt.ToValue(map[string]any{"deadline": hasDeadline, "client": host.HTTPClient() != nil})
			})
			_ = o.Set("nested", func(goja.FunctionCall) goja.Value {
				v, err := host.Require("greet")
				if err != nil {
					panic(rt.NewGoError(err))
				}
				return v
			})
			return o, nil
		},
	}
}

func withAsync(leaked chan<- func()) *fakeResolver {
	rs := testResolver()
	p := asyncProvider(leaked)
	rs.modules["async@1.0.0"] = &resolver.Resolution{Name: "async", Version: "1.0.0", How: resolver.HowExact,
		Status: catalog.StatusAllowed, Implementation: p.Info(), Provider: p}
	return rs
}

func TestHost_AsyncCompletionsRunOnTheLoop(t *testing.T) {
	leaked := make(chan func(), 1)
	e := mustExecutor(t, Config{Resolver: withAsync(leaked), Pool: 1}, `async function (user, context, callback) {
  const a = require('async@1.0.0');
  user.info = a.info();
  user.hello = a.nested().hello('x');
  if (context.leak) {
    a.leak(function () { global.leakedRan = true; });
    return callback(null, user, context);
  }
  user.leakedRan = global.leakedRan || false;
  const v = await new Promise((resolve, reject) => a.later(5, 'v1', (err, v) => err ? reject(err) : resolve(v)));
  a.later(1, 'v2', function (err, v2) {
    user.values = [v, v2];
    callback(null, user, context);
  });
}`)
	r := mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || !jsonEqual(t, r.User["values"], []any{"v1", "v2"}) || r.User["hello"] != "hello x" {
		t.Fatalf("%s %q %v", r.Outcome, r.Error, r.User)
	}
	if !jsonEqual(t, r.User["info"], map[string]any{"deadline": true, "client": true}) {
		t.Fatalf("host info %v", r.User["info"])
	}
	if len(r.Requires) != 2 || r.Requires[1].Spec != "greet" || r.Requires[1].Rule != "rule-1" {
		t.Fatalf("requires %+v", r.Requires)
	}
	// a completion arriving after its execution ended is dropped
	r = mustRun(t, e, nil, map[string]any{"leak": true})
	if r.Outcome != OutcomeOK {
		t.Fatal(r.Error)
	}
	(<-leaked)()
	r = mustRun(t, e, nil, nil)
	if r.Outcome != OutcomeOK || r.User["leakedRan"] != false {
		t.Fatalf("a late completion ran in another execution: %v", r.User)
	}
}

func TestHost_ContextOutsideExecutionIsDone(t *testing.T) {
	var host registry.Host
	rs, _ := Compile([]Rule{{Name: "r", Script: trivialRule, Enabled: true}})
	e, err := NewExecutor(rs, Config{Globals: []registry.GlobalInstaller{func(rt *goja.Runtime, h registry.Host) error {
		host = h
		return nil
	}}})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, e, nil, nil)
	if host.Context().Err() == nil {
		t.Fatal("the host context outside an execution is not done")
	}
	host.Reserve()(func(*goja.Runtime) { t.Error("a reservation outside an execution ran") })
}

func TestExecutor_ConcurrentExecutions(t *testing.T) {
	leaked := make(chan func(), 1000)
	e := mustExecutor(t, Config{Resolver: withAsync(leaked), Pool: 3}, `async function (user, context, callback) {
  const a = require('async@1.0.0');
  global.runs = (global.runs || 0) + 1;
  console.log('run', context.i);
  const v = await new Promise((resolve) => a.later(1, context.i, (err, v) => resolve(v)));
  setTimeout(function () {
    user.v = v;
    user.i = context.i;
    callback(null, user, context);
  }, 1);
}`, `function (user, context, callback) {
  if (context.i % 7 === 0) return callback(new UnauthorizedError('seven'));
  callback(null, user, context);
}`)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 40; n++ {
				i := int64(g*1000 + n)
				r := mustRun(t, e, nil, map[string]any{"i": i})
				want := OutcomeOK
				if i%7 == 0 {
					want = OutcomeUnauthorized
				}
				if r.Outcome != want || r.User["v"] != i || len(r.Logs) != 1 || r.Logs[0].Message != fmt.Sprint("run ", i) {
					t.Errorf("execution %d: %s %q %v %v", i, r.Outcome, r.Error, r.User, r.Logs)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}
