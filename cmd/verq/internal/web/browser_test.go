package web

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// findChromium returns the path of a Chromium or Chrome binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives a real headless Chromium against the server on loopback: it loads the module
// list, types in the search box and sees the list filtered in place, checks the copy buttons the script
// shows, opens a module page, switches runtime through the selector, and fails on any console error
// (a CSP violation included).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := findChromium()
	if chromium == "" {
		t.Skip("Chromium not found (install Debian's chromium: apt-get install -y chromium); skipping the browser test")
	}
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, stopServer := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(srvCtx, ln) }()
	t.Cleanup(func() {
		stopServer()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	// Collect console errors, uncaught exceptions and log entries of level error (CSP violations are
	// reported there) for the whole session.
	subCtx, stopSubs := context.WithCancel(ctx)
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	note := func(s string) {
		mu.Lock()
		problems = append(problems, s)
		mu.Unlock()
	}
	entries := chromedp.Events(subCtx, log.EntryAdded)
	exceptions := chromedp.Events(subCtx, runtime.ExceptionThrown)
	console := chromedp.Events(subCtx, runtime.ConsoleAPICalled)
	wg.Add(3)
	go func() {
		defer wg.Done()
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry.Level == log.EntryLevelError {
				note("log: " + ev.Entry.Text)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			note("exception: " + ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		defer wg.Done()
		for ev, err := range console {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				note("console.error")
			}
		}
	}()
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	const visibleJS = `Array.from(document.querySelectorAll('#modules > li.module')).filter(e => !e.hidden).length`
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	visible := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](visibleJS))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor := func(cond string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(10*time.Second))
	}

	run(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	if n := visible(); n != 180 {
		t.Fatalf("%d modules visible before searching, want 180", n)
	}

	// Typing filters the list in place and keeps the query in the address.
	run(chromedp.SendKeys(chromedp.ID("q"), "rule-util"), waitFor(visibleJS+` === 1`))
	count := eval(`document.getElementById('count').textContent`)
	first := eval(`Array.from(document.querySelectorAll('#modules > li.module')).find(e => !e.hidden).querySelector('.module-name').textContent`)
	search := eval(`location.search`)
	if first != "@auth0/rule-utilities" || !strings.Contains(count, "1 of 180 modules") || search != "?q=rule-util" {
		t.Fatalf("after typing: first %q, count %q, location %q", first, count, search)
	}
	if n := eval(`String(document.querySelectorAll('button.copy:not([hidden])').length)`); n == "0" {
		t.Fatal("the script did not show the copy buttons")
	}

	// No match shows the notice; then open the module page from the filtered list.
	run(
		chromedp.SendKeys(chromedp.ID("q"), "zzz"),
		waitFor(visibleJS+` === 0`),
		chromedp.WaitVisible(chromedp.ID("empty")),
		chromedp.Evaluate[chromedp.Void](`(() => { const q = document.getElementById('q'); q.value = 'rule-util'; q.dispatchEvent(new Event('input')); })()`),
		waitFor(visibleJS+` === 1`),
		chromedp.Click(chromedp.CSS(`#modules > li.module:not([hidden]) .module-name a`)),
		chromedp.WaitVisible(chromedp.CSS(`h1.module-title`)),
	)
	title := eval(`document.querySelector('h1.module-title').textContent`)
	where := eval(`location.pathname + location.search`)
	label := eval(`document.querySelector('button.copy:not([hidden])').textContent`)
	if title != "@auth0/rule-utilities" || where != "/modules/@auth0/rule-utilities?runtime=node20" || label != "Copy" {
		t.Fatalf("module page: title %q at %q, copy button %q", title, where, label)
	}

	// The runtime selector loads the chosen runtime at once.
	run(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("runtime")))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('runtime'); s.value = 'default'; setTimeout(() => s.dispatchEvent(new Event('change')), 0); })()`))); err != nil {
		t.Fatal(err)
	}
	run(chromedp.WaitVisible(chromedp.ID("modules")))
	if where := eval(`location.search`); !strings.HasPrefix(where, "?runtime=default") {
		t.Fatalf("runtime switch went to %q", where)
	}
	builtin, err := f.store.Runtime("default")
	if err != nil {
		t.Fatal(err)
	}
	if n := visible(); n != builtin.Modules {
		t.Fatalf("%d modules in the default runtime, want %d", n, builtin.Modules)
	}

	stopSubs()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("browser reported errors:\n%s", strings.Join(problems, "\n"))
	}
}
