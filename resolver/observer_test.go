package resolver

import (
	"testing"
)

func TestResolver_Observer(t *testing.T) {
	cat, reg := fixture(t)
	rec := &recorder{}
	r := New(cat, reg, WithObserver(rec))
	calls := []struct {
		runtime, spec string
		outcome       Outcome
		cached        bool
	}{
		{"default", "auth0@2.9.1", OutcomeOK, false},
		{"default", "auth0@2.9.1", OutcomeOK, true},
		{"default", "auth0@2.27.0", OutcomeDeprecated, false},
		{"default", "auth0@2.27.0", OutcomeDeprecated, true},
		{"default", "punycode", OutcomeDeprecated, false},
		{"default", "../x", OutcomeInvalidSpec, false},
		{"default", "../x", OutcomeInvalidSpec, false}, // never cached
		{"nope", "auth0", OutcomeUnknownRuntime, false},
		{"default", "leftpad", OutcomeNotInCatalog, false},
		{"default", "leftpad", OutcomeNotInCatalog, true},
		{"default", "fs", OutcomeNotInCatalog, false},
		{"default", "auth0@9.9.9", OutcomeVersionNotFound, false},
		{"default", "auth0@2.1.0", OutcomeBlocked, false},
		{"default", "foo@1.0.0", OutcomeNoImplementation, false},
	}
	for _, c := range calls {
		r.Resolve(c.runtime, c.spec)
	}
	events := rec.all()
	if len(events) != len(calls) {
		t.Fatalf("%d events for %d calls", len(events), len(calls))
	}
	var measured bool
	for _, e := range events {
		measured = measured || e.Duration > 0
	}
	if !measured {
		t.Error("no event carries a duration")
	}
	for i, c := range calls {
		e := events[i]
		t.Run(c.spec, func(t *testing.T) {
			if e.Spec != c.spec || e.Runtime != c.runtime || e.Outcome != c.outcome || e.Cached != c.cached {
				t.Fatalf("event %d = %+v, want %s/%s outcome %s cached %v", i, e, c.runtime, c.spec, c.outcome, c.cached)
			}
			ok := c.outcome == OutcomeOK || c.outcome == OutcomeDeprecated
			if ok != (e.Resolution != nil) || ok == (e.Err != nil) {
				t.Fatalf("event %d: Resolution %v, Err %v for outcome %s", i, e.Resolution, e.Err, e.Outcome)
			}
			if e.Duration < 0 {
				t.Errorf("event %d has a negative duration", i)
			}
			if c.outcome == OutcomeDeprecated && e.Resolution.Reason == "" {
				t.Errorf("deprecated event %d has no reason", i)
			}
		})
	}
}

func TestWithObserver_Nil(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg, WithObserver(nil))
	if _, err := r.Resolve("default", "auth0"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve("default", "auth0"); err != nil {
		t.Fatal(err)
	}
}
