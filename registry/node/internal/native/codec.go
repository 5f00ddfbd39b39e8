package native

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// Encoding is one of Node's Buffer string encodings.
type Encoding int

// The encodings Node.js accepts for strings.
const (
	UTF8 Encoding = iota
	Hex
	Base64
	Base64URL
	Latin1
	ASCII
	UTF16LE
)

var encodingNames = [...]string{"utf8", "hex", "base64", "base64url", "latin1", "ascii", "utf16le"}

// String is the canonical name, e.g. "utf8" or "latin1".
func (e Encoding) String() string { return encodingNames[e] }

// LookupEncoding resolves an encoding name the way Buffer.isEncoding does: case-insensitively,
// with the aliases utf-8, binary, ucs2, ucs-2 and utf-16le.
func LookupEncoding(name string) (Encoding, bool) {
	switch name {
	case "utf8", "utf-8":
		return UTF8, true
	case "hex":
		return Hex, true
	case "base64":
		return Base64, true
	}
	switch strings.ToLower(name) {
	case "utf8", "utf-8":
		return UTF8, true
	case "hex":
		return Hex, true
	case "base64":
		return Base64, true
	case "base64url":
		return Base64URL, true
	case "latin1", "binary":
		return Latin1, true
	case "ascii":
		return ASCII, true
	case "ucs2", "ucs-2", "utf16le", "utf-16le":
		return UTF16LE, true
	}
	return UTF8, false
}

// EncodingArg reads an optional encoding argument: undefined and null mean utf8, a known name its
// encoding; ok is false for anything else.
func EncodingArg(v goja.Value) (enc Encoding, ok bool) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return UTF8, true
	}
	if !goja.IsString(v) {
		return UTF8, false
	}
	return LookupEncoding(v.String())
}

// DecodeString converts a JavaScript string to bytes with enc, leniently like Buffer.from: hex
// stops at the first bad pair, base64 skips characters outside both alphabets and stops at '=',
// latin1 and ascii keep the low byte of each UTF-16 code unit, utf8 turns lone surrogates into
// U+FFFD.
func DecodeString(v goja.Value, enc Encoding) []byte {
	switch enc {
	case UTF8:
		return []byte(v.String())
	case Hex:
		return decodeHex(v.String())
	case Base64, Base64URL:
		return decodeBase64(v.String())
	}
	units := codeUnits(v)
	switch enc {
	case Latin1, ASCII:
		out := make([]byte, len(units))
		for i, c := range units {
			out[i] = byte(c)
		}
		return out
	default: // UTF16LE
		out := make([]byte, 2*len(units))
		for i, c := range units {
			out[2*i] = byte(c)
			out[2*i+1] = byte(c >> 8)
		}
		return out
	}
}

func decodeHex(s string) []byte {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		hi, ok1 := UnhexDigit(s[i])
		lo, ok2 := UnhexDigit(s[i+1])
		if !ok1 || !ok2 {
			break
		}
		out = append(out, hi<<4|lo)
	}
	return out
}

func base64Value(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+' || c == '-':
		return 62, true
	case c == '/' || c == '_':
		return 63, true
	}
	return 0, false
}

func decodeBase64(s string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		v, ok := base64Value(c)
		if !ok {
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// EncodeToString converts bytes to a JavaScript string with enc, like buf.toString(enc).
func EncodeToString(rt *goja.Runtime, b []byte, enc Encoding) goja.Value {
	switch enc {
	case Hex:
		return rt.ToValue(hex.EncodeToString(b))
	case Base64:
		return rt.ToValue(base64.StdEncoding.EncodeToString(b))
	case Base64URL:
		return rt.ToValue(base64.RawURLEncoding.EncodeToString(b))
	case Latin1, ASCII:
		u := make([]uint16, len(b))
		for i, c := range b {
			if enc == ASCII {
				c &= 0x7f
			}
			u[i] = uint16(c)
		}
		return goja.StringFromUTF16(u)
	case UTF16LE:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return goja.StringFromUTF16(u)
	default:
		return rt.ToValue(DecodeUTF8(b))
	}
}

// ByteLength is Buffer.byteLength for a string in enc.
func ByteLength(v goja.Value, enc Encoding) int {
	switch enc {
	case Hex:
		return len(v.String()) / 2
	case Base64, Base64URL:
		s := v.String()
		n := len(s)
		if n > 0 && s[n-1] == '=' {
			n--
			if n > 0 && s[n-1] == '=' {
				n--
			}
		}
		return n * 3 / 4
	case Latin1, ASCII:
		if s, ok := v.(goja.String); ok {
			return s.Length()
		}
		return len(utf16.Encode([]rune(v.String())))
	case UTF16LE:
		if s, ok := v.(goja.String); ok {
			return 2 * s.Length()
		}
		return 2 * len(utf16.Encode([]rune(v.String())))
	}
	return len(v.String())
}

// codeUnits returns the UTF-16 code units of a string value (of v's string form otherwise).
func codeUnits(v goja.Value) []uint16 {
	s, ok := v.(goja.String)
	if !ok {
		return utf16.Encode([]rune(v.String()))
	}
	n := s.Length()
	out := make([]uint16, n)
	for i := range out {
		out[i] = s.CharAt(i)
	}
	return out
}
