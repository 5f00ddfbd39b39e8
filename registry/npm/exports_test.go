package npm

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveExports(t *testing.T) {
	tests := []struct {
		exports, subpath, want string
	}{
		{`"./main.js"`, ".", "main.js"},
		{`"./main.js"`, "./x", "!"},
		{`["./a.js", "./b.js"]`, ".", "a.js"},
		{`[{"import": "./a.mjs"}, "./b.js"]`, ".", "b.js"},
		{`{"import": "./a.mjs", "require": "./a.cjs"}`, ".", "a.cjs"},
		{`{"browser": "./b.js", "default": "./d.js"}`, ".", "d.js"},
		{`{"node": {"import": "./n.mjs", "require": "./n.js"}, "default": "./d.js"}`, ".", "n.js"},
		{`{"node": {"import": "./n.mjs"}, "default": "./d.js"}`, ".", "d.js"},
		{`{".": "./i.js", "./sub": "./s.js"}`, "./sub", "s.js"},
		{`{"./*": "./lib/*.js", "./a/*": "./special/*.js"}`, "./a/b", "special/b.js"},
		{`{"./*": "./lib/*.js"}`, "./x/y", "lib/x/y.js"},
		{`{"./*.js": "./lib/*.js"}`, "./m.js", "lib/m.js"},
		{`{"./*": "./lib/*.js", "./hidden": null}`, "./hidden", "!"},
		{`{"./*": "./lib/*.js"}`, "./../x", "!"},
		{`{"./x": "../outside.js"}`, "./x", "!"},
		{`{"./x": "./node_modules/y/index.js"}`, "./x", "!"},
		{`{"./x": "lib/x.js"}`, "./x", "!"},
		{`{".": "./i.js", "require": "./r.js"}`, ".", "!"},
	}
	for _, tc := range tests {
		t.Run(tc.exports+" "+tc.subpath, func(t *testing.T) {
			n, err := parseOrdered([]byte(tc.exports))
			if err != nil {
				t.Fatal(err)
			}
			got, err := resolveExports(n, tc.subpath)
			if tc.want == "!" {
				if err == nil {
					t.Fatalf("resolved to %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func FuzzResolveExports(f *testing.F) {
	f.Add(`{"./*": "./lib/*.js"}`, "./a/b")
	f.Add(`{".": {"require": ["./a.js"]}}`, ".")
	f.Add(`"./x.js"`, ".")
	f.Fuzz(func(t *testing.T, exports, subpath string) {
		n, err := parseOrdered([]byte(exports))
		if err != nil {
			return
		}
		got, err := resolveExports(n, subpath)
		if err != nil {
			if !errors.Is(err, errNotExported) && !strings.Contains(err.Error(), "mixes") {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for _, seg := range strings.Split(got, "/") {
			if seg == ".." || seg == "node_modules" {
				t.Fatalf("%s %s resolved outside the package: %q", exports, subpath, got)
			}
		}
		if strings.HasPrefix(got, "/") {
			t.Fatalf("absolute result %q", got)
		}
	})
}
