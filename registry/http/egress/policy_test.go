package egress

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		ip   string
		want addrClass
	}{
		{"8.8.8.8", classPublic},
		{"2606:4700:4700::1111", classPublic},
		{"127.0.0.1", classLoopback},
		{"127.255.0.9", classLoopback},
		{"::1", classLoopback},
		{"::ffff:127.0.0.1", classLoopback},
		{"64:ff9b::7f00:1", classLoopback},
		{"0.0.0.0", classUnspecified},
		{"0.1.2.3", classUnspecified},
		{"::", classUnspecified},
		{"169.254.169.254", classLinkLocal},
		{"fe80::1%eth0", classLinkLocal},
		{"10.1.2.3", classPrivate},
		{"172.16.0.1", classPrivate},
		{"172.31.255.255", classPrivate},
		{"172.32.0.1", classPublic},
		{"192.168.1.1", classPrivate},
		{"::ffff:10.0.0.1", classPrivate},
		{"fd00::1", classPrivate},
		{"100.64.0.1", classShared},
		{"100.127.255.255", classShared},
		{"224.0.0.1", classMulticast},
		{"ff02::1", classMulticast},
		{"255.255.255.255", classMulticast},
		{"240.0.0.1", classReserved},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := classify(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("classify(%s) = %v (%s), want %v (%s)", tt.ip, got, got.describe(), tt.want, tt.want.describe())
			}
		})
	}
}

