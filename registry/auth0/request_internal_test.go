package auth0

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

func TestFillPath(t *testing.T) {
	vals := map[string]string{"id": "u1", "provider": "google", "user_id": "g|2"}
	tests := []struct{ tpl, want, used string }{
		{"/users/:id", "/users/u1", "id"},
		{"/users/:id/identities/:provider/:user_id", "/users/u1/identities/google/g|2", "id,provider,user_id"},
		{"/users/:nope", "/users", ""},
		{"/users/:nope/logs", "/users/logs", ""},
		{"/stats/:type", "/stats", ""},
		{"/users-by-email", "/users-by-email", ""},
	}
	for _, tt := range tests {
		got, used := fillPath(tt.tpl, func(k string) (string, bool) { v, ok := vals[k]; return v, ok })
		if got != tt.want || strings.Join(used, ",") != tt.used {
			t.Errorf("fillPath(%q) = %q %v, want %q %s", tt.tpl, got, used, tt.want, tt.used)
		}
	}
}

func TestIDNeedsEncoding(t *testing.T) {
	tests := map[string]bool{
		"auth0|abc":   true,
		"a b":         true,
		"é":           true,
		"a#b":         true,
		"auth0%7Cenc": false,
		"a/b":         false, // '/' is inside the '$'-'_' range of the SDK's character class
		"a?b":         false,
		"abc_123-x.y": false,
		"a~b":         true,
		"a{b}":        true,
	}
	for in, want := range tests {
		if got := idNeedsEncoding(in); got != want {
			t.Errorf("idNeedsEncoding(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, path, query string }{
		{"/users/auth0|abc", "/users/auth0%7Cabc", ""},
		{"/users/google-oauth2|1 2/3?x#y", "/users/google-oauth2%7C1%202/3", "x"},
		{"/users/auth0%7Cenc", "/users/auth0%7Cenc", ""},
		{"/users/é", "/users/%C3%A9", ""},
		{"/users/a\"b<c>", "/users/a%22b%3Cc%3E", ""},
	}
	for _, tt := range tests {
		p, q := escapePath(tt.in)
		if p != tt.path || q != tt.query {
			t.Errorf("escapePath(%q) = %q %q, want %q %q", tt.in, p, q, tt.path, tt.query)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	got := encodeQuery([]queryPair{{"q", `email:"a@b.c"`}, {"fields", "email,user_id"}, {"n", nullMarker}, {"body[login][title]", "a b"}})
	want := "q=email%3A%22a%40b.c%22&fields=email%2Cuser_id&n&body%5Blogin%5D%5Btitle%5D=a%20b"
	if got != want {
		t.Errorf("encodeQuery = %s, want %s", got, want)
	}
}

func TestRetryWait(t *testing.T) {
	h := http.Header{}
	if _, ok := retryWait(spec.RetryRateLimitHeaders, h, 0); ok {
		t.Error("headers policy without X-RateLimit-Limit should give up")
	}
	h.Set("X-RateLimit-Limit", "10")
	h.Set("X-RateLimit-Reset", "1")
	if d, ok := retryWait(spec.RetryRateLimitHeaders, h, 0); !ok || d != 0 {
		t.Errorf("reset in the past: %v %v", d, ok)
	}
	for attempt := 0; attempt < 3; attempt++ {
		d, ok := retryWait(spec.RetryAlways, nil, attempt)
		lo := time.Duration(1<<attempt) * time.Second
		if !ok || d < lo || d >= 2*lo {
			t.Errorf("always policy attempt %d: %v, want in [%v, %v)", attempt, d, lo, 2*lo)
		}
	}
	if _, ok := retryWait(spec.RetryNone, h, 0); ok {
		t.Error("none policy should give up")
	}
}

func TestSetRawPath(t *testing.T) {
	for _, p := range []string{"/api/v2/users/auth0%7Cabc", "/api/v2/users/100%", "/api/v2/users/a%2Fb", "/api/v2/users/[x]"} {
		u := &url.URL{Scheme: "http", Host: "h"}
		setRawPath(u, p)
		if got := strings.SplitN(u.RequestURI(), "?", 2)[0]; got != p {
			t.Errorf("setRawPath(%q): request URI %q", p, got)
		}
	}
}

func FuzzEscapePath(f *testing.F) {
	for _, s := range []string{"/users/auth0|1", "/users/a b?c#d", "/users/é%zz", "/x/\x00\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, q := escapePath(in)
		for _, s := range []string{p, q} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
			for i := 0; i < len(s); i++ {
				if c := s[i]; c <= ' ' || c >= 0x7f || c == '#' {
					t.Fatalf("escapePath(%q) left %q unescaped in %q", in, c, s)
				}
			}
		}
		if strings.ContainsRune(p, '?') {
			t.Fatalf("path %q holds a '?'", p)
		}
		u := &url.URL{Scheme: "http", Host: "h"}
		setRawPath(u, "/api/v2"+p)
		if got := strings.SplitN(u.RequestURI(), "?", 2)[0]; got != "/api/v2"+p {
			t.Fatalf("request URI %q, want %q", got, "/api/v2"+p)
		}
	})
}

func FuzzQSEncode(f *testing.F) {
	f.Add("email:\"a@b.c\"")
	f.Add("é ~-._")
	f.Fuzz(func(t *testing.T, in string) {
		out := qsEncode(in)
		dec, err := url.PathUnescape(out)
		if err != nil {
			t.Fatalf("qsEncode(%q) = %q: %v", in, out, err)
		}
		if utf8.ValidString(in) && dec != in {
			t.Fatalf("qsEncode(%q) round-trips to %q", in, dec)
		}
	})
}
