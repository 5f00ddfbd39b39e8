package querystring

import (
	"strings"
)

// DefaultMaxKeys is how many pairs parse reads unless options.maxKeys says otherwise.
const DefaultMaxKeys = 1000

// Pair is one raw key/value pair split out of a query string, before decoding. '+' has already
// been replaced by "%20" (Node decodes it as a space through the decoder). KeyEncoded and
// ValueEncoded say whether the part holds an escape and needs the decoder.
type Pair struct {
	Key, Value               string
	KeyEncoded, ValueEncoded bool
}

// Split cuts s into pairs with Node's querystring.parse scanning rules: sep separates pairs, the
// first eq in a pair separates key from value, empty pairs are skipped but count against
// maxKeys, and at most maxKeys pairs are read (maxKeys <= 0 means no limit). Empty sep or eq
// mean "&" and "=".
func Split(s, sep, eq string, maxKeys int) []Pair {
	if sep == "" {
		sep = "&"
	}
	if eq == "" {
		eq = "="
	}
	pairs := maxKeys
	if pairs <= 0 {
		pairs = -1
	}
	var out []Pair
	var key, value strings.Builder
	keyEnc, valEnc := false, false
	lastPos, sepIdx, eqIdx := 0, 0, 0
	inKey := func() bool { return eqIdx < len(eq) }
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == sep[sepIdx] {
			sepIdx++
			if sepIdx < len(sep) {
				continue
			}
			end := i - sepIdx + 1
			if inKey() {
				if lastPos < end {
					key.WriteString(s[lastPos:end])
				} else if key.Len() == 0 {
					// An empty pair between separators.
					pairs--
					if pairs == 0 {
						return out
					}
					lastPos = i + 1
					sepIdx, eqIdx = 0, 0
					continue
				}
			} else if lastPos < end {
				value.WriteString(s[lastPos:end])
			}
			out = append(out, Pair{key.String(), value.String(), keyEnc, valEnc})
			key.Reset()
			value.Reset()
			keyEnc, valEnc = false, false
			pairs--
			if pairs == 0 {
				return out
			}
			lastPos = i + 1
			sepIdx, eqIdx = 0, 0
			continue
		}
		sepIdx = 0
		if inKey() {
			if c == eq[eqIdx] {
				eqIdx++
				if eqIdx == len(eq) {
					end := i - eqIdx + 1
					if lastPos < end {
						key.WriteString(s[lastPos:end])
					}
					lastPos = i + 1
				}
				continue
			}
			eqIdx = 0
		}
		switch c {
		case '+':
			if inKey() {
				key.WriteString(s[lastPos:i])
				key.WriteString("%20")
				keyEnc = true
			} else {
				value.WriteString(s[lastPos:i])
				value.WriteString("%20")
				valEnc = true
			}
			lastPos = i + 1
		case '%':
			if inKey() {
				keyEnc = true
			} else {
				valEnc = true
			}
		}
	}
	if lastPos < len(s) {
		if inKey() {
			key.WriteString(s[lastPos:])
		} else if sepIdx < len(sep) {
			value.WriteString(s[lastPos:])
		}
	} else if eqIdx == 0 && key.Len() == 0 {
		// A trailing separator: nothing pending.
		return out
	}
	return append(out, Pair{key.String(), value.String(), keyEnc, valEnc})
}
