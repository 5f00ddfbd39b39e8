package url

import (
	"strings"

	"github.com/dop251/goja"
)

// jsSplit is String.prototype.split(sep) for a value that may be missing: missing gives nil.
func jsSplit(s string, present bool) []string {
	if !present {
		return nil
	}
	return strings.Split(s, "/")
}

// resolveObject is the legacy Url.prototype.resolveObject of Node.js 20: src is the base, rel the
// parsed relative reference; both are left untouched.
func resolveObject(rt *goja.Runtime, src, rel *record) *record {
	rel = rel.clone()
	result := newRecord()
	for _, k := range src.keys {
		result.set(k, src.get(k))
	}
	result.set("hash", rel.get("hash"))
	finish := func() *record {
		result.setStr("href", format(rt, result))
		return result
	}
	if rel.get("href").String() == "" && goja.IsString(rel.get("href")) {
		return finish()
	}

	if rel.truthy("slashes") && !rel.truthy("protocol") {
		for _, k := range rel.keys {
			if k != "protocol" {
				result.set(k, rel.get(k))
			}
		}
		if slashedProtocol[result.str("protocol")] && result.truthy("hostname") && !result.truthy("pathname") {
			result.setStr("pathname", "/")
			result.setStr("path", "/")
		}
		return finish()
	}

	if rel.truthy("protocol") && rel.str("protocol") != result.str("protocol") {
		relProto := rel.str("protocol")
		if !slashedProtocol[relProto] {
			for _, k := range rel.keys {
				result.set(k, rel.get(k))
			}
			return finish()
		}
		result.set("protocol", rel.get("protocol"))
		if !rel.truthy("host") && !(relProto == "file" || relProto == "file:") && !hostlessProtocol[relProto] {
			relPath := jsSplit(rel.str("pathname"), true)
			host := ""
			for len(relPath) > 0 {
				host = relPath[0]
				relPath = relPath[1:]
				if host != "" {
					break
				}
			}
			rel.setStr("host", host)
			if !rel.truthy("hostname") {
				rel.setStr("hostname", "")
			}
			if len(relPath) == 0 || relPath[0] != "" {
				relPath = append([]string{""}, relPath...)
			}
			if len(relPath) < 2 {
				relPath = append([]string{""}, relPath...)
			}
			result.setStr("pathname", strings.Join(relPath, "/"))
		} else {
			result.set("pathname", rel.get("pathname"))
		}
		result.set("search", rel.get("search"))
		result.set("query", rel.get("query"))
		if rel.truthy("host") {
			result.set("host", rel.get("host"))
		} else {
			result.setStr("host", "")
		}
		result.set("auth", rel.get("auth"))
		if rel.truthy("hostname") {
			result.set("hostname", rel.get("hostname"))
		} else {
			result.set("hostname", rel.get("host"))
		}
		result.set("port", rel.get("port"))
		if result.truthy("pathname") || result.truthy("search") {
			result.setStr("path", result.str("pathname")+result.str("search"))
		}
		if !result.truthy("slashes") {
			result.set("slashes", rel.get("slashes"))
		}
		return finish()
	}

	isSourceAbs := result.truthy("pathname") && strings.HasPrefix(result.str("pathname"), "/")
	isRelAbs := rel.truthy("host") || (rel.truthy("pathname") && strings.HasPrefix(rel.str("pathname"), "/"))
	mustEndAbs := isRelAbs || isSourceAbs || (result.truthy("host") && rel.truthy("pathname"))
	removeAllDots := mustEndAbs
	srcPath := jsSplit(result.str("pathname"), result.truthy("pathname"))
	relPath := jsSplit(rel.str("pathname"), rel.truthy("pathname"))
	noLeadingSlashes := result.truthy("protocol") && !slashedProtocol[result.str("protocol")]

	if noLeadingSlashes {
		result.setStr("hostname", "")
		result.set("port", goja.Null())
		if result.truthy("host") {
			if len(srcPath) > 0 && srcPath[0] == "" {
				srcPath[0] = result.str("host")
			} else {
				srcPath = append([]string{result.str("host")}, srcPath...)
			}
		}
		result.setStr("host", "")
		if rel.truthy("protocol") {
			rel.set("hostname", goja.Null())
			rel.set("port", goja.Null())
			result.set("auth", goja.Null())
			if rel.truthy("host") {
				if len(relPath) > 0 && relPath[0] == "" {
					relPath[0] = rel.str("host")
				} else {
					relPath = append([]string{rel.str("host")}, relPath...)
				}
			}
			rel.set("host", goja.Null())
		}
		mustEndAbs = mustEndAbs && ((len(relPath) > 0 && relPath[0] == "") || (len(srcPath) > 0 && srcPath[0] == ""))
	}

	switch {
	case isRelAbs:
		if rel.truthy("host") || isEmptyString(rel.get("host")) {
			if !result.get("host").StrictEquals(rel.get("host")) {
				result.set("auth", goja.Null())
			}
			result.set("host", rel.get("host"))
			result.set("port", rel.get("port"))
		}
		if rel.truthy("hostname") || isEmptyString(rel.get("hostname")) {
			if !result.get("hostname").StrictEquals(rel.get("hostname")) {
				result.set("auth", goja.Null())
			}
			result.set("hostname", rel.get("hostname"))
		}
		result.set("search", rel.get("search"))
		result.set("query", rel.get("query"))
		srcPath = relPath
	case len(relPath) > 0:
		if len(srcPath) > 0 {
			srcPath = srcPath[:len(srcPath)-1]
		}
		srcPath = append(srcPath, relPath...)
		result.set("search", rel.get("search"))
		result.set("query", rel.get("query"))
	case !rel.isNullish("search"):
		if noLeadingSlashes {
			var first goja.Value = goja.Undefined()
			if len(srcPath) > 0 {
				first = stringValue(srcPath[0])
				srcPath = srcPath[1:]
			}
			result.set("hostname", first)
			result.set("host", first)
			splitAuthInHost(result)
		}
		result.set("search", rel.get("search"))
		result.set("query", rel.get("query"))
		if !goja.IsNull(result.get("pathname")) || !goja.IsNull(result.get("search")) {
			result.setStr("path", result.str("pathname")+result.str("search"))
		}
		return finish()
	}

	if len(srcPath) == 0 {
		result.set("pathname", goja.Null())
		if result.truthy("search") {
			result.setStr("path", "/"+result.str("search"))
		} else {
			result.set("path", goja.Null())
		}
		return finish()
	}

	last := srcPath[len(srcPath)-1]
	hasTrailingSlash := ((result.truthy("host") || rel.truthy("host") || len(srcPath) > 1) && (last == "." || last == "..")) || last == ""

	up := 0
	for i := len(srcPath) - 1; i >= 0; i-- {
		switch last = srcPath[i]; {
		case last == ".":
			srcPath = append(srcPath[:i], srcPath[i+1:]...)
		case last == "..":
			srcPath = append(srcPath[:i], srcPath[i+1:]...)
			up++
		case up > 0:
			srcPath = append(srcPath[:i], srcPath[i+1:]...)
			up--
		}
	}
	if !mustEndAbs && !removeAllDots {
		for ; up > 0; up-- {
			srcPath = append([]string{".."}, srcPath...)
		}
	}
	if mustEndAbs && (len(srcPath) == 0 || srcPath[0] != "") && (len(srcPath) == 0 || !strings.HasPrefix(srcPath[0], "/")) {
		srcPath = append([]string{""}, srcPath...)
	}
	if hasTrailingSlash && !strings.HasSuffix(strings.Join(srcPath, "/"), "/") {
		srcPath = append(srcPath, "")
	}
	isAbsolute := len(srcPath) > 0 && (srcPath[0] == "" || strings.HasPrefix(srcPath[0], "/"))

	if noLeadingSlashes {
		host := ""
		if !isAbsolute && len(srcPath) > 0 {
			host = srcPath[0]
			srcPath = srcPath[1:]
		}
		result.setStr("hostname", host)
		result.setStr("host", host)
		splitAuthInHost(result)
	}

	mustEndAbs = mustEndAbs || (result.truthy("host") && len(srcPath) > 0)
	if mustEndAbs && !isAbsolute {
		srcPath = append([]string{""}, srcPath...)
	}
	if len(srcPath) == 0 {
		result.set("pathname", goja.Null())
		result.set("path", goja.Null())
	} else {
		result.setStr("pathname", strings.Join(srcPath, "/"))
	}
	if !goja.IsNull(result.get("pathname")) || !goja.IsNull(result.get("search")) {
		result.setStr("path", result.str("pathname")+result.str("search"))
	}
	if rel.truthy("auth") {
		result.set("auth", rel.get("auth"))
	}
	if !result.truthy("slashes") {
		result.set("slashes", rel.get("slashes"))
	}
	return finish()
}

func isEmptyString(v goja.Value) bool {
	return goja.IsString(v) && v.String() == ""
}

// splitAuthInHost moves a "user@" prefix stuck in result.host into result.auth (mailto: URLs).
func splitAuthInHost(result *record) {
	host := result.str("host")
	if i := strings.Index(host, "@"); i > 0 {
		parts := strings.Split(host, "@")
		result.setStr("auth", parts[0])
		result.setStr("host", parts[1])
		result.setStr("hostname", parts[1])
	}
}
