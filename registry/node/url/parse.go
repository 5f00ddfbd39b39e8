package url

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/dop251/goja"
	"golang.org/x/net/idna"

	"github.com/verq/verq/registry/node/querystring"
)

func utf16Of(s string) []uint16 { return utf16.Encode([]rune(s)) }

var (
	hostlessProtocol = map[string]bool{"javascript": true, "javascript:": true}
	unsafeProtocol   = hostlessProtocol
	slashedProtocol  = map[string]bool{
		"http": true, "http:": true, "https": true, "https:": true, "ftp": true, "ftp:": true,
		"gopher": true, "gopher:": true, "file": true, "file:": true, "ws": true, "ws:": true,
		"wss": true, "wss:": true,
	}
)

const hostnameMaxLen = 255

// parseError is a failure url.parse reports as a JavaScript error.
type parseError struct {
	uriMalformed bool // URIError "URI malformed" (a bad escape in the auth part)
	input        string
}

func isWS(r rune) bool { return r < 33 || r == 0xA0 || r == 0xFEFF }

// preprocess trims the input and turns backslashes before the query or fragment into slashes,
// reporting whether the input holds a '#' and an '@' before the query or fragment.
func preprocess(in string) (rest string, hasHash, hasAt bool) {
	rest = strings.TrimFunc(in, isWS)
	var b strings.Builder
	split := false
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !split {
			switch c {
			case '@':
				hasAt = true
			case '#':
				hasHash = true
				split = true
			case '?':
				split = true
			case '\\':
				c = '/'
			}
		} else if c == '#' {
			hasHash = true
		}
		b.WriteByte(c)
	}
	return b.String(), hasHash, hasAt
}

// simplePath matches Node's fast path /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/.
func simplePath(s string) (pathname, search string, ok bool) {
	if !strings.HasPrefix(s, "/") {
		return "", "", false
	}
	i := 1
	if i < len(s) && s[i] == '/' {
		i++
	}
	if i < len(s) && s[i] == '/' {
		return "", "", false
	}
	q := strings.IndexByte(s, '?')
	if q < 0 {
		q = len(s)
	}
	if strings.IndexFunc(s, isJSSpace) >= 0 {
		return "", "", false
	}
	return s[:q], s[q:], true
}

func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF }

func protocolPrefix(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' {
			i++
			continue
		}
		break
	}
	if i > 0 && i < len(s) && s[i] == ':' {
		return s[:i+1]
	}
	return ""
}

// hostPattern is /^\/\/[^@/]+@[^@/]+/.
func hostPattern(s string) bool {
	if !strings.HasPrefix(s, "//") {
		return false
	}
	s = s[2:]
	at := strings.IndexAny(s, "@/")
	if at <= 0 || s[at] != '@' {
		return false
	}
	s = s[at+1:]
	return len(s) > 0 && s[0] != '@' && s[0] != '/'
}

