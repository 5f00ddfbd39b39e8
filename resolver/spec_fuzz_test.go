package resolver

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"foo", "foo@2.0.0", "@org/foo@2.0.0", "foo@2.0.0/bar/baz", "@org/foo@2.0.0/bar/baz",
		"foo@2.0.0-alpha/not_index", "lodash/fp", "@s/n/sub", "assert/strict", "auth0@^2.9",
		"auth0@>=2.9 <3", "auth0@1.x || 2.x", "auth0@2.9.1/../../x", "/etc/passwd", "./x", "file:///x",
		"node:fs", "foo@", "@org", "@/x", "a//b", "foo%2e", "a\x00b", "foo@1.0.0@2", "@org/foo@^1.2/sub",
		"auth0@2.0.0-alpha.5", "foo@1.0.0+build.7",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sp, err := ParseSpec(in)
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("ParseSpec(%q) error %T is not a *SpecError", in, err)
			}
			return
		}
		text := sp.String()
		if text != in {
			t.Fatalf("ParseSpec(%q).String() = %q", in, text)
		}
		again, err := ParseSpec(text)
		if err != nil || again != sp {
			t.Fatalf("reparse of %q = %+v, %v; want %+v", text, again, err, sp)
		}
		if sp.Name == "" {
			t.Fatalf("ParseSpec(%q) has an empty name", in)
		}
		if len(in) > MaxSpecLen {
			t.Fatalf("ParseSpec accepted %d bytes", len(in))
		}
		for i := 0; i < len(in); i++ {
			if c := in[i]; c < 0x20 || c >= 0x7f || c == '\\' || c == '%' || c == ':' {
				t.Fatalf("ParseSpec(%q) accepted byte %#x", in, c)
			}
		}
		for _, part := range []string{sp.Name, sp.Subpath} {
			if strings.Contains(part, " ") || strings.Contains(part, "@") && part != sp.Name {
				t.Fatalf("ParseSpec(%q): part %q contains a space or '@'", in, part)
			}
		}
		for seg := range strings.SplitSeq(in, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("ParseSpec(%q) accepted the segment %q", in, seg)
			}
		}
		if strings.HasPrefix(in, "/") || strings.HasPrefix(in, ".") {
			t.Fatalf("ParseSpec(%q) accepted a path", in)
		}
		if strings.IndexByte(sp.Name[1:], '@') >= 0 {
			t.Fatalf("ParseSpec(%q): name %q contains a version separator", in, sp.Name)
		}
		if sp.IsRange() {
			if _, err := parseRange(sp.Version); err != nil {
				t.Fatalf("ParseSpec(%q) accepted the range %q that the resolver cannot compile: %v", in, sp.Version, err)
			}
		}
		if sp.Version != "" && strings.ContainsAny(sp.Version, "/@") {
			t.Fatalf("ParseSpec(%q): version %q contains '/' or '@'", in, sp.Version)
		}
	})
}
