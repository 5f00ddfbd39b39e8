package web

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verq/verq/catalog"
)

func TestServer_IndexPage(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SetStatus("t", testRuntime, "auth0", "2.9.1", catalog.StatusDeprecated, "upgrade to 2.30.0"); err != nil {
		t.Fatal(err)
	}
	r := f.do("GET", "/", nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	body := r.body()
	for _, want := range []string{
		`<option value="node20" selected>node20 (Node v20.20.2)</option>`,
		`<option value="default">default (Node v18.20.4)</option>`,
		`<code class="require">require(&#39;auth0@2.9.1&#39;)</code>`,
		`<code class="require">require(&#39;crypto&#39;)</code>`,
		`data-copy="require(&#39;@auth0/rule-utilities@0.2.0&#39;)"`,
		`<span class="badge badge-deprecated">deprecated</span>`,
		`<p class="reason">upgrade to 2.30.0</p>`,
		`<span class="badge badge-impl">Go shim</span>`,
		`<span class="badge badge-impl">core module</span>`,
		`<span class="badge badge-impl badge-missing">not installed</span>`,
		`<span class="badge badge-default">default</span>`,
		`href="/modules/@auth0/rule-utilities?runtime=node20"`,
		`href="/modules/assert/strict?runtime=node20"`,
		`180 modules`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	assertNoInline(t, body)
	if n := strings.Count(body, `<li class="module"`); n != 180 {
		t.Errorf("%d modules rendered", n)
	}

	t.Run("query without JavaScript", func(t *testing.T) {
		r := f.do("GET", "/?q=Auth0", nil)
		wantStatus(t, r, http.StatusOK)
		body := r.body()
		shown := strings.Count(body, `<li class="module" data-search="`) - len(regexp.MustCompile(`<li class="module" data-search="[^"]*" hidden>`).FindAllString(body, -1))
		if !strings.Contains(body, `13 of 180 modules match “Auth0”`) || shown != 13 {
			t.Errorf("shown %d; count line missing", shown)
		}
		if !regexp.MustCompile(`data-search="auth0 auth0@[^"]*"\s*>`).MatchString(body) {
			t.Error("auth0 hidden")
		}
		if !regexp.MustCompile(`data-search="lodash[^"]*" hidden>`).MatchString(body) {
			t.Error("lodash shown")
		}
		if !strings.Contains(body, `value="Auth0"`) {
			t.Error("query not kept in the search box")
		}
	})
	t.Run("no match", func(t *testing.T) {
		r := f.do("GET", "/?q=zzzz", nil)
		if !strings.Contains(r.body(), `<p class="empty" id="empty">`) {
			t.Error("empty notice hidden")
		}
	})
	t.Run("other runtime", func(t *testing.T) {
		r := f.do("GET", "/?runtime=default", nil)
		wantStatus(t, r, http.StatusOK)
		builtin, _ := f.store.Runtime("default")
		if !strings.Contains(r.body(), `<option value="default" selected>`) || strings.Count(r.body(), `<li class="module"`) != builtin.Modules {
			t.Error("runtime not selected")
		}
	})
	t.Run("unknown runtime", func(t *testing.T) {
		r := f.do("GET", "/?runtime=node99", nil)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.body(), "There is no runtime &#34;node99&#34;") || !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") {
			t.Errorf("404 page: %s", r.body())
		}
	})
	t.Run("bad runtime name", func(t *testing.T) {
		r := f.do("GET", "/?runtime=%3Cscript%3E", nil)
		wantStatus(t, r, http.StatusBadRequest)
		if strings.Contains(r.body(), "<script>") {
			t.Error("runtime name not escaped")
		}
	})
	t.Run("unmatched page", func(t *testing.T) {
		r := f.do("GET", "/nowhere/<b>", nil)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.HasPrefix(r.Header().Get("Content-Type"), "text/html") || strings.Contains(r.body(), "<b>") {
			t.Errorf("404 page %q", r.body())
		}
	})
}

