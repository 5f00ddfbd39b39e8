package jshttp

import (
	"fmt"
	"net/url"
	"strings"
)

// nodeAutoEscape are the characters Node's url.parse percent-encodes by itself.
var nodeAutoEscape = strings.NewReplacer(
	" ", "%20", "\t", "%09", "\n", "%0A", "\r", "%0D", "\"", "%22", "'", "%27", "<", "%3C", ">", "%3E",
	"`", "%60", "{", "%7B", "}", "%7D", "|", "%7C", "\\", "%5C", "^", "%5E",
)

// ParseURL parses an absolute http or https URL leniently, the way Node's url.parse accepts what
// rules write: leading and trailing whitespace is trimmed, the characters url.parse escapes
// automatically (space, quotes, <, >, `, {, }, |, \, ^) are percent-encoded in the path and query, a
// stray '%' becomes "%25", and any fragment is dropped. It returns an error naming the URL when it has
// no scheme or host.
func ParseURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("Invalid URI %q", raw)
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if authority == "" {
		return nil, fmt.Errorf("Invalid URI %q", raw)
	}
	u, err := url.Parse(scheme + "://" + authority + fixPercent(nodeAutoEscape.Replace(tail)))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("Invalid URI %q", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return u, nil
}

// fixPercent escapes '%' signs that do not start a valid escape.
func fixPercent(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// AppendQuery adds a serialized query to u ("a=1&b=2"), after any query u already has.
func AppendQuery(u *url.URL, q string) {
	switch {
	case q == "":
	case u.RawQuery == "":
		u.RawQuery = q
	default:
		u.RawQuery += "&" + q
	}
}
