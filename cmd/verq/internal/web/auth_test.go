package web

import (
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verq/verq/catalog"
)

func TestToken_Check(t *testing.T) {
	tok := NewToken("s3cret")
	tests := []struct {
		presented string
		want      bool
	}{
		{"s3cret", true},
		{"s3cre", false},
		{"s3cret ", false},
		{"S3CRET", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tok.Check(tt.presented); got != tt.want {
			t.Errorf("Check(%q) = %v", tt.presented, got)
		}
	}
	var zero Token
	if zero.Set() || zero.Check("") || zero.Check(strings.Repeat("\x00", 32)) || NewToken("").Set() {
		t.Error("the zero Token accepts something")
	}
}

func TestGenerateToken(t *testing.T) {
	a, err := GenerateToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateToken()
	if a == b || !strings.HasPrefix(a, "verq_") || len(a) != len("verq_")+43 {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestToken_StoreLoadRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	st, err := catalog.Open(path, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := LoadToken(st.DB()); ok || err != nil {
		t.Fatalf("fresh database has a token: %v %v", ok, err)
	}
	tok, text, err := CreateToken(st.DB(), time.Now())
	if err != nil || !tok.Check(text) {
		t.Fatalf("create: %v", err)
	}
	loaded, ok, err := LoadToken(st.DB())
	if err != nil || !ok || !loaded.Check(text) || loaded.Check(text+"x") {
		t.Fatalf("load: %v %v", ok, err)
	}
	if err := st.Check(); err != nil {
		t.Fatalf("catalog check with the admin bucket: %v", err)
	}
	if slices.Contains(catalog.ReservedBuckets(), AdminBucket) {
		t.Fatal("admin bucket collides with the catalog's")
	}
	// Rotation replaces the hash: the old token stops working.
	_, text2, err := CreateToken(st.DB(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, _ = LoadToken(st.DB())
	if loaded.Check(text) || !loaded.Check(text2) {
		t.Fatal("rotation kept the old token")
	}
	st.Close()

	ro, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	loaded, ok, err = LoadToken(ro.DB())
	if err != nil || !ok || !loaded.Check(text2) {
		t.Fatalf("read-only load: %v %v", ok, err)
	}
	if _, _, err := CreateToken(ro.DB(), time.Now()); err == nil || !strings.Contains(err.Error(), "VERQ_ADMIN_TOKEN") {
		t.Fatalf("create on read-only: %v", err)
	}
}

func TestActorOf(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "admin"},
		{"   ", "admin"},
		{"alice", "admin:alice"},
		{" ci bot ", "admin:ci bot"},
		{"a\x00b\nc\u200bd", "admin:abcd"},
		{strings.Repeat("x", 100), "admin:" + strings.Repeat("x", maxActorLen)},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.header != "" {
			r.Header.Set(ActorHeader, tt.header)
		}
		if got := actorOf(r); got != tt.want {
			t.Errorf("actorOf(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestBearer(t *testing.T) {
	tests := []struct {
		header, tok string
		ok          bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER  abc ", "abc", true},
		{"Bearer", "", false},
		{"Basic abc", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.header)
		tok, ok := bearer(r)
		if tok != tt.tok || ok != tt.ok {
			t.Errorf("bearer(%q) = %q %v", tt.header, tok, ok)
		}
	}
}

func TestSplitModulePath(t *testing.T) {
	tests := []struct {
		rest, name string
		tail       []string
		err        bool
	}{
		{"auth0", "auth0", nil, false},
		{"auth0/", "auth0", nil, false},
		{"auth0/versions/2.9.1", "auth0", []string{"versions", "2.9.1"}, false},
		{"auth0/versions/2.9.1/status", "auth0", []string{"versions", "2.9.1", "status"}, false},
		{"auth0/history", "auth0", []string{"history"}, false},
		{"auth0/default", "auth0", []string{"default"}, false},
		{"@auth0/rule-utilities", "@auth0/rule-utilities", nil, false},
		{"@auth0/rule-utilities/versions/0.2.0", "@auth0/rule-utilities", []string{"versions", "0.2.0"}, false},
		{"assert/strict", "assert/strict", nil, false},
		{"fs/promises/history", "fs/promises", []string{"history"}, false},
		{"@auth0", "", nil, true},
		{"", "", nil, true},
	}
	for _, tt := range tests {
		name, tail, err := splitModulePath(tt.rest)
		if (err != nil) != tt.err || name != tt.name || !slices.Equal(tail, tt.tail) {
			t.Errorf("splitModulePath(%q) = %q %v %v", tt.rest, name, tail, err)
		}
	}
}

func FuzzSplitModulePath(f *testing.F) {
	for _, s := range []string{"auth0", "@a/b/versions/1.0.0/status", "assert/strict", "//", "@", "a/versions"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		name, tail, err := splitModulePath(rest)
		if err != nil {
			return
		}
		if name == "" {
			t.Fatalf("%q: empty name without error", rest)
		}
		if len(tail) > 0 && tail[0] != segVersions && tail[0] != segHistory && tail[0] != segDefault {
			t.Fatalf("%q: tail %v starts with a non-reserved segment", rest, tail)
		}
		joined := strings.Join(append([]string{name}, tail...), "/")
		if joined != strings.Trim(rest, "/") {
			t.Fatalf("%q: split %q + %v loses text", rest, name, tail)
		}
	})
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "br, gzip;q=0.8", "gzip;q=0", "identity", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", h)
		if acceptsGzip(r) && !strings.Contains(strings.ToLower(h), "gzip") {
			t.Fatalf("%q accepted as gzip", h)
		}
	})
}
