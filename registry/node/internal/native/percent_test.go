package native

import (
	"strings"
	"testing"
)

func TestPercentHelpers(t *testing.T) {
	set := ASCIISet("-_")
	for _, tt := range []struct {
		c    byte
		want bool
	}{{'a', true}, {'Z', true}, {'7', true}, {'-', true}, {'_', true}, {'.', false}, {' ', false}, {0x7f, false}} {
		if set[tt.c] != tt.want {
			t.Errorf("ASCIISet(\"-_\")[%q] = %v, want %v", tt.c, set[tt.c], tt.want)
		}
	}
	var b strings.Builder
	for _, c := range []byte{0x00, ' ', 0xab, 0xff} {
		WritePercent(&b, c)
	}
	if got := b.String(); got != "%00%20%AB%FF" {
		t.Errorf("WritePercent = %q", got)
	}
	for _, tt := range []struct {
		c    byte
		want byte
		ok   bool
	}{{'0', 0, true}, {'9', 9, true}, {'a', 10, true}, {'F', 15, true}, {'g', 0, false}, {'%', 0, false}} {
		if v, ok := UnhexDigit(tt.c); v != tt.want || ok != tt.ok {
			t.Errorf("UnhexDigit(%q) = %d, %v; want %d, %v", tt.c, v, ok, tt.want, tt.ok)
		}
	}
}
