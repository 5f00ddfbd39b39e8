package egress

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strings"
)

// Policy says which destinations outbound calls may reach. The zero Policy allows every public
// address and denies loopback, link-local, private (RFC 1918, ULA) and carrier-grade NAT ranges.
type Policy struct {
	// Allow lists the permitted destinations. An entry is a host name ("api.example.com"), a
	// wildcard ("*.example.com": any name below example.com, not example.com itself), an IP address
	// ("203.0.113.7") or a CIDR ("10.0.0.0/8"). Names are compared case-insensitively and without
	// the port. Empty (or "*") allows every public address.
	//
	// A name entry never makes a private address reachable: a permitted name that resolves to a
	// private address is still denied unless AllowPrivate is set or the address is covered by an IP
	// or CIDR entry. An IP or CIDR entry permits its addresses whatever their class.
	//
	// Command line: --egress-allow (repeatable).
	Allow []string
	// AllowPrivate opts in to loopback, unspecified (0.0.0.0), link-local, private and carrier-grade
	// NAT addresses. Multicast and reserved addresses still need an IP or CIDR entry.
	//
	// Command line: --egress-allow-private.
	AllowPrivate bool
	// Map replaces hosts with stand-in base URLs, for tests and local stand-ins of third-party
	// services: "api.example.com" → "http://127.0.0.1:9000" sends https://api.example.com/v1/x to
	// http://127.0.0.1:9000/v1/x. A key with a port ("api.example.com:8443") matches only that
	// port; a key without one matches any port. A target may carry a path prefix, which is put in
	// front of the request path. Mapped hosts are permitted whatever Allow says, and the target is
	// reached even when it is a loopback or private address; the Host header is the target's.
	//
	// Command line: --egress-map host=url (repeatable; see ParseMap).
	Map map[string]string
}

// rules is a compiled Policy.
type rules struct {
	anyHost      bool     // Allow is empty or holds "*"
	hosts        []string // exact lower-case names
	suffixes     []string // ".example.com" for "*.example.com"
	prefixes     []netip.Prefix
	allowPrivate bool
	maps         map[string]*url.URL // lower-case "host" or "host:port" → target
	allowText    string              // Allow as shown in messages
}

// compile validates p and returns its compiled form.
func (p Policy) compile() (*rules, error) {
	r := &rules{allowPrivate: p.AllowPrivate, anyHost: len(p.Allow) == 0}
	for _, raw := range p.Allow {
		e := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case e == "":
			return nil, fmt.Errorf("egress allow entry %q is empty; name a host, *.domain, IP or CIDR", raw)
		case e == "*":
			r.anyHost = true
		case strings.Contains(e, "://"):
			return nil, fmt.Errorf("egress allow entry %q: give a host, not a URL (e.g. api.example.com)", raw)
		case strings.Contains(e, "/"):
			pfx, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("egress allow entry %q is not a valid CIDR (e.g. 10.0.0.0/8): %v", raw, err)
			}
			r.prefixes = append(r.prefixes, pfx.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
				r.prefixes = append(r.prefixes, netip.PrefixFrom(ip.WithZone(""), ip.BitLen()))
				continue
			}
			name, wildcard := strings.CutPrefix(e, "*.")
			if err := checkHostName(name); err != nil {
				return nil, fmt.Errorf("egress allow entry %q: %v", raw, err)
			}
			if wildcard {
				r.suffixes = append(r.suffixes, "."+name)
			} else {
				r.hosts = append(r.hosts, name)
			}
		}
	}
	shown := make([]string, 0, len(p.Allow))
	for _, e := range p.Allow {
		shown = append(shown, strings.TrimSpace(e))
	}
	r.allowText = strings.Join(shown, ", ")
	if len(p.Map) > 0 {
		r.maps = make(map[string]*url.URL, len(p.Map))
		keys := make([]string, 0, len(p.Map))
		for k := range p.Map {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			host, target, err := ParseMap(k + "=" + p.Map[k])
			if err != nil {
				return nil, err
			}
			u, _ := url.Parse(target) // validated by ParseMap
			r.maps[host] = u
		}
	}
	return r, nil
}

// checkHostName accepts DNS names (letters, digits, '-', '_' and dots; no port, scheme or path).
func checkHostName(name string) error {
	if name == "" || len(name) > 253 {
		return fmt.Errorf("not a host name; name a host such as api.example.com")
	}
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '.', c == '_':
		case c == ':':
			return fmt.Errorf("ports are not part of an allow entry; name the host only")
		case c == '/':
			return fmt.Errorf("give a host, not a URL")
		default:
			return fmt.Errorf("character %q is not allowed in a host name", c)
		}
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return fmt.Errorf("%q is not a valid host name", name)
	}
	return nil
}

