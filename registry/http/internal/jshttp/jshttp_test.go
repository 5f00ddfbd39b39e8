package jshttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
)

func TestSerializers(t *testing.T) {
	rt := goja.New()
	e := &Env{RT: rt}
	json := rt.Get("JSON").ToObject(rt)
	e.jsonStringify, _ = goja.AssertFunction(json.Get("stringify"))
	tests := []struct {
		name string
		js   string
		fn   func(goja.Value) string
		want string
	}{
		{"qs flat", `({a: 1, b: 'x y', c: true})`, func(v goja.Value) string { return QSStringify(rt, v) }, "a=1&b=x%20y&c=true"},
		{"qs nested", `({a: {b: {c: 'd'}}, l: ['x', {y: 1}]})`, func(v goja.Value) string { return QSStringify(rt, v) },
			"a%5Bb%5D%5Bc%5D=d&l%5B0%5D=x&l%5B1%5D%5By%5D=1"},
		{"qs null undefined date", `({n: null, u: undefined, d: new Date(0)})`, func(v goja.Value) string { return QSStringify(rt, v) },
			"n=&d=1970-01-01T00%3A00%3A00.000Z"},
		{"qs rfc3986", `({s: "!'()*~-._", u: 'é'})`, func(v goja.Value) string { return QSStringify(rt, v) },
			"s=%21%27%28%29%2A~-._&u=%C3%A9"},
		{"qs non-object", `'a=1'`, func(v goja.Value) string { return QSStringify(rt, v) }, ""},
		{"querystring", `({a: [1, 2], s: "!'()*", o: {x: 1}, n: NaN, b: false})`, QuerystringStringify,
			"a=1&a=2&s=!'()*&o=&n=&b=false"},
		{"axios params", `({a: [1, 2], o: {x: 1}, d: new Date(0), n: null, u: undefined, s: 'a b@c:d$e,f[g]'})`, e.AxiosParams,
			"a[]=1&a[]=2&o=%7B%22x%22:1%7D&d=1970-01-01T00:00:00.000Z&s=a+b@c:d$e,f[g]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := rt.RunString(tt.js)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.fn(v); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "https://api.example.com/v1/x?a=1", want: "https://api.example.com/v1/x?a=1"},
		{in: "  HTTP://Example.com/a b?q=c d#frag ", want: "http://Example.com/a%20b?q=c%20d"},
		{in: "http://h/100%?x=5%", want: "http://h/100%25?x=5%25"},
		{in: "http://h/{a}|^`", want: "http://h/%7Ba%7D%7C%5E%60"},
		{in: "http://u:p@h:8080", want: "http://u:p@h:8080"},
		{in: "not a url", err: `Invalid URI "not a url"`},
		{in: "http://", err: `Invalid URI "http://"`},
		{in: "/relative/path", err: "Invalid URI"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseURL(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("ParseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
			}
		})
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://a.example/x?y=1", "http://h/%zz", "http://[::1]:80/p q", "x://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		if u.Host == "" || u.Fragment != "" {
			t.Fatalf("ParseURL(%q) = %#v: want a host and no fragment", s, u)
		}
	})
}

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9},
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"refused", refused, "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"},
		{"dns", &net.DNSError{Err: "no such host", Name: "nope.example", IsNotFound: true}, "ENOTFOUND", "getaddrinfo ENOTFOUND nope.example"},
		{"dns temporary", &net.DNSError{Err: "server misbehaving", Name: "x.example"}, "EAI_AGAIN", "getaddrinfo EAI_AGAIN x.example"},
		{"timeout", fmt.Errorf("%w: slow", egress.ErrTimeout), "ETIMEDOUT", "ETIMEDOUT"},
		{"deadline", context.DeadlineExceeded, "ETIMEDOUT", "ETIMEDOUT"},
		{"eof", io.ErrUnexpectedEOF, "ECONNRESET", "socket hang up"},
		{"denied", &egress.DeniedError{Host: "127.0.0.1", IP: netip.MustParseAddr("127.0.0.1")}, CodeEgressDenied, ""},
		{"size", &egress.SizeError{Host: "h", Limit: 5}, CodeTooLarge, "egress: response from h exceeds the size limit of 5 bytes"},
		{"other", errors.New("weird"), "", "weird"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Classify(tt.err, "h")
			if f.Code != tt.code || (tt.msg != "" && f.Message != tt.msg) {
				t.Fatalf("Classify = %q %q, want %q %q", f.Code, f.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	b := []byte{0x68, 0xc3, 0xa9, 0xff}
	tests := []struct{ enc, want string }{
		{"utf8", "h\u00e9\ufffd"},
		{"latin1", "h\u00c3\u00a9\u00ff"},
		{"binary", "h\u00c3\u00a9\u00ff"},
		{"ascii", "hC)\x7f"},
		{"base64", "aMOp/w=="},
		{"hex", "68c3a9ff"},
		{"utf16le", "\uc368\uffa9"},
	}
	for _, tt := range tests {
		got, err := Decode(b, tt.enc)
		if err != nil || got != tt.want {
			t.Errorf("Decode(%s) = %q, %v; want %q", tt.enc, got, err, tt.want)
		}
	}
	if _, err := Decode(b, "nope"); err == nil || err.Error() != "Unknown encoding: nope" {
		t.Errorf("unknown encoding: %v", err)
	}
}

// TestQSStringify_Bounded: the qs serializer is one uninterruptible Go call, so nesting and size
// must be bounded by the serializer itself, with a RangeError the rule can catch.
func TestQSStringify_Bounded(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want string
	}{
		{"cyclic object", `const o = {a: 1}; o.self = o; return o`, "RangeError: Maximum call stack size exceeded"},
		{"deep chain", `let o = {}; for (let i = 0; i < 5000; i++) o = {k: o}; return o`, "RangeError: Maximum call stack size exceeded"},
		{"long keys nested", `const k = 'x'.repeat(1 << 20); let o = 1; for (let i = 0; i < 200; i++) o = {[k]: o}; return o`, "RangeError: Invalid string length"},
		{"many values", `const o = {}; const v = 'v'.repeat(1 << 16); for (let i = 0; i < 400; i++) o['k' + i] = v; return o`, "RangeError: Invalid string length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := goja.New()
			if err := rt.Set("stringify", func(call goja.FunctionCall) goja.Value {
				return rt.ToValue(QSStringify(rt, call.Argument(0)))
			}); err != nil {
				t.Fatal(err)
			}
			v, err := rt.RunString(`try { stringify((() => {` + tt.js + `})()).length } catch (e) { String(e) }`)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tt.want {
				t.Errorf("got %.200s, want %s", got, tt.want)
			}
		})
	}
}