func TestServer_ModulePage(t *testing.T) {
	f := newFixture(t)
	if err := f.store.AddVersion("alice", testRuntime, "@auth0/rule-utilities", "0.3.0"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetStatus("bob", testRuntime, "@auth0/rule-utilities", "0.2.0", catalog.StatusBlocked, "broken"); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/modules/@auth0/rule-utilities", "/modules/@auth0%2Frule-utilities?runtime=node20"} {
		r := f.do("GET", target, nil)
		wantStatus(t, r, http.StatusOK)
		body := r.body()
		for _, want := range []string{
			`<h1 class="module-title">@auth0/rule-utilities</h1>`,
			`<span class="badge badge-blocked">blocked</span><span class="reason">broken</span>`,
			`<span class="action action-block">block</span>`,
			`<span class="actor">by bob</span>`,
			`<span class="actor">by alice</span>`,
			`<code class="require">require(&#39;@auth0/rule-utilities@0.3.0&#39;)</code>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", target, want)
			}
		}
		if strings.Contains(body, "Required by") {
			t.Error("usage column without a Usage hook")
		}
		assertNoInline(t, body)
	}
	r := f.do("GET", "/modules/assert/strict", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body(), "Core module, required without a version.") {
		t.Error("core module page")
	}
	r = f.do("GET", "/modules/nope", nil)
	wantStatus(t, r, http.StatusNotFound)
	r = f.do("GET", "/modules/", nil)
	wantStatus(t, r, http.StatusNotFound)
}

func TestServer_ModulePageUsage(t *testing.T) {
	usage := func(ctx context.Context, runtime, module string) ([]VersionUsage, error) {
		if module == "lodash" {
			return nil, errors.New("usage store down")
		}
		return []VersionUsage{{Version: "2.9.1", Rules: []string{"add-roles", "<sync>"}, Specs: []string{"auth0@2.9.1"}, Requires: 2}}, nil
	}
	f := newFixture(t, func(c *Config) { c.Usage = usage })
	r := f.do("GET", "/modules/auth0", nil)
	wantStatus(t, r, http.StatusOK)
	body := r.body()
	for _, want := range []string{`<th scope="col">Required by</th>`, `<span class="rule">add-roles</span>, <span class="rule">&lt;sync&gt;</span>`, `<span class="muted">no rule</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if r.Header().Get("ETag") != "" {
		t.Error("usage-dependent page carries an ETag")
	}
	r = f.do("GET", "/modules/lodash", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body(), "Usage data is unavailable right now.") {
		t.Error("usage error not shown")
	}

	r = f.do("GET", "/api/v1/modules/auth0", nil)
	var m ModuleView
	r.json(t, &m)
	if len(m.Usage) != 1 || m.Usage[0].Rules[1] != "<sync>" {
		t.Errorf("API usage %+v", m.Usage)
	}
	r = f.do("GET", "/api/v1/modules/auth0/versions/2.9.1", nil)
	var d VersionDetail
	r.json(t, &d)
	if d.Usage == nil || d.Usage.Requires != 2 {
		t.Errorf("version usage %+v", d.Usage)
	}
	r = f.do("GET", "/api/v1/modules/lodash", nil)
	wantStatus(t, r, http.StatusInternalServerError)
}

// hostileCatalog serves a module whose name and texts are markup, as a damaged or foreign database
// might (the catalog itself refuses such names).
type hostileCatalog struct{ *catalog.Store }

const hostileName = `<script>alert("name")</script>`

func (h hostileCatalog) hostile() catalog.Module {
	return catalog.Module{
		Name: hostileName, Default: "1.0.0", Homepage: `javascript:alert("home")`, Notes: `<img src=x onerror=alert("notes")>`,
		Versions: []catalog.Version{
			{Version: "1.0.0", Status: catalog.StatusAllowed, Added: time.Now()},
			{Version: "2.0.0", Status: catalog.StatusBlocked, Reason: `</p><script>alert("reason")</script>`, Note: `"'><svg onload=alert(1)>`, Added: time.Now()},
		},
	}
}

func (h hostileCatalog) Modules(rt string) ([]catalog.Module, error) {
	mods, err := h.Store.Modules(rt)
	return append([]catalog.Module{h.hostile()}, mods...), err
}

func (h hostileCatalog) Module(rt, name string) (catalog.Module, error) {
	if name == hostileName {
		return h.hostile(), nil
	}
	return h.Store.Module(rt, name)
}

func (h hostileCatalog) History(rt string, limit int) ([]catalog.Change, error) {
	return []catalog.Change{{Seq: 1, Time: time.Now(), Actor: `<b>mallory</b>`, Runtime: rt, Action: "block", Module: hostileName, Version: "2.0.0", Detail: `<i>why</i>`}}, nil
}

func TestServer_EscapesCatalogStrings(t *testing.T) {
	st := openTestStore(t)
	f := newFixtureOn(t, st, hostileCatalog{st})
	pages := map[string]string{
		"/":                            "",
		"/?q=%3Cscript":                "",
		"/modules/" + hostileNameURL(): "",
	}
	for target := range pages {
		r := f.do("GET", target, nil)
		wantStatus(t, r, http.StatusOK)
		body := r.body()
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<svg onload") || strings.Contains(body, "<b>mallory") || strings.Contains(body, "<i>why") {
			t.Errorf("%s: unescaped markup in the page", target)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;") {
			t.Errorf("%s: the name is not shown as text", target)
		}
		if strings.Contains(body, `href="javascript:`) {
			t.Errorf("%s: javascript: URL in a link", target)
		}
		assertNoInline(t, body)
	}
	r := f.do("GET", "/api/v1/modules?q=script", nil)
	var p ModulesPage
	r.json(t, &p)
	if p.Total != 1 || p.Modules[0].Name != hostileName {
		t.Errorf("API: %+v", p)
	}
	if r.Header().Get("Content-Type") != "application/json; charset=utf-8" || r.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("API answer could be sniffed as HTML")
	}
}