// parse is the legacy url.parse algorithm of Node.js 20. qs parses the query when parseQuery.
func parse(rt *goja.Runtime, input string, parseQuery, slashesDenoteHost bool) (*record, *parseError) {
	u := newRecord()
	rest, hasHash, hasAt := preprocess(input)
	if !slashesDenoteHost && !hasHash && !hasAt {
		if pathname, search, ok := simplePath(rest); ok {
			u.setStr("path", rest)
			u.setStr("href", rest)
			u.setStr("pathname", pathname)
			if search != "" {
				u.setStr("search", search)
				if parseQuery {
					u.set("query", querystring.Parse(rt, search[1:]))
				} else {
					u.setStr("query", search[1:])
				}
			} else if parseQuery {
				u.set("search", goja.Null())
				u.set("query", rt.CreateObject(nil))
			}
			return u, nil
		}
	}

	proto := protocolPrefix(rest)
	lowerProto := ""
	if proto != "" {
		lowerProto = strings.ToLower(proto)
		u.setStr("protocol", lowerProto)
		rest = rest[len(proto):]
	}

	slashes := false
	if slashesDenoteHost || proto != "" || hostPattern(rest) {
		slashes = strings.HasPrefix(rest, "//")
		if slashes && !(proto != "" && hostlessProtocol[lowerProto]) {
			rest = rest[2:]
			u.set("slashes", rt.ToValue(true))
		}
	}

	if !hostlessProtocol[lowerProto] && (slashes || (proto != "" && !slashedProtocol[proto])) {
		hostEnd, atSign, nonHost := -1, -1, -1
		for i := 0; i < len(rest); i++ {
			switch rest[i] {
			case '\t', '\n', '\r':
				rest = rest[:i] + rest[i+1:]
				i--
			case ' ', '"', '%', '\'', ';', '<', '>', '\\', '^', '`', '{', '|', '}':
				if nonHost == -1 {
					nonHost = i
				}
			case '#', '/', '?':
				if nonHost == -1 {
					nonHost = i
				}
				hostEnd = i
			case '@':
				atSign = i
				nonHost = -1
			}
			if hostEnd != -1 {
				break
			}
		}
		start := 0
		if atSign != -1 {
			auth, ok := querystring.DecodeURIComponent(rest[:atSign])
			if !ok {
				return nil, &parseError{uriMalformed: true}
			}
			u.setStr("auth", auth)
			start = atSign + 1
		}
		var host string
		if nonHost == -1 {
			host = rest[start:]
			rest = ""
		} else {
			host = rest[start:nonHost]
			rest = rest[nonHost:]
		}
		u.setStr("host", host)
		parseHost(u)
		if !goja.IsString(u.get("hostname")) {
			u.setStr("hostname", "")
		}
		hostname := u.get("hostname").String()
		ipv6 := isIPv6Hostname(hostname)
		if !ipv6 {
			// Characters that cannot be in a hostname end it; the rest goes to the path.
			if i := strings.IndexAny(hostname, "/\\#?:"); i >= 0 {
				rest = "/" + hostname[i:] + rest
				hostname = hostname[:i]
			}
		}
		if len(hostname) > hostnameMaxLen {
			hostname = ""
		} else {
			hostname = strings.ToLower(hostname)
		}
		if hostname != "" {
			if ipv6 {
				if strings.ContainsAny(hostname, "\x00\t\n\r #%/<>?@\\^|") {
					return nil, &parseError{input: input}
				}
			} else {
				ascii, ok := toASCII(hostname)
				if !ok || ascii == "" || strings.ContainsAny(ascii, "\x00\t\n\r #%/:<>?@[\\]^|") {
					return nil, &parseError{input: input}
				}
				hostname = ascii
			}
		}
		port := u.str("port")
		if port != "" {
			u.setStr("host", hostname+":"+port)
		} else {
			u.setStr("host", hostname)
		}
		if ipv6 {
			hostname = hostname[1 : len(hostname)-1]
			if !strings.HasPrefix(rest, "/") {
				rest = "/" + rest
			}
		}
		u.setStr("hostname", hostname)
	}

	if !unsafeProtocol[lowerProto] {
		rest = autoEscape(rest)
	}

	questionIdx, hashIdx := -1, -1
	for i := 0; i < len(rest); i++ {
		if rest[i] == '#' {
			u.setStr("hash", rest[i:])
			hashIdx = i
			break
		}
		if rest[i] == '?' && questionIdx == -1 {
			questionIdx = i
		}
	}
	if questionIdx != -1 {
		end := len(rest)
		if hashIdx != -1 {
			end = hashIdx
		}
		u.setStr("search", rest[questionIdx:end])
		if parseQuery {
			u.set("query", querystring.Parse(rt, rest[questionIdx+1:end]))
		} else {
			u.setStr("query", rest[questionIdx+1:end])
		}
	} else if parseQuery {
		u.set("search", goja.Null())
		u.set("query", rt.CreateObject(nil))
	}
	firstIdx := hashIdx
	if questionIdx != -1 && (hashIdx == -1 || questionIdx < hashIdx) {
		firstIdx = questionIdx
	}
	switch {
	case firstIdx == -1:
		if rest != "" {
			u.setStr("pathname", rest)
		}
	case firstIdx > 0:
		u.setStr("pathname", rest[:firstIdx])
	}
	if slashedProtocol[lowerProto] && u.truthy("hostname") && !u.truthy("pathname") {
		u.setStr("pathname", "/")
	}
	if u.truthy("pathname") || u.truthy("search") {
		u.setStr("path", u.str("pathname")+u.str("search"))
	}
	u.setStr("href", format(rt, u))
	return u, nil
}

// parseHost splits a ":port" suffix off u.host into u.port and sets u.hostname.
func parseHost(u *record) {
	host := u.get("host").String()
	if i := strings.LastIndexByte(host, ':'); i >= 0 && allDigits(host[i+1:]) {
		if port := host[i+1:]; port != "" {
			u.setStr("port", port)
		}
		host = host[:i]
	}
	if host != "" {
		u.setStr("hostname", host)
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isIPv6Hostname(h string) bool {
	return len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']'
}

var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule())

// toASCII converts a hostname to its ASCII (punycode) form; ASCII input is returned as is.
func toASCII(h string) (string, bool) {
	ascii := true
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return h, true
	}
	out, err := idnaProfile.ToASCII(h)
	return out, err == nil
}

// autoEscape escapes the characters url.parse always escapes outside the host.
func autoEscape(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\t':
			esc = "%09"
		case '\n':
			esc = "%0A"
		case '\r':
			esc = "%0D"
		case ' ':
			esc = "%20"
		case '"':
			esc = "%22"
		case '\'':
			esc = "%27"
		case '<':
			esc = "%3C"
		case '>':
			esc = "%3E"
		case '\\':
			esc = "%5C"
		case '^':
			esc = "%5E"
		case '`':
			esc = "%60"
		case '{':
			esc = "%7B"
		case '|':
			esc = "%7C"
		case '}':
			esc = "%7D"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
