package native

import (
	"strings"
)

// QuoteString quotes s the way util.inspect does: single quotes unless s contains one (then double
// quotes, or backticks if s also holds a double quote), with control characters, the backslash,
// DEL and the chosen quote escaped.
func QuoteString(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 {
		switch {
		case strings.IndexByte(s, '"') < 0:
			quote = '"'
		case strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "${"):
			quote = '`'
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(quote)
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		esc := ""
		switch {
		case c == quote && quote == '\'':
			esc = `\'`
		case c == '\\':
			esc = `\\`
		case c < 0x20 || c == 0x7f:
			esc = escapeControl(c)
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
	b.WriteByte(quote)
	return b.String()
}

// EscapeKeyChars escapes control characters, the single quote and the backslash, as util.inspect
// does inside a non-enumerable key or a symbol's description.
func EscapeKeyChars(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			b.WriteString(`\'`)
		case c == '\\':
			b.WriteString(`\\`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(escapeControl(c))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func escapeControl(c byte) string {
	switch c {
	case '\b':
		return `\b`
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\f':
		return `\f`
	case '\r':
		return `\r`
	}
	const hex = "0123456789ABCDEF"
	return `\x` + string(hex[c>>4]) + string(hex[c&15])
}
