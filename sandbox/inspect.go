package sandbox

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// inspectMaxItems is how many array items or object keys inspect shows before "... N more".
const inspectMaxItems = 100

// inspect writes a one-line rendering of a value in the style of Node's util.inspect: strings quoted
// inside structures, objects as { key: value }, arrays as [ a, b ], nesting cut at depth with
// [Object]/[Array], functions as [Function: name], errors as their stack, circular references as
// [Circular]. Getters that throw render as [Getter].
func inspect(b *limitedBuilder, val goja.Value, depth int, seen []*goja.Object) {
	if b.full() {
		return
	}
	o, isObj := val.(*goja.Object)
	if !isObj {
		inspectPrimitive(b, val, len(seen) > 0)
		return
	}
	for _, s := range seen {
		if s == o {
			b.WriteString("[Circular]")
			return
		}
	}
	if fn, ok := goja.AssertFunction(o); ok && fn != nil {
		name := ""
		if n := safeGet(o, "name"); n != nil && goja.IsString(n) {
			name = n.String()
		}
		if name == "" {
			b.WriteString("[Function (anonymous)]")
		} else {
			b.WriteString("[Function: " + name + "]")
		}
		return
	}
	switch o.ClassName() {
	case "Error":
		if s := safeGet(o, "stack"); s != nil && goja.IsString(s) {
			b.WriteString(strings.TrimRight(cleanStack(s.String(), nil), "\n"))
		} else {
			b.WriteString(safeString(o))
		}
		return
	case "Date", "RegExp":
		if o.ClassName() == "Date" {
			if iso, ok := goja.AssertFunction(safeGet(o, "toISOString")); ok {
				if res, err := iso(o); err == nil {
					b.WriteString(res.String())
					return
				}
			}
		}
		b.WriteString(safeString(o))
		return
	case "String", "Number", "Boolean":
		b.WriteString("[" + o.ClassName() + ": ")
		if vo, ok := goja.AssertFunction(safeGet(o, "valueOf")); ok {
			if res, err := vo(o); err == nil {
				inspectPrimitive(b, res, true)
			}
		}
		b.WriteString("]")
		return
	}
	isArray := o.ClassName() == "Array"
	if depth < 0 {
		if isArray {
			b.WriteString("[Array]")
		} else {
			b.WriteString("[Object]")
		}
		return
	}
	seen = append(seen, o)
	if isArray {
		n := int64(0)
		if l := safeGet(o, "length"); l != nil {
			n = l.ToInteger()
		}
		if n == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[ ")
		for i := int64(0); i < n && i < inspectMaxItems && !b.full(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			inspectItem(b, safeGet(o, strconv.FormatInt(i, 10)), depth, seen)
		}
		if n > inspectMaxItems {
			b.WriteString(", ... " + strconv.FormatInt(n-inspectMaxItems, 10) + " more items")
		}
		b.WriteString(" ]")
		return
	}
	keys := o.Keys()
	prefix := ""
	if cn := o.ClassName(); cn != "Object" {
		prefix = cn + " "
	}
	if len(keys) == 0 {
		b.WriteString(prefix + "{}")
		return
	}
	b.WriteString(prefix + "{ ")
	for i, k := range keys {
		if b.full() {
			return
		}
		if i == inspectMaxItems {
			b.WriteString(", ... " + strconv.Itoa(len(keys)-inspectMaxItems) + " more items")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if isIdentifier(k) {
			b.WriteString(k)
		} else {
			b.WriteString(quoteJS(k))
		}
		b.WriteString(": ")
		item := safeGet(o, k)
		if item == nil {
			b.WriteString("[Getter]")
			continue
		}
		inspectItem(b, item, depth, seen)
	}
	b.WriteString(" }")
}

func inspectItem(b *limitedBuilder, val goja.Value, depth int, seen []*goja.Object) {
	if val == nil {
		b.WriteString("undefined")
		return
	}
	inspect(b, val, depth-1, seen)
}

// inspectPrimitive renders a primitive; nested strings are quoted.
func inspectPrimitive(b *limitedBuilder, val goja.Value, nested bool) {
	switch {
	case val == nil || goja.IsUndefined(val):
		b.WriteString("undefined")
	case goja.IsNull(val):
		b.WriteString("null")
	case goja.IsString(val):
		if nested {
			b.WriteString(quoteJS(val.String()))
		} else {
			b.WriteString(val.String())
		}
	case goja.IsBigInt(val):
		b.WriteString(val.String() + "n")
	case goja.IsNumber(val):
		f := val.ToFloat()
		if f == 0 && math.Signbit(f) {
			b.WriteString("-0")
			return
		}
		b.WriteString(val.String())
	default:
		b.WriteString(safeString(val))
	}
}

// safeGet reads a property, returning nil when a getter throws.
func safeGet(o *goja.Object, key string) (v goja.Value) {
	defer func() {
		if x := recover(); x != nil {
			if _, stop := x.(*goja.InterruptedError); stop {
				panic(x)
			}
			v = nil
		}
	}()
	return o.Get(key)
}

// isError reports whether o is an Error object.
func isError(o *goja.Object) bool { return o.ClassName() == "Error" }

// quoteJS quotes a string with single quotes, escaping like util.inspect.
func quoteJS(s string) string {
	var sb strings.Builder
	sb.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			sb.WriteString(`\'`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if r < 0x20 {
				sb.WriteString(`\x`)
				sb.WriteString(strconv.FormatInt(int64(r)+0x100, 16)[1:])
				continue
			}
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('\'')
	return sb.String()
}

// isIdentifier reports whether a key can be shown unquoted.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}
