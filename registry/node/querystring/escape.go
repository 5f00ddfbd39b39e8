package querystring

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/internal/native"
)

// noEscape marks the ASCII bytes querystring.escape leaves alone: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
var noEscape = native.ASCIISet("-_.!~*'()")

// Escape percent-encodes the UTF-16 string s like Node's querystring.escape. It reports false when s
// holds a lone surrogate, which Node rejects with URIError "URI malformed".
func Escape(s goja.String) (string, bool) {
	n := s.Length()
	var b strings.Builder
	b.Grow(n)
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c < 0x80:
			if noEscape[c] {
				b.WriteByte(byte(c))
			} else {
				native.WritePercent(&b, byte(c))
			}
			continue
		case utf16.IsSurrogate(rune(c)):
			// Like Node: a high surrogate takes the low 10 bits of whatever unit follows it; a
			// lone low surrogate or a high one at the end is an error.
			if c >= 0xDC00 || i+1 >= n {
				return "", false
			}
			i++
			c2 := s.CharAt(i) & 0x3FF
			writeRunePct(&b, 0x10000+(rune(c&0x3FF)<<10|rune(c2)))
		default:
			writeRunePct(&b, rune(c))
		}
	}
	return b.String(), true
}

func writeRunePct(b *strings.Builder, r rune) {
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, c := range buf[:n] {
		native.WritePercent(b, c)
	}
}

// DecodeURIComponent decodes s like JavaScript's decodeURIComponent; it reports false where that
// would throw URIError (a bad escape or an escaped sequence that is not UTF-8).
func DecodeURIComponent(s string) (string, bool) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	var seq [4]byte
	for i < len(s) {
		if s[i] != '%' {
			b.WriteByte(s[i])
			i++
			continue
		}
		first, ok := pctByte(s, i)
		if !ok {
			return "", false
		}
		i += 3
		if first < 0x80 {
			b.WriteByte(first)
			continue
		}
		var n int
		switch {
		case first&0xE0 == 0xC0:
			n = 2
		case first&0xF0 == 0xE0:
			n = 3
		case first&0xF8 == 0xF0:
			n = 4
		default:
			return "", false
		}
		seq[0] = first
		for k := 1; k < n; k++ {
			if i >= len(s) || s[i] != '%' {
				return "", false
			}
			c, ok := pctByte(s, i)
			if !ok || c&0xC0 != 0x80 {
				return "", false
			}
			seq[k] = c
			i += 3
		}
		r, size := utf8.DecodeRune(seq[:n])
		if r == utf8.RuneError || size != n {
			return "", false
		}
		b.Write(seq[:n])
	}
	return b.String(), true
}

func pctByte(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	hi, ok1 := native.UnhexDigit(s[i+1])
	lo, ok2 := native.UnhexDigit(s[i+2])
	return hi<<4 | lo, ok1 && ok2
}

// UnescapeBuffer decodes %XX escapes (and '+' as a space when decodeSpaces is set) into bytes,
// leaving malformed escapes as they are, like Node's querystring.unescapeBuffer.
func UnescapeBuffer(s string, decodeSpaces bool) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+' && decodeSpaces:
			out = append(out, ' ')
		case c == '%' && i+2 < len(s):
			hi, ok1 := native.UnhexDigit(s[i+1])
			lo, ok2 := native.UnhexDigit(s[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
			} else {
				out = append(out, c)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// Unescape is Node's querystring.unescape: decodeURIComponent, falling back to the lenient
// UnescapeBuffer decoding for malformed input.
func Unescape(s string, decodeSpaces bool) string {
	if r, ok := DecodeURIComponent(s); ok {
		return r
	}
	return native.DecodeUTF8(UnescapeBuffer(s, decodeSpaces))
}