// ParseMap parses one --egress-map value, "host=url", such as
// "api.example.com=http://127.0.0.1:9000". The host may carry a port ("api.example.com:8443"); the
// URL must be http or https with a host and may carry a path prefix, but no query, fragment or user
// information. It returns the lower-cased host and the target URL without a trailing slash.
func ParseMap(s string) (host, target string, err error) {
	h, t, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("egress map %q: want host=url, e.g. api.example.com=http://127.0.0.1:9000", s)
	}
	h = strings.ToLower(strings.TrimSpace(h))
	t = strings.TrimSpace(t)
	name := h
	if hn, port, err := net.SplitHostPort(h); err == nil {
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return "", "", fmt.Errorf("egress map %q: bad port %q", s, port)
		}
		name = hn
	}
	if _, ipErr := netip.ParseAddr(strings.Trim(name, "[]")); ipErr != nil {
		if err := checkHostName(name); err != nil {
			return "", "", fmt.Errorf("egress map %q: host: %v", s, err)
		}
	}
	if !strings.HasPrefix(t, "http://") && !strings.HasPrefix(t, "https://") {
		return "", "", fmt.Errorf("egress map %q: target must start with http:// or https://", s)
	}
	u, err := url.Parse(t)
	if err != nil {
		return "", "", fmt.Errorf("egress map %q: target is not a URL: %v", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", fmt.Errorf("egress map %q: target must start with http:// or https://", s)
	case u.Host == "":
		return "", "", fmt.Errorf("egress map %q: target has no host", s)
	case u.User != nil:
		return "", "", fmt.Errorf("egress map %q: target must not carry user information", s)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", "", fmt.Errorf("egress map %q: target must not carry a query or fragment", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return h, u.String(), nil
}

// mapped returns the stand-in target for a request host ("host" or "host:port"), or nil.
func (r *rules) mapped(hostport string) *url.URL {
	if len(r.maps) == 0 {
		return nil
	}
	hp := strings.ToLower(hostport)
	if u, ok := r.maps[hp]; ok {
		return u
	}
	name := hp
	if h, _, err := net.SplitHostPort(hp); err == nil {
		name = h
	}
	return r.maps[name]
}

// nameAllowed reports whether a host name passes the name entries of Allow.
func (r *rules) nameAllowed(host string) bool {
	if r.anyHost {
		return true
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, h := range r.hosts {
		if h == host {
			return true
		}
	}
	for _, s := range r.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// inPrefixes reports whether ip is covered by an IP or CIDR entry.
func (r *rules) inPrefixes(ip netip.Addr) bool {
	ip = ip.WithZone("")
	for _, p := range r.prefixes {
		if p.Contains(ip) || (ip.Is4In6() && p.Contains(ip.Unmap())) {
			return true
		}
	}
	return false
}

// checkName is the check made before any DNS lookup: a name that no entry can permit is denied
// without resolving it.
func (r *rules) checkName(host string) error {
	if r.nameAllowed(host) || len(r.prefixes) > 0 {
		return nil
	}
	return &DeniedError{Host: host, reason: "is not in the egress allow-list (" + r.allowText + ")",
		hint: "add it with --egress-allow " + host}
}

// checkAddr checks one address that host resolved to (host is the IP itself for IP literals).
func (r *rules) checkAddr(host string, ip netip.Addr) error {
	covered := r.inPrefixes(ip)
	literal := isIPLiteral(host)
	if !covered && !r.anyHost && (literal || !r.nameAllowed(host)) {
		return &DeniedError{Host: host, IP: ip, reason: "is not in the egress allow-list (" + r.allowText + ")",
			hint: "add it with --egress-allow " + hostOrIP(host, ip)}
	}
	c := classify(ip)
	if c == classPublic || covered || (c.private() && r.allowPrivate) {
		return nil
	}
	e := &DeniedError{Host: host, IP: ip, reason: "is " + c.describe()}
	ipText := ip.WithZone("").String()
	if c.private() {
		e.hint = "allow it with --egress-allow " + ipText + " or --egress-allow-private"
	} else {
		e.hint = "allow it with --egress-allow " + ipText
	}
	return e
}

func hostOrIP(host string, ip netip.Addr) string {
	if isIPLiteral(host) {
		return ip.WithZone("").String()
	}
	return host
}

func isIPLiteral(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}
