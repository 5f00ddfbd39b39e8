package sandbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Executor runs one tenant's ruleset. It is safe for concurrent use: each execution takes a runtime
// from the executor's pool (or builds one) and uses it alone; runtimes are never shared with another
// Executor.
type Executor struct {
	rs   *Ruleset
	cfg  Config
	idle chan *vm
}

// NewExecutor binds a compiled ruleset to a tenant's configuration. It builds one runtime right away
// so that a failing global installer or rule evaluation is reported here rather than on first use.
func NewExecutor(rs *Ruleset, cfg Config) (*Executor, error) {
	if rs == nil {
		return nil, errors.New("sandbox: NewExecutor: nil ruleset; compile rules with sandbox.Compile")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Executor{rs: rs, cfg: cfg, idle: make(chan *vm, cfg.Pool)}
	v, err := e.newVM()
	if err != nil {
		return nil, err
	}
	e.idle <- v
	return e, nil
}

// Ruleset returns the executor's ruleset.
func (e *Executor) Ruleset() *Ruleset { return e.rs }

// Tenant returns the tenant the executor serves.
func (e *Executor) Tenant() string { return e.cfg.Tenant }

// Execute runs the enabled rules in order with user and context (nil maps are empty objects; the maps
// are only read). Rule failures, unauthorized results and timeouts are Outcomes of the Result; the
// error is reserved for misuse and internal failures (a runtime that cannot be built). The pipeline
// ends at Limits.Timeout or when ctx is done, whichever comes first.
func (e *Executor) Execute(ctx context.Context, user, context map[string]any) (res *Result, err error) {
	if e == nil || e.rs == nil {
		return nil, errors.New("sandbox: Execute on a nil or zero Executor; use NewExecutor")
	}
	if ctx == nil {
		ctx = contextBackground
	}
	start := time.Now()
	v, err := e.acquire()
	if err != nil {
		return nil, err
	}
	var ex *execution
	defer func() {
		// a failure of the sandbox's own Go code: report it, never reuse the runtime
		if x := recover(); x != nil {
			if ex != nil {
				ex.end()
			}
			e.cfg.Logger.Error("sandbox: internal error", "tenant", e.cfg.Tenant, "panic", fmt.Sprint(x))
			res, err = nil, fmt.Errorf("sandbox: tenant %q: internal error: %v", e.cfg.Tenant, x)
		}
	}()
	ex = &execution{
		vm:         v,
		ctx:        ctx,
		start:      start,
		deadline:   start.Add(e.cfg.Limits.Timeout),
		rules:      e.rs.rules,
		next:       -1,
		attributed: -1,
		res: &Result{
			Logs:     []LogEntry{},
			Requires: []Require{},
			Rules:    make([]RuleRun, len(e.rs.rules)),
		},
	}
	if n := len(e.rs.rules); n <= len(ex.calledBuf) {
		ex.called = ex.calledBuf[:n]
	} else {
		ex.called = make([]bool, n)
	}
	if d, ok := ctx.Deadline(); ok && d.Before(ex.deadline) {
		ex.deadline = d
	}
	for i, r := range e.rs.rules {
		ex.res.Rules[i] = RuleRun{Name: r.Name, DurationUS: -1}
	}
	e.run(v, ex, user, context)
	e.release(v)
	for i := range ex.res.Rules {
		if ex.res.Rules[i].DurationUS < 0 {
			ex.res.Rules[i].DurationUS = 0
		}
	}
	ex.res.DurationUS = time.Since(start).Microseconds()
	return ex.res, nil
}

// run executes the pipeline on v and leaves v ready for reuse (or marked broken).
func (e *Executor) run(v *vm, ex *execution, user, context map[string]any) {
	v.cur = ex
	v.current.Store(ex)
	ex.watch()
	if ctx := ex.ctx; ctx.Done() != nil {
		if ctx.Err() != nil {
			ex.stop(stopCancelled)
		} else {
			stopAfter := contextAfterFunc(ctx, func() { ex.stop(stopCancelled) })
			defer stopAfter()
		}
	}
	u, c := v.newRecords(user, context)
	ex.records = [2]*record{u, c}
	ex.user, ex.context = u.obj, c.obj
	if len(v.fns) == 0 {
		ex.succeed()
	} else {
		ex.next = 0
		v.runLoop(ex)
	}
	exp := exporter{v: v, ex: ex}
	ex.res.User = exp.export(ex.user, "user")
	ex.res.Context = exp.export(ex.context, "context")
	if exp.path != nil {
		clear(exp.path[:cap(exp.path)])
		v.exportPath = exp.path[:0]
	}
	if ex.res.User == nil {
		ex.res.User = map[string]any{}
	}
	if ex.res.Context == nil {
		ex.res.Context = map[string]any{}
	}

	if ex.end() != stopNone {
		v.broken = true
	}
	v.cur = nil
	v.current.Store(nil)
	v.loop.reset()
	clear(v.timerObjs)
	clear(v.rejected)
	v.rejOrder = v.rejOrder[:0]
	v.postMu.Lock()
	v.posted = nil
	v.postMu.Unlock()
	select {
	case <-v.wake:
	default:
	}
	v.rt.ClearInterrupt()
}

// acquire takes an idle runtime or builds one.
func (e *Executor) acquire() (*vm, error) {
	select {
	case v := <-e.idle:
		return v, nil
	default:
	}
	v, err := e.newVM()
	if err != nil {
		return nil, fmt.Errorf("sandbox: tenant %q: building a runtime: %w", e.cfg.Tenant, err)
	}
	return v, nil
}

// release returns a healthy runtime to the pool; a broken one (interrupted, crashed, over a limit) is
// dropped, which resets the `global` state it carried.
func (e *Executor) release(v *vm) {
	if v.broken {
		e.cfg.Logger.Debug("sandbox: runtime recycled", "tenant", e.cfg.Tenant)
		v.discard()
		return
	}
	select {
	case e.idle <- v:
	default:
		v.discard()
	}
}

// discard drops what the runtime holds for implementations (module cache, LocalHost values), so
// nothing an implementation kept for it outlives it, even if a late completion still refers to v.
func (v *vm) discard() {
	clear(v.modules)
	clear(v.locals)
}

// Aliases of the context package for functions whose parameter named context (the Rules name of the
// second argument) shadows it.
var (
	contextBackground = context.Background()
	contextAfterFunc  = context.AfterFunc
)
