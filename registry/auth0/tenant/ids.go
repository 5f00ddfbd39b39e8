package tenant

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomAlnum returns n random characters from [A-Za-z0-9].
func randomAlnum(n int) string {
	b := make([]byte, n)
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		// 248 = 4*62: reject values that would bias the distribution.
		for buf[i] >= 248 {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				panic(err)
			}
			buf[i] = one[0]
		}
		b[i] = alnum[int(buf[i])%len(alnum)]
	}
	return string(b)
}

// objectID returns a 24-hex-digit id shaped like the ones Auth0 gives database users: a 4-byte
// creation time followed by 8 random bytes.
func objectID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	if _, err := rand.Read(b[4:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func newRoleID() string { return "rol_" + randomAlnum(16) }
func newRuleID() string { return "rul_" + randomAlnum(16) }