func hostileNameURL() string {
	return strings.NewReplacer("<", "%3C", ">", "%3E", `"`, "%22", "/", "%2F", "(", "%28", ")", "%29").Replace(hostileName)
}

// assertNoInline checks that a page has no inline script, inline style, event handler attribute or
// resource from another origin: the CSP (default-src 'self') would block them, and the page must work
// offline.
func assertNoInline(t *testing.T, body string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]+</script>`),
		regexp.MustCompile(`<script(?:\s(?:[^>s]|s[^r]|sr[^c])*)?>`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`<[^>]*\sstyle=`),
		regexp.MustCompile(`<[^>]*\son[a-z]+=`),
		regexp.MustCompile(`<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//`),
	} {
		if loc := re.FindStringIndex(body); loc != nil {
			t.Errorf("page has %q", body[max(0, loc[0]-20):min(len(body), loc[1]+40)])
		}
	}
}

func TestServer_Static(t *testing.T) {
	f := newFixture(t)
	for name, ct := range map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "favicon.svg": "image/svg+xml"} {
		t.Run(name, func(t *testing.T) {
			url := f.srv.pages.assetURL(name)
			r := f.do("GET", url, nil)
			wantStatus(t, r, http.StatusOK)
			if r.Header().Get("Content-Type") != ct || r.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("headers %v", r.Header())
			}
			r2 := f.do("GET", "/static/"+name, nil, "If-None-Match", r.Header().Get("ETag"))
			wantStatus(t, r2, http.StatusNotModified)
		})
	}
	r := f.do("GET", "/static/nope.js", nil)
	wantStatus(t, r, http.StatusNotFound)
	r = f.do("GET", "/favicon.ico", nil)
	wantStatus(t, r, http.StatusMovedPermanently)
}

func TestModuleURL(t *testing.T) {
	tests := []struct{ name, rt, want string }{
		{"auth0", "node18", "/modules/auth0?runtime=node18"},
		{"@auth0/rule-utilities", "default", "/modules/@auth0/rule-utilities?runtime=default"},
		{"assert/strict", "x", "/modules/assert/strict?runtime=x"},
		{"a b?c#d", "r&s", "/modules/a%20b%3Fc%23d?runtime=r%26s"},
	}
	for _, tt := range tests {
		if got := moduleURL(tt.name, tt.rt); got != tt.want {
			t.Errorf("moduleURL(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
