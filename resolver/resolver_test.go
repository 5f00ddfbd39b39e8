package resolver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
)

func TestResolver_Resolve_Success(t *testing.T) {
	tests := []struct {
		runtime, spec string
		name, version string
		subpath       string
		how           How
		status        catalog.Status
		reason        string
		kind          registry.Kind
	}{
		{"default", "auth0@2.9.1", "auth0", "2.9.1", "", HowExact, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0", "auth0", "2.9.1", "", HowDefault, catalog.StatusAllowed, "", registry.KindGo},
		{"node18", "auth0", "auth0", "2.30.0", "", HowDefault, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@2.0.0-alpha.5", "auth0", "2.0.0-alpha.5", "", HowExact, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@2.27.0", "auth0", "2.27.0", "", HowExact, catalog.StatusDeprecated, "upgrade to 2.30.0", registry.KindGo},
		{"default", "auth0@2.9.1/lib/index", "auth0", "2.9.1", "lib/index", HowExact, catalog.StatusAllowed, "", registry.KindGo},
		// Ranges: the highest version that matches and is not blocked; 3.0.0 is blocked.
		{"default", "auth0@^2.9", "auth0", "2.30.0", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@~2.9.0", "auth0", "2.9.1", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@2.x", "auth0", "2.30.0", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@>=2.9 <3", "auth0", "2.30.0", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@*", "auth0", "2.30.0", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@<2.9", "auth0", "2.6.0", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@~2.27.0", "auth0", "2.27.0", "", HowRange, catalog.StatusDeprecated, "upgrade to 2.30.0", registry.KindGo},
		{"default", "auth0@2.9", "auth0", "2.9.1", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		// Prereleases only when the range names one.
		{"default", "auth0@<=2.0.0-alpha.6", "auth0", "2.0.0-alpha.6", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@>=2.0.0-alpha <2.0.0", "auth0", "2.0.0-alpha.6", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "auth0@~2.0.0-alpha.5", "auth0", "2.0.0-alpha.6", "", HowRange, catalog.StatusAllowed, "", registry.KindGo},
		// Scoped names and subpaths.
		{"default", "@auth0/rule-utilities@0.1.0", "@auth0/rule-utilities", "0.1.0", "", HowExact, catalog.StatusAllowed, "", registry.KindPackage},
		{"default", "@auth0/rule-utilities", "@auth0/rule-utilities", "0.2.0", "", HowDefault, catalog.StatusAllowed, "", registry.KindPackage},
		{"default", "lodash/fp", "lodash", "4.17.21", "fp", HowDefault, catalog.StatusAllowed, "", registry.KindGo},
		{"default", "lodash@4.17.19/fp", "lodash", "4.17.19", "fp", HowExact, catalog.StatusAllowed, "", registry.KindGo},
		// A module without an explicit default resolves to its first listed version.
		{"default", "nodefault", "nodefault", "1.2.0", "", HowDefault, catalog.StatusAllowed, "", registry.KindGo},
		// Core modules: unpinned only, including names with a slash.
		{"default", "url", "url", "", "", HowCore, catalog.StatusAllowed, "", registry.KindCore},
		{"default", "crypto", "crypto", "", "", HowCore, catalog.StatusAllowed, "", registry.KindCore},
		{"default", "assert/strict", "assert/strict", "", "", HowCore, catalog.StatusAllowed, "", registry.KindCore},
		{"default", "punycode", "punycode", "", "", HowCore, catalog.StatusDeprecated, "use the url module", registry.KindCore},
		{"node18", "url", "url", "", "", HowCore, catalog.StatusAllowed, "", registry.KindCore},
		// A versioned spec is the npm package even where the name is also a core module.
		{"node18", "url@0.10.3", "url", "0.10.3", "", HowExact, catalog.StatusAllowed, "", registry.KindPackage},
	}
	cat, reg := fixture(t)
	r := New(cat, reg)
	for _, tt := range tests {
		t.Run(tt.runtime+"/"+tt.spec, func(t *testing.T) {
			res, err := r.Resolve(tt.runtime, tt.spec)
			if err != nil {
				t.Fatalf("Resolve(%q, %q): %v", tt.runtime, tt.spec, err)
			}
			if res.Spec != tt.spec || res.Runtime != tt.runtime || res.Name != tt.name || res.Version != tt.version ||
				res.Subpath != tt.subpath || res.How != tt.how || res.Status != tt.status || res.Reason != tt.reason {
				t.Fatalf("Resolve(%q, %q) = %+v", tt.runtime, tt.spec, res)
			}
			if res.Provider == nil || res.Implementation.Kind != tt.kind || res.Implementation.Name != tt.name {
				t.Fatalf("implementation = %+v (provider %v), want kind %s for %s", res.Implementation, res.Provider, tt.kind, tt.name)
			}
			wantRequested := ""
			if s, _ := ParseSpec(tt.spec); s.Version != "" {
				wantRequested = s.Version
			}
			if res.Requested != wantRequested {
				t.Errorf("Requested = %q, want %q", res.Requested, wantRequested)
			}
		})
	}
}

func TestResolver_Resolve_Failure(t *testing.T) {
	tests := []struct {
		runtime, spec string
		outcome       Outcome
		is            error
		msg           string // the whole error text, or a substring when it starts with "~"
		allowed       []string
	}{
		{"node18", "auth0@9.9.9", OutcomeVersionNotFound, catalog.ErrVersionNotFound,
			`Cannot find module 'auth0@9.9.9': version 9.9.9 is not in catalog "node18" (allowed: 2.9.1, 2.30.0)`,
			[]string{"2.9.1", "2.30.0"}},
		{"default", "auth0@2.1.0", OutcomeBlocked, ErrBlocked,
			`Cannot find module 'auth0@2.1.0': version 2.1.0 is blocked in catalog "default": leaks tokens in logs`,
			[]string{"2.0.0-alpha.5", "2.0.0-alpha.6", "2.6.0", "2.9.1", "2.27.0", "2.30.0"}},
		{"default", "leftpad", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'leftpad': module leftpad is not in catalog \"default\"; add it with `verq catalog add leftpad@VERSION`", nil},
		{"default", "leftpad@1.3.0", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'leftpad@1.3.0': module leftpad is not in catalog \"default\"; add it with `verq catalog add leftpad@1.3.0`", nil},
		{"default", "leftpad@^1", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"~add it with `verq catalog add leftpad@VERSION`", nil},
		{"default", "fs", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'fs': fs is a Node.js core module that is not available in the sandbox", nil},
		{"default", "fs/promises", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'fs/promises': fs/promises is a Node.js core module that is not available in the sandbox", nil},
		{"default", "fs/whatever", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'fs/whatever': fs is a Node.js core module that is not available in the sandbox", nil},
		{"default", "crypto/sub", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			`~module crypto/sub is not in catalog "default" (crypto is a core module without subpaths)`, nil},
		{"default", "foo@1.0.0", OutcomeNoImplementation, registry.ErrNoImplementation,
			"Cannot find module 'foo@1.0.0': foo@1.0.0 is allowed by catalog \"default\" but no implementation is installed (add one with `verq registry add foo@1.0.0`)", nil},
		{"default", "foo", OutcomeNoImplementation, registry.ErrNoImplementation, "~foo@1.0.0 is allowed by catalog", nil},
		{"default", "zlib", OutcomeNoImplementation, registry.ErrNoImplementation,
			`Cannot find module 'zlib': core module zlib is allowed by catalog "default" but the sandbox has no implementation of it`, nil},
		{"node99", "auth0@2.9.1", OutcomeUnknownRuntime, catalog.ErrRuntimeNotFound,
			"Cannot find module 'auth0@2.9.1': runtime \"node99\" does not exist; list the runtimes with `verq catalog runtimes`", nil},
		{"node99", "url", OutcomeUnknownRuntime, catalog.ErrRuntimeNotFound, "~runtime \"node99\" does not exist", nil},
		// A versioned spec never resolves to a core module.
		{"default", "url@0.10.3", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"Cannot find module 'url@0.10.3': module url is not in catalog \"default\" as a package, only as a core module, which is required without a version (require('url')); add the package with `verq catalog add url@0.10.3`", nil},
		{"default", "fs@1.0.0", OutcomeNotInCatalog, catalog.ErrModuleNotFound,
			"~(a spec with a version never resolves to the Node.js core module fs)", nil},
		{"default", "child_process", OutcomeBlocked, ErrBlocked,
			`Cannot find module 'child_process': core module child_process is blocked in catalog "default": no processes in the sandbox`, nil},
		{"default", "auth0@^4", OutcomeVersionNotFound, catalog.ErrVersionNotFound,
			`~no version in catalog "default" satisfies ^4 (allowed: 2.0.0-alpha.5`, nil},
		{"default", "auth0@^3", OutcomeBlocked, ErrBlocked,
			`~every version matching ^3 is blocked; version 3.0.0 is blocked in catalog "default": not reviewed yet`, nil},
		{"default", "auth0@<2.0.1", OutcomeVersionNotFound, catalog.ErrVersionNotFound, "~satisfies <2.0.1", nil},
		{"default", "@auth0/rule-utilities@9.0.0", OutcomeVersionNotFound, catalog.ErrVersionNotFound,
			`~version 9.0.0 is not in catalog "default" (allowed: 0.1.0, 0.2.0)`, []string{"0.1.0", "0.2.0"}},
		{"default", "blockeddefault", OutcomeBlocked, ErrBlocked,
			`~version 1.0.0 (the default of blockeddefault) is blocked in catalog "default": broken`, []string{"1.1.0"}},
		{"default", "baddefault", OutcomeCatalogError, catalog.ErrVersionNotFound,
			"~the default version 9.9.9 of baddefault is not listed in catalog \"default\"; set one with `verq catalog default baddefault VERSION`", nil},
		{"default", "auth0@2.9.1/../../x", OutcomeInvalidSpec, nil,
			`Cannot find module 'auth0@2.9.1/../../x': invalid module specifier: contains a ".." path segment; path traversal is not allowed`, nil},
		{"default", "a\x00b", OutcomeInvalidSpec, nil, `Cannot find module 'a\x00b': invalid module specifier: contains a NUL byte at offset 1`, nil},
	}
	cat, reg := fixture(t)
	r := New(cat, reg)
	for _, tt := range tests {
		t.Run(tt.runtime+"/"+tt.spec, func(t *testing.T) {
			res, err := r.Resolve(tt.runtime, tt.spec)
			if err == nil {
				t.Fatalf("Resolve(%q, %q) = %+v, want an error", tt.runtime, tt.spec, res)
			}
			if res != nil {
				t.Errorf("Resolve returned a resolution with the error: %+v", res)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not a *Error: %v", err, err)
			}
			if e.Outcome != tt.outcome || e.Spec != tt.spec || e.Runtime != tt.runtime {
				t.Fatalf("error = %+v, want outcome %s", e, tt.outcome)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false for %v", tt.is, err)
			}
			if tt.outcome == OutcomeInvalidSpec {
				var se *SpecError
				if !errors.As(err, &se) {
					t.Errorf("invalid spec error does not wrap a *SpecError")
				}
			}
			if sub, ok := strings.CutPrefix(tt.msg, "~"); ok {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("Error() = %q, want it to contain %q", err.Error(), sub)
				}
			} else if err.Error() != tt.msg {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.msg)
			}
			if tt.allowed != nil && strings.Join(e.Allowed, ",") != strings.Join(tt.allowed, ",") {
				t.Errorf("Allowed = %v, want %v", e.Allowed, tt.allowed)
			}
		})
	}
}

func TestResolver_Resolve_InvalidSpecNoLookup(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	for _, spec := range []string{"", "/etc/passwd", "auth0@2.9.1/../../x", "file:///x", strings.Repeat("a", 10000), "a\x00"} {
		before := cat.reads.Load()
		if _, err := r.Resolve("default", spec); err == nil {
			t.Fatalf("Resolve(%q) succeeded", spec)
		}
		if cat.reads.Load() != before {
			t.Fatalf("Resolve(%q) read the catalog", spec)
		}
	}
}

func TestResolver_Resolve_CatalogError(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	boom := errors.New("disk on fire")
	cat.setFail(boom)
	_, err := r.Resolve("default", "auth0@2.9.1")
	var e *Error
	if !errors.As(err, &e) || e.Outcome != OutcomeCatalogError || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want a catalog_error wrapping the read failure", err)
	}
	if want := `Cannot find module 'auth0@2.9.1': reading catalog "default": disk on fire`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	// Read failures are not cached: the next call reads again (same generation).
	cat.mu.Lock()
	cat.fail = nil
	cat.mu.Unlock()
	if _, err := r.Resolve("default", "auth0@2.9.1"); err != nil {
		t.Fatalf("after the catalog recovered: %v", err)
	}
}

func TestResolver_New_NilRegistry(t *testing.T) {
	cat, _ := fixture(t)
	_, err := New(cat, nil).Resolve("default", "auth0@2.9.1")
	if !errors.Is(err, registry.ErrNoImplementation) {
		t.Fatalf("err = %v, want no implementation", err)
	}
}

func TestError_Error_LongAllowedList(t *testing.T) {
	var versions []catalog.Version
	for i := 0; i < 14; i++ {
		versions = append(versions, ver(fmt.Sprintf("1.%d.0", i)))
	}
	cat := newFakeCatalog()
	cat.put("default", catalog.Module{Name: "many", Default: "1.0.0", Versions: versions})
	_, err := New(cat, registry.New()).Resolve("default", "many@9.0.0")
	want := `Cannot find module 'many@9.0.0': version 9.0.0 is not in catalog "default" (allowed: 1.0.0, 1.1.0, 1.2.0, 1.3.0, 1.4.0, 1.5.0, 1.6.0, 1.7.0, 1.8.0, 1.9.0, … 4 more)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
	var e *Error
	if errors.As(err, &e); len(e.Allowed) != 14 {
		t.Errorf("Allowed has %d versions, want all 14", len(e.Allowed))
	}
}

func TestResolver_Explain(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)

	ex := r.Explain("default", "auth0@^2.9")
	if ex.Outcome != OutcomeOK || ex.Resolution == nil || ex.Resolution.Version != "2.30.0" || ex.Error != "" {
		t.Fatalf("Explain = %+v", ex)
	}
	if ex.Parsed == nil || *ex.Parsed != (Spec{Name: "auth0", Version: "^2.9"}) || !ex.Range {
		t.Errorf("Parsed = %+v, Range = %v", ex.Parsed, ex.Range)
	}
	var chosen, matching []string
	for _, c := range ex.Candidates {
		if c.Matches {
			matching = append(matching, c.Version)
		}
		if c.Chosen {
			chosen = append(chosen, c.Version)
		}
	}
	if strings.Join(matching, ",") != "2.9.1,2.30.0,2.27.0" || strings.Join(chosen, ",") != "2.30.0" {
		t.Errorf("matching %v, chosen %v", matching, chosen)
	}
	if len(ex.Candidates) != 8 {
		t.Errorf("%d candidates, want every listed version (8)", len(ex.Candidates))
	}
	steps := strings.Join(ex.Steps, "\n")
	for _, want := range []string{`parsed "auth0@^2.9": module auth0, version range ^2.9`, "the highest not blocked is 2.30.0",
		"resolved to auth0@2.30.0 (allowed, served by Go shim"} {
		if !strings.Contains(steps, want) {
			t.Errorf("steps do not mention %q:\n%s", want, steps)
		}
	}
	b, err := json.Marshal(ex)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	for _, want := range []string{`"outcome":"ok"`, `"version":"2.30.0"`, `"chosen":true`, `"parsed":{"name":"auth0","version":"^2.9"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}

	bad := r.Explain("node18", "auth0@9.9.9")
	if bad.Outcome != OutcomeVersionNotFound || bad.Resolution != nil || bad.Err == nil ||
		!strings.Contains(bad.Error, "version 9.9.9 is not in catalog") {
		t.Fatalf("Explain failure = %+v", bad)
	}
	if b, err := json.Marshal(bad); err != nil || !strings.Contains(string(b), `"allowed":["2.9.1","2.30.0"]`) {
		t.Errorf("failure JSON = %s, %v", b, err)
	}

	invalid := r.Explain("default", "../x")
	if invalid.Outcome != OutcomeInvalidSpec || invalid.Parsed != nil || len(invalid.Steps) == 0 {
		t.Fatalf("Explain invalid = %+v", invalid)
	}

	coreEx := r.Explain("default", "assert/strict")
	if coreEx.Outcome != OutcomeOK || coreEx.Resolution.How != HowCore {
		t.Fatalf("Explain core = %+v", coreEx)
	}
}

func TestResolver_Explain_NoCacheNoObserver(t *testing.T) {
	cat, reg := fixture(t)
	rec := &recorder{}
	r := New(cat, reg, WithObserver(rec))
	r.Explain("default", "auth0")
	r.Explain("default", "auth0")
	if n := len(rec.all()); n != 0 {
		t.Errorf("observer saw %d events from Explain", n)
	}
	if n := r.cache.len(); n != 0 {
		t.Errorf("Explain filled the cache with %d entries", n)
	}
}

func TestResolution_Key(t *testing.T) {
	cat, reg := fixture(t)
	r := New(cat, reg)
	for spec, want := range map[string]string{
		"lodash@4.17.19/fp": "lodash@4.17.19/fp", "auth0@^2.9": "auth0@2.30.0", "assert/strict": "assert/strict",
	} {
		res, err := r.Resolve("default", spec)
		if err != nil || res.Key() != want {
			t.Errorf("Resolve(%q).Key() = %v (%v), want %q", spec, res, err, want)
		}
	}
}
