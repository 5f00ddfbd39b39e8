package native

import "strings"

// upperHex is the digit set of percent-encoding, which Node writes in upper case.
const upperHex = "0123456789ABCDEF"

// ASCIISet returns a table marking the ASCII letters, digits and the characters of extra, the
// shape of every "left as is" set of Node's percent-encoders. extra must be ASCII.
func ASCIISet(extra string) (t [128]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range extra {
		t[c] = true
	}
	return t
}

// WritePercent writes the byte c to b as "%XX" with upper-case hex digits.
func WritePercent(b *strings.Builder, c byte) {
	b.WriteByte('%')
	b.WriteByte(upperHex[c>>4])
	b.WriteByte(upperHex[c&15])
}

// UnhexDigit returns the value of the hex digit c (either case); false when c is not one.
func UnhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