func TestPolicy_compile_Invalid(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		want   string
	}{
		{"empty entry", Policy{Allow: []string{" "}}, "is empty"},
		{"bad cidr", Policy{Allow: []string{"10.0.0.0/33"}}, "not a valid CIDR"},
		{"port", Policy{Allow: []string{"api.example.com:443"}}, "ports are not part"},
		{"url", Policy{Allow: []string{"https://api.example.com"}}, "give a host, not a URL"},
		{"bad char", Policy{Allow: []string{"api example.com"}}, "not allowed in a host name"},
		{"double dot", Policy{Allow: []string{"api..example.com"}}, "not a valid host name"},
		{"map without scheme", Policy{Map: map[string]string{"api.example.com": "127.0.0.1:9000"}}, "http:// or https://"},
		{"map with query", Policy{Map: map[string]string{"api.example.com": "http://127.0.0.1:9000/?a=1"}}, "query or fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.policy.compile()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("compile() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestRules_checkAddr(t *testing.T) {
	tests := []struct {
		name   string
		policy Policy
		host   string
		ip     string
		want   string // "" = allowed, else a substring of the denial
	}{
		{"default public", Policy{}, "api.example.com", "93.184.216.34", ""},
		{"default loopback name", Policy{}, "evil.example", "127.0.0.1",
			"egress denied: 127.0.0.1 (resolved from evil.example) is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private"},
		{"default loopback literal", Policy{}, "127.0.0.1", "127.0.0.1",
			"egress denied: 127.0.0.1 is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private"},
		{"default metadata", Policy{}, "169.254.169.254", "169.254.169.254", "is a link-local address"},
		{"default private", Policy{}, "db.internal", "10.0.0.5", "is a private-network address"},
		{"default mapped v6", Policy{}, "x.example", "::ffff:192.168.0.1", "is a private-network address"},
		{"default multicast", Policy{AllowPrivate: true}, "m.example", "224.0.0.1", "allow it with --egress-allow 224.0.0.1"},
		{"allow private", Policy{AllowPrivate: true}, "localhost", "127.0.0.1", ""},
		{"allow private cgnat", Policy{AllowPrivate: true}, "x", "100.64.1.1", ""},
		{"cidr covers private", Policy{Allow: []string{"10.0.0.0/8"}}, "db.internal", "10.0.0.5", ""},
		{"ip entry covers loopback", Policy{Allow: []string{"127.0.0.1"}}, "127.0.0.1", "127.0.0.1", ""},
		{"name entry", Policy{Allow: []string{"api.example.com"}}, "API.Example.com", "93.184.216.34", ""},
		{"name entry trailing dot", Policy{Allow: []string{"api.example.com"}}, "api.example.com.", "93.184.216.34", ""},
		{"name entry not private", Policy{Allow: []string{"api.example.com"}}, "api.example.com", "10.0.0.1", "is a private-network address"},
		{"wildcard", Policy{Allow: []string{"*.example.com"}}, "a.b.example.com", "93.184.216.34", ""},
		{"wildcard not apex", Policy{Allow: []string{"*.example.com"}}, "example.com", "93.184.216.34",
			"egress denied: 93.184.216.34 (resolved from example.com) is not in the egress allow-list (*.example.com); add it with --egress-allow example.com"},
		{"literal not in list", Policy{Allow: []string{"api.example.com"}}, "93.184.216.34", "93.184.216.34", "add it with --egress-allow 93.184.216.34"},
		{"star", Policy{Allow: []string{"*"}}, "anything.example", "93.184.216.34", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.policy.compile()
			if err != nil {
				t.Fatal(err)
			}
			err = r.checkAddr(tt.host, netip.MustParseAddr(tt.ip))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("checkAddr(%s, %s) = %v, want allowed", tt.host, tt.ip, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("checkAddr(%s, %s) = %v, want denial containing %q", tt.host, tt.ip, err, tt.want)
			case err != nil && !errors.Is(err, ErrDenied):
				t.Fatalf("denial %v is not ErrDenied", err)
			}
		})
	}
}

func TestRules_checkName(t *testing.T) {
	r, err := Policy{Allow: []string{"api.example.com"}}.compile()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.checkName("api.example.com"); err != nil {
		t.Fatalf("listed name denied: %v", err)
	}
	err = r.checkName("other.example.com")
	want := "egress denied: other.example.com is not in the egress allow-list (api.example.com); add it with --egress-allow other.example.com"
	if err == nil || err.Error() != want {
		t.Fatalf("checkName = %v, want %q", err, want)
	}
	r, _ = Policy{Allow: []string{"api.example.com", "10.0.0.0/8"}}.compile()
	if err := r.checkName("other.example.com"); err != nil {
		t.Fatalf("with a CIDR entry the name must be resolved before judging, got %v", err)
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in, host, target, err string
	}{
		{in: "api.example.com=http://127.0.0.1:9000", host: "api.example.com", target: "http://127.0.0.1:9000"},
		{in: " API.example.com = http://127.0.0.1:9000/ ", host: "api.example.com", target: "http://127.0.0.1:9000"},
		{in: "api.example.com:8443=https://localhost:9443/prefix/", host: "api.example.com:8443", target: "https://localhost:9443/prefix"},
		{in: "10.0.0.1=http://127.0.0.1:1", host: "10.0.0.1", target: "http://127.0.0.1:1"},
		{in: "api.example.com", err: "want host=url"},
		{in: "=http://127.0.0.1", err: "not a host name"},
		{in: "api.example.com=ftp://x", err: "http:// or https://"},
		{in: "api.example.com=http://", err: "no host"},
		{in: "api.example.com=http://u:p@127.0.0.1", err: "user information"},
		{in: "api.example.com=http://127.0.0.1/#x", err: "query or fragment"},
		{in: "api.example.com:x=http://127.0.0.1", err: "bad port"},
		{in: "a/b=http://127.0.0.1", err: "give a host"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, target, err := ParseMap(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseMap(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || host != tt.host || target != tt.target {
				t.Fatalf("ParseMap(%q) = %q, %q, %v; want %q, %q", tt.in, host, target, err, tt.host, tt.target)
			}
		})
	}
}

func FuzzParseMap(f *testing.F) {
	for _, s := range []string{"api.example.com=http://127.0.0.1:9000", "a:1=https://b/c", "=", "x=http://[::1]:80/p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, target, err := ParseMap(s)
		if err != nil {
			return
		}
		// A parsed mapping must round-trip and compile.
		h2, t2, err := ParseMap(host + "=" + target)
		if err != nil || h2 != host || t2 != target {
			t.Fatalf("round trip of %q: %q %q %v", s, h2, t2, err)
		}
		if _, err := (Policy{Map: map[string]string{host: target}}).compile(); err != nil {
			t.Fatalf("compile of parsed mapping %q: %v", s, err)
		}
	})
}

func FuzzPolicyAllow(f *testing.F) {
	for _, s := range []string{"api.example.com", "*.example.com", "10.0.0.0/8", "::1", "*", "x:1"} {
		f.Add(s, "93.184.216.34")
	}
	f.Fuzz(func(t *testing.T, entry, ip string) {
		r, err := Policy{Allow: []string{entry}}.compile()
		if err != nil {
			return
		}
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			return
		}
		// Whatever the entry, a loopback address reached by name is never allowed unless an IP
		// or CIDR entry covers it.
		if classify(addr) == classLoopback && !r.inPrefixes(addr) {
			if r.checkAddr("name.example", addr) == nil {
				t.Fatalf("entry %q let name.example reach loopback %s", entry, addr)
			}
		}
	})
}
