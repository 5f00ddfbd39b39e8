package auth0

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// apiRequest is one Management API call, fully built on the loop goroutine before it is sent.
type apiRequest struct {
	method      string // upper case
	path        string // under the base URL, escaped as Node's HTTP layer sends it (may carry "?…")
	query       []queryPair
	body        []byte
	contentType string
	// result options
	rawResponse bool
	// uncaughtAfter, when set, is reported as an uncaught TypeError after the response (the pre-2.32
	// getUsersByEmail(email, options) quirk) and the call never settles.
	uncaughtAfter string
}

type queryPair struct{ key, value string }

// fillPath substitutes :key segments of a path template. A key whose value is missing drops its
// placeholder segment, as the SDK's URL builder does (getUser() with no id sends GET /users).
func fillPath(tpl string, value func(key string) (string, bool)) (string, []string) {
	var b strings.Builder
	var used []string
	for len(tpl) > 0 {
		i := strings.IndexByte(tpl, ':')
		if i < 0 {
			b.WriteString(tpl)
			break
		}
		j := i + 1
		for j < len(tpl) && tpl[j] != '/' {
			j++
		}
		key := tpl[i+1 : j]
		head := tpl[:i]
		if v, ok := value(key); ok {
			b.WriteString(head)
			b.WriteString(v)
			used = append(used, key)
		} else {
			b.WriteString(strings.TrimSuffix(head, "/"))
		}
		tpl = tpl[j:]
	}
	return b.String(), used
}

// idNeedsEncoding reports whether the SDK (2.18+) would encodeURIComponent an id: it does when the
// id has a character outside the JavaScript class [0-9A-Za-z$-_.+!*'(),%] — where "$-_" is the
// range from '$' to '_' — so "auth0|x" and "a b" are encoded but "a/b" and "auth0%7Cx" are not.
func idNeedsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '$' && c <= '_':
		case c == '.', c == '+', c == '!', c == '*', c == '\'', c == '(', c == ')', c == ',', c == '%':
		default:
			return true
		}
	}
	return false
}

// encodeURIComponent is JavaScript's encodeURIComponent (lone surrogates cannot occur in Go strings).
func encodeURIComponent(s string) string {
	return percentEncode(s, func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("-_.!~*'()", c) >= 0
	})
}

// escapePath escapes a filled path the way Node's legacy URL parser does before sending: space,
// quotes, <>, `, {}, |, \ and ^ are percent-encoded, '%' and '/' are kept, control characters and
// non-ASCII are encoded as UTF-8 (Node sends non-ASCII raw, which servers reject; see the package
// documentation). A '?' starts the query and a '#' ends the URL, as in Node.
func escapePath(p string) (path, query string) {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p, query = p[:i], p[i+1:]
	}
	keep := func(c byte) bool {
		return c > 0x20 && c < 0x7f && strings.IndexByte("\"'<>`{}|\\^", c) < 0
	}
	return percentEncode(p, keep), percentEncode(query, func(c byte) bool { return c > 0x20 && c < 0x7f && c != '#' })
}

// qsEncode is the query encoder of qs (RFC 3986): only unreserved characters are kept.
func qsEncode(s string) string {
	return percentEncode(s, func(c byte) bool { return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' })
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

const hexDigits = "0123456789ABCDEF"

func percentEncode(s string, keep func(byte) bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keep(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keep(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// encodeQuery renders query pairs; a pair with an empty key is a bare value (strictNullHandling).
func encodeQuery(pairs []queryPair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(qsEncode(p.key))
		if p.value != nullMarker {
			b.WriteByte('=')
			b.WriteString(qsEncode(p.value))
		}
	}
	return b.String()
}

// nullMarker is the value of a query key whose value is null: qs (strictNullHandling) writes the
// bare key.
const nullMarker = "\x00null"

// multipartBoundary mimics form-data's boundary: 26 dashes and 24 hex digits.
func multipartBoundary(seed uint64) string {
	h := strconv.FormatUint(seed, 16)
	for len(h) < 24 {
		h = "0" + h
	}
	return strings.Repeat("-", 26) + h[len(h)-24:]
}
