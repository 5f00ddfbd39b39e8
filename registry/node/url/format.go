package url

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
	"github.com/verq/verq/registry/node/querystring"
)

// noEscapeAuth marks the ASCII characters the legacy format keeps as they are in the auth part.
var noEscapeAuth = native.ASCIISet("!'()*-._~:")

func encodeAuth(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && noEscapeAuth[c] {
			b.WriteByte(c)
			continue
		}
		native.WritePercent(&b, c)
	}
	return b.String()
}

// format is the legacy Url.prototype.format of Node.js 20 over u's properties.
func format(rt *goja.Runtime, u *record) string {
	auth := u.str("auth")
	if auth != "" {
		auth = encodeAuth(auth) + "@"
	}
	protocol := u.str("protocol")
	pathname := u.str("pathname")
	hash := u.str("hash")
	host := ""
	query := ""
	if u.truthy("host") {
		host = auth + u.str("host")
	} else if u.truthy("hostname") {
		hn := u.str("hostname")
		if strings.Contains(hn, ":") && !isIPv6Hostname(hn) {
			hn = "[" + hn + "]"
		}
		host = auth + hn
		if u.truthy("port") {
			host += ":" + u.str("port")
		}
	}
	if q, ok := u.get("query").(*goja.Object); ok {
		query = querystring.Stringify(rt, q)
	}
	search := u.str("search")
	if search == "" && query != "" {
		search = "?" + query
	}
	if protocol != "" && !strings.HasSuffix(protocol, ":") {
		protocol += ":"
	}
	pathname = strings.NewReplacer("#", "%23", "?", "%3F").Replace(pathname)
	if u.truthy("slashes") || slashedProtocol[protocol] {
		if u.truthy("slashes") || host != "" {
			if pathname != "" && pathname[0] != '/' {
				pathname = "/" + pathname
			}
			host = "//" + host
		} else if strings.HasPrefix(protocol, "file") {
			host = "//"
		}
	}
	search = strings.ReplaceAll(search, "#", "%23")
	if hash != "" && hash[0] != '#' {
		hash = "#" + hash
	}
	if search != "" && search[0] != '?' {
		search = "?" + search
	}
	return protocol + host + pathname + search + hash
}
